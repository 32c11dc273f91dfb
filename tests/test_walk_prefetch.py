"""Walks read in one query on the server stores: the prefetched neighbourhood holds exactly what
a walk that asks hop by hop reads, including walks that follow some relations in and others out
(upward: owners in, models out), and the walk falls back to hop-by-hop reads past the limit.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date

import pytest
from factories import SRC, edge, org, owns
from server_stores import CYPHER_BACKENDS, fresh_store

from supplygraph.graph.engine.neighbourhood import neighbourhood
from supplygraph.graph.engine.ownership import owners
from supplygraph.graph.engine.prefetch import PrefetchedEdges, edge_source
from supplygraph.graph.engine.reach import DOWNWARD_STEPS, downstream
from supplygraph.graph.engine.upstream import UPWARD_STEPS, collect_upstream
from supplygraph.graph.model.answers import EntityRef
from supplygraph.graph.model.records import Edge, Node, NodeKind, Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.cypher import CypherStore
from supplygraph.graph.store.protocol import Direction, GraphStore, GraphView, HopsView, WalkStep

DAY = date(2025, 6, 1)


@pytest.fixture(params=CYPHER_BACKENDS)
def server(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    with fresh_store(request.param, "prefetch-") as s:
        _fill(s)
        yield s


def _fill(store: GraphStore) -> None:
    """A product under a brand under a company, owned up a chain with a registry record of the
    parent beside it, and below the company a subsidiary with products of its own (nothing an
    upward walk from the product may read)."""
    nodes = [
        org("top", "Top State Holding"),
        org("parent", "Parent Group Co., Ltd."),
        org("parent-reg", "PARENT GROUP CO LTD"),
        org("maker", "Maker Technology Co., Ltd."),
        org("sub", "Maker Subsidiary GmbH"),
        org("stranger", "Stranger Widgets Inc."),
        Node(id="brand", kind=NodeKind.BRAND, name="Makerbrand", sources=(SRC,)),
        Node(id="model", kind=NodeKind.PRODUCT, name="MB-100", sources=(SRC,)),
        Node(id="sub-model", kind=NodeKind.PRODUCT, name="SB-1", sources=(SRC,)),
    ]
    edges = [
        edge("model", Relation.MODEL_OF, "brand"),
        edge("maker", Relation.OWNS_BRAND, "brand"),
        owns("parent", "maker", 100.0),
        edge("parent-reg", Relation.SAME_AS, "parent"),
        edge("parent", Relation.SAME_AS, "parent-reg"),
        edge("top", Relation.CONTROLS, "parent-reg"),
        owns("maker", "sub", 60.0),
        edge("sub-model", Relation.MODEL_OF, "sub"),
        edge("sub", Relation.DISTRIBUTES, "stranger"),
        owns("stranger", "top", 1.0, valid_to=date(2001, 1, 1)),
    ]
    with store.writer() as w:
        w.put([*nodes, *edges])


def _walked(
    view: GraphView, ids: Collection[str], steps: Sequence[WalkStep], hops: int
) -> list[str]:
    """The ids of the edges a walk of ``hops`` levels reads when it asks hop by hop."""
    seen = set(ids)
    frontier = list(ids)
    read: set[str] = set()
    for _ in range(hops):
        fresh: list[str] = []
        for direction, relations in steps:
            for e in view.edges(frontier, direction, relations):
                read.add(e.id)
                ends = {
                    Direction.IN: (e.src,),
                    Direction.OUT: (e.dst,),
                    Direction.BOTH: (e.src, e.dst),
                }[direction]
                for n in ends:
                    if n not in seen:
                        seen.add(n)
                        fresh.append(n)
        frontier = fresh
    return sorted(read)


@pytest.mark.parametrize("hops", [1, 2, 4, 8])
def test_one_query_reads_what_the_walk_reads(server: GraphStore, hops: int) -> None:
    view = server.view()
    assert isinstance(view, HopsView)
    walks: list[tuple[str, list[WalkStep]]] = [
        ("model", UPWARD_STEPS),
        ("top", DOWNWARD_STEPS),
        ("maker", [(Direction.BOTH, list(Relation))]),
        ("maker", [(Direction.IN, [Relation.OWNS, Relation.CONTROLS, Relation.SAME_AS])]),
    ]
    for start, steps in walks:
        expected = _walked(view, [start], steps, hops)
        got = view.edges_along([start], steps, hops, limit=1000)
        if got is None:
            # FalkorDB has no quantified path patterns: walks in two directions go hop by hop.
            assert server.url.startswith("falkordb") and len(steps) > 1
            continue
        assert [e.id for e in got] == expected, (start, hops)
        # What the walk asks of the prefetched edges is what the store gives.
        source = PrefetchedEdges(got)
        for direction, relations in steps:
            assert source.edges([start], direction, relations) == view.edges(
                [start], direction, relations
            )


def test_upward_walk_never_reads_below(server: GraphStore) -> None:
    got = server.view().edges_along(["model"], UPWARD_STEPS, 12, limit=1000)
    if got is None:
        assert server.url.startswith("falkordb")
        return
    ends = {n for e in got for n in (e.src, e.dst)}
    assert {"brand", "maker", "parent", "parent-reg", "top"} <= ends
    assert "sub" not in ends and "sub-model" not in ends


def test_past_the_limit_the_walk_reads_hop_by_hop(server: GraphStore) -> None:
    view = server.view()
    steps: list[WalkStep] = [(Direction.BOTH, list(Relation))]
    everything = _walked(view, ["maker"], steps, 8)
    assert len(everything) > 3
    assert view.edges_along(["maker"], steps, 8, limit=len(everything)) is not None
    assert view.edges_along(["maker"], steps, 8, limit=3) is None
    assert edge_source(view, ["maker"], steps, 8, limit=3) is view


def test_answers_match_the_embedded_store(server: GraphStore) -> None:
    embedded = open_store("sqlite:///:memory:")
    _fill(embedded)
    try:
        for view in (server.view(), embedded.view()):
            up = collect_upstream(view, "model", DAY)
            assert set(up.nodes) == {"model", "brand", "maker", "parent", "parent-reg", "top"}
        a, b = (collect_upstream(v, "model", DAY) for v in (server.view(), embedded.view()))
        assert [e.id for e in a.edges] == [e.id for e in b.edges]
        down = [downstream(v, "top", DAY) for v in (server.view(), embedded.view())]
        assert down[0].depth == down[1].depth
        assert down[0].parents == down[1].parents
        pictures = [neighbourhood(v, "maker", depth=2) for v in (server.view(), embedded.view())]
        assert pictures[0].model_dump() == pictures[1].model_dump()
    finally:
        embedded.close()


class _NoNodeReads:
    """A view whose node reads fail: what a walk shows must come with its edges."""

    def __init__(self, view: GraphView) -> None:
        self.view = view

    def edges(
        self, ids: Collection[str], direction: Direction, relations: Collection[Relation] | None
    ) -> list[Edge]:
        return self.view.edges(ids, direction, relations)

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        raise AssertionError(f"a second read for {sorted(ids)}")

    def edges_along(
        self,
        ids: Collection[str],
        steps: Sequence[WalkStep],
        hops: int,
        limit: int,
        day: date | None = None,
    ) -> list[Edge] | None:
        raise AssertionError("the walk shows nodes: it asks for them with the edges")

    def around(
        self,
        ids: Collection[str],
        steps: Sequence[WalkStep],
        hops: int,
        limit: int,
        day: date | None = None,
    ) -> tuple[list[Edge], dict[str, Node]] | None:
        assert isinstance(self.view, HopsView)
        return self.view.around(ids, steps, hops, limit, day)


@pytest.mark.parametrize("hops", [1, 3, 8])
def test_the_nodes_come_with_the_edges(server: GraphStore, hops: int) -> None:
    # An edge to a node never put (a stub on the server) is read; the stub is no node.
    with server.writer() as w:
        w.put([owns("ghost", "parent", 5.0)])
    view = server.view()
    assert isinstance(view, HopsView)
    walks: list[tuple[str, list[WalkStep]]] = [
        ("maker", [(Direction.IN, [Relation.OWNS, Relation.CONTROLS])]),
        ("top", [(Direction.OUT, [Relation.OWNS, Relation.CONTROLS])]),
        ("model", UPWARD_STEPS),
    ]
    for start, steps in walks:
        found = view.around([start], steps, hops, limit=1000)
        edges = view.edges_along([start], steps, hops, limit=1000)
        if found is None:
            assert edges is None and server.url.startswith("falkordb") and len(steps) > 1
            continue
        assert [e.id for e in found[0]] == [e.id for e in edges or []]
        ends = {n for e in found[0] for n in (e.src, e.dst)}
        assert found[1] == view.nodes(ends), (start, hops)
        assert "ghost" not in found[1]
    # Nothing around: an empty answer (the query gives no row), not "too much to say".
    assert view.around(["model"], [(Direction.IN, [Relation.OWNS])], hops, limit=10) == ([], {})
    assert view.around(["maker"], [(Direction.BOTH, list(Relation))], 8, limit=3) is None


def test_owners_read_no_nodes_after_the_walk(server: GraphStore) -> None:
    embedded = open_store("sqlite:///:memory:")
    _fill(embedded)
    try:
        # Each has an owner: the start node comes with its edges too.
        for entity in ("maker", "sub", "parent-reg"):
            ref = EntityRef(id=entity, name=entity, kind=NodeKind.ORGANIZATION)
            on_server = owners(_NoNodeReads(server.view()), ref, 6, DAY)  # type: ignore[arg-type]
            assert on_server.model_dump() == owners(embedded.view(), ref, 6, DAY).model_dump()
            assert on_server.owners
    finally:
        embedded.close()


@pytest.mark.parametrize("hops", [1, 2, 8])
def test_edges_not_in_force_are_left_out_by_the_query(server: GraphStore, hops: int) -> None:
    # Ended on 2001-01-01: in force on 2000-06-01, not on DAY; and one starting after DAY.
    with server.writer() as w:
        w.put([owns("parent", "sub", 40.0, valid_from=date(2030, 1, 1))])
    view = server.view()
    assert isinstance(view, HopsView)
    walks: list[tuple[str, list[WalkStep]]] = [
        ("top", [(Direction.IN, [Relation.OWNS, Relation.CONTROLS])]),
        ("sub", [(Direction.IN, [Relation.OWNS, Relation.CONTROLS])]),
        ("stranger", [(Direction.BOTH, list(Relation))]),
        ("top", DOWNWARD_STEPS),
    ]
    dropped = 0
    for start, steps in walks:
        everything = view.edges_along([start], steps, hops, limit=1000)
        if everything is None:
            assert server.url.startswith("falkordb") and len(steps) > 1
            continue
        for day in (DAY, date(2000, 6, 1), date(2031, 1, 1)):
            in_force = [e for e in everything if e.active_on(day)]
            assert view.edges_along([start], steps, hops, 1000, day) == in_force, (start, day)
            found = view.around([start], steps, hops, 1000, day)
            assert found is not None and found[0] == in_force
            dropped += len(everything) - len(in_force)
    assert dropped > 0


def test_edges_stored_without_their_dates_are_kept(server: GraphStore) -> None:
    # A store written before the dates were relationship properties: its edges have none, and
    # the query keeps them (the walk reads the record's own dates).
    assert isinstance(server, CypherStore)
    with server.executor.load() as session, session.batch() as tx:
        tx.run(
            "MATCH ()-[r:OWNS]->() REMOVE r.p_valid_to, r.valid_to, r.p_valid_from, r.valid_from"
        )
    view = server.view()
    steps: list[WalkStep] = [(Direction.IN, [Relation.OWNS])]
    got = view.edges_along(["top"], steps, 2, 1000, DAY)
    assert got is not None and [e.src for e in got] == ["stranger"]
    assert not got[0].active_on(DAY)


@pytest.mark.parametrize("day", [DAY, date(2000, 6, 1)])
def test_dated_answers_match_the_embedded_store(server: GraphStore, day: date) -> None:
    # "stranger" owned 1% of "top" until 2001: in the answers of 2000, not of DAY. The server
    # leaves edges out by day in its queries; the answers must not move.
    embedded = open_store("sqlite:///:memory:")
    _fill(embedded)
    views = (server.view(), embedded.view())
    try:
        holders: dict[str, set[str]] = {}
        for entity in ("top", "parent-reg", "maker"):
            ref = EntityRef(id=entity, name=entity, kind=NodeKind.ORGANIZATION)
            up = [owners(v, ref, 6, day) for v in views]
            assert up[0].model_dump() == up[1].model_dump(), (entity, day)
            holders[entity] = {o.id for o in up[0].owners}
        assert ("stranger" in holders["top"]) is (day.year == 2000)
        for start in ("stranger", "top"):
            down = [downstream(v, start, day) for v in views]
            assert down[0].depth == down[1].depth and down[0].parents == down[1].parents
        pictures = [neighbourhood(v, "top", depth=2, as_of=day) for v in views]
        assert pictures[0].model_dump() == pictures[1].model_dump()
        shown = {n.id for n in pictures[0].nodes}
        assert ("stranger" in shown) is (day.year == 2000)
    finally:
        embedded.close()
