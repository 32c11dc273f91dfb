"""``affiliates`` (``ndaa-889``, ``fcc-covered``): NDAA FY2019 section 889 as implemented in
FAR 52.204-25 names companies "or any subsidiary or affiliate"; the FCC Covered List (Secure
Networks Act; FCC 22-84 on equipment authorization) does likewise.

No percentage: covered when the entity is named, is owned or controlled by a named company (any
share), is under common control with one (FAR 2.101), or the brand/product/identifier is made
by or assigned to one (OWNS_BRAND, MANUFACTURES_FOR, ASSIGNED, MODEL_OF).
"""

from __future__ import annotations

import networkx as nx

from supplygraph.graph.engine.reach import counts_as_downstream
from supplygraph.graph.engine.upstream import NON_ENTITY_KINDS
from supplygraph.graph.model.answers import RegimeOut
from supplygraph.graph.model.records import Designation

from .evaluation import Evaluation, chain_text, full_stop, listing_text


class Affiliates(Evaluation):
    """A named company, its subsidiaries and affiliates, and what they make or were assigned."""

    def verdict(self) -> RegimeOut:
        root, day = self.up.root, self.up.day.isoformat()
        scope = f" {self.rule.scope}" if self.rule.scope else ""
        own = [d for d in self.up.designations.get(root, []) if d.list_id in self.rule.lists]
        named = {
            n: ds
            for n in self.up.nodes
            if (
                ds := [
                    d
                    for d in self.up.designations.get(n, [])
                    if d.list_id in self.rule.lists and d.active_on(self.up.day)
                ]
            )
        }
        itself = self.active(root)  # the entity or a SAME_AS record of it
        if itself:
            d = itself[0]
            return self.out(
                "covered",
                f"{self.root_name} is named: {listing_text(d, self.label(d))}.{scope}",
                designations=itself,
            )
        chains = self.chains_to_root(n for n in named if n != root)
        if chains:
            first, edges = chains[0]
            d = named[first][0]
            what = (
                "a brand, product or identifier of"
                if self.up.nodes.get(root) and self.up.nodes[root].kind in NON_ENTITY_KINDS
                else "a subsidiary or affiliate of"
            )
            return self.out(
                "covered",
                f"{self.root_name} is {what} {self.up.name(first)} "
                f"({listing_text(d, self.label(d))}), which the rule names with "
                f'"any subsidiary or affiliate": {full_stop(chain_text(self.up, edges))}{scope}',
                paths=[[e for _, _, e in c] for _, c in chains],
                designations=[x for s, _ in chains for x in named[s]],
            )
        sister = self._common_control(named)
        if sister is not None:
            return sister
        later = {
            n: ds
            for n in self.up.nodes
            if (ds := [d for d in self.up.designations.get(n, []) if d.list_id in self.rule.lists])
        }
        pending = self.chains_to_root(later)
        if pending:
            first, edges = pending[0]
            d = later[first][0]
            when = (
                f"listed only from {d.start_date.isoformat()}"
                if d.start_date and self.up.day < d.start_date
                else "not listed on that day"
            )
            lead = (
                f"{self.root_name} is itself {when}"
                if first == root
                else f"{self.root_name} leads to {self.up.name(first)} "
                f"({chain_text(self.up, edges)}), but {self.up.name(first)} is {when}"
            )
            return self.out(
                "not_covered",
                f"{lead}, so the rule does not reach it on {day}.",
                paths=[[e for _, _, e in c] for _, c in pending],
                designations=[*own, *later[first]],
            )
        return self.out(
            "not_covered",
            f"None of the companies named by this rule owns, controls, makes or was assigned "
            f"{self.root_name} on {day}, as far as the recorded chain shows." + self.depth_note(),
        )

    def _common_control(self, named: dict[str, list[Designation]]) -> RegimeOut | None:
        """Covered as an affiliate under common control (FAR 2.101: "a third party controls or
        has the power to control both"): a company controls both the entity and a named one."""
        g = self.up.down_graph()
        # Control from the controller down to the entity; the last links may make the entity a
        # brand, product or identifier of a controlled company.
        control: nx.DiGraph[str] = nx.DiGraph()
        for a, b, data in g.edges(data=True):
            if counts_as_downstream(data["edge"]):
                control.add_edge(a, b)
        for link in self.up.sisters:
            if link.dst not in named or link.src not in control or self.up.root not in control:
                continue
            try:
                hops = nx.shortest_path(control, link.src, self.up.root)
            except nx.NetworkXNoPath:
                continue
            steps = [(a, b, g.edges[a, b]["edge"]) for a, b in zip(hops, hops[1:], strict=False)]
            chain = [e for _, _, e in steps]
            below = full_stop(chain_text(self.up, steps))[:-1]
            d = named[link.dst][0]
            controller, sister = self.up.name(link.src), self.up.name(link.dst)
            scope = f" {self.rule.scope}" if self.rule.scope else ""
            return self.out(
                "covered",
                f"{self.root_name} is an affiliate of {sister} "
                f"({listing_text(d, self.label(d))}) under common control: {controller} "
                f"controls both ({controller} {link.relation.value} {sister}; "
                f"{below}). "
                f"FAR 2.101 counts companies a third party controls as affiliates.{scope}",
                paths=[[link], chain],
                designations=named[link.dst],
            )
        return None
