"""A neighbourhood read in one call, walked in memory.

The engines walk level by level through ``view.edges`` (one batched call per hop). On a server
store every call is a round trip, so when the view can hand out the whole neighbourhood at once
(:class:`~supplygraph.graph.store.protocol.HopsView`, one Cypher query with a variable-length
pattern) the walk runs over that instead, with the same answers: the prefetched edges give
``edges`` exactly what the view would for every node the walk can reach.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Protocol

from supplygraph.graph.model.records import Edge, Node, Relation
from supplygraph.graph.store.protocol import Direction, HopsView, WalkStep


class EdgeSource(Protocol):
    def edges(
        self,
        ids: Collection[str],
        direction: Direction,
        relations: Collection[Relation] | None = None,
    ) -> list[Edge]: ...


class NodeSource(Protocol):
    def nodes(self, ids: Collection[str]) -> dict[str, Node]: ...


class PrefetchedEdges:
    """``edges`` over a fixed set of edges, in the order the stores give (by edge id), and
    the nodes read with them (``known``), when the view gave any."""

    def __init__(self, edges: list[Edge], known: dict[str, Node] | None = None) -> None:
        self.known = known or {}
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}
        for e in edges:
            self._out.setdefault(e.src, []).append(e)
            self._in.setdefault(e.dst, []).append(e)

    def edges(
        self,
        ids: Collection[str],
        direction: Direction,
        relations: Collection[Relation] | None = None,
    ) -> list[Edge]:
        sides = {Direction.OUT: (self._out,), Direction.IN: (self._in,)}
        found: dict[str, Edge] = {}
        for side in sides.get(direction, (self._out, self._in)):
            for i in ids:
                for e in side.get(i, ()):
                    if relations is None or e.relation in relations:
                        found[e.id] = e
        return [found[k] for k in sorted(found)]


# A neighbourhood larger than this is left to the walk, which reads it hop by hop and stops
# at its own budget: one query must not read a whole dense graph for a walk that would stop.
PREFETCH_LIMIT = 50_000


def edge_source(
    view: EdgeSource,
    ids: Collection[str],
    steps: Sequence[WalkStep],
    hops: int,
    limit: int = PREFETCH_LIMIT,
    with_nodes: bool = False,
    day: date | None = None,
) -> EdgeSource:
    """What a walk of ``hops`` levels from ``ids`` along ``steps`` should read edges from: the
    view itself, or (when it can give that neighbourhood in one call) the prefetched edges,
    with ``with_nodes`` also the nodes at their ends (see :func:`nodes_from`). ``day`` leaves
    out, in the query, edges not in force that day: only for a walk that skips them and does
    not count them against its budget (the answers stay the view's)."""
    if hops < 1 or not isinstance(view, HopsView):
        return view
    if with_nodes:
        found = view.around(ids, steps, hops, limit, day)
        return view if found is None else PrefetchedEdges(*found)
    edges = view.edges_along(ids, steps, hops, limit, day)
    return view if edges is None else PrefetchedEdges(edges)


def nodes_from(source: EdgeSource, view: NodeSource, ids: Collection[str]) -> dict[str, Node]:
    """``view.nodes(ids)``, taking those the walk's source already read from it: the view is
    asked only for the rest (none, when the walk's prefetch brought every node it reached)."""
    known = source.known if isinstance(source, PrefetchedEdges) else {}
    found = {i: known[i] for i in ids if i in known}
    missing = [i for i in ids if i not in found]
    if missing:
        found.update(view.nodes(missing))
    return found
