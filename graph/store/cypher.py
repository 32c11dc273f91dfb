"""The Cypher store: the store protocol on Neo4j or FalkorDB, with the embedded store's semantics.

One class for both servers; an executor (:mod:`supplygraph.graph.store.cypher_servers`) hides the
driver, and all Cypher text lives in :mod:`supplygraph.graph.store.cypher_queries`. Records are kept
whole as JSON on their node or relationship (so nothing is lost in translation), and the name keys,
tokens, identifiers and property names the engines look up are kept as indexed ``Lookup`` rows,
derived from each record exactly as the embedded store derives them
(:mod:`supplygraph.graph.model.normalize`). A re-put record is merged with the stored one
(:mod:`supplygraph.graph.store.merge`), so loading twice changes nothing and sources accumulate.

Each ``with store.writer()`` block is atomic for readers, at any size: the writer sends batches
of ``batch_size`` records as it goes, each batch its own small transaction on Neo4j (so no
transaction holds more than one batch), and the load becomes visible at once when one small
final transaction moves the commit marker (:mod:`supplygraph.graph.store.cypher_queries` has the
layout). A failure anywhere leaves what readers see as it was; the next writer (or the next
store opened while no load runs) removes what the failed load wrote.

URLs (options as query parameters, all optional)::

    falkordb://[user:password@]host[:6379]/graph
    neo4j://[user:password@]host[:7687][/database]   (also neo4j+s, neo4j+ssc, bolt, bolt+s ...)
    ...?batch_size=1000&timeout=30&retries=3&backoff=0.2&pool_size=16&lock_wait=60
       &lock_lease=120&database=neo4j

Neo4j credentials not in the URL come from ``NEO4J_USER`` / ``NEO4J_PASSWORD``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlparse

import orjson
from pydantic import BaseModel

from supplygraph.graph.errors import InvalidStoreURL, StoreUnavailable
from supplygraph.graph.model.normalize import name_keys, name_tokens
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
from supplygraph.graph.store import cypher_queries as q
from supplygraph.graph.store.cypher_servers import (
    CypherExecutor,
    CypherTx,
    LoadSession,
    Row,
    ServerOptions,
)
from supplygraph.graph.store.merge import RecordBuffer, merge_designation, merge_edge, merge_node
from supplygraph.graph.store.protocol import (
    Direction,
    WalkStep,
    check_indexed_property,
    indexed_properties,
)

NEO4J_SCHEMES = frozenset({"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"})
FALKORDB_SCHEMES = frozenset({"falkordb"})
DEFAULT_BATCH = 1000
DEFAULT_FALKORDB_GRAPH = "supplygraph"
ALL_RELATIONS = [r.value for r in Relation]

log = logging.getLogger(__name__)

# A view reads the commit marker again at most this often, unless a store object of this process
# committed to the same server graph since (the rule of the embedded store): the marker is a
# round trip, paid by every question otherwise. A load by another process is seen within this
# delay; one by this process at once.
VERSION_RECHECK_S = 0.1
# Commits (and clears) made by this process, per server graph (executor URL).
_local_commits: dict[str, int] = {}

M = TypeVar("M", bound=BaseModel)
Reader = Callable[[str, Mapping[str, Any] | None], list[Row]]
K = TypeVar("K")


def _dump(record: BaseModel) -> str:
    return orjson.dumps(record.model_dump(mode="json", exclude_defaults=True)).decode()


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup_entries(node: Node) -> set[str]:
    """The ``Lookup`` keys of a node: what the embedded store puts in its lookup tables."""
    keys: set[str] = set()
    # Identifier nodes are found by identifier only: their "names" are the values.
    if node.kind is not NodeKind.IDENTIFIER:
        keys |= {q.lookup_key("name", k) for name in node.names for k in name_keys(name)}
        keys |= {q.lookup_key("token", t) for name in node.names for t in name_tokens(name)}
    keys |= {q.lookup_key("ident", i.scheme.value, i.value) for i in node.identifiers}
    keys |= {q.lookup_key("prop", node.kind.value, p) for p in indexed_properties(node)}
    return keys


class CypherStore:
    """The store protocol over a Cypher server (see the module docstring for URLs)."""

    def __init__(self, executor: CypherExecutor, batch_size: int = DEFAULT_BATCH) -> None:
        if batch_size < 1:
            raise InvalidStoreURL(f"batch_size must be at least 1, not {batch_size}")
        self.executor = executor
        self.batch_size = batch_size
        self.url = executor.url
        self.dialect = executor.dialect
        # The load open on each thread: its own reads see what it wrote so far.
        self._open_load = threading.local()
        try:
            executor.ensure_schema()
            self._clean_up_if_idle()
        except BaseException:
            executor.close()
            raise

    @classmethod
    def from_url(cls, url: str) -> CypherStore:
        """Open a ``falkordb://`` or ``neo4j://`` (bolt, +s ...) store URL."""
        parsed = urlparse(url)
        scheme = parsed.scheme
        params = dict(parse_qsl(parsed.query, keep_blank_values=True))
        batch_size = _int(url, params.pop("batch_size", str(DEFAULT_BATCH)), "batch_size")
        if batch_size < 1:
            raise InvalidStoreURL(f"{url!r}: batch_size must be at least 1")
        database = params.pop("database", None)
        options = _options(url, params)
        if params:
            raise InvalidStoreURL(f"{url!r}: unknown option(s) {', '.join(sorted(params))}")
        if not parsed.hostname:
            raise InvalidStoreURL(f"{url!r} names no host")
        try:
            port = parsed.port
        except ValueError:
            raise InvalidStoreURL(f"{url!r} has an invalid port") from None
        user = unquote(parsed.username) if parsed.username else None
        password = unquote(parsed.password) if parsed.password else None
        path = parsed.path.strip("/")
        executor: CypherExecutor
        if scheme in FALKORDB_SCHEMES:
            _require("falkordb", url)
            from supplygraph.graph.store.cypher_servers import FalkorDBExecutor

            executor = FalkorDBExecutor(
                parsed.hostname,
                port or 6379,
                path or DEFAULT_FALKORDB_GRAPH,
                user,
                password,
                options,
            )
        elif scheme in NEO4J_SCHEMES:
            _require("neo4j", url)
            from supplygraph.graph.store.cypher_servers import Neo4jExecutor

            user = user or os.environ.get("NEO4J_USER") or os.environ.get("NEO4J_USERNAME")
            password = password or os.environ.get("NEO4J_PASSWORD")
            auth = (user, password) if user and password is not None else None
            host = parsed.hostname if ":" not in parsed.hostname else f"[{parsed.hostname}]"
            uri = f"{scheme}://{host}:{port or 7687}"
            executor = Neo4jExecutor(uri, auth, database or path or None, options)
        else:
            raise InvalidStoreURL(f"{url!r} is not a falkordb:// or neo4j:// URL")
        return cls(executor, batch_size)

    def _committed_here(self) -> None:
        _local_commits[self.url] = _local_commits.get(self.url, 0) + 1

    def _commits_here(self) -> int:
        return _local_commits.get(self.url, 0)

    @contextmanager
    def writer(self) -> Iterator[CypherWriter]:
        if getattr(self._open_load, "load", None) is not None:
            raise RuntimeError("a writer is already open on this thread; nest no writers")
        try:
            with self._load() as writer:
                yield writer
        finally:
            # Counted on failure too: a reader re-reads the marker, which did not move.
            self._committed_here()

    @contextmanager
    def _load(self) -> Iterator[CypherWriter]:
        # FalkorDB swaps its staging copy in when executor.load() exits: after the marker moved.
        with self.executor.load() as session:
            lock = WriterLock(session, self.executor.options)
            committed = lock.acquire()
            try:
                clean_up(lock, committed, self.batch_size)
                writer = CypherWriter(lock, committed, self.batch_size)
                self._open_load.load = (session, writer.seq)
                try:
                    yield writer
                    writer.flush()
                finally:
                    self._open_load.load = None
                lock.commit(writer.seq)
            except BaseException:
                lock.release()
                raise

    def _clean_up_if_idle(self) -> None:
        """Remove what a killed load left, when no load is running (a store opening).

        FalkorDB loads never touch the live graph before they commit: nothing to remove."""
        if self.dialect is q.Dialect.FALKORDB:
            return
        busy = self.executor.read(q.WRITER_BUSY, None)
        if busy and busy[0][0]:
            return
        with self.executor.load() as session:
            lock = WriterLock(session, self.executor.options)
            committed = lock.try_acquire()
            if committed is None:
                return  # a load started meanwhile; it cleans up itself
            try:
                clean_up(lock, committed, self.batch_size)
            finally:
                lock.release()

    def view(self) -> CypherView:
        mixed = self.dialect is q.Dialect.NEO4J
        return CypherView(self._read, self.batch_size, self._commits_here, mixed_steps=mixed)

    def _read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Reads on a thread with an open writer see the batches it wrote (as of its load
        number), as in the embedded store (one connection per thread): a loader's lookups see
        what it flushed. Every other thread reads the committed graph."""
        load: tuple[LoadSession, int] | None = getattr(self._open_load, "load", None)
        if load is not None:
            session, seq = load
            return session.read(query, {**(params or {}), "at": seq})
        return self.executor.read(query, {**(params or {}), "at": None})

    def leftovers(self) -> int:
        """What loads wrote above the commit marker: 0 unless a load is running or one failed
        and no writer has cleaned up since."""
        return sum(int(self.executor.read(query, None)[0][0]) for query in q.LEFTOVERS)

    def clear(self) -> None:
        """Remove everything this store holds (tests start from here)."""
        self.executor.clear()
        self._committed_here()

    def drop(self) -> None:
        """Remove the store itself: the FalkorDB graph, or the store's data in Neo4j."""
        self.executor.drop()
        self._committed_here()

    def close(self) -> None:
        self.executor.close()


