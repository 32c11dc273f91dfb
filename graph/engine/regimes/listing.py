"""``listing`` (``us-entity-list``, ``us-ofac-ns-cmic``, ``us-dod-1260h``): the entity itself
(or a record linked to it by SAME_AS) is designated on the day asked."""

from __future__ import annotations

import networkx as nx

from supplygraph.graph.model.answers import RegimeOut
from supplygraph.graph.model.records import Edge, Relation

from .evaluation import Evaluation, listing_text


class Listing(Evaluation):
    """A direct listing: a listed owner or parent does not make the root covered."""

    def verdict(self) -> RegimeOut:
        root, day = self.up.root, self.up.day.isoformat()
        found = self.active(root)
        lists = ", ".join(sorted(set(self.rule.lists.values())))
        if found:
            d = found[0]
            cite = f" ({d.citation})" if d.citation else ""
            via = ""
            paths: list[list[Edge]] = []
            if d.entity_id != root:
                via = f" (listed as {self.up.name(d.entity_id)}, the same entity)"
                link = self._same_as_path(root, d.entity_id)
                paths = [link] if link else []
            return self.out(
                "covered",
                f"{self.root_name} is on the {listing_text(d, self.label(d))}{cite}{via}.",
                paths=paths,
                designations=[d],
            )
        past = self.inactive(root)
        if past:
            d = past[0]
            span = (
                f"listed from {d.start_date.isoformat()}"
                if d.start_date and self.up.day < d.start_date
                else f"listed until {d.end_date.isoformat() if d.end_date else '?'}"
            )
            return self.out(
                "not_covered",
                f"{self.root_name} is not on the {lists} on {day}: it is {span}.",
                designations=past,
            )
        return self.out(
            "not_covered",
            f"{self.root_name} is not on the {lists} on {day}. This regime is a direct "
            "listing: a listed owner or parent does not make it covered.",
        )

    def _same_as_path(self, a: str, b: str) -> list[Edge]:
        g: nx.Graph[str] = nx.Graph()
        for e in self.up.edges:
            if e.relation is Relation.SAME_AS:
                g.add_edge(e.src, e.dst, edge=e)
        try:
            hops = nx.shortest_path(g, b, a)
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            return []
        return [g.edges[x, y]["edge"] for x, y in zip(hops, hops[1:], strict=False)]
