"""The SQLite writer stores exactly the rows a plain record-by-record writer stores.

The batched writer (graph/store/sqlite.py) builds rows in bulk, inserts them without looking
for stored ones first and merges only the rows that turn out to exist. The reference below takes
the plain route: each record on its own, the stored row read back, merged, replaced, and its index
rows written one by one from the public name functions. The same real files go through
``load_file`` (linker, load log) into one store of each kind, and every table is compared whole.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import BaseModel

from supplygraph.bench.synthetic_ftm import write_ftm
from supplygraph.graph.model.normalize import name_keys, name_tokens
from supplygraph.graph.model.records import (
    ChangeSet,
    Designation,
    Edge,
    LoadEntry,
    Node,
    NodeKind,
    Record,
    utc_text,
)
from supplygraph.graph.store.merge import merge_designation, merge_edge, merge_node
from supplygraph.graph.store.protocol import INDEXED_PROPERTIES
from supplygraph.graph.store.sqlite import SQLiteStore
from supplygraph.loaders import ftm
from supplygraph.loaders.builtin import seed_source
from supplygraph.loaders.context import LoadContext
from supplygraph.loaders.ingest import load_file, load_source

DATA = Path(__file__).parent / "data"
# Files whose records meet: the CSL and OFAC rows name seed entities by identifier (merged into
# them), the FtM file is loaded twice (every row then exists already).
FILES = (
    DATA / "ftm" / "public_facts.ftm.json",
    DATA / "ofac-sdn-legacy" / "sdn.csv",
    DATA / "ofac-nonsdn-cmic" / "cons_prim.csv",
    DATA / "csl-us" / "csl_current_format_sample.csv",
    DATA / "us-lists" / "us_ndaa_section_889.csv",
    DATA / "gleif-samples" / "golden-copy_lei-data.xml",
    DATA / "gleif-samples" / "golden-copy_rr-data.xml",
    DATA / "ftm" / "public_facts.ftm.json",
)
GRAPH_TABLES = ("nodes", "edges", "names", "tokens", "idents", "props", "designations")


def _document(record: BaseModel) -> bytes:
    return orjson.dumps(record.model_dump(mode="json", exclude_defaults=True))


class RecordByRecordWriter:
    """One record at a time, each merged with its stored row as it comes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def put(self, records: Iterable[Record]) -> None:
        for record in records:
            if isinstance(record, Node):
                self._node(record)
            elif isinstance(record, Edge):
                self._edge(record)
            else:
                self._designation(record)

    def _stored(self, table: str, row_id: str) -> bytes | None:
        row = self.conn.execute(f"SELECT data FROM {table} WHERE id = ?", (row_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def _node(self, new: Node) -> None:
        data = self._stored("nodes", new.id)
        node = new if data is None else merge_node(Node.model_validate_json(data), new)
        self.conn.execute(
            "INSERT OR REPLACE INTO nodes VALUES (?, ?, ?)",
            (node.id, node.kind.value, _document(node)),
        )
        if node.kind is not NodeKind.IDENTIFIER:
            for name in node.names:
                for key in name_keys(name):
                    self.conn.execute("INSERT OR IGNORE INTO names VALUES (?, ?)", (key, node.id))
                for token in name_tokens(name):
                    self.conn.execute(
                        "INSERT OR IGNORE INTO tokens VALUES (?, ?)", (token, node.id)
                    )
        for ident in node.identifiers:
            self.conn.execute(
                "INSERT OR IGNORE INTO idents VALUES (?, ?, ?)",
                (ident.scheme.value, ident.value, node.id),
            )
        # Only the indexed pairs have rows (what nodes_with_property may be asked).
        for prop in sorted(set(node.properties) & INDEXED_PROPERTIES.get(node.kind, frozenset())):
            self.conn.execute(
                "INSERT OR IGNORE INTO props VALUES (?, ?, ?)", (node.kind.value, prop, node.id)
            )

    def _edge(self, new: Edge) -> None:
        data = self._stored("edges", new.id)
        edge = new if data is None else merge_edge(Edge.model_validate_json(data), new)
        self.conn.execute(
            "INSERT OR REPLACE INTO edges VALUES (?, ?, ?, ?, ?)",
            (edge.id, edge.src, edge.dst, edge.relation.value, _document(edge)),
        )

    def _designation(self, new: Designation) -> None:
        data = self._stored("designations", new.id)
        des = new if data is None else merge_designation(Designation.model_validate_json(data), new)
        self.conn.execute(
            "INSERT OR REPLACE INTO designations VALUES (?, ?, ?, ?)",
            (des.id, des.entity_id, des.list_id, _document(des)),
        )

    def delete_designations(self, ids: Sequence[str]) -> None:
        for des_id in ids:
            self.conn.execute("DELETE FROM designations WHERE id = ?", (des_id,))

    def record_load(self, entry: LoadEntry) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO loads VALUES (?, ?, ?, ?)",
            (entry.id, entry.dataset, entry.loaded_at.isoformat(), _document(entry)),
        )

    def record_changes(self, changes: ChangeSet) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO changes VALUES (?, ?, ?, ?)",
            (changes.id, changes.dataset, utc_text(changes.loaded_at), _document(changes)),
        )


