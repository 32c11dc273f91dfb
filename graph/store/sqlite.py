"""The embedded store of record: one SQLite file, no server.

Each ``with store.writer()`` block is one SQLite transaction, so a failed or killed load leaves
the previous graph intact (SQLite's journal rolls the partial transaction back on next open).
Readers use one connection per thread; WAL mode lets them read while a load runs.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel

from supplygraph.graph.errors import InvalidStoreURL, StoreUnavailable
from supplygraph.graph.model.normalize import index_terms
from supplygraph.graph.model.records import (
    ChangeSet,
    Designation,
    Edge,
    Identifier,
    IdScheme,
    LoadEntry,
    Node,
    NodeKind,
    Record,
    Relation,
    utc_text,
)
from supplygraph.graph.store.merge import RecordBuffer, merge_designation, merge_edge, merge_node
from supplygraph.graph.store.protocol import Direction, check_indexed_property, indexed_properties

SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (id TEXT PRIMARY KEY, kind TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS edges (
    id TEXT PRIMARY KEY, src TEXT NOT NULL, dst TEXT NOT NULL, relation TEXT NOT NULL,
    data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS edges_src ON edges (src, relation);
CREATE INDEX IF NOT EXISTS edges_dst ON edges (dst, relation);
CREATE TABLE IF NOT EXISTS names (key TEXT NOT NULL, node_id TEXT NOT NULL,
    PRIMARY KEY (key, node_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tokens (token TEXT NOT NULL, node_id TEXT NOT NULL,
    PRIMARY KEY (token, node_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idents (scheme TEXT NOT NULL, value TEXT NOT NULL,
    node_id TEXT NOT NULL, PRIMARY KEY (scheme, value, node_id)) WITHOUT ROWID;
-- Rows only for the pairs in protocol.INDEXED_PROPERTIES (what nodes_with_property serves).
CREATE TABLE IF NOT EXISTS props (kind TEXT NOT NULL, prop TEXT NOT NULL, node_id TEXT NOT NULL,
    PRIMARY KEY (kind, prop, node_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS designations (id TEXT PRIMARY KEY, entity_id TEXT NOT NULL,
    list_id TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS designations_entity ON designations (entity_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS loads (id TEXT PRIMARY KEY, dataset TEXT NOT NULL,
    loaded_at TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS loads_dataset ON loads (dataset, loaded_at);
CREATE TABLE IF NOT EXISTS changes (id TEXT PRIMARY KEY, dataset TEXT NOT NULL,
    loaded_at TEXT NOT NULL, data BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS changes_time ON changes (loaded_at);
-- Stores made before merged nodes kept their index rows in place had these; nothing reads them.
DROP INDEX IF EXISTS names_node;
DROP INDEX IF EXISTS tokens_node;
DROP INDEX IF EXISTS idents_node;
"""

# SQLite's default limit on host parameters is 32766; stay well below it.
CHUNK = 500
BATCH = 2000
# Page cache for a write transaction, in KiB (SQLite's default is 2 MiB). Ids are content
# hashes, so inserts land all over each B-tree; once the indexes outgrow the cache, every
# insert would read and spill pages. Reset to the connection's previous size afterwards.
WRITE_CACHE_KIB = 256 * 1024

# The stored text of each enum member, looked up per row: an enum's ``.value`` is a Python-level
# descriptor call, several per record on a load.
_KIND_TEXT = {kind: kind.value for kind in NodeKind}
_SCHEME_TEXT = {scheme: scheme.value for scheme in IdScheme}
_RELATION_TEXT = {relation: relation.value for relation in Relation}


