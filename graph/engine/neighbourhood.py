"""The neighbourhood of an entity: every node and edge within a few hops, with their sources.

It is what the investigator UI draws and what the exports write. Hubs are capped: an IEEE
assignee can hold hundreds of MAC blocks, so a neighbourhood stops growing at ``max_nodes`` and
says so (``truncated``), keeping ownership and brand facts ahead of identifier leaves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, Field

from supplygraph.graph.engine.prefetch import EdgeSource, edge_source
from supplygraph.graph.errors import EntityNotFound, InvalidQuery
from supplygraph.graph.model import answers as a
from supplygraph.graph.model.answers import DesignationOut, EntityRef
from supplygraph.graph.model.evidence import Strength, policy
from supplygraph.graph.model.records import Edge, Node, Relation, SourceRef
from supplygraph.graph.store.protocol import Direction, GraphView

# Which facts survive a cap first: control and ownership, then brands and OEM ties, then
# record linkage, and identifier leaves last.
RELATION_PRIORITY: dict[Relation, int] = {
    Relation.OWNS: 0,
    Relation.CONTROLS: 0,
    Relation.OWNS_BRAND: 1,
    Relation.MANUFACTURES_FOR: 1,
    Relation.DISTRIBUTES: 2,
    Relation.MODEL_OF: 2,
    Relation.SAME_AS: 3,
    Relation.ASSIGNED: 4,
    Relation.UNRELATED_TO: 4,
}
UNRANKED = 9  # relations missing from the table come last

MAX_DEPTH = 4
DEFAULT_MAX_NODES = 400


class GraphNode(BaseModel):
    """A node as the UI and the exports need it: names, identifiers, marks and sources."""

    id: str = Field(description=a.D_ID, examples=["hikvision"])
    name: str = Field(description=a.D_NAME, examples=[a.HIKVISION])
    kind: str = Field(description=a.D_KIND, examples=["organization"])
    org_type: str | None = Field(description=a.D_ORG_TYPE, examples=["company"])
    country: str | None = Field(description=a.D_COUNTRY, examples=["CN"])
    aliases: list[str] = Field(description=a.D_ALIASES, examples=[["Hikvision", "海康威视"]])
    identifiers: list[dict[str, str]] = Field(
        description=a.D_IDENTIFIERS, examples=[[{"scheme": "oui", "value": "0C75D2"}]]
    )
    properties: dict[str, object] = Field(description=a.D_PROPERTIES, examples=[{}])
    depth: int = Field(description="Hops from the centre.", examples=[1])
    designated: bool = Field(
        description="Whether it has a listing active on the day asked.", examples=[True]
    )
    designations: list[DesignationOut] = Field(description="Its listings.")
    # Edges in the store that touch this node but are not in this neighbourhood: the UI offers
    # to expand the node when this is above zero.
    hidden_edges: int = Field(
        description="Edges in the store that touch the node but are not in this neighbourhood.",
        examples=[12],
    )
    sources: list[SourceRef] = Field(description=a.D_SOURCES)


class GraphEdge(BaseModel):
    """A directed fact between two nodes of the neighbourhood."""

    id: str = Field(description="The edge's id.", examples=["e-3f2a9c"])
    source: str = Field(description="Id of the node it starts from.", examples=["cethik"])
    target: str = Field(description="Id of the node it points to.", examples=["hikvision"])
    relation: str = Field(description=a.D_RELATION, examples=["OWNS"])
    share: float | None = Field(description=a.D_SHARE, examples=[36.35])
    share_min: float | None = Field(description=a.D_SHARE_MIN, examples=[30.0])
    share_max: float | None = Field(description=a.D_SHARE_MAX, examples=[40.0])
    valid_from: date | None = Field(description=a.D_VALID_FROM, examples=["2001-11-30"])
    valid_to: date | None = Field(description=a.D_VALID_TO, examples=["2023-01-01"])
    current: bool = Field(description="Whether the fact holds today.", examples=[True])
    confidence: float = Field(description=a.D_CONFIDENCE, examples=[0.95])
    # strong: a grade A/B source and enough confidence; weak otherwise, with why (evidence.py).
    strength: Strength = Field(default="strong", description=a.D_STRENGTH, examples=["strong"])
    weak_reason: str | None = Field(
        default=None, description=a.D_WEAK_REASON, examples=["only grade C sources"]
    )
    reason: str | None = Field(
        description="Why the data holds this link, in words.",
        examples=["IEEE assignment of the 0C-75-D2 block"],
    )
    note: str | None = Field(description="A remark on the fact.", examples=["as of 2024"])
    label: str = Field(
        description="Relation and share as drawn: `OWNS 37%`.", examples=["OWNS 36.35%"]
    )
    sources: list[SourceRef] = Field(description=a.D_SOURCES)


class Neighbourhood(BaseModel):
    """The subgraph around ``center`` up to ``depth`` hops."""

    center: EntityRef = Field(description="The entity it is drawn around.")
    depth: int = Field(description="Hops followed from the centre.", examples=[1])
    as_of: date | None = Field(
        description="The day facts were filtered for; null for every fact, with `current`.",
        examples=[None],
    )
    truncated: bool = Field(
        description="Whether it was cut at the node bound (identifier leaves go first).",
        examples=[False],
    )
    nodes: list[GraphNode] = Field(description="The nodes, the centre among them.")
    edges: list[GraphEdge] = Field(description="The edges between them.")


def share_label(edge: Edge) -> str:
    """A share as people write it: ``37%``, ``30-40%``, ``>=25%``, or empty when unknown."""
    low, high = edge.share_bounds
    if edge.share is not None:
        return f"{_pct(edge.share)}%"
    if low is not None and high is not None:
        return f"{_pct(low)}-{_pct(high)}%"
    if low is not None:
        return f">={_pct(low)}%"
    if high is not None:
        return f"<={_pct(high)}%"
    return ""


def _pct(value: float) -> str:
    return f"{value:g}"


def edge_label(edge: Edge) -> str:
    """Relation and share, the text drawn on an edge: ``OWNS 37%``."""
    share = share_label(edge)
    return f"{edge.relation.value} {share}" if share else edge.relation.value


def neighbourhood(
    view: GraphView,
    center: str,
    depth: int = 1,
    as_of: date | None = None,
    max_nodes: int = DEFAULT_MAX_NODES,
) -> Neighbourhood:
    """Breadth-first from ``center``, following edges both ways, up to ``depth`` hops.

    With ``as_of`` only facts valid that day are followed; without it every fact is included
    and those no longer valid today are flagged ``current=False``.

    >>> from supplygraph.graph.store.backends import open_store
    >>> neighbourhood(open_store("sqlite:///:memory:").view(), "nobody")
    Traceback (most recent call last):
    ...
    supplygraph.graph.errors.EntityNotFound: ...
    """
    if not 1 <= depth <= MAX_DEPTH:
        raise InvalidQuery("depth", f"depth must be between 1 and {MAX_DEPTH}")
    root = view.nodes([center]).get(center)
    if root is None:
        raise EntityNotFound(center)
    depth_of: dict[str, int] = {center: 0}
    kept: dict[str, Edge] = {}
    touching: dict[str, list[Edge]] = {}
    truncated = False
    # One breadth-first pass per priority tier, each following only edges of that tier or a
    # higher one: ownership two hops away is kept before a distributor one hop away takes the
    # last free place. Without a cap the last pass alone gives the whole neighbourhood.
    # Every edge the passes and the picture below read, in one query on a server store.
    # With ``as_of`` the picture neither shows nor counts edges not in force that day.
    steps = [(Direction.BOTH, list(Relation))]
    source = edge_source(view, [center], steps, depth + 1, day=as_of)
    for tier in sorted({*RELATION_PRIORITY.values(), UNRANKED}):
        truncated |= _expand(
            source, center, depth, as_of, max_nodes, tier, touching, depth_of, kept
        )
    # Edges among nodes already present (a subsidiary that also owns a brand of the centre)
    # belong to the picture even when no new node comes with them.
    around = source.edges(list(depth_of), Direction.BOTH)
    for edge in _ordered(around, as_of):
        if edge.src in depth_of and edge.dst in depth_of:
            kept.setdefault(edge.id, edge)
    # The same edges give each node's count of what the picture leaves out.
    return _assemble(view, around, root, depth, as_of, truncated, depth_of, kept)


def _expand(
    view: EdgeSource,
    center: str,
    depth: int,
    as_of: date | None,
    max_nodes: int,
    tier: int,
    touching: dict[str, list[Edge]],
    depth_of: dict[str, int],
    kept: dict[str, Edge],
) -> bool:
    """Breadth-first over edges of priority ``tier`` or better, adding nodes while the cap
    allows; returns whether something was left out. Each node's edges are read once per call
    of :func:`neighbourhood` (``touching``), whatever the number of tiers."""
    truncated = False
    seen = {center}
    frontier = [center]
    for hop in range(1, depth + 1):
        if not frontier:
            break
        unread = {n for n in frontier if n not in touching}
        if unread:
            for n in unread:
                touching[n] = []
            for edge in view.edges(unread, Direction.BOTH):
                for n in {edge.src, edge.dst}:
                    if n in unread:
                        touching[n].append(edge)
        edges = {e.id: e for n in frontier for e in touching[n]}
        fresh: list[str] = []
        for edge in _ordered(edges.values(), as_of):
            if RELATION_PRIORITY.get(edge.relation, UNRANKED) > tier:
                continue
            new = [n for n in (edge.src, edge.dst) if n not in depth_of]
            if len(depth_of) + len(new) > max_nodes:
                truncated = True
                continue
            for n in (edge.src, edge.dst):
                depth_of[n] = min(depth_of.get(n, hop), hop)
                if n not in seen:
                    seen.add(n)
                    fresh.append(n)
            kept[edge.id] = edge
        frontier = fresh
    return truncated


def _ordered(edges: Iterable[Edge], as_of: date | None) -> list[Edge]:
    live = [e for e in edges if as_of is None or e.active_on(as_of)]
    return sorted(live, key=lambda e: (RELATION_PRIORITY.get(e.relation, UNRANKED), e.id))


def _assemble(
    view: GraphView,
    around: list[Edge],
    root: Node,
    depth: int,
    as_of: date | None,
    truncated: bool,
    depth_of: dict[str, int],
    kept: dict[str, Edge],
) -> Neighbourhood:
    nodes = view.nodes(list(depth_of))
    designations = view.designations(list(depth_of))
    day = as_of or date.today()
    touching: dict[str, set[str]] = {}
    for edge in around:
        if as_of is None or edge.active_on(as_of):
            for n in (edge.src, edge.dst):
                touching.setdefault(n, set()).add(edge.id)
    out_nodes = []
    for node_id, hop in sorted(depth_of.items(), key=lambda item: (item[1], item[0])):
        node = nodes[node_id]
        listed = [DesignationOut.of(d, node.name, day) for d in designations.get(node_id, [])]
        out_nodes.append(
            GraphNode(
                id=node.id,
                name=node.name,
                kind=node.kind.value,
                org_type=node.org_type.value if node.org_type else None,
                country=node.country,
                aliases=list(node.aliases),
                identifiers=[
                    {"scheme": i.scheme.value, "value": i.value} for i in node.identifiers
                ],
                properties=dict(node.properties),
                depth=hop,
                designated=any(d.active for d in listed),
                designations=listed,
                hidden_edges=len(touching.get(node_id, set()) - set(kept)),
                sources=list(node.sources),
            )
        )
    today = date.today()
    out_edges = [
        _graph_edge(e, e.active_on(as_of or today))
        for e in sorted(kept.values(), key=lambda e: (RELATION_PRIORITY.get(e.relation, 9), e.id))
    ]
    return Neighbourhood(
        center=EntityRef.of(root),
        depth=depth,
        as_of=as_of,
        truncated=truncated,
        nodes=out_nodes,
        edges=out_edges,
    )


def _graph_edge(e: Edge, current: bool) -> GraphEdge:
    weak = policy().weakness(e)
    return GraphEdge(
        id=e.id,
        source=e.src,
        target=e.dst,
        relation=e.relation.value,
        share=e.share,
        share_min=e.share_min,
        share_max=e.share_max,
        valid_from=e.valid_from,
        valid_to=e.valid_to,
        current=current,
        confidence=e.confidence,
        strength="weak" if weak else "strong",
        weak_reason=weak,
        reason=e.reason,
        note=e.note,
        label=edge_label(e),
        sources=list(e.sources),
    )
