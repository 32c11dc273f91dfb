"""The Cypher store: the store protocol on Neo4j or FalkorDB, with the embedded store's semantics.

One class for both servers; an executor (:mod:`supplygraph.graph.store.cypher_servers`) hides the
driver, and all Cypher text lives in :mod:`supplygraph.graph.store.cypher_queries`. Records are kept
whole as JSON on their node or relationship (so nothing is lost in translation), and the name keys,
tokens, identifiers and property names the engines look up are kept as indexed ``Lookup`` rows,
derived from each record exactly as the embedded store derives them
(:mod:`supplygraph.graph.model.normalize`). A re-put record is merged with the stored one
(:mod:`supplygraph.graph.store.merge`), so loading twice changes nothing and sources accumulate.

Each ``with store.writer()`` block is atomic (see the executors for how on each server): the
writer sends batches of ``batch_size`` records as it goes, and a failure anywhere leaves the
previous graph as it was.

URLs (options as query parameters, all optional)::

    falkordb://[user:password@]host[:6379]/graph
    neo4j://[user:password@]host[:7687][/database]   (also neo4j+s, neo4j+ssc, bolt, bolt+s ...)
    ...?batch_size=1000&timeout=30&retries=3&backoff=0.2&pool_size=16&database=neo4j

Neo4j credentials not in the URL come from ``NEO4J_USER`` / ``NEO4J_PASSWORD``.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlparse

import orjson
from pydantic import BaseModel

from supplygraph.graph.errors import InvalidStoreURL
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
from supplygraph.graph.store.cypher_servers import CypherExecutor, CypherTx, Row, ServerOptions
from supplygraph.graph.store.merge import RecordBuffer, merge_designation, merge_edge, merge_node
from supplygraph.graph.store.protocol import Direction

NEO4J_SCHEMES = frozenset({"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"})
FALKORDB_SCHEMES = frozenset({"falkordb"})
DEFAULT_BATCH = 1000
DEFAULT_FALKORDB_GRAPH = "supplygraph"
ALL_RELATIONS = [r.value for r in Relation]

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
    keys |= {q.lookup_key("prop", node.kind.value, p) for p in node.properties}
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
        # The write transaction open on each thread: its own reads see what it wrote so far.
        self._open_tx = threading.local()
        try:
            executor.ensure_schema()
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

    @contextmanager
    def writer(self) -> Iterator[CypherWriter]:
        if getattr(self._open_tx, "tx", None) is not None:
            raise RuntimeError("a writer is already open on this thread; nest no writers")
        with self.executor.transaction() as tx:
            tx.run(q.BUMP_GENERATION, {"token": uuid.uuid4().hex})
            writer = CypherWriter(tx, self.batch_size)
            self._open_tx.tx = tx
            try:
                yield writer
                writer.flush()
            finally:
                self._open_tx.tx = None

    def view(self) -> CypherView:
        return CypherView(self._read, self.batch_size)

    def _read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """Reads on a thread with an open writer go through its transaction, as in the
        embedded store (one connection per thread): a loader's lookups see the batches it
        flushed. Every other thread reads the committed graph."""
        tx: CypherTx | None = getattr(self._open_tx, "tx", None)
        if tx is not None:
            return tx.run(query, params)
        return self.executor.read(query, params)

    def clear(self) -> None:
        """Remove everything this store holds (tests start from here)."""
        self.executor.clear()

    def drop(self) -> None:
        """Remove the store itself: the FalkorDB graph, or the store's data in Neo4j."""
        self.executor.drop()

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


