"""A read-only store view that answers from bounded caches the bulk engine fills in batches."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import datetime

from supplygraph.graph.caches import TwoGenerationCache
from supplygraph.graph.match.matcher import CANDIDATES_PER_TOKEN
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
)
from supplygraph.graph.store.protocol import Direction, GraphView

_SUB_BLOCKS = frozenset((IdScheme.OUI28, IdScheme.OUI36))
NOTHING: tuple[str, ...] = ()


class CachedView:
    """A read-only view that answers from the engine's caches, asking the store on a miss.

    The bulk engine fills the caches with one batched call per primitive before matching; the
    matching code then runs unchanged over this view. ``misses`` counts store calls made here,
    which after a prefetch should stay zero.
    """

    def __init__(self, view: GraphView, size: int) -> None:
        self.view = view
        self.idents: dict[IdScheme, TwoGenerationCache[str, tuple[str, ...]]] = {
            s: TwoGenerationCache(size) for s in IdScheme
        }
        # The MAC block and FCC grantee caches, bound once: they are read for every row.
        self.oui = self.idents[IdScheme.OUI]
        self.oui28 = self.idents[IdScheme.OUI28]
        self.oui36 = self.idents[IdScheme.OUI36]
        self.fcc = self.idents[IdScheme.FCC_GRANTEE]
        self.names: TwoGenerationCache[str, tuple[str, ...]] = TwoGenerationCache(size)
        self.tokens: TwoGenerationCache[str, tuple[str, ...]] = TwoGenerationCache(size)
        # Stored words under a prefix, for typo lookups (see matching.typo_neighbours).
        self.vocabulary: TwoGenerationCache[str, tuple[str, ...]] = TwoGenerationCache(1024)
        self.node_cache: TwoGenerationCache[str, Node] = TwoGenerationCache(max(size // 4, 1000))
        self._patterns: dict[tuple[NodeKind, str], list[Node]] = {}
        self._subdivided: frozenset[str] | None = None
        # The engine drops this view when the store version changes, so it can be pinned.
        self._version = view.version()
        self.misses = 0

    # -- prefetching: one store call per primitive ------------------------------------------
    def fetch_identifiers(self, wanted: Collection[tuple[IdScheme, str]]) -> None:
        """Look up (scheme, value) pairs in one call; absent ones are cached as assigned to none."""
        if not wanted:
            return
        found = self.view.find_by_identifier([Identifier(scheme=s, value=v) for s, v in wanted])
        # Absent keys are cached as assigned to nothing, per scheme in one update each; then the
        # hits (iterating ``found`` avoids hashing each pydantic key again).
        absent: dict[IdScheme, dict[str, tuple[str, ...]]] = {}
        for scheme, value in wanted:
            absent.setdefault(scheme, {})[value] = NOTHING
        for scheme, values in absent.items():
            self.idents[scheme].put_many(values)
        for ident, ids in found.items():
            self.idents[ident.scheme].put(ident.value, tuple(ids))

    def fetch_names(self, keys: Collection[str]) -> None:
        if not keys:
            return
        found = self.view.find_by_name_key(keys)
        for key in keys:
            self.names.put(key, tuple(found.get(key, NOTHING)))

    def fetch_tokens(self, tokens: Collection[str]) -> None:
        if not tokens:
            return
        found = self.view.find_by_token(tokens, CANDIDATES_PER_TOKEN)
        for token in tokens:
            self.tokens.put(token, tuple(found.get(token, NOTHING)))

    def fetch_nodes(self, ids: Collection[str]) -> None:
        missing = [i for i in ids if self.node_cache[i] is None]
        if missing:
            for node_id, node in self.view.nodes(missing).items():
                self.node_cache.put(node_id, node)

    # -- the GraphView protocol -------------------------------------------------------------
    def version(self) -> str:
        return self._version

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        out: dict[str, Node] = {}
        missing: list[str] = []
        for i in ids:
            node = self.node_cache[i]
            if node is None:
                missing.append(i)
            else:
                out[i] = node
        if missing:
            self.misses += 1
            for node_id, node in self.view.nodes(missing).items():
                self.node_cache.put(node_id, node)
                out[node_id] = node
        return out

    def edges(
        self,
        ids: Collection[str],
        direction: Direction,
        relations: Collection[Relation] | None = None,
    ) -> list[Edge]:
        return self.view.edges(ids, direction, relations)

    def find_by_identifier(
        self, identifiers: Collection[Identifier]
    ) -> dict[Identifier, list[str]]:
        unknown = [i for i in identifiers if self.idents[i.scheme][i.value] is None]
        if unknown and any(i.scheme in _SUB_BLOCKS for i in unknown):
            # Smaller MAC blocks under a prefix the registry does not subdivide are assigned
            # to nobody; no need to ask.
            subdivided = self.subdivided_blocks()
            unknown = [
                i for i in unknown if i.scheme not in _SUB_BLOCKS or i.value[:6] in subdivided
            ]
        if unknown:
            self.misses += 1
            self.fetch_identifiers([(i.scheme, i.value) for i in unknown])
        out: dict[Identifier, list[str]] = {}
        for ident in identifiers:
            ids = self.idents[ident.scheme][ident.value]
            if ids:
                out[ident] = list(ids)
        return out

    def subdivided_blocks(self) -> frozenset[str]:
        if self._subdivided is None:
            self.misses += 1
            self._subdivided = self.view.subdivided_blocks()
        return self._subdivided

    def find_by_name_key(self, keys: Collection[str]) -> dict[str, list[str]]:
        unknown = [k for k in keys if self.names[k] is None]
        if unknown:
            self.misses += 1
            self.fetch_names(unknown)
        out: dict[str, list[str]] = {}
        for key in keys:
            ids = self.names[key]
            if ids:
                out[key] = list(ids)
        return out

    def find_by_token(self, tokens: Collection[str], limit: int) -> dict[str, list[str]]:
        if limit != CANDIDATES_PER_TOKEN:
            self.misses += 1
            return self.view.find_by_token(tokens, limit)
        unknown = [t for t in tokens if self.tokens[t] is None]
        if unknown:
            self.misses += 1
            self.fetch_tokens(unknown)
        out: dict[str, list[str]] = {}
        for token in tokens:
            ids = self.tokens[token]
            if ids:
                out[token] = list(ids)
        return out

    def find_by_token_prefix(self, prefixes: Collection[str], limit: int) -> dict[str, list[str]]:
        return self.view.find_by_token_prefix(prefixes, limit)

    def tokens_with_prefix(self, prefixes: Collection[str], limit: int) -> dict[str, list[str]]:
        missing = [p for p in prefixes if self.vocabulary[p] is None]
        if missing:
            found = self.view.tokens_with_prefix(missing, limit)
            for prefix in missing:
                self.vocabulary.put(prefix, tuple(found.get(prefix, ())))
        return {p: list(words) for p in prefixes if (words := self.vocabulary[p])}

    def designations(self, ids: Collection[str]) -> dict[str, list[Designation]]:
        return self.view.designations(ids)

    def nodes_with_property(self, kind: NodeKind, prop: str) -> list[Node]:
        key = (kind, prop)
        if key not in self._patterns:
            self._patterns[key] = self.view.nodes_with_property(kind, prop)
        return self._patterns[key]

    def counts(self) -> dict[str, int]:
        return self.view.counts()

    def loads(self, dataset: str | None = None) -> list[LoadEntry]:
        return self.view.loads(dataset)

    def changes(
        self,
        since: datetime | None = None,
        dataset: str | None = None,
        after: tuple[datetime, str] | None = None,
        limit: int | None = None,
    ) -> list[ChangeSet]:
        return self.view.changes(since, dataset, after, limit)

    def iter_records(self) -> Iterator[Record]:
        return self.view.iter_records()
