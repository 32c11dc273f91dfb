"""Everything a target "ultimately is": the downstream closure of a target node.

From the target we follow, in batches (one store round trip per hop and direction), the edges
that make something the target's: it owns or controls it, owns the brand, makes the products
(OEM), was assigned the identifier, a product belongs to its brand, or a record is the same
entity. Owners of the target are never reached: direction matters.

The closure keeps every shortest-path parent, so evidence paths come out of it directly, and it
is cached per (target, as_of, store version): a procurement lookup is then a key lookup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import networkx as nx

from supplygraph.graph.caches import AnswerCache
from supplygraph.graph.engine.prefetch import EdgeSource, edge_source
from supplygraph.graph.model.evidence import policy
from supplygraph.graph.model.records import SOURCE_ABOVE, TARGET_ABOVE, Edge, Relation
from supplygraph.graph.store.protocol import Direction, GraphView, WalkStep

# Ownership below a majority does not make a company "the target's" on its own; control does.
# An unknown share is kept (and shown): leaving it out would hide a subsidiary whose stake was
# simply never published.
MAJORITY = 50.0


def counts_as_downstream(edge: Edge) -> bool:
    if edge.relation is not Relation.OWNS:
        return True
    low, high = edge.share_bounds
    top = high if high is not None else low
    return top is None or top >= MAJORITY


@dataclass
class Reach:
    target: str
    as_of: date
    depth: dict[str, int] = field(default_factory=dict)
    # node -> (previous node, edge) for every shortest path that reaches it
    parents: dict[str, list[tuple[str, Edge]]] = field(default_factory=dict)
    truncated: bool = False
    # The closure over strong links alone, when the full one used a weak link: a longer strong
    # path must not hide behind a shorter weak one.
    strong: Reach | None = None

    def graph(self) -> nx.MultiDiGraph[str]:
        """The shortest-path DAG as a networkx graph (target at the root)."""
        g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        g.add_node(self.target)
        for node, parents in self.parents.items():
            for prev, edge in parents:
                g.add_edge(prev, node, key=edge.id, edge=edge)
        return g

    def paths_to(self, node: str, limit: int = 10) -> list[list[Edge]]:
        """Evidence paths target -> node along shortest-path parents, at most ``limit``."""
        if node not in self.depth:
            return []
        out: list[list[Edge]] = []

        def walk(current: str, suffix: list[Edge]) -> None:
            if len(out) >= limit:
                return
            if current == self.target:
                out.append(suffix)
                return
            for prev, edge in self.parents[current]:
                walk(prev, [edge, *suffix])

        walk(node, [])
        return out

    def evidence_paths(self, node: str, limit: int = 10) -> list[list[Edge]]:
        """Shortest paths over strong links first, then shortest paths over all links."""
        paths = self.strong.paths_to(node, limit) if self.strong is not None else []
        seen = {tuple(e.id for e in p) for p in paths}
        for path in self.paths_to(node, limit):
            if tuple(e.id for e in path) not in seen:
                paths.append(path)
        return paths[:limit]


# One step down: to what an owner, maker or assignee holds (out), or from a brand to its
# models (in).
DOWNWARD_STEPS: list[WalkStep] = [(Direction.OUT, SOURCE_ABOVE), (Direction.IN, TARGET_ABOVE)]


def downstream(
    view: GraphView,
    target: str,
    as_of: date,
    max_depth: int = 10,
    max_nodes: int = 250_000,
) -> Reach:
    """Everything the target's group holds on ``as_of``, with the shortest evidence paths."""
    # The whole group in one query on a server store (see prefetch), read by both passes;
    # neither follows nor counts an edge not in force on the day, so the query leaves them out.
    source = edge_source(view, [target], DOWNWARD_STEPS, max_depth, day=as_of)
    return _downstream(source, target, as_of, max_depth, max_nodes, strong_only=False)


def _downstream(
    view: EdgeSource,
    target: str,
    as_of: date,
    max_depth: int,
    max_nodes: int,
    strong_only: bool,
) -> Reach:
    reach = Reach(target=target, as_of=as_of, depth={target: 0})
    rule = policy()
    used_weak = False
    frontier = [target]
    for depth in range(1, max_depth + 1):
        if not frontier:
            break
        nxt: list[str] = []
        out_edges = view.edges(frontier, Direction.OUT, SOURCE_ABOVE)
        in_edges = view.edges(frontier, Direction.IN, TARGET_ABOVE)
        frontier_set = set(frontier)
        steps = [(e.src, e.dst, e) for e in out_edges if e.src in frontier_set]
        steps += [(e.dst, e.src, e) for e in in_edges if e.dst in frontier_set]
        for prev, node, edge in sorted(steps, key=lambda s: (s[1], s[2].id)):
            if not edge.active_on(as_of) or not counts_as_downstream(edge):
                continue
            if rule.weakness(edge) is not None:
                if strong_only:
                    continue
                used_weak = True
            seen = reach.depth.get(node)
            if seen is None:
                reach.depth[node] = depth
                reach.parents[node] = [(prev, edge)]
                nxt.append(node)
            elif seen == depth and all(e.id != edge.id for _, e in reach.parents[node]):
                reach.parents[node].append((prev, edge))
        if len(reach.depth) > max_nodes:
            reach.truncated = True
            break
        frontier = nxt
    else:
        reach.truncated = bool(frontier)
    if used_weak:
        reach.strong = _downstream(view, target, as_of, max_depth, max_nodes, strong_only=True)
    return reach


class ReachCache:
    """Closures keyed by target, date and store version (a load makes old entries unreachable)."""

    def __init__(self, size: int = 64) -> None:
        self._cache: AnswerCache[Reach] = AnswerCache(size)

    @property
    def hits(self) -> int:  # read by /metrics (cache hit rate)
        return self._cache.hits

    @property
    def misses(self) -> int:
        return self._cache.misses

    def clear(self) -> None:
        self._cache.clear()

    def get(self, view: GraphView, target: str, as_of: date) -> Reach:
        key = (target, as_of, view.version())
        reach = self._cache.get(key)
        if reach is None:
            reach = downstream(view, target, as_of)
            self._cache.put(key, reach)
        return reach
