"""Integrated ownership: who owns an entity (upstream) and what it holds (downstream).

``effective_share`` is the product of the shares along each ownership path, summed over all
paths (76.5% through a wholly owned holding plus 23.5% direct is 100%). Shares are percent.
An unknown share makes the result a range or unknown, never 0. Cross-holdings terminate because
only simple paths are summed, within a depth bound. Control (non-equity) edges never add to a
share; they are reported in ``controls`` and in the paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import cast

import networkx as nx

from supplygraph.graph.engine.prefetch import edge_source
from supplygraph.graph.model.answers import (
    EntityRef,
    OwnerOut,
    OwnersResult,
    StateOwnedFinding,
    Step,
    UltimateOwner,
)
from supplygraph.graph.model.records import Edge, Node, OrgType, Relation
from supplygraph.graph.store.protocol import Direction, GraphView

OWNERSHIP_RELATIONS = frozenset({Relation.OWNS, Relation.CONTROLS})
MAX_PATHS_SHOWN = 5
MAX_PATHS_SUMMED = 10_000

# Org types that make an owner "the state". Loaders map their sources onto these (BODS `state` /
# `stateBody`, FtM PublicBody, OFAC "Target Type State-Owned Enterprise"); a source that only
# flags state ownership without a type may set ``properties["state_owned"] = True``.
STATE_ORG_TYPES = frozenset(
    {OrgType.STATE_BODY, OrgType.STATE_OWNED_ENTERPRISE, OrgType.PUBLIC_BODY}
)


def is_state(node: Node) -> bool:
    """A state, a state body or a state-owned enterprise."""
    return node.org_type in STATE_ORG_TYPES or node.properties.get("state_owned") is True


def _preference(edge: Edge) -> tuple[date, date, float, str]:
    """Among parallel OWNS edges for one pair, the most recently stated fact wins."""
    oldest = date.min
    return (edge.reported_on or oldest, edge.valid_from or oldest, edge.confidence, edge.id)


def collapse_parallel(edges: Iterable[Edge]) -> list[Edge]:
    """One edge per (owner, owned, relation): summing two reports of one stake double counts."""
    best: dict[tuple[str, str, Relation], Edge] = {}
    for e in edges:
        key = (e.src, e.dst, e.relation)
        if key not in best or _preference(e) > _preference(best[key]):
            best[key] = e
    return list(best.values())


@dataclass
class ShareRange:
    exact: float | None
    low: float | None
    high: float | None


def combine_paths(paths: list[list[Edge]]) -> ShareRange:
    """Integrated share over ownership paths, in percent.

    >>> from supplygraph.graph.model.records import Edge, SourceRef
    >>> src = (SourceRef(id="s", title="t"),)
    >>> e = lambda a, b, s: Edge(id=a+b, src=a, dst=b, relation="OWNS", share=s, sources=src)
    >>> combine_paths([[e("h", "t", 100), e("p", "h", 76.5)], [e("p", "t", 23.5)]]).exact
    100.0
    """
    if not paths:
        return ShareRange(None, None, None)
    total_low = 0.0
    total_high = 0.0
    any_low = False
    all_exact = True
    for path in paths:
        low: float | None = 1.0
        high = 1.0
        for edge in path:
            lo, hi = edge.share_bounds
            low = None if (low is None or lo is None) else low * lo / 100.0
            high *= (hi if hi is not None else 100.0) / 100.0
            if edge.share is None:
                all_exact = False
        if low is not None:
            total_low += low
            any_low = True
        total_high += high
    low_pct = round(min(total_low * 100.0, 100.0), 6) if any_low else None
    high_pct = round(min(total_high * 100.0, 100.0), 6)
    exact = low_pct if all_exact else None
    return ShareRange(exact=exact, low=low_pct, high=high_pct)


def _collect(
    view: GraphView, start: str, upward: bool, max_depth: int, as_of: date
) -> tuple[nx.MultiDiGraph[str], set[str]]:
    """The ownership/control neighbourhood, one batched store call per hop."""
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(start)
    seen = {start}
    frontier = [start]
    direction = Direction.IN if upward else Direction.OUT
    # One query for the whole neighbourhood on a server store; the walk below stays the same.
    source = edge_source(view, [start], direction, OWNERSHIP_RELATIONS, max_depth)
    for _ in range(max_depth):
        if not frontier:
            break
        fresh: list[str] = []
        edges = [
            e for e in source.edges(frontier, direction, OWNERSHIP_RELATIONS) if e.active_on(as_of)
        ]
        for e in collapse_parallel(edges):
            g.add_edge(e.src, e.dst, key=e.id, edge=e)
            other = e.src if upward else e.dst
            if other not in seen:
                seen.add(other)
                fresh.append(other)
        frontier = fresh
    return g, set(frontier)


def _edge_paths(
    g: nx.MultiDiGraph[str], src: str, dst: str, cutoff: int, limit: int
) -> list[list[Edge]]:
    out: list[list[Edge]] = []
    for edge_path in nx.all_simple_edge_paths(g, src, dst, cutoff=cutoff):
        out.append([g.edges[cast(tuple[str, str, str], step)]["edge"] for step in edge_path])
        if len(out) >= limit:
            break
    return out


def _shown(paths: list[list[Edge]]) -> list[list[Edge]]:
    """The paths worth showing first: most ownership links, then shortest."""
    ranked = sorted(paths, key=lambda p: (-sum(e.relation is Relation.OWNS for e in p), len(p)))
    return ranked[:MAX_PATHS_SHOWN]


def _controls(paths: list[list[Edge]]) -> bool:
    """Control: some path where every link is control or a majority stake."""

    def link(e: Edge) -> bool:
        lo, _ = e.share_bounds
        return e.relation is Relation.CONTROLS or (lo is not None and lo > 50.0)

    return any(path and all(link(e) for e in path) for path in paths)


def ownership(
    view: GraphView, entity_id: str, upward: bool, max_depth: int, as_of: date
) -> list[OwnerOut]:
    return _analyse(view, entity_id, upward, max_depth, as_of)[1]


def _analyse(
    view: GraphView, entity_id: str, upward: bool, max_depth: int, as_of: date
) -> tuple[nx.MultiDiGraph[str], list[OwnerOut], dict[str, Node]]:
    """The ownership graph, the integrated result per owner (or holding), and the nodes."""
    g, unexpanded = _collect(view, entity_id, upward, max_depth, as_of)
    owned_only: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    owned_only.add_nodes_from(g.nodes)
    for u, v, key, data in g.edges(keys=True, data=True):
        if cast(Edge, data["edge"]).relation is Relation.OWNS:
            owned_only.add_edge(u, v, key=key, edge=data["edge"])
    others = [n for n in g.nodes if n != entity_id]
    nodes = view.nodes([*others, entity_id])
    names = {i: n.name for i, n in nodes.items()}
    depth = nx.single_source_shortest_path_length(g.reverse(copy=False) if upward else g, entity_id)
    results: list[OwnerOut] = []
    for other in others:
        node = nodes.get(other)
        head, tail = (other, entity_id) if upward else (entity_id, other)
        all_paths = _edge_paths(g, head, tail, max_depth, MAX_PATHS_SUMMED)
        own_paths = _edge_paths(owned_only, head, tail, max_depth, MAX_PATHS_SUMMED)
        share = combine_paths(own_paths)
        direct = [p[0].share for p in own_paths if len(p) == 1]
        top = g.in_degree(other) == 0 if upward else g.out_degree(other) == 0
        results.append(
            OwnerOut(
                id=other,
                name=node.name if node else other,
                kind=node.kind.value if node else "unknown",
                org_type=node.org_type.value if node and node.org_type else None,
                depth=depth.get(other, 0),
                direct_share=direct[0] if direct else None,
                effective_share=share.exact,
                effective_share_min=share.low,
                effective_share_max=share.high,
                controls=_controls(all_paths),
                ultimate=top and other not in unexpanded,
                paths=[[Step.of(e, names) for e in p] for p in _shown(all_paths)],
            )
        )
    results.sort(key=lambda o: (o.depth, -(o.effective_share_min or 0.0), o.name))
    return g, results, nodes


def owners(view: GraphView, entity: EntityRef, max_depth: int, as_of: date) -> OwnersResult:
    g, found, nodes = _analyse(view, entity.id, True, max_depth, as_of)
    states = {o.id for o in found if (n := nodes.get(o.id)) is not None and is_state(n)}
    ultimate = [
        UltimateOwner(
            id=o.id,
            name=o.name,
            kind=o.kind,
            org_type=o.org_type,
            state=o.id in states,
            effective_share=o.effective_share,
            effective_share_min=o.effective_share_min,
            effective_share_max=o.effective_share_max,
            controls=o.controls,
        )
        for o in found
        if o.ultimate
    ]
    return OwnersResult(
        entity=entity,
        as_of=as_of,
        owners=found,
        ultimate_owners=ultimate,
        state_owned=state_finding(g, entity, nodes.get(entity.id), found, states, max_depth),
    )


def _sum_bounds(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(min(sum(known), 100.0), 6) if known else None


def _chain_text(path: list[Step]) -> str:
    """'SASAC -> CETC -> CETHIK -> Hikvision', with the share of each OWNS link when known."""
    if not path:
        return ""
    parts = [path[0].from_name]
    for step in path:
        share = f" {step.share:g}%" if step.share is not None else ""
        link = "owns" if step.relation == Relation.OWNS.value else "controls"
        parts.append(f"({link}{share}) {step.to_name}")
    return " ".join(parts)


def _share_text(exact: float | None, low: float | None, high: float | None) -> str:
    if exact is not None:
        return f"{exact:g}%"
    if low is not None and high is not None:
        return f"between {low:g}% and {high:g}%"
    if high is not None:
        return f"not known (at most {high:g}%)"
    return "not known"


def state_finding(
    g: nx.MultiDiGraph[str],
    entity: EntityRef,
    node: Node | None,
    found: list[OwnerOut],
    states: set[str],
    max_depth: int,
) -> StateOwnedFinding:
    """Is a state body or SOE at the top of the entity's chains? With the chain that shows it.

    The highest state-type owners are reported (a state body above an SOE wins over the SOE);
    their integrated shares are disjoint (neither owns the other), so they add up.
    """
    if not states:
        if node is not None and is_state(node):
            return StateOwnedFinding(
                state_owned=True,
                by=[entity],
                reason=f"{entity.name} is itself a state body or state-owned enterprise; "
                "no owner above it is recorded.",
            )
        tops = [o.name for o in found if o.ultimate]
        where = f"; the chains end at {', '.join(tops[:5])}" if tops else ""
        return StateOwnedFinding(
            state_owned=False,
            reason=f"No state body or state-owned enterprise was found among the {len(found)} "
            f"recorded owners of {entity.name} (followed to depth {max_depth}){where}.",
        )
    highest = [o for o in found if o.id in states and not (nx.ancestors(g, o.id) & states)]
    exacts = [o.effective_share for o in highest]
    exact = _sum_bounds(exacts) if all(x is not None for x in exacts) else None
    low = _sum_bounds([o.effective_share_min for o in highest])
    high = _sum_bounds([o.effective_share_max for o in highest])
    controls = any(o.controls for o in highest)
    paths = [p for o in highest for p in o.paths][:MAX_PATHS_SHOWN]
    who = ", ".join(
        f"{o.name} ({(o.org_type or 'state-owned').replace('_', ' ')})" for o in highest
    )
    chain = _chain_text(paths[0]).rstrip(".") if paths else ""
    # A minority stake of an SOE is a state owner, not state ownership: say which it is.
    if controls or (low is not None and low >= 50.0):
        head = f"{entity.name} is state-owned or state-controlled"
    else:
        head = f"{entity.name} has state owners (no majority or control recorded)"
    reason = (
        f"{head}: {who} at the top of the chain {chain}. "
        f"Integrated share: {_share_text(exact, low, high)}"
        + ("; the state also controls it." if controls else ".")
    )
    return StateOwnedFinding(
        state_owned=True,
        by=[EntityRef(id=o.id, name=o.name, kind=o.kind) for o in highest],
        effective_share=exact,
        effective_share_min=low,
        effective_share_max=high,
        controls=controls,
        reason=reason,
        paths=paths,
    )


def holdings(view: GraphView, entity: EntityRef, max_depth: int, as_of: date) -> OwnersResult:
    held = ownership(view, entity.id, False, max_depth, as_of)
    sells, sold_by = distribution(view, entity.id, [h.id for h in held], as_of)
    return OwnersResult(
        entity=entity, as_of=as_of, holdings=held, distributes=sells, distributed_by=sold_by
    )


def distribution(
    view: GraphView, entity_id: str, held: list[str], as_of: date
) -> tuple[list[Step], list[Step]]:
    """DISTRIBUTES edges valid on ``as_of``: out of the entity (what it sells of others), and
    into the entity, its holdings and the brands they own (who sells the group's products).

    A distributor is not the maker: these edges never join an ownership chain or a verdict.
    """
    group = [entity_id, *held]
    brands = view.edges(group, Direction.OUT, [Relation.OWNS_BRAND])
    makers = set(group) | {e.dst for e in brands if e.src in group and e.active_on(as_of)}
    edges = view.edges([*makers, entity_id], Direction.BOTH, [Relation.DISTRIBUTES])
    valid = sorted(
        {e.id: e for e in edges if e.active_on(as_of)}.values(), key=lambda e: (e.src, e.dst, e.id)
    )
    out = [e for e in valid if e.src == entity_id]
    into = [e for e in valid if e.dst in makers]
    nodes = view.nodes({x for e in (*out, *into) for x in (e.src, e.dst)})
    names = {i: n.name for i, n in nodes.items()}
    return [Step.of(e, names) for e in out], [Step.of(e, names) for e in into]