def _chunks(items: Sequence[str], size: int = CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _dump(record: BaseModel) -> bytes:
    # The model's own JSON serializer: the same document as dumping to JSON-mode Python
    # objects and encoding those, without building the intermediate dicts.
    return record.__pydantic_serializer__.to_json(record, exclude_defaults=True)


def _marks(n: int) -> str:
    return ",".join("?" * n)


# A view reads the store's generation again at most this often, unless this process wrote to
# the file since: the read is an SQL statement, small next to a cached answer's cost over HTTP
# but paid on every request otherwise. A load by another process is seen within this delay;
# one by this process at once.
VERSION_RECHECK_S = 0.1
# Commits made by this process, per database file (every store object on the file counts).
_local_commits: dict[str, int] = {}


class SQLiteStore:
    """``sqlite:///path/to/graph.db`` (relative paths are relative to the working directory)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.url = f"sqlite:///{path}"
        self._local = threading.local()
        self._memory_conn: sqlite3.Connection | None = None
        # Every spelling of one file counts its commits together.
        self._commit_key = path if path == ":memory:" else str(Path(path).resolve())
        if path != ":memory:":
            parent = Path(path).parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailable(f"cannot create {parent}: {exc}") from exc
        conn = self._connect()
        with conn:
            conn.executescript(SCHEMA)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('generation', '0')")

    @classmethod
    def from_url(cls, url: str) -> SQLiteStore:
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost"):
            raise InvalidStoreURL(f"{url!r}: use sqlite:///relative/path or sqlite:////abs/path")
        path = parsed.path[1:] if parsed.path.startswith("/") else parsed.path
        if not path:
            raise InvalidStoreURL(f"{url!r} names no database file")
        return cls(path)

    def _connect(self) -> sqlite3.Connection:
        if self.path == ":memory:":
            # One shared connection: a second one would open a different, empty database.
            if self._memory_conn is None:
                self._memory_conn = sqlite3.connect(
                    ":memory:", check_same_thread=False, isolation_level=None
                )
            return self._memory_conn
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open SQLite store {self.path}: {exc}") from exc
            self._local.conn = conn
        return conn

    @contextmanager
    def writer(self) -> Iterator[SQLiteWriter]:
        conn = self._connect()
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
        try:
            conn.execute("BEGIN IMMEDIATE")
            writer = SQLiteWriter(conn)
            try:
                yield writer
                writer.flush()
                conn.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
                )
                conn.execute("COMMIT")
                _local_commits[self._commit_key] = _local_commits.get(self._commit_key, 0) + 1
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache)}")

    def view(self) -> SQLiteView:
        return SQLiteView(self._connect, self._commit_key)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        if self._memory_conn is not None:
            self._memory_conn.close()
            self._memory_conn = None


class SQLiteWriter:
    """Writes records in batches of :data:`BATCH`, merged by id first (graph/store/merge.py).

    A batch's rows are inserted as they are, without first looking for stored rows under the
    same ids: on a load into a new or growing store nearly every id is new, and a lookup per
    row cost about as much as inserting it. Rows whose id was stored already are left as they
    were by the insert; they are then read back (the rows this insert added have larger rowids
    than any before it), merged and updated, as a lookup first would have done.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._buffer = RecordBuffer()

    def put(self, records: Iterable[Record]) -> None:
        buffer = self._buffer
        iterator = iter(records)
        # The buffer fills a slice at a time: one call per batch, not one per record.
        while chunk := list(islice(iterator, BATCH - len(buffer))):
            buffer.extend(chunk)
            if len(buffer) >= BATCH:
                self.flush()

    def delete_designations(self, ids: Sequence[str]) -> None:
        self.flush()
        for chunk in _chunks(list(ids)):
            self.conn.execute(f"DELETE FROM designations WHERE id IN ({_marks(len(chunk))})", chunk)

    def record_load(self, entry: LoadEntry) -> None:
        self.flush()
        self.conn.execute(
            "INSERT OR REPLACE INTO loads VALUES (?, ?, ?, ?)",
            (entry.id, entry.dataset, entry.loaded_at.isoformat(), _dump(entry)),
        )

    def record_changes(self, changes: ChangeSet) -> None:
        self.flush()
        self.conn.execute(
            "INSERT OR REPLACE INTO changes VALUES (?, ?, ?, ?)",
            (changes.id, changes.dataset, utc_text(changes.loaded_at), _dump(changes)),
        )

    def _insert_new(self, table: str, rows: list[tuple[Any, ...]]) -> dict[str, bytes]:
        """Insert ``rows`` (the id first) where their id is not stored yet; returns the stored
        document of every id that was, which the insert left as it was."""
        conn = self.conn
        last = conn.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
        before = conn.total_changes
        conn.executemany(
            f"INSERT INTO {table} VALUES ({_marks(len(rows[0]))}) ON CONFLICT (id) DO NOTHING",
            rows,
        )
        if conn.total_changes - before == len(rows) or last is None:
            return {}
        stored: dict[str, bytes] = {}
        for chunk in _chunks([row[0] for row in rows]):
            found = conn.execute(
                f"SELECT id, data FROM {table} WHERE rowid <= ? AND id IN ({_marks(len(chunk))})",
                [last, *chunk],
            )
            stored.update(found)
        return stored

    def flush(self) -> None:
        nodes, edges, des = self._buffer.take()
        if nodes:
            self._write_nodes(nodes)
        if edges:
            rows = sorted(
                [(e.id, e.src, e.dst, _RELATION_TEXT[e.relation], _dump(e)) for e in edges]
            )
            stored = self._insert_new("edges", rows)
            if stored:
                # A merged edge keeps the stored one's ends and relation: only the document
                # changes.
                merged = [
                    merge_edge(Edge.model_validate_json(stored[e.id]), e)
                    for e in edges
                    if e.id in stored
                ]
                self._update_documents("edges", merged)
        if des:
            stored = self._insert_new(
                "designations", [(d.id, d.entity_id, d.list_id, _dump(d)) for d in des]
            )
            if stored:
                merged_des = [
                    merge_designation(Designation.model_validate_json(stored[d.id]), d)
                    for d in des
                    if d.id in stored
                ]
                self._update_documents("designations", merged_des)

    def _update_documents(self, table: str, records: Sequence[Record]) -> None:
        self.conn.executemany(
            f"UPDATE {table} SET data = ? WHERE id = ?", [(_dump(r), r.id) for r in records]
        )

    def _write_nodes(self, nodes: list[Node]) -> None:
        stored = self._insert_new(
            "nodes", sorted([(n.id, _KIND_TEXT[n.kind], _dump(n)) for n in nodes])
        )
        if stored:
            # A merged node keeps the stored one's kind; it keeps every name, identifier and
            # property of the stored one too (merging only adds), so none of the stored node's
            # index rows goes stale: the rows below for the merged node include them, and
            # INSERT OR IGNORE leaves them be.
            nodes = [
                merge_node(Node.model_validate_json(stored[n.id]), n) if n.id in stored else n
                for n in nodes
            ]
            self._update_documents("nodes", [n for n in nodes if n.id in stored])
        self._write_index(nodes)

    def _write_index(self, nodes: list[Node]) -> None:
        """The lookup rows of a batch's nodes, each table's rows sorted and inserted at once
        after the nodes themselves."""
        names: list[tuple[str, str]] = []
        tokens: list[tuple[str, str]] = []
        idents: list[tuple[str, str, str]] = []
        props: list[tuple[str, str, str]] = []
        identifier = NodeKind.IDENTIFIER
        for n in nodes:
            node_id = n.id
            # Identifier nodes are found by identifier only: their "names" are the values.
            if n.kind is not identifier:
                keys: Collection[str]
                toks: Collection[str]
                keys, toks = index_terms(n.name)  # each free of duplicates already
                if n.aliases:
                    key_set, tok_set = set(keys), set(toks)
                    for alias in n.aliases:
                        alias_keys, alias_tokens = index_terms(alias)
                        key_set.update(alias_keys)
                        tok_set.update(alias_tokens)
                    keys, toks = key_set, tok_set
                names += [(k, node_id) for k in keys]
                tokens += [(t, node_id) for t in toks]
            if n.identifiers:
                idents += [(_SCHEME_TEXT[i.scheme], i.value, node_id) for i in n.identifiers]
            if n.properties and (indexed := indexed_properties(n)):
                kind_text = _KIND_TEXT[n.kind]
                props += [(kind_text, p, node_id) for p in indexed]
        # In key order: neighbouring inserts then touch the same B-tree pages.
        names.sort()
        tokens.sort()
        idents.sort()
        props.sort()
        self.conn.executemany("INSERT OR IGNORE INTO names VALUES (?, ?)", names)
        self.conn.executemany("INSERT OR IGNORE INTO tokens VALUES (?, ?)", tokens)
        self.conn.executemany("INSERT OR IGNORE INTO idents VALUES (?, ?, ?)", idents)
        self.conn.executemany("INSERT OR IGNORE INTO props VALUES (?, ?, ?)", props)


class SQLiteView:
    def __init__(self, connect: Any, path: str = ":memory:") -> None:
        self._connect = connect
        self._path = path
        # (generation, this process's commits then, when read); replaced whole, never mutated.
        self._seen: tuple[str, int, float] | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = self._connect()
        return conn

    def version(self) -> str:
        commits = _local_commits.get(self._path, 0)
        now = time.monotonic()
        seen = self._seen
        if seen is not None and seen[1] == commits and now - seen[2] < VERSION_RECHECK_S:
            return seen[0]
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        self._seen = (str(row[0]), commits, now)
        return self._seen[0]

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        found: dict[str, Node] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            for row_id, data in self.conn.execute(
                f"SELECT id, data FROM nodes WHERE id IN ({_marks(len(chunk))})", chunk
            ):
                found[row_id] = Node.model_validate_json(data)
        return found

    def edges(
        self,
        ids: Collection[str],
        direction: Direction,
        relations: Collection[Relation] | None = None,
    ) -> list[Edge]:
        unique = list(dict.fromkeys(ids))
        rels = [r.value for r in relations] if relations is not None else None
        columns = {"out": ("src",), "in": ("dst",), "both": ("src", "dst")}[direction.value]
        seen: dict[str, Edge] = {}
        for column in columns:
            for chunk in _chunks(unique):
                sql = f"SELECT id, data FROM edges WHERE {column} IN ({_marks(len(chunk))})"
                params: list[str] = list(chunk)
                if rels is not None:
                    sql += f" AND relation IN ({_marks(len(rels))})"
                    params += rels
                for row_id, data in self.conn.execute(sql, params):
                    if row_id not in seen:
                        seen[row_id] = Edge.model_validate_json(data)
        return list(seen.values())

    def find_by_identifier(
        self, identifiers: Collection[Identifier]
    ) -> dict[Identifier, list[str]]:
        found: dict[Identifier, list[str]] = {}
        # One query per scheme and chunk, not per key: bulk audits ask for thousands at once.
        by_scheme: dict[str, dict[str, Identifier]] = {}
        for ident in identifiers:
            by_scheme.setdefault(ident.scheme.value, {})[ident.value] = ident
        for scheme, wanted in by_scheme.items():
            for chunk in _chunks(list(wanted)):
                rows = self.conn.execute(
                    "SELECT value, node_id FROM idents "
                    f"WHERE scheme = ? AND value IN ({_marks(len(chunk))}) ORDER BY value, node_id",
                    [scheme, *chunk],
                )
                for value, node_id in rows:
                    found.setdefault(wanted[value], []).append(node_id)
        return found

    def subdivided_blocks(self) -> frozenset[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT substr(value, 1, 6) FROM idents WHERE scheme IN (?, ?)",
            (IdScheme.OUI28.value, IdScheme.OUI36.value),
        )
        return frozenset(r[0] for r in rows)

    def find_by_name_key(self, keys: Collection[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for chunk in _chunks(list(dict.fromkeys(keys))):
            for key, node_id in self.conn.execute(
                f"SELECT key, node_id FROM names WHERE key IN ({_marks(len(chunk))})", chunk
            ):
                found.setdefault(key, []).append(node_id)
        return found

    def find_by_token(self, tokens: Collection[str], limit: int) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for token in dict.fromkeys(tokens):
            rows = self.conn.execute(
                "SELECT node_id FROM tokens WHERE token = ? LIMIT ?", (token, limit)
            ).fetchall()
            if rows:
                found[token] = [r[0] for r in rows]
        return found

    def find_by_token_prefix(self, prefixes: Collection[str], limit: int) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for prefix in dict.fromkeys(prefixes):
            # A range over the tokens' primary key: every token that starts with the prefix
            # sorts between it and it followed by the last code point.
            rows = self.conn.execute(
                "SELECT node_id FROM tokens WHERE token >= ? AND token < ? "
                "ORDER BY token, node_id LIMIT ?",
                (prefix, prefix + "\U0010ffff", limit),
            ).fetchall()
            ids = list(dict.fromkeys(r[0] for r in rows))
            if ids:
                found[prefix] = ids
        return found

    def tokens_with_prefix(self, prefixes: Collection[str], limit: int) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for prefix in dict.fromkeys(prefixes):
            # The same key range as find_by_token_prefix, over distinct tokens only. DISTINCT
            # would read every (token, node) row of the range (for a short prefix, a large share
            # of a big store); this jumps from each token to the next through the index, one
            # seek per distinct token.
            rows = self.conn.execute(
                "WITH RECURSIVE next(token) AS ("
                " SELECT (SELECT min(token) FROM tokens WHERE token >= :low AND token < :high)"
                " UNION ALL"
                " SELECT (SELECT min(token) FROM tokens WHERE token > next.token AND token < :high)"
                " FROM next WHERE next.token IS NOT NULL"
                ") SELECT token FROM next WHERE token IS NOT NULL LIMIT :limit",
                {"low": prefix, "high": prefix + "\U0010ffff", "limit": limit},
            ).fetchall()
            if rows:
                found[prefix] = [r[0] for r in rows]
        return found

    def designations(self, ids: Collection[str]) -> dict[str, list[Designation]]:
        found: dict[str, list[Designation]] = {}
        for chunk in _chunks(list(dict.fromkeys(ids))):
            for entity_id, data in self.conn.execute(
                "SELECT entity_id, data FROM designations "
                f"WHERE entity_id IN ({_marks(len(chunk))}) ORDER BY id",
                chunk,
            ):
                found.setdefault(entity_id, []).append(Designation.model_validate_json(data))
        return found

    def nodes_with_property(self, kind: NodeKind, prop: str) -> list[Node]:
        check_indexed_property(kind, prop)
        rows = self.conn.execute(
            "SELECT n.data FROM props p JOIN nodes n ON n.id = p.node_id "
            "WHERE p.kind = ? AND p.prop = ? ORDER BY n.id",
            (kind.value, prop),
        )
        return [Node.model_validate_json(r[0]) for r in rows]

    def counts(self) -> dict[str, int]:
        def count(table: str) -> int:
            return int(self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])

        return {t: count(t) for t in ("nodes", "edges", "designations")}

    def loads(self, dataset: str | None = None) -> list[LoadEntry]:
        sql = "SELECT data FROM loads"
        params: tuple[str, ...] = ()
        if dataset is not None:
            sql += " WHERE dataset = ?"
            params = (dataset,)
        rows = self.conn.execute(sql + " ORDER BY loaded_at DESC, id", params)
        return [LoadEntry.model_validate_json(r[0]) for r in rows]

    def changes(
        self,
        since: datetime | None = None,
        dataset: str | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int | None = None,
    ) -> list[ChangeSet]:
        clauses: list[str] = []
        params: list[str | int] = []
        if after is not None:
            clauses.append("(loaded_at < ? OR (loaded_at = ? AND id > ?))")
            params += [utc_text(after[0]), utc_text(after[0]), after[1]]
        if since is not None:
            clauses.append("loaded_at >= ?")
            params.append(utc_text(since))
        if dataset is not None:
            clauses.append("dataset = ?")
            params.append(dataset)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        page = " LIMIT ?" if limit is not None else ""
        params += [limit] if limit is not None else []
        rows = self.conn.execute(
            f"SELECT data FROM changes{where} ORDER BY loaded_at DESC, id{page}", params
        )
        return [ChangeSet.model_validate_json(r[0]) for r in rows]

    def iter_records(self) -> Iterator[Record]:
        # A separate cursor per table keeps memory flat on large stores.
        for data in self.conn.execute("SELECT data FROM nodes ORDER BY id"):
            yield Node.model_validate_json(data[0])
        for data in self.conn.execute("SELECT data FROM edges ORDER BY id"):
            yield Edge.model_validate_json(data[0])
        for data in self.conn.execute("SELECT data FROM designations ORDER BY id"):
            yield Designation.model_validate_json(data[0])
