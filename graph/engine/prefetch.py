"""A neighbourhood read in one call, walked in memory.

The engines walk level by level through ``view.edges`` (one batched call per hop). On a server
store every call is a round trip, so when the view can hand out the whole neighbourhood at once
(:class:`~supplygraph.graph.store.protocol.HopsView`, one Cypher query with a variable-length
pattern) the walk runs over that instead, with the same answers: the prefetched edges give
``edges`` exactly what the view would for every node the walk can reach.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from supplygraph.graph.model.records import Edge, Relation
from supplygraph.graph.store.protocol import Direction, HopsView


class EdgeSource(Protocol):
    def edges(
        self,
        ids: Collection[str],
        direction: Direction,
        relations: Collection[Relation] | None = None,
    ) -> list[Edge]: ...


class PrefetchedEdges:
    """``edges`` over a fixed set of edges, in the order the stores give (by edge id)."""

    def __init__(self, edges: list[Edge]) -> None:
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


def edge_source(
    view: EdgeSource,
    ids: Collection[str],
    direction: Direction,
    relations: Collection[Relation],
    hops: int,
) -> EdgeSource:
    """What a walk of ``hops`` levels from ``ids`` should read edges from: the view itself,
    or (when it can give a neighbourhood in one call) the prefetched neighbourhood."""
    if hops < 1 or not isinstance(view, HopsView):
        return view
    return PrefetchedEdges(view.edges_within(ids, direction, relations, hops))