class CypherWriter:
    """Buffers records by id (merging repeats), then writes them in batches inside the tx."""

    def __init__(self, tx: CypherTx, batch_size: int) -> None:
        self.tx = tx
        self.batch_size = batch_size
        self._buffer = RecordBuffer()

    def put(self, records: Iterable[Record]) -> None:
        for record in records:
            self._buffer.add(record)
            if len(self._buffer) >= self.batch_size:
                self.flush()

    def delete_designations(self, ids: Sequence[str]) -> None:
        self.flush()
        for chunk in _chunks(list(dict.fromkeys(ids)), self.batch_size):
            self.tx.run(q.DELETE_DESIGNATIONS, {"ids": list(chunk)})

    def record_load(self, entry: LoadEntry) -> None:
        self.flush()
        props = {"dataset": entry.dataset, "loaded_at": entry.loaded_at.isoformat()}
        props["data"] = _dump(entry)
        self.tx.run(q.UPSERT_LOADS, {"rows": [{"id": entry.id, "props": props}]})

    def record_changes(self, changes: ChangeSet) -> None:
        self.flush()
        props = {"dataset": changes.dataset, "loaded_at": utc_text(changes.loaded_at)}
        props["data"] = _dump(changes)
        self.tx.run(q.UPSERT_CHANGES, {"rows": [{"id": changes.id, "props": props}]})

    def flush(self) -> None:
        nodes, edges, des = self._buffer.take()
        if nodes:
            self._write_nodes(nodes)
        if edges:
            self._write_edges(edges)
        if des:
            self._write_designations(des)
        self.tx.keep_alive()

    def _read(self, query: str, params: Mapping[str, Any], model: type[M]) -> dict[str, M]:
        return {row[0]: model.model_validate_json(row[1]) for row in self.tx.run(query, params)}

    def _write_nodes(self, nodes: list[Node]) -> None:
        old = self._read(q.NODES, {"ids": [n.id for n in nodes]}, Node)
        merged = [merge_node(old[n.id], n) if n.id in old else n for n in nodes]
        rows = []
        added: list[dict[str, str]] = []
        removed: list[dict[str, str]] = []
        for n in merged:
            props: dict[str, Any] = {"kind": n.kind.value, "name": n.name, "data": _dump(n)}
            if n.country:
                props["country"] = n.country
            rows.append({"id": n.id, "props": props})
            before = lookup_entries(old[n.id]) if n.id in old else set()
            after = lookup_entries(n)
            added += [{"key": k, "node": n.id} for k in sorted(after - before)]
            removed += [{"key": k, "node": n.id} for k in sorted(before - after)]
        self.tx.run(q.UPSERT_NODES, {"rows": rows})
        if removed:
            self.tx.run(q.REMOVE_LOOKUPS, {"rows": removed})
        for chunk in _chunks(added, self.batch_size * 4):
            self.tx.run(q.ADD_LOOKUPS, {"rows": list(chunk)})

    def _write_edges(self, edges: list[Edge]) -> None:
        old: dict[str, Edge] = {}
        for relation, ids in _group(edges).items():
            old |= self._read(q.existing_edges(relation), {"ids": ids}, Edge)
        by_relation: dict[Relation, list[dict[str, Any]]] = {}
        for e in edges:
            m = merge_edge(old[e.id], e) if e.id in old else e
            props: dict[str, Any] = {"data": _dump(m)}
            if m.share is not None:
                props["share"] = m.share
            row = {"id": m.id, "src": m.src, "dst": m.dst, "props": props}
            by_relation.setdefault(m.relation, []).append(row)
        for relation, rows in sorted(by_relation.items()):
            self.tx.run(q.upsert_edges(relation), {"rows": rows})

    def _write_designations(self, des: list[Designation]) -> None:
        old = self._read(q.EXISTING_DESIGNATIONS, {"ids": [d.id for d in des]}, Designation)
        rows = []
        for d in des:
            m = merge_designation(old[d.id], d) if d.id in old else d
            props = {"entity_id": m.entity_id, "list_id": m.list_id, "data": _dump(m)}
            rows.append({"id": m.id, "props": props})
        self.tx.run(q.UPSERT_DESIGNATIONS, {"rows": rows})


def _group(edges: list[Edge]) -> dict[Relation, list[str]]:
    grouped: dict[Relation, list[str]] = {}
    for e in edges:
        grouped.setdefault(e.relation, []).append(e.id)
    return grouped


class CypherView:
    """Read-only batch primitives; every lookup goes through an index."""

    def __init__(self, read: Reader, batch_size: int) -> None:
        self.read = read
        self.batch_size = batch_size

    def _batched(self, query: str, name: str, items: Collection[Any], **extra: Any) -> list[Row]:
        unique = list(dict.fromkeys(items))
        rows: list[Row] = []
        for chunk in _chunks(unique, self.batch_size):
            rows += self.read(query, {name: list(chunk), **extra})
        return rows

    def version(self) -> str:
        rows = self.read(q.GENERATION, None)
        return f"{rows[0][0]}-{rows[0][1]}" if rows else "0"

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        return {r[0]: Node.model_validate_json(r[1]) for r in self._batched(q.NODES, "ids", ids)}

    def edges(
        self,
        ids: Collection[str],
        direction: Direction,
        relations: Collection[Relation] | None = None,
    ) -> list[Edge]:
        rels = ALL_RELATIONS if relations is None else [Relation(r).value for r in relations]
        queries = {"out": (q.EDGES_OUT,), "in": (q.EDGES_IN,), "both": (q.EDGES_OUT, q.EDGES_IN)}
        seen: dict[str, str] = {}
        for query in queries[direction.value]:
            for edge_id, data in self._batched(query, "ids", ids, relations=rels):
                seen.setdefault(edge_id, data)
        # Sorted by id: the same order on every call, whatever the server's scan order.
        return [Edge.model_validate_json(seen[i]) for i in sorted(seen)]

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