class RecordByRecordStore(SQLiteStore):
    """The same file, schema and views; only the writer differs."""

    @contextmanager
    def writer(self) -> Iterator[RecordByRecordWriter]:  # type: ignore[override]
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield RecordByRecordWriter(conn)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


# What differs between two loads of the same file at different times: ids and times of the
# load log, and the file's path in it.
_MOMENTS = {"id", "loaded_at", "previous_load", "previous_loaded_at", "file"}


def _dump(path: Path) -> dict[str, list[Any]]:
    conn = sqlite3.connect(path)
    try:
        tables: dict[str, list[Any]] = {
            table: sorted(conn.execute(f"SELECT * FROM {table}")) for table in GRAPH_TABLES
        }
        for table in ("loads", "changes"):
            docs = [orjson.loads(r[0]) for r in conn.execute(f"SELECT data FROM {table}")]
            tables[table] = sorted(
                orjson.dumps({k: v for k, v in d.items() if k not in _MOMENTS}) for d in docs
            )
    finally:
        conn.close()
    return tables


def _assert_same(batched: Path, reference: Path) -> None:
    got, expected = _dump(batched), _dump(reference)
    for table in expected:
        assert len(got[table]) == len(expected[table]), table
        assert got[table] == expected[table], table


def test_loads_of_real_files_store_the_reference_rows(tmp_path: Path) -> None:
    batched = SQLiteStore(str(tmp_path / "batched.db"))
    reference = RecordByRecordStore(str(tmp_path / "reference.db"))
    for store in (batched, reference):
        load_source(store, seed_source())
        for path in FILES:
            load_file(store, path, allow_shrink=True, allow_older=True)
        store.close()
    _assert_same(tmp_path / "batched.db", tmp_path / "reference.db")
    counts = {t: len(rows) for t, rows in _dump(tmp_path / "batched.db").items()}
    # The comparison covers every kind of row, merged ones included.
    assert all(counts[t] for t in ("nodes", "edges", "names", "tokens", "idents", "designations"))


@pytest.mark.parametrize("repeat", [1, 2])
def test_a_large_file_in_batches_stores_the_reference_rows(tmp_path: Path, repeat: int) -> None:
    """Thousands of records in one put (several of the writer's batches; ids repeated within a
    batch), written once or twice (the second time every row exists)."""
    path = write_ftm(tmp_path / "synthetic.ftm.json", 6000, ownership_every=3, sanction_every=50)
    records: list[Record] = []
    for i, record in enumerate(ftm.records(path, LoadContext(path=path))):
        records.append(record)
        if isinstance(record, Node) and i % 7 == 0:
            # The same company again under another name, in the same batch: merged there.
            update = {"name": record.name.upper(), "aliases": (record.name + " Group",)}
            records.append(record.model_copy(update=update))
    batched = SQLiteStore(str(tmp_path / "batched.db"))
    reference = RecordByRecordStore(str(tmp_path / "reference.db"))
    for store in (batched, reference):
        for _ in range(repeat):
            with store.writer() as writer:
                writer.put(records)
        store.close()
    _assert_same(tmp_path / "batched.db", tmp_path / "reference.db")
