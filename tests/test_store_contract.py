"""One contract for every store backend: the same tests run unchanged against each.

The embedded SQLite store always runs. The FalkorDB and Neo4j servers run when configured
(see server_stores.py; .ci/run starts both) and show as skipped otherwise, never as passed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from factories import SRC, edge, ident, listing, org, owns
from server_stores import CYPHER_BACKENDS, fresh_store

from supplygraph.graph.engine.ownership import ownership
from supplygraph.graph.engine.resolve import Query, Resolver
from supplygraph.graph.model.normalize import name_keys
from supplygraph.graph.model.records import IdScheme, LoadEntry, Node, NodeKind, Relation, SourceRef
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.cypher import CypherStore
from supplygraph.graph.store.protocol import Direction, GraphStore
from supplygraph.graph.store.sqlite import SQLiteStore


@pytest.fixture(params=["sqlite", *CYPHER_BACKENDS])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    if request.param == "sqlite":
        s = open_store(f"sqlite:///{tmp_path / 'contract.db'}")
        yield s
        s.close()
    else:
        with fresh_store(request.param, "contract-") as s:
            yield s


def _fill(store: GraphStore) -> None:
    with store.writer() as w:
        w.put(
            [
                org(
                    "acme",
                    "Acme Holdings Co., Ltd.",
                    "Acme",
                    identifiers=(ident(IdScheme.LEI, "LEI0000000000000001"),),
                ),
                org("acme-sub", "Acme Subsidiary GmbH"),
                org("other", "Unrelated Widgets Inc."),
                Node(
                    id="oui:AABBCC",
                    kind=NodeKind.IDENTIFIER,
                    name="MAC block AA:BB:CC",
                    identifiers=(ident(IdScheme.OUI, "AABBCC"),),
                    properties={"scheme": "oui"},
                    sources=(SRC,),
                ),
                Node(
                    id="fam",
                    kind=NodeKind.PRODUCT,
                    name="AC- family",
                    properties={"pattern": "^AC-"},
                    sources=(SRC,),
                ),
                owns("acme", "acme-sub", 100.0),
                edge("acme-sub", Relation.ASSIGNED, "oui:AABBCC"),
                listing("acme", "us-bis-entity-list", date(2020, 1, 1)),
            ]
        )


def test_nodes_edges_and_lookups(store: GraphStore) -> None:
    _fill(store)
    view = store.view()
    assert set(view.nodes(["acme", "acme-sub", "missing"])) == {"acme", "acme-sub"}
    out = view.edges(["acme"], Direction.OUT)
    assert [(e.src, e.relation, e.dst, e.share) for e in out] == [
        ("acme", Relation.OWNS, "acme-sub", 100.0)
    ]
    assert view.edges(["acme-sub"], Direction.IN, [Relation.ASSIGNED]) == []
    both = view.edges(["acme-sub"], Direction.BOTH)
    assert {e.relation for e in both} == {Relation.OWNS, Relation.ASSIGNED}
    found = view.find_by_identifier(
        [ident(IdScheme.OUI, "AABBCC"), ident(IdScheme.LEI, "LEI0000000000000001")]
    )
    assert found[ident(IdScheme.OUI, "AABBCC")] == ["oui:AABBCC"]
    assert found[ident(IdScheme.LEI, "LEI0000000000000001")] == ["acme"]
    assert view.find_by_name_key(["acme"])["acme"] == ["acme"]
    assert "acme" in view.find_by_name_key(["acme holdings"])["acme holdings"]
    assert view.find_by_token(["widgets"], 10) == {"widgets": ["other"]}
    assert view.designations(["acme"])["acme"][0].list_id == "us-bis-entity-list"
    assert [n.id for n in view.nodes_with_property(NodeKind.PRODUCT, "pattern")] == ["fam"]
    assert view.counts() == {"nodes": 5, "edges": 2, "designations": 1}


def test_only_indexed_properties_are_asked_for(store: GraphStore, tmp_path: Path) -> None:
    """Only the model-number patterns get property index rows (the identifier node's
    ``scheme`` gets none); a property the stores do not index is refused, not answered with an
    empty list that would read as "no node has it"."""
    _fill(store)
    store_view = store.view()
    if isinstance(store, SQLiteStore):
        with closing(sqlite3.connect(tmp_path / "contract.db")) as conn:
            rows = conn.execute("SELECT kind, prop, node_id FROM props").fetchall()
    else:
        assert isinstance(store, CypherStore)
        keys = store_view.read(  # type: ignore[attr-defined]  # the Cypher view's reader
            "MATCH (x:Lookup) WHERE x.key STARTS WITH 'prop' RETURN x.key, x.node", None
        )
        rows = [(*key.split("\x1f")[1:], node) for key, node in keys]
    assert [tuple(r) for r in rows] == [("product", "pattern", "fam")]
    with pytest.raises(ValueError, match="organization.lei_category is not indexed"):
        store_view.nodes_with_property(NodeKind.ORGANIZATION, "lei_category")
    with pytest.raises(ValueError, match="identifier.scheme is not indexed"):
        store_view.nodes_with_property(NodeKind.IDENTIFIER, "scheme")


def test_subdivided_blocks_name_the_prefixes_of_smaller_mac_blocks(store: GraphStore) -> None:
    _fill(store)
    assert store.view().subdivided_blocks() == frozenset()
    blocks = [
        (IdScheme.OUI28, "AABBCC1"),
        (IdScheme.OUI36, "AABBCC2AB"),
        (IdScheme.OUI36, "1122334"),
    ]
    with store.writer() as w:
        w.put(
            Node(
                id=f"{scheme.value}:{value}",
                kind=NodeKind.IDENTIFIER,
                name=f"MAC block {value}",
                identifiers=(ident(scheme, value),),
                sources=(SRC,),
            )
            for scheme, value in blocks
        )
    assert store.view().subdivided_blocks() == {"AABBCC", "112233"}


def test_token_prefixes_find_words_being_typed(store: GraphStore) -> None:
    _fill(store)
    view = store.view()
    # "Unrelated Widgets Inc." has the tokens "unrelated" and "widgets"; Acme's are "acme",
    # "holdings", "subsidiary"; the order is the tokens' order, at most `limit` per prefix.
    assert view.find_by_token_prefix(["wid", "unrel", "zz"], 10) == {
        "wid": ["other"],
        "unrel": ["other"],
    }
    assert view.find_by_token_prefix(["acme"], 10)["acme"] == ["acme", "acme-sub"]
    # "AC- family" has the token "ac", which sorts before "acme".
    assert view.find_by_token_prefix(["a"], 1) == {"a": ["fam"]}
    assert view.find_by_token_prefix(["widgets"], 10) == {"widgets": ["other"]}


def test_an_edge_restated_with_an_end_date_ends(store: GraphStore) -> None:
    """A later statement of the same fact that gives an end (a sale, a closed record) ends
    the stored edge; restating it without one keeps the end."""
    _fill(store)
    first = next(e for e in store.view().edges(["acme"], Direction.OUT) if e.dst == "acme-sub")
    later = SourceRef(id="closing", title="the closing statement", grade="B")
    ended = first.model_copy(update={"valid_to": date(2024, 6, 1), "sources": (later,)})
    with store.writer() as w:
        w.put([ended])
    with store.writer() as w:
        w.put([first])
    (stored,) = [e for e in store.view().edges(["acme"], Direction.OUT) if e.dst == "acme-sub"]
    assert stored.valid_to == date(2024, 6, 1) and stored.share == 100.0
    assert {s.id for s in stored.sources} == {"test-fixture", "closing"}
    assert [o.id for o in ownership(store.view(), "acme-sub", True, 5, date(2024, 5, 31))] == [
        "acme"
    ]
    assert ownership(store.view(), "acme-sub", True, 5, date(2024, 6, 1)) == []


def test_loading_twice_changes_nothing_and_sources_accumulate(store: GraphStore) -> None:
    _fill(store)
    before = store.view().counts()
    version = store.view().version()
    _fill(store)
    assert store.view().counts() == before
    assert store.view().version() != version
    other = SourceRef(id="second", title="another source")
    with store.writer() as w:
        w.put(
            [
                org("acme", "Acme Holdings Co., Ltd.", "ACME Corp").model_copy(
                    update={"sources": (other,)}
                )
            ]
        )
    node = store.view().nodes(["acme"])["acme"]
    assert {s.id for s in node.sources} == {"test-fixture", "second"}
    assert "ACME Corp" in node.aliases and "Acme" in node.aliases
    assert store.view().find_by_name_key(["acme corp"])["acme corp"] == ["acme"]


def test_a_failed_load_leaves_the_previous_graph_intact(store: GraphStore) -> None:
    _fill(store)
    before = store.view().counts()
    with pytest.raises(RuntimeError), store.writer() as w:
        w.put([org(f"n{i}", f"New Org {i}") for i in range(5000)])  # crosses a batch flush
        raise RuntimeError("the load fails half way")
    assert store.view().counts() == before
    assert store.view().nodes(["n1"]) == {}


def test_load_log_is_kept_with_the_load(store: GraphStore) -> None:
    stamp = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    entry = LoadEntry(
        id="l1",
        file="a.csv",
        sha256="00",
        format="csl",
        dataset="us-csl",
        loaded_at=stamp,
        counts={"read": 3},
        designation_ids=("d1", "d2"),
    )
    with store.writer() as w:
        w.put([org("acme", "Acme")])
        w.record_load(entry)
    with pytest.raises(RuntimeError), store.writer() as w:
        w.record_load(entry.model_copy(update={"id": "l2", "loaded_at": stamp.replace(year=2027)}))
        raise RuntimeError("failed load: its log entry must not stay")
    assert store.view().loads() == [entry]
    assert store.view().loads("us-csl") == [entry] and store.view().loads("other") == []


def test_iter_records_round_trips(store: GraphStore, tmp_path: Path) -> None:
    _fill(store)
    copy = open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    with copy.writer() as w:
        w.put(store.view().iter_records())
    assert copy.view().counts() == store.view().counts()
    copy.close()


def test_engines_run_on_the_backend(store: GraphStore) -> None:
    _fill(store)
    resolver = Resolver(store.view())
    yes = resolver.resolve(Query(mac="aa:bb:cc:01:02:03"), target="acme", as_of=date(2025, 1, 1))
    assert yes.verdict == "yes"
    assert [s.relation for s in yes.paths[0]] == ["OWNS", "ASSIGNED"]
    assert resolver.resolve(Query(name="Unrelated Widgets"), target="acme").verdict == "no"
    assert resolver.resolve(Query(model="AC-100"), target="acme").verdict == "no"
    up = ownership(store.view(), "acme-sub", True, 5, date(2025, 1, 1))
    assert [(o.id, o.effective_share) for o in up] == [("acme", 100.0)]


# -- gaps the server backends made visible -------------------------------------------------


def test_text_survives_the_round_trip_and_stays_findable(store: GraphStore) -> None:
    """Quotes, backslashes, new lines, control and CJK characters reach the store as data."""
    tricky = "Q\"uote\\d 'Co'\nLine\x1fSep $rows }) //"
    node = org("tricky", tricky, "海康威视数字技术股份有限公司", "Ünïcödé GmbH").model_copy(
        update={"properties": {"note": 'a\\b"c\n{}', "nested": {"k": [1, 2.5, None]}}}
    )
    with store.writer() as w:
        w.put([node])
    assert store.view().nodes(["tricky"])["tricky"] == node
    keys = {k for name in node.names for k in name_keys(name)}
    assert {"海康威视数字技术", "unicode"} <= keys  # legal form stripped, transliterated
    assert store.view().find_by_name_key(keys) == {k: ["tricky"] for k in keys}


def test_lookups_are_batched_and_ordered(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(f"w{i:02d}", f"Widgetmaker {i}") for i in range(12)])
    view = store.view()
    # A token shared by twelve nodes, limited to five: the five smallest ids, every time.
    assert view.find_by_token(["widgetmaker", "absent"], 5) == {
        "widgetmaker": [f"w{i:02d}" for i in range(5)]
    }
    keys = [f"widgetmaker {i}" for i in range(12)]
    found = view.find_by_name_key([*keys, "nobody"])
    assert found == {f"widgetmaker {i}": [f"w{i:02d}"] for i in range(12)}
    assert view.nodes([]) == {} and view.edges([], Direction.BOTH) == []


def test_dangling_edges_are_kept_and_nodes_fill_in_later(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([owns("ghost-owner", "ghost", 60.0)])
    view = store.view()
    assert view.counts() == {"nodes": 0, "edges": 1, "designations": 0}
    assert view.nodes(["ghost", "ghost-owner"]) == {}
    assert [e.dst for e in view.edges(["ghost-owner"], Direction.OUT)] == ["ghost"]
    with store.writer() as w:
        w.put([org("ghost", "Ghost Ltd")])
    assert set(view.nodes(["ghost", "ghost-owner"])) == {"ghost"}
    assert view.counts()["nodes"] == 1
    assert sum(1 for _ in view.iter_records()) == 2


def test_relation_filters_and_edge_sources_accumulate(store: GraphStore) -> None:
    _fill(store)
    other = SourceRef(id="second", title="another source")
    with store.writer() as w:
        w.put([owns("acme", "acme-sub", 100.0).model_copy(update={"sources": (other,)})])
        w.put([edge("acme", Relation.CONTROLS, "other")])
    view = store.view()
    (owned,) = view.edges(["acme"], Direction.OUT, [Relation.OWNS])
    assert {s.id for s in owned.sources} == {"test-fixture", "second"}
    assert owned.share == 100.0
    both = view.edges(["acme"], Direction.OUT, [Relation.OWNS, Relation.CONTROLS])
    assert sorted(e.relation for e in both) == [Relation.CONTROLS, Relation.OWNS]
    assert view.edges(["other"], Direction.IN, [Relation.CONTROLS])[0].src == "acme"
    assert view.counts()["edges"] == 3


def test_delisting_and_deleting_designations(store: GraphStore) -> None:
    _fill(store)
    listed = listing("acme", "us-bis-entity-list", date(2020, 1, 1))
    with store.writer() as w:
        w.put([listed.model_copy(update={"end_date": date(2024, 5, 1)})])
        w.put([listing("acme-sub", "us-fcc-covered", date(2021, 3, 12))])
    found = store.view().designations(["acme", "acme-sub", "other"])
    assert found["acme"][0].end_date == date(2024, 5, 1)
    assert set(found) == {"acme", "acme-sub"}
    with store.writer() as w:
        w.delete_designations([listed.id, "never-stored"])
    assert "acme" not in store.view().designations(["acme"])
    assert store.view().counts()["designations"] == 1


def test_versions_change_with_commits_only(store: GraphStore) -> None:
    _fill(store)
    version = store.view().version()
    with pytest.raises(RuntimeError), store.writer() as w:
        w.put([org("late", "Late Arrival")])
        raise RuntimeError("rolled back")
    assert store.view().version() == version
    with store.writer() as w:
        w.put([org("late", "Late Arrival")])
    assert store.view().version() != version


def test_load_log_entries_replace_by_id_and_sort_newest_first(store: GraphStore) -> None:
    first = LoadEntry(
        id="a",
        file="a.csv",
        sha256="00",
        format="csl",
        dataset="us-csl",
        loaded_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    second = first.model_copy(update={"id": "b", "loaded_at": datetime(2025, 6, 1, tzinfo=UTC)})
    with store.writer() as w:
        w.record_load(first)
        w.record_load(second)
        w.record_load(first.model_copy(update={"counts": {"read": 9}}))
    assert [(e.id, e.counts) for e in store.view().loads()] == [("b", {}), ("a", {"read": 9})]


def test_a_writer_reads_its_own_flushed_batches_on_its_thread(store: GraphStore) -> None:
    """Loaders link and count against what earlier batches of the same load wrote."""
    _fill(store)
    view = store.view()
    with store.writer() as w:
        w.put([org("fresh", "Fresh Arrival Ltd"), owns("acme", "fresh", 75.0)])
        getattr(w, "flush", lambda: None)()
        assert set(view.nodes(["fresh", "acme"])) == {"fresh", "acme"}
        assert view.find_by_name_key(["fresh arrival"]) == {"fresh arrival": ["fresh"]}
        assert {e.dst for e in view.edges(["acme"], Direction.OUT)} == {"acme-sub", "fresh"}
        assert view.counts()["nodes"] == 6
    assert store.view().counts()["nodes"] == 6


def test_change_sets_round_trip(store: GraphStore) -> None:
    from supplygraph.graph.model.records import ChangeItem, ChangeSet

    def changes(n: int, dataset: str, day: int) -> ChangeSet:
        return ChangeSet(
            id=f"load-{n}",
            dataset=dataset,
            loaded_at=datetime(2026, 3, day, 12, 0, tzinfo=UTC),
            file="list.csv",
            sha256="00",
            previous_load=f"load-{n - 1}" if n > 1 else None,
            counts={"designations_removed": 1, "designations_ended": 1},
            items=(
                ChangeItem(
                    kind="designation", change="removed", id="d1", name="Acme", entity_id="acme"
                ),
            ),
        )

    first, second, other = changes(1, "us-csl", 1), changes(2, "us-csl", 3), changes(3, "x", 2)
    with store.writer() as w:
        w.record_changes(first)
        w.record_changes(second)
        w.record_changes(other)
    with pytest.raises(RuntimeError), store.writer() as w:
        w.record_changes(changes(4, "us-csl", 4))
        raise RuntimeError("failed load: its change set must not stay")
    view = store.view()
    assert view.changes() == [second, other, first]
    assert view.changes(datetime(2026, 3, 2, tzinfo=UTC)) == [second, other]
    # A naive time is UTC; a zoned one is compared in UTC.
    assert view.changes(datetime(2026, 3, 3, 12, 0)) == [second]
    assert view.changes(datetime(2026, 3, 3, 13, 0, tzinfo=UTC)) == []
    assert view.changes(dataset="us-csl") == [second, first]
    assert view.changes(datetime(2026, 3, 2, tzinfo=UTC), "x") == [other]
