"""Integrated ownership: who owns an entity (upstream) and what it holds (downstream).

``effective_share`` is the product of the shares along each ownership path, summed over all
paths (76.5% through a wholly owned holding plus 23.5% direct is 100%). Shares are percent.
An unknown share makes the result a range or unknown, never 0. Cross-holdings terminate because
only simple paths are summed, within a depth bound. Control (non-equity) edges never add to a
share; they are reported in ``controls`` and in the paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import cast

import networkx as nx

from supplygraph.graph.engine.prefetch import EdgeSource, edge_source, nodes_from
from supplygraph.graph.engine.walk_budget import WalkBudget
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
    view: GraphView, start: str, upward: bool, max_depth: int, as_of: date, budget: WalkBudget
) -> tuple[nx.MultiDiGraph[str], set[str], EdgeSource]:
    """The ownership/control neighbourhood, one batched store call per hop, within the budget.

    Nodes left unexpanded (by the depth bound or the budget) are returned: they are not
    "ultimate", as something above them may not have been read. So is what the edges were read
    from: on a server store it holds the nodes read with them.
    """
    g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    g.add_node(start)
    seen = {start}
    frontier = [start]
    direction = Direction.IN if upward else Direction.OUT
    # One query for the whole neighbourhood on a server store; the walk below stays the same.
    # Edges not in force on the day are left out by the query: the walk skips them uncounted.
    steps = [(direction, OWNERSHIP_RELATIONS)]
    source = edge_source(view, [start], steps, max_depth, with_nodes=True, day=as_of)
    for _ in range(max_depth):
        if not frontier:
            break
        edges = [
            e for e in source.edges(frontier, direction, OWNERSHIP_RELATIONS) if e.active_on(as_of)
        ]
        # What was read is kept (reading it was the cost); the budget stops the next hop.
        fresh: list[str] = []
        for e in collapse_parallel(edges):
            g.add_edge(e.src, e.dst, key=e.id, edge=e)
            other = e.src if upward else e.dst
            if other not in seen:
                seen.add(other)
                fresh.append(other)
        frontier = fresh
        if not (budget.take_edges(len(edges)) and budget.take_nodes(len(fresh))):
            break
    return g, set(frontier), source


@dataclass
class _Tally:
    """What the path walk found for one owner (or holding)."""

    low: float = 0.0
    any_low: bool = False
    high: float = 0.0
    exact: bool = True
    paths: int = 0
    shown: list[tuple[tuple[int, int, int], tuple[Edge, ...]]] = field(default_factory=list)

    def add(self, low: float | None, high: float, exact: bool) -> None:
        self.paths += 1
        if low is not None:
            self.low += low
            self.any_low = True
        self.high += high
        self.exact = self.exact and exact

    def wants(self, rank: tuple[int, int, int]) -> bool:
        """Whether a path of this rank is among the ones worth showing first (most ownership
        links, then shortest, then first found)."""
        return len(self.shown) < MAX_PATHS_SHOWN or rank < self.shown[-1][0]

    def offer(self, rank: tuple[int, int, int], path: tuple[Edge, ...]) -> None:
        if self.wants(rank):
            self.shown.append((rank, path))
            self.shown.sort(key=lambda item: item[0])
            del self.shown[MAX_PATHS_SHOWN:]


def _walk_paths(
    g: nx.MultiDiGraph[str], start: str, upward: bool, max_depth: int, budget: WalkBudget
) -> dict[str, _Tally]:
    """Every simple path of at most ``max_depth`` links from ``start``, tallied per far end;
    stops when the budget is spent.

    The paths are walked by length (all paths of one link, then of two, ...: iterative
    deepening), so a walk cut short has read the short paths, which carry the largest shares,
    and the tallies are the best lower bounds the budget allows.
    """
    # Links ordered from the far end towards the entity: owner -> ... -> entity upward.
    adjacency: dict[str, list[tuple[str, Edge]]] = {}
    for u, v, data in g.edges(data=True):
        e = cast(Edge, data["edge"])
        if upward:
            adjacency.setdefault(v, []).append((u, e))
        else:
            adjacency.setdefault(u, []).append((v, e))
    tallies: dict[str, _Tally] = {}
    order = [0]
    for length in range(1, max_depth + 1):
        longer = _paths_of_length(adjacency, start, upward, length, budget, tallies, order)
        if not longer or budget.exhausted is not None:
            break
    return tallies


def _paths_of_length(
    adjacency: dict[str, list[tuple[str, Edge]]],
    start: str,
    upward: bool,
    length: int,
    budget: WalkBudget,
    tallies: dict[str, _Tally],
    order: list[int],
) -> bool:
    """Tally the simple paths of exactly ``length`` links (a depth-first walk); True when at
    least one was found, so that longer ones may exist."""
    found = False
    on_path = {start}
    links: list[Edge] = []
    # Per depth: (low product or None, high product, exact so far, all OWNS so far, OWNS count)
    state: list[tuple[float | None, float, bool, bool, int]] = [(1.0, 1.0, True, True, 0)]
    stack = [iter(adjacency.get(start, ()))]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            if links:
                on_path.discard(links[-1].src if upward else links[-1].dst)
                links.pop()
                state.pop()
            continue
        other, e = step
        if other in on_path:
            continue
        # Direct links cost no more than the edges already read: always tallied.
        if length > 1 and not budget.take_step():
            break
        low, high, exact, all_owns, owns = state[-1]
        is_owns = e.relation is Relation.OWNS
        if is_owns:
            lo, hi = e.share_bounds
            low = None if (low is None or lo is None) else low * lo / 100.0
            high *= (hi if hi is not None else 100.0) / 100.0
            exact = exact and e.share is not None
        links.append(e)
        if len(links) < length:
            on_path.add(other)
            state.append((low, high, exact, all_owns and is_owns, owns + is_owns))
            stack.append(iter(adjacency.get(other, ())))
            continue
        found = True
        tally = tallies.get(other)
        if tally is None:
            tally = tallies[other] = _Tally()
        if all_owns and is_owns:
            tally.add(low, high, exact)
        order[0] += 1
        rank = (-(owns + is_owns), length, order[0])
        if tally.wants(rank):
            tally.offer(rank, tuple(reversed(links)) if upward else tuple(links))
        links.pop()
    return found


def _walk_bounds(
    g: nx.MultiDiGraph[str], start: str, upward: bool, max_depth: int
) -> dict[str, float]:
    """An upper bound of each node's integrated share, in percent, in depth x edges time.

    Sums the share products over every *walk* (not only simple paths) of at most ``max_depth``
    OWNS links; the simple paths are among the walks and every term is non-negative, so this
    is never below the true figure. Used when the path walk ran out of budget.
    """
    links = [
        (u, v, cast(Edge, d["edge"]))
        for u, v, d in g.edges(data=True)
        if cast(Edge, d["edge"]).relation is Relation.OWNS
    ]
    reach = {start: 1.0}
    total: dict[str, float] = {}
    for _ in range(max_depth):
        nxt: dict[str, float] = {}
        for u, v, e in links:
            near, far = (v, u) if upward else (u, v)
            carried = reach.get(near)
            if carried:
                hi = e.share_bounds[1]
                nxt[far] = nxt.get(far, 0.0) + carried * (hi if hi is not None else 100.0) / 100.0
        for node, value in nxt.items():
            total[node] = total.get(node, 0.0) + value
        reach = nxt
        if not reach:
            break
    return {node: round(min(value * 100.0, 100.0), 6) for node, value in total.items()}


def _control_reach(g: nx.MultiDiGraph[str], start: str, upward: bool, max_depth: int) -> set[str]:
    """Nodes joined to ``start`` by a chain of control links (CONTROLS or a majority stake) of
    at most ``max_depth`` links: a breadth-first search, exact whatever the density."""
    control: nx.DiGraph[str] = nx.DiGraph()
    control.add_node(start)
    for u, v, data in g.edges(data=True):
        e = cast(Edge, data["edge"])
        lo, _ = e.share_bounds
        if e.relation is Relation.CONTROLS or (lo is not None and lo > 50.0):
            control.add_edge(u, v)
    walk = control.reverse(copy=False) if upward else control
    return set(nx.single_source_shortest_path_length(walk, start, cutoff=max_depth)) - {start}


def ownership(
    view: GraphView,
    entity_id: str,
    upward: bool,
    max_depth: int,
    as_of: date,
    budget: WalkBudget | None = None,
) -> list[OwnerOut]:
    return _analyse(view, entity_id, upward, max_depth, as_of, budget or WalkBudget())[1]


def _analyse(
    view: GraphView,
    entity_id: str,
    upward: bool,
    max_depth: int,
    as_of: date,
    budget: WalkBudget,
) -> tuple[nx.MultiDiGraph[str], list[OwnerOut], dict[str, Node]]:
    """The ownership graph, the integrated result per owner (or holding), and the nodes.

    Past the budget each owner is marked ``partial``: its share is a range from what the
    walk read (at least) to the walk bound (at most), never an exact figure.
    """
    g, unexpanded, source = _collect(view, entity_id, upward, max_depth, as_of, budget)
    collected_whole = budget.exhausted is None
    tallies = _walk_paths(g, entity_id, upward, max_depth, budget)
    partial = budget.exhausted is not None
    bounds = _walk_bounds(g, entity_id, upward, max_depth) if partial else {}
    controlled = _control_reach(g, entity_id, upward, max_depth)
    others = [n for n in g.nodes if n != entity_id]
    nodes = nodes_from(source, view, [*others, entity_id])
    names = {i: n.name for i, n in nodes.items()}
    depth = nx.single_source_shortest_path_length(g.reverse(copy=False) if upward else g, entity_id)
    results: list[OwnerOut] = []
    for other in others:
        node = nodes.get(other)
        tally = tallies.get(other, _Tally())
        head, tail = (other, entity_id) if upward else (entity_id, other)
        parallel = cast(dict[str, dict[str, Edge]], g.get_edge_data(head, tail, default={}))
        direct = [d["edge"].share for d in parallel.values() if d["edge"].relation is Relation.OWNS]
        if partial:
            low = round(min(tally.low * 100.0, 100.0), 6) if tally.any_low else None
            share = ShareRange(None, low, bounds.get(other))
        elif tally.paths:
            low = round(min(tally.low * 100.0, 100.0), 6) if tally.any_low else None
            high = round(min(tally.high * 100.0, 100.0), 6)
            share = ShareRange(low if tally.exact else None, low, high)
        else:
            share = ShareRange(None, None, None)
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
                controls=other in controlled,
                ultimate=top and other not in unexpanded and collected_whole,
                paths=[[Step.of(e, names) for e in p] for _, p in tally.shown],
                partial=partial,
            )
        )
    results.sort(key=lambda o: (o.depth, -(o.effective_share_min or 0.0), o.name))
    return g, results, nodes


def owners(
    view: GraphView,
    entity: EntityRef,
    max_depth: int,
    as_of: date,
    budget: WalkBudget | None = None,
) -> OwnersResult:
    budget = budget or WalkBudget()
    g, found, nodes = _analyse(view, entity.id, True, max_depth, as_of, budget)
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
        partial=budget.exhausted is not None,
        partial_reason=budget.note("This ownership answer") if budget.exhausted else None,
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


def holdings(
    view: GraphView,
    entity: EntityRef,
    max_depth: int,
    as_of: date,
    budget: WalkBudget | None = None,
) -> OwnersResult:
    budget = budget or WalkBudget()
    held = ownership(view, entity.id, False, max_depth, as_of, budget)
    sells, sold_by = distribution(view, entity.id, [h.id for h in held], as_of)
    return OwnersResult(
        entity=entity,
        as_of=as_of,
        holdings=held,
        distributes=sells,
        distributed_by=sold_by,
        partial=budget.exhausted is not None,
        partial_reason=budget.note("This holdings answer") if budget.exhausted else None,
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