def _require(module: str, url: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise InvalidStoreURL(
            f"{url.split('://')[0]}:// stores need the {module!r} package: "
            "pip install 'supplygraph[cypher]'"
        ) from None


def _int(url: str, text: str, name: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidStoreURL(f"{url!r}: {name} must be a whole number, not {text!r}") from None


def _options(url: str, params: dict[str, str]) -> ServerOptions:
    options = ServerOptions()
    changes: dict[str, Any] = {}
    for f in fields(ServerOptions):
        if f.name in params:
            text = params.pop(f.name)
            try:
                value: float = int(text) if f.type in (int, "int") else float(text)
            except ValueError:
                raise InvalidStoreURL(f"{url!r}: {f.name} must be a number, not {text!r}") from None
            if value < 0:
                raise InvalidStoreURL(f"{url!r}: {f.name} cannot be negative")
            changes[f.name] = value
    return replace(options, **changes)


class WriterLock:
    """The writer lock on the store's meta node: one load at a time, with a lease renewed by
    every batch, so a killed load blocks the next one for one lease at most."""

    def __init__(self, session: LoadSession, options: ServerOptions) -> None:
        self.session = session
        self.options = options
        self.token = uuid.uuid4().hex
        self._lease_ms = max(1, int(options.lock_lease * 1000))

    def try_acquire(self) -> int | None:
        """The commit marker if the lock was free (or expired) and is now ours, else None."""
        with self.session.batch() as tx:
            rows = tx.run(q.ACQUIRE_WRITER, {"token": self.token, "lease": self._lease_ms})
        return int(rows[0][0]) if rows else None

    def acquire(self) -> int:
        deadline = time.monotonic() + self.options.lock_wait
        while (committed := self.try_acquire()) is None:
            if time.monotonic() > deadline:
                raise StoreUnavailable(
                    f"another load has held the write lock for more than "
                    f"{self.options.lock_wait:g}s (lock_wait); a killed load's lock expires "
                    f"after {self.options.lock_lease:g}s (lock_lease)"
                )
            time.sleep(0.2)
        return committed

    @contextmanager
    def batch(self) -> Iterator[CypherTx]:
        """A batch of the load, refused if the lock is no longer ours (a writer that stalled
        for longer than its lease and was taken over writes nothing more)."""
        with self.session.batch() as tx:
            if not tx.run(q.RENEW_WRITER, {"token": self.token, "lease": self._lease_ms}):
                raise StoreUnavailable(
                    "the write lock was lost (lock_lease ran out); nothing of this load is visible"
                )
            yield tx

    def commit(self, seq: int) -> None:
        with self.session.batch() as tx:
            params = {"token": self.token, "seq": seq, "version": uuid.uuid4().hex}
            if not tx.run(q.COMMIT_LOAD, params):
                raise StoreUnavailable(
                    "the write lock was lost before commit; nothing of this load is visible"
                )

    def release(self) -> None:
        try:
            with self.session.batch() as tx:
                tx.run(q.RELEASE_WRITER, {"token": self.token})
        except Exception as exc:  # the server may be gone: the lease runs out by itself
            log.warning("could not release the write lock (%s); its lease runs out", exc)


def clean_up(lock: WriterLock, committed: int, batch_size: int) -> None:
    """Remove what failed loads wrote and what committed loads superseded, in small batches."""
    params = {"committed": committed, "limit": batch_size}
    for statement in q.CLEANUP:
        while True:
            with lock.batch() as tx:
                rows = tx.run(statement, params)
            if not rows or not rows[0][0]:
                break


class CypherWriter:
    """Buffers records by id (merging repeats), then writes them in batches, one transaction
    each, as load number ``seq``: invisible to readers until the lock commits it."""

    def __init__(self, lock: WriterLock, committed: int, batch_size: int) -> None:
        self.lock = lock
        self.committed = committed
        self.seq = committed + 1
        self.batch_size = batch_size
        self._buffer = RecordBuffer()
        self._params = {"seq": self.seq, "committed": committed, "at": self.seq}

    def _run(self, tx: CypherTx, query: str, params: Mapping[str, Any]) -> list[Row]:
        return tx.run(query, {**self._params, **params})

    def put(self, records: Iterable[Record]) -> None:
        for record in records:
            self._buffer.add(record)
            if len(self._buffer) >= self.batch_size:
                self.flush()

    def delete_designations(self, ids: Sequence[str]) -> None:
        self.flush()
        for chunk in _chunks(list(dict.fromkeys(ids)), self.batch_size):
            with self.lock.batch() as tx:
                self._run(tx, q.DELETE_DESIGNATIONS, {"ids": list(chunk)})

    def record_load(self, entry: LoadEntry) -> None:
        self.flush()
        props = {"dataset": entry.dataset, "loaded_at": entry.loaded_at.isoformat()}
        row = {"id": entry.id, "props": props, "data": _dump(entry)}
        with self.lock.batch() as tx:
            self._run(tx, q.UPSERT_LOADS, {"rows": [row]})

    def record_changes(self, changes: ChangeSet) -> None:
        self.flush()
        props = {"dataset": changes.dataset, "loaded_at": utc_text(changes.loaded_at)}
        row = {"id": changes.id, "props": props, "data": _dump(changes)}
        with self.lock.batch() as tx:
            self._run(tx, q.UPSERT_CHANGES, {"rows": [row]})

    def flush(self) -> None:
        nodes, edges, des = self._buffer.take()
        if not (nodes or edges or des):
            return
        # One transaction per batch: bounded by batch_size records whatever the load's size.
        with self.lock.batch() as tx:
            if nodes:
                self._write_nodes(tx, nodes)
            if edges:
                self._write_edges(tx, edges)
            if des:
                self._write_designations(tx, des)

    def _read(
        self, tx: CypherTx, query: str, params: Mapping[str, Any], model: type[M]
    ) -> dict[str, M]:
        rows = self._run(tx, query, params)
        return {row[0]: model.model_validate_json(row[1]) for row in rows}

    def _write_nodes(self, tx: CypherTx, nodes: list[Node]) -> None:
        old = self._read(tx, q.NODES, {"ids": [n.id for n in nodes]}, Node)
        merged = [merge_node(old[n.id], n) if n.id in old else n for n in nodes]
        rows = []
        removed: list[dict[str, str]] = []
        for n in merged:
            props: dict[str, Any] = {"kind": n.kind.value, "name": n.name}
            if n.country:
                props["country"] = n.country
            before = lookup_entries(old[n.id]) if n.id in old else set()
            after = lookup_entries(n)
            added = sorted(after - before)
            rows.append({"id": n.id, "props": props, "data": _dump(n), "add": added})
            removed += [{"key": k, "node": n.id} for k in sorted(before - after)]
        if removed:
            self._run(tx, q.REMOVE_LOOKUPS, {"rows": removed})
        self._run(tx, q.UPSERT_NODES, {"rows": rows})

    def _write_edges(self, tx: CypherTx, edges: list[Edge]) -> None:
        old: dict[str, Edge] = {}
        for relation, ids in _group(edges).items():
            old |= self._read(tx, q.existing_edges(relation), {"ids": ids}, Edge)
        # Edges the store holds are merged into; the others are created outright.
        by_relation: dict[tuple[Relation, bool], list[dict[str, Any]]] = {}
        for e in edges:
            m = merge_edge(old[e.id], e) if e.id in old else e
            row = {
                "id": m.id,
                "src": m.src,
                "dst": m.dst,
                "data": _dump(m),
                "share": m.share,
                "valid_from": _day(m.valid_from),
                "valid_to": _day(m.valid_to),
            }
            by_relation.setdefault((m.relation, e.id in old), []).append(row)
        for (relation, stored), rows in sorted(by_relation.items()):
            statement = q.upsert_edges(relation) if stored else q.create_edges(relation)
            self._run(tx, statement, {"rows": rows})

    def _write_designations(self, tx: CypherTx, des: list[Designation]) -> None:
        old = self._read(tx, q.EXISTING_DESIGNATIONS, {"ids": [d.id for d in des]}, Designation)
        rows = []
        for d in des:
            m = merge_designation(old[d.id], d) if d.id in old else d
            props = {"entity_id": m.entity_id, "list_id": m.list_id}
            rows.append({"id": m.id, "props": props, "data": _dump(m)})
        self._run(tx, q.UPSERT_DESIGNATIONS, {"rows": rows})


def _day(day: date | None) -> str | None:
    """A date as the ISO text the queries compare (``None`` stays unknown)."""
    return None if day is None else day.isoformat()


def _group(edges: list[Edge]) -> dict[Relation, list[str]]:
    grouped: dict[Relation, list[str]] = {}
    for e in edges:
        grouped.setdefault(e.relation, []).append(e.id)
    return grouped


class CypherView:
    """Read-only batch primitives; every lookup goes through an index."""

    def __init__(
        self,
        read: Reader,
        batch_size: int,
        commits: Callable[[], int] = lambda: 0,
        mixed_steps: bool = False,
    ) -> None:
        self.read = read
        self.batch_size = batch_size
        # Walks that follow some relations in and others out in one query need Neo4j's
        # quantified path patterns; FalkorDB's walks of that kind go hop by hop.
        self.mixed_steps = mixed_steps
        self._commits = commits
        # (version, this process's commits then, when read); replaced whole, never mutated.
        self._seen: tuple[str, int, float] | None = None

    def _batched(self, query: str, name: str, items: Collection[Any], **extra: Any) -> list[Row]:
        unique = list(dict.fromkeys(items))
        rows: list[Row] = []
        for chunk in _chunks(unique, self.batch_size):
            rows += self.read(query, {name: list(chunk), **extra})
        return rows

    def version(self) -> str:
        commits = self._commits()
        now = time.monotonic()
        seen = self._seen
        if seen is not None and seen[1] == commits and now - seen[2] < VERSION_RECHECK_S:
            return seen[0]
        rows = self.read(q.GENERATION, None)
        version = f"{rows[0][0]}-{rows[0][1]}" if rows else "0"
        self._seen = (version, commits, now)
        return version

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        return {r[0]: Node.model_validate_json(r[1]) for r in self._batched(q.NODES, "ids", ids)}

    def edges(
        self,
        ids: Collection[str],
        direction: Direction,
        relations: Collection[Relation] | None = None,
    ) -> list[Edge]:
        rels = ALL_RELATIONS if relations is None else [Relation(r).value for r in relations]
        queries = {"out": (q.EDGES_OUT,), "in": (q.EDGES_IN,), "both": (q.EDGES_BOTH,)}
        seen: dict[str, str] = {}
        for query in queries[direction.value]:
            for edge_id, data in self._batched(query, "ids", ids, relations=rels):
                seen.setdefault(edge_id, data)
        # Sorted by id: the same order on every call, whatever the server's scan order.
        return [Edge.model_validate_json(seen[i]) for i in sorted(seen)]

    def edges_along(
        self,
        ids: Collection[str],
        steps: Sequence[WalkStep],
        hops: int,
        limit: int,
        day: date | None = None,
    ) -> list[Edge] | None:
        """The neighbourhood a walk of ``hops`` levels reads, in one query (see HopsView)."""
        query = self._walk_query(steps, hops, with_nodes=False)
        if query is None:
            return None
        seen: dict[str, str] = {}
        params = {"limit": limit + 1, "day": _day(day)}
        for edge_id, data in self._batched(query, "ids", ids, **params):
            seen.setdefault(edge_id, data)
            if len(seen) > limit:
                return None
        return [Edge.model_validate_json(seen[i]) for i in sorted(seen)]

    def around(
        self,
        ids: Collection[str],
        steps: Sequence[WalkStep],
        hops: int,
        limit: int,
        day: date | None = None,
    ) -> tuple[list[Edge], dict[str, Node]] | None:
        """:meth:`edges_along` and the nodes at the ends of its edges, in one query."""
        query = self._walk_query(steps, hops, with_nodes=True)
        if query is None:
            return None
        seen: dict[str, str] = {}
        ends: dict[str, str] = {}
        params = {"limit": limit + 1, "day": _day(day)}
        # One row per batch of ids: that batch's edges, and the nodes at their ends.
        for edges, nodes in self._batched(query, "ids", ids, **params):
            for edge_id, data in edges:
                seen.setdefault(edge_id, data)
            if len(seen) > limit:
                return None
            for node_id, data in nodes:
                if data is not None:  # a stub: an edge's end that was never put
                    ends.setdefault(node_id, data)
        found = [Edge.model_validate_json(seen[i]) for i in sorted(seen)]
        return found, {i: Node.model_validate_json(data) for i, data in ends.items()}

    def _walk_query(self, steps: Sequence[WalkStep], hops: int, with_nodes: bool) -> str | None:
        """The neighbourhood query for a walk, or ``None`` when the server cannot follow its
        steps in one query (see HopsView)."""
        walk = [(Direction(d).value, sorted({Relation(r) for r in rels})) for d, rels in steps]
        if len(walk) == 1:
            return q.edges_within(walk[0][1], walk[0][0], hops, with_nodes)
        if self.mixed_steps:
            return q.edges_along(walk, hops, with_nodes)
        return None

    def _lookup(self, keys: Mapping[str, K]) -> dict[K, list[str]]:
        """Node ids per wanted key; ``keys`` maps each Lookup key to what the caller asked."""
        found: dict[str, set[str]] = {}
        for key, node in self._batched(q.LOOKUP_NODES, "keys", keys):
            found.setdefault(key, set()).add(node)
        return {keys[k]: sorted(v) for k, v in found.items()}

    def find_by_identifier(
        self, identifiers: Collection[Identifier]
    ) -> dict[Identifier, list[str]]:
        keys = {q.lookup_key("ident", i.scheme.value, i.value): i for i in identifiers}
        return self._lookup(keys)

    def subdivided_blocks(self) -> frozenset[str]:
        out: set[str] = set()
        for scheme in (IdScheme.OUI28, IdScheme.OUI36):
            prefix = q.lookup_key("ident", scheme.value, "")
            for (key,) in self.read(q.LOOKUP_KEYS_STARTING, q.prefix_range(prefix)):
                out.add(str(key)[len(prefix) : len(prefix) + 6])
        return frozenset(out)

    def find_by_name_key(self, keys: Collection[str]) -> dict[str, list[str]]:
        return self._lookup({q.lookup_key("name", k): k for k in keys})

    def find_by_token(self, tokens: Collection[str], limit: int) -> dict[str, list[str]]:
        keys = {q.lookup_key("token", t): t for t in tokens}
        found: dict[str, list[str]] = {}
        for key, nodes in self._batched(q.LOOKUP_NODES_LIMITED, "keys", keys, limit=limit):
            if nodes:
                found[keys[key]] = sorted(nodes)[:limit]
        return found

    def find_by_token_prefix(self, prefixes: Collection[str], limit: int) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for prefix in dict.fromkeys(prefixes):
            bounds = q.prefix_range(q.lookup_key("token", prefix))
            rows = self.read(q.LOOKUP_PREFIX_NODES, {**bounds, "limit": limit})
            ids = list(dict.fromkeys(str(node) for _, node in rows))
            if ids:
                found[prefix] = ids
        return found

    def tokens_with_prefix(self, prefixes: Collection[str], limit: int) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for prefix in dict.fromkeys(prefixes):
            start = q.lookup_key("token", "")
            bounds = q.prefix_range(q.lookup_key("token", prefix))
            rows = self.read(q.LOOKUP_KEYS_STARTING_LIMITED, {**bounds, "limit": limit})
            if tokens := [str(key)[len(start) :] for (key,) in rows]:
                found[prefix] = tokens
        return found

    def designations(self, ids: Collection[str]) -> dict[str, list[Designation]]:
        rows = sorted(self._batched(q.DESIGNATIONS, "ids", ids), key=lambda r: (r[0], r[1]))
        found: dict[str, list[Designation]] = {}
        for entity_id, _, data in rows:
            found.setdefault(entity_id, []).append(Designation.model_validate_json(data))
        return found

    def nodes_with_property(self, kind: NodeKind, prop: str) -> list[Node]:
        check_indexed_property(kind, prop)
        key = q.lookup_key("prop", NodeKind(kind).value, prop)
        ids = self._lookup({key: key}).get(key, [])
        found = self.nodes(ids)
        return [found[i] for i in sorted(found)]

    def counts(self) -> dict[str, int]:
        def count(query: str) -> int:
            rows = self.read(query, None)
            return int(rows[0][0]) if rows else 0

        return {
            "nodes": count(q.COUNT_NODES),
            "edges": count(q.COUNT_EDGES),
            "designations": count(q.COUNT_DESIGNATIONS),
        }

    def loads(self, dataset: str | None = None) -> list[LoadEntry]:
        if dataset is None:
            rows = self.read(q.LOADS, None)
        else:
            rows = self.read(q.LOADS_OF_DATASET, {"dataset": dataset})
        # Newest first, ties by id: the embedded store's order (ISO strings sort as times).
        rows.sort(key=lambda r: r[0])
        rows.sort(key=lambda r: r[1], reverse=True)
        return [LoadEntry.model_validate_json(r[2]) for r in rows]

    def changes(
        self,
        since: datetime | None = None,
        dataset: str | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int | None = None,
    ) -> list[ChangeSet]:
        params = {"since": utc_text(since) if since is not None else ""}
        if dataset is None:
            rows = self.read(q.CHANGES_SINCE, params)
        else:
            rows = self.read(q.CHANGES_OF_DATASET_SINCE, {**params, "dataset": dataset})
        # Newest first, ties by id: the embedded store's order.
        rows.sort(key=lambda r: r[0])
        rows.sort(key=lambda r: r[1], reverse=True)
        if after is not None:
            at, last = utc_text(after[0]), after[1]
            rows = [r for r in rows if r[1] < at or (r[1] == at and r[0] > last)]
        return [ChangeSet.model_validate_json(r[3]) for r in rows[:limit]]

    def _ids(self, query: str) -> list[str]:
        return sorted(r[0] for r in self.read(query, None))

    def iter_records(self) -> Iterator[Record]:
        """Nodes in id order, then edges (by source node), then designations in id order.

        Only the ids are held in memory; the records come in batches through the id index.
        """
        entity_ids = self._ids(q.ENTITY_IDS)
        for chunk in _chunks(entity_ids, self.batch_size):
            found = self.nodes(chunk)
            yield from (found[i] for i in chunk if i in found)
        # Stub endpoints are included: an edge may dangle, as in the embedded store.
        for chunk in _chunks(entity_ids, self.batch_size):
            yield from self.edges(chunk, Direction.OUT)
        for chunk in _chunks(self._ids(q.DESIGNATION_IDS), self.batch_size):
            rows = self.read(q.EXISTING_DESIGNATIONS, {"ids": list(chunk)})
            for _, data in sorted(rows):
                yield Designation.model_validate_json(data)
