"""The SQLite write path after the ingest speed-ups: same documents, same index rows, old
stores still open."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
from factories import SRC, ident, org, owns
from pydantic import BaseModel

from supplygraph.graph.model.normalize import name_keys, name_tokens
from supplygraph.graph.model.records import Designation, IdScheme, LoadEntry, Node, NodeKind
from supplygraph.graph.store.sqlite import SQLiteStore, _dump

OLD_INDEXES = """
CREATE INDEX names_node ON names (node_id);
CREATE INDEX tokens_node ON tokens (node_id);
CREATE INDEX idents_node ON idents (node_id);
"""


def _orjson_dump(record: BaseModel) -> bytes:
    return orjson.dumps(record.model_dump(mode="json", exclude_defaults=True))


def test_stored_documents_are_byte_identical_to_the_previous_encoding() -> None:
    records: list[BaseModel] = [
        org("a", "Ääkkönen Oy", "杭州海康威视数字技术股份有限公司", country="FI"),
        Node(
            id="p",
            kind=NodeKind.PRODUCT,
            name="DS-2CD",
            properties={"pattern": "DS-2CD*", "n": 3, "x": 0.1, "d": [1.5, None, "é"]},
            identifiers=(ident(IdScheme.LEI, "5493001KJTIIGC8Y1R12"),),
            sources=(SRC,),
        ),
        owns("a", "b", 51.0, valid_from=date(2020, 1, 2)),
        owns("a", "c", 33.333333333333336),
        Designation(id="d", entity_id="a", list_id="bis-entity-list", sources=(SRC,)),
        LoadEntry(
            id="l",
            file="/x/ä.csv",
            sha256="0" * 64,
            format="csv",
            dataset="d",
            loaded_at=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
            counts={"read": 3},
            warnings=("x.csv:2: odd",),
        ),
        Node(
            id="q",
            kind=NodeKind.ORGANIZATION,
            name="Tiny",
            properties={"small": 1e-7, "big": 1e22, "neg": -0.0, "when": "2024-01-01"},
            sources=(SRC,),
        ),
    ]
    for record in records:
        assert _dump(record) == _orjson_dump(record)


def _index_rows(path: Path) -> dict[str, set[tuple[str, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: set(conn.execute(f"SELECT * FROM {table}"))
            for table in ("names", "tokens", "idents", "props")
        }
    finally:
        conn.close()


def test_a_merged_node_keeps_the_index_rows_of_both_versions(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "g.db"))
    first = org("n1", "Acme Vision Co., Ltd.", identifiers=(ident(IdScheme.LEI, "A" * 20),))
    second = org("n1", "Acme Optics GmbH", "Acme Optik", identifiers=(ident(IdScheme.ISIN, "X"),))
    with store.writer() as writer:
        writer.put([first])
    with store.writer() as writer:
        writer.put([second])
    store.close()
    rows = _index_rows(tmp_path / "g.db")
    names = first.names + second.names
    assert rows["names"] == {(k, "n1") for n in names for k in name_keys(n)}
    assert rows["tokens"] == {(t, "n1") for n in names for t in name_tokens(n)}
    assert rows["idents"] == {("lei", "A" * 20, "n1"), ("isin", "X", "n1")}


def test_a_store_with_the_old_node_indexes_opens_and_loses_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    SQLiteStore(str(path)).close()
    conn = sqlite3.connect(path)
    conn.executescript(OLD_INDEXES)
    conn.close()
    store = SQLiteStore(str(path))
    with store.writer() as writer:
        writer.put([org("n1", "Acme Vision"), org("n1", "Acme Optics")])
    assert store.view().find_by_name_key(["acme optics"]) == {"acme optics": ["n1"]}
    store.close()
    conn = sqlite3.connect(path)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    conn.close()
    assert not indexes & {"names_node", "tokens_node", "idents_node"}


def test_the_write_cache_is_given_back_after_a_load(tmp_path: Path) -> None:
    store = SQLiteStore(str(tmp_path / "g.db"))
    conn = store._connect()
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    with store.writer() as writer:
        writer.put([org("n1", "Acme")])
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == before
    store.close()
