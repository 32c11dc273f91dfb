"""Bulk resolution: millions of rows against one target, a few batched store calls per batch.

A row is a tuple of the query fields in the order the verdict engine matches them
(:data:`FIELDS`: mac, fcc_id, brand, model, name; ``""`` means absent). Rows are read in
batches; for each batch the engine collects the distinct keys it has not seen yet (MAC blocks,
FCC grantee codes, names as typed), asks the store once per primitive (``find_by_identifier``,
``find_by_name_key``, ``find_by_token``, ``nodes``), and keeps what it learnt in bounded caches
for the next batches. Each field is then matched by the very code single lookups use
(:meth:`Resolver.match` over a view that answers from those caches), so a bulk verdict equals
the single verdict row by row; only the bookkeeping is shared.

Memory stays flat in the number of rows: results are yielded in input order batch by batch and
every cache is bounded.

>>> from supplygraph import SupplyGraph
>>> sg = SupplyGraph.open("sqlite:///:memory:")
>>> _ = sg.load_seed()
>>> run = BulkResolver(sg.resolver).prepare()
>>> [r.verdict for r in run.resolve([("", "", "HiLook", "", ""), ("", "", "", "", "CETHIK")])]
['yes', 'no']
"""

from __future__ import annotations

import gc
import re
from collections.abc import Collection, Hashable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import TypeVar

from supplygraph.graph.errors import InvalidQuery

from .matching import CANDIDATES_PER_TOKEN, typo_neighbours
from .model import (
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
from .normalize import fcc_grantee_code, mac_prefixes, name_keys, name_tokens
from .reach import Reach
from .resolve import MAX_PATHS, Query, Resolver, weak_link_text
from .results import Match, Step, Verdict, WeakLink
from .store import Direction, GraphView
from .verdicts import rank_paths

# The order in which Resolver.match looks at the fields; ties between equally good paths go to
# the earlier field, exactly as in a single lookup.
FIELDS: tuple[str, ...] = ("mac", "fcc_id", "brand", "model", "name")
Fields = tuple[str, str, str, str, str]

EMPTY_QUERY = "give at least one of name, brand, model, mac, fcc_id"
_HEX12 = re.compile(r"[0-9A-F]{12}")

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TwoGenerationCache(dict[K, V | None]):
    """A bounded map that keeps what is in use: an approximate LRU as cheap as a dict lookup.

    ``cache[key]`` is the value, or None when the key is not cached (no KeyError). New entries go
    to the young generation (the dict itself); when it is full, the old generation is dropped and
    the young one becomes old. A key found in the old generation is promoted, so keys that keep
    being used survive while memory stays bounded by ``size``. Hits cost one C-level lookup,
    which matters at hundreds of thousands of lookups a second.

    >>> c: TwoGenerationCache[str, int] = TwoGenerationCache(4)
    >>> c.put("a", 1); c.put("b", 2); c.put("c", 3); c.put("d", 4)
    >>> c["a"], c["d"], c["x"]
    (1, 4, None)
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self._half = max(1, size // 2)
        self._old: dict[K, V | None] = {}

    def __missing__(self, key: K) -> V | None:
        value = self._old.get(key)
        if value is not None:
            self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        if len(self) >= self._half:
            self._old = dict(self)
            self.clear()
        self[key] = value

    def put_many(self, items: dict[K, V]) -> None:
        """Insert many entries at once (one C-level update instead of a call per key)."""
        if len(self) + len(items) > self._half:
            self._old = dict(self)
            self.clear()
        self.update(items)

    def size(self) -> int:
        """Entries held in both generations (an upper bound on distinct keys)."""
        return len(self) + len(self._old)


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that cannot be resolved as it stands (unreadable, malformed field, empty)."""

    message: str
    field: str | None = None


BulkItem = Fields | RowProblem


@dataclass(frozen=True, slots=True, eq=False)
class Evidence:
    """The best evidence path of a field: what it matched and how the target reaches that."""

    field: str
    match: Match
    start: str  # the target's node id: paths run from it down to the match
    path: tuple[Edge, ...]
    names: dict[str, str]  # node id -> name, for every node on the path
    score: float
    text: str  # a short readable path (see evidence_text)
    # The weak links of the path (empty when it is strong end to end): yes versus possible.
    weak: tuple[WeakLink, ...] = ()

    def rank(self) -> tuple[bool, float, int]:
        """The same order as :meth:`ScoredPath.rank`: strong first, then score, then length."""
        return (bool(self.weak), -self.score, len(self.path))


@dataclass(frozen=True, slots=True, eq=False)
class FieldOutcome:
    """What one field resolved to against the run's target; hashed by identity on purpose."""

    matched: tuple[Match, ...]
    best: Evidence | None
    top: Match | None  # the best-scoring match (first of equals)
    notes: tuple[str, ...]
    # DISTRIBUTES edges from the field's matches into the target's group (see Answer).
    distributes: tuple[Step, ...] = ()


# The outcome of an absent field, or of one that matched nothing and raised no note: one shared
# object, so rows that differ only in such fields share their combination (and their result).
NOTHING_FOUND = FieldOutcome((), None, None, ())


@dataclass(frozen=True, slots=True, eq=False)
class Answer:
    """What a row's report shows: shared by every row with the same verdict, evidence and
    notes, however its other fields differ (reports derive regimes and sources once per answer).
    """

    verdict: Verdict
    confidence: float
    evidence: str
    best: Evidence | None
    entity: str | None  # the entity the verdict is about: the best match, else the top one
    notes: tuple[str, ...]
    # For ``no``: what the row's matches distribute of the target group's brands and companies
    # (a distributor is not the maker), as single lookups give it in ``distributes``.
    distributes: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class BulkResult:
    """One row's answer. ``verdict`` is None exactly when the row has an ``error``."""

    verdict: Verdict | None
    confidence: float
    evidence: str
    error: str | None = None
    error_field: str | None = None
    best: Evidence | None = None
    outcomes: tuple[FieldOutcome | None, ...] = ()
    notes: tuple[str, ...] = ()
    answer: Answer | None = None  # None exactly when the row has an error

    @property
    def matched(self) -> list[Match]:
        """Everything the row's fields resolved to, in field order (as a single lookup lists)."""
        return [m for o in self.outcomes if o is not None for m in o.matched]


def evidence_text(
    field_name: str, match: Match, start: str, path: Iterable[Edge], names: dict[str, str]
) -> str:
    """The path from the target down to the match; arrows keep each edge's own direction."""
    steps = list(path)
    if not steps:
        return f"{field_name} matched {match.name}, the target itself"
    current = start
    parts = [names.get(current, current)]
    for edge in steps:
        if edge.src == current:
            parts.append(f"-{edge.relation.value}->")
            current = edge.dst
        else:
            parts.append(f"<-{edge.relation.value}-")
            current = edge.src
        parts.append(names.get(current, current))
    return f"{field_name} matched {match.name}: " + " ".join(parts)


@lru_cache(maxsize=65536)
def _grantee(fcc_id: str) -> str:
    return fcc_grantee_code(fcc_id)


def _mac_blocks(mac: str) -> tuple[str, ...]:
    """(oui, oui28, oui36) of a MAC, or (oui,) for a bare 24-bit prefix; raises InvalidQuery."""
    digits = mac.replace(":", "").replace("-", "").replace(".", "").upper()
    if len(digits) == 12 and _HEX12.fullmatch(digits):
        # What mac_prefixes returns for twelve hex digits, without its slower general parser.
        return (digits[:6], digits[:7], digits[:9])
    return tuple(mac_prefixes(mac).values())


_BLOCK_SCHEMES = (IdScheme.OUI, IdScheme.OUI28, IdScheme.OUI36)
_SUB_BLOCKS = frozenset((IdScheme.OUI28, IdScheme.OUI36))
_NOTHING: tuple[str, ...] = ()


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
            absent.setdefault(scheme, {})[value] = _NOTHING
        for scheme, values in absent.items():
            self.idents[scheme].put_many(values)
        for ident, ids in found.items():
            self.idents[ident.scheme].put(ident.value, tuple(ids))

    def fetch_names(self, keys: Collection[str]) -> None:
        if not keys:
            return
        found = self.view.find_by_name_key(keys)
        for key in keys:
            self.names.put(key, tuple(found.get(key, _NOTHING)))

    def fetch_tokens(self, tokens: Collection[str]) -> None:
        if not tokens:
            return
        found = self.view.find_by_token(tokens, CANDIDATES_PER_TOKEN)
        for token in tokens:
            self.tokens.put(token, tuple(found.get(token, _NOTHING)))

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

    def changes(self, since: datetime | None = None, dataset: str | None = None) -> list[ChangeSet]:
        return self.view.changes(since, dataset)

    def iter_records(self) -> Iterator[Record]:
        return self.view.iter_records()


class BulkResolver:
    """Resolves many rows against one store view, sharing caches across batches and runs.

    Not thread-safe: use one per request or per run. Closures come from the resolver's
    :class:`ReachCache`, which is shared and thread-safe.
    """

    def __init__(
        self, resolver: Resolver, batch_size: int = 4096, cache_size: int = 262_144
    ) -> None:
        self.resolver = resolver
        self.view = resolver.view
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._version: str | None = None
        self._cached = CachedView(self.view, cache_size)
        self._matcher = Resolver(self._cached)
        self.store_calls = 0

    def prepare(self, target: str | None = None, as_of: date | None = None) -> BulkRun:
        """Resolve the target once (raises TargetNotFound) and return a run over rows."""
        day = as_of or date.today()
        node = self.resolver.find_target(target)
        return BulkRun(self, node, day)

    def resolve_queries(
        self, queries: Iterable[Query], target: str | None = None, as_of: date | None = None
    ) -> Iterator[BulkResult]:
        """Convenience over :meth:`BulkRun.resolve` for :class:`Query` objects."""
        rows = (
            (q.mac or "", q.fcc_id or "", q.brand or "", q.model or "", q.name or "")
            for q in queries
        )
        return self.prepare(target, as_of).resolve(rows)

    def check_version(self) -> bool:
        """Drop every cache when committed data changed since the last batch."""
        version = self.view.version()
        if version == self._version:
            return False
        self._version = version
        self._cached = CachedView(self.view, self.cache_size)
        self._matcher = Resolver(self._cached)
        return True

    @property
    def cached(self) -> CachedView:
        return self._cached

    @property
    def matcher(self) -> Resolver:
        return self._matcher


class BulkRun:
    """Rows against one target on one day; yields one :class:`BulkResult` per row, in order."""

    def __init__(self, engine: BulkResolver, target: Node, day: date) -> None:
        self.engine = engine
        self.target = target
        self.day = day
        self.reach: Reach | None = None
        self._fresh()

    def _fresh(self) -> None:
        self._assumed = False  # set by _mac_key when it assumed a 36-bit block unassigned
        size = self.engine.cache_size
        # One outcome cache per field; MAC outcomes are keyed by the block that decided them.
        self._out: dict[str, TwoGenerationCache[str, FieldOutcome]] = {
            f: TwoGenerationCache(size) for f in FIELDS
        }
        self._combos: TwoGenerationCache[tuple[FieldOutcome | None, ...], BulkResult] = (
            TwoGenerationCache(size)
        )
        # Shortcuts for _known: a 24-bit prefix -> the key its outcome is cached under, and an
        # FCC ID as typed -> its outcome (a few thousand of each in a large inventory).
        self._mac_keys: dict[str, str] = {}
        self._answers: TwoGenerationCache[tuple[object, ...], Answer] = TwoGenerationCache(size)
        self._ofcc: TwoGenerationCache[str, FieldOutcome] = TwoGenerationCache(size)
        self._ofcc_pending: list[tuple[str, str]] = []

    # -- public -----------------------------------------------------------------------------
    def resolve(self, rows: Iterable[BulkItem]) -> Iterator[BulkResult]:
        """One result per row, in input order; reads ``batch_size`` rows ahead."""
        it = iter(rows)
        while True:
            # Reading a batch and resolving it make no reference cycles, and the collector's
            # full passes over millions of cached keys cost more than the work itself: pause
            # it meanwhile (restored as it was before the consumer sees the results).
            collecting = gc.isenabled()
            gc.disable()
            try:
                batch = list(islice(it, self.engine.batch_size))
                results = self._resolve_batch(batch) if batch else []
            finally:
                if collecting:
                    gc.enable()
            if not batch:
                return
            yield from results

    def resolve_batch(self, batch: list[BulkItem]) -> list[BulkResult]:
        """Answers for one batch, in order, with at most one store call per primitive and hop."""
        # As in resolve(): no reference cycles are made here, so the collector can wait.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._resolve_batch(batch)
        finally:
            if collecting:
                gc.enable()

    def _resolve_batch(self, batch: list[BulkItem]) -> list[BulkResult]:
        if self.engine.check_version() or self.reach is None:
            # New data (or the first batch): drop the outcomes, take the closure of this version.
            self._fresh()
            self.reach = self.engine.resolver.reach_cache.get(
                self.engine.view, self.target.id, self.day
            )
        self._bind()
        results = self._known(batch)
        todo = [i for i, r in enumerate(results) if r is None]
        if todo:
            self._general(batch, results, todo)
        return results  # type: ignore[return-value]  # _general filled every None

    def _known(self, batch: list[BulkItem]) -> list[BulkResult | None]:
        """Answers for the rows whose every key is cached already; None for the others.

        The common case of a long audit, kept to a few dict lookups per row: a MAC in a 24-bit
        prefix that the registry does not subdivide is decided by that block (see
        ``subdivided_blocks``), FCC IDs are cached by their text, names by their text. Whatever
        this does not know goes to :meth:`_general`, which fills the same caches.
        """
        out: list[BulkResult | None] = []
        append = out.append
        hex12 = _HEX12.fullmatch
        subdivided = self._subdivided
        mac_keys = self._mac_keys
        om, ofcc, ob, omo, on = self._om, self._ofcc, self._ob, self._omo, self._on
        combos = self._combos
        for item in batch:
            if item.__class__ is RowProblem:
                append(None)
                continue
            mac, fcc, brand, model, name = item  # type: ignore[misc]
            if not (mac or fcc or brand or model or name):
                append(None)  # nothing to resolve: the general path reports it
                continue
            o1 = o2 = o3 = o4 = o5 = NOTHING_FOUND
            if mac:
                digits = mac.strip().replace(":", "").replace("-", "").replace(".", "").upper()
                if len(digits) != 12 or not hex12(digits) or digits[:6] in subdivided:
                    append(None)
                    continue
                key = mac_keys.get(digits[:6])
                got = om[key] if key is not None else None
                if got is None:
                    append(None)
                    continue
                o1 = got
            if fcc:
                got = ofcc.get(fcc)
                if got is None:
                    append(None)
                    continue
                o2 = got
            if brand:
                got = ob[brand.strip()]
                if got is None:
                    append(None)
                    continue
                o3 = got
            if model:
                got = omo[model.strip()]
                if got is None:
                    append(None)
                    continue
                o4 = got
            if name:
                got = on[name.strip()]
                if got is None:
                    append(None)
                    continue
                o5 = got
            found = (o1, o2, o3, o4, o5)
            result = combos[found]
            append(result if result is not None else self._combine(found))
        return out

    def _general(
        self, batch: list[BulkItem], results: list[BulkResult | None], todo: list[int]
    ) -> None:
        """Resolve the rows at ``todo`` (filling ``results``) with the batch's store calls."""
        deferred: list[tuple[int, Fields, tuple[str, ...], str]] = []
        # Rows answered on the assumption that their 36-bit MAC block is unassigned (nearly
        # always true), to be confirmed by the batch's identifier call.
        provisional: list[
            tuple[int, tuple[FieldOutcome | None, ...], str, Fields, tuple[str, ...], str]
        ] = []
        idents: set[tuple[IdScheme, str]] = set()
        lookup = self._lookup
        combine = self._combine
        for at in todo:
            item = batch[at]
            if isinstance(item, RowProblem):
                results[at] = BulkResult(None, 0.0, "", item.message, item.field)
                continue
            mac, fcc, brand, model, name = item
            fields = (mac.strip(), fcc.strip(), brand.strip(), model.strip(), name.strip())
            mac, fcc = fields[0], fields[1]
            if not any(fields):
                results[at] = BulkResult(None, 0.0, "", EMPTY_QUERY, "query")
                continue
            try:
                blocks = _mac_blocks(mac) if mac else ()
                code = _grantee(fcc) if fcc else ""
            except InvalidQuery as exc:
                results[at] = BulkResult(None, 0.0, "", exc.message, exc.field)
                continue
            if fcc:
                self._ofcc_pending.append((item[1], code))
            self._assumed = False
            found = lookup(fields, blocks, code, idents, None)
            if found is None:
                deferred.append((at, fields, blocks, code))
            elif self._assumed:
                provisional.append((at, found, blocks[2], fields, blocks, code))
            else:
                results[at] = combine(found)
        if deferred or provisional:
            self._second_pass(results, deferred, provisional, idents)
        self._remember_fcc_texts()

    def _second_pass(
        self,
        results: list[BulkResult | None],
        deferred: list[tuple[int, Fields, tuple[str, ...], str]],
        provisional: list[
            tuple[int, tuple[FieldOutcome | None, ...], str, Fields, tuple[str, ...], str]
        ],
        idents: set[tuple[IdScheme, str]],
    ) -> None:
        lookup = self._lookup
        combine = self._combine
        # Second pass, after one identifier call: most rows only lacked a fresh MAC block.
        self.engine.cached.fetch_identifiers(idents)
        self._bind()
        c36 = self._c36
        for i, assumed, b36, fields, blocks, code in provisional:
            if c36[b36]:
                deferred.append((i, fields, blocks, code))  # assigned after all: look again
            else:
                results[i] = combine(assumed)
        want: dict[tuple[str, str], str] = {}
        still: list[tuple[int, Fields, tuple[str, ...], str]] = []
        for row in deferred:
            self._assumed = False
            found = lookup(row[1], row[2], row[3], None, want)
            if found is None or self._assumed:
                still.append(row)
            else:
                results[row[0]] = combine(found)
        if still:
            # Third pass, after the name, token and node calls that matching the new keys needs.
            self._compute(want)
            self._bind()
            for i, fields, blocks, code in still:
                self._assumed = False
                done = lookup(fields, blocks, code, None, None)
                assert done is not None and not self._assumed, "every key was fetched"
                results[i] = combine(done)

    def _remember_fcc_texts(self) -> None:
        """FCC IDs as typed -> their grantee code's outcome, for :meth:`_known` next time."""
        of = self._of
        for text, code in self._ofcc_pending:
            outcome = of[code]
            if outcome is not None:
                self._ofcc.put(text, outcome)
        self._ofcc_pending = []

    # -- cache lookups ----------------------------------------------------------------------
    def _bind(self) -> None:
        """Bind the caches read per row to plain attributes (re-bound after every fetch)."""
        cached = self.engine.cached
        self._c24, self._c28, self._c36, self._cfcc = (
            cached.oui,
            cached.oui28,
            cached.oui36,
            cached.fcc,
        )
        self._subdivided = cached.subdivided_blocks()
        out = self._out
        self._om, self._of, self._ob, self._omo, self._on = (out[f] for f in FIELDS)

    def _mac_key(
        self, blocks: tuple[str, ...], idents: set[tuple[IdScheme, str]] | None
    ) -> str | None:
        """The block that decides a MAC (the most specific assigned one); None if not cached.

        Blocks whose assignment is not cached yet are added to ``idents``.
        """
        if len(blocks) == 3 and blocks[0] in self._subdivided:
            b36 = blocks[2]
            i36 = self._c36[b36]
            if i36:
                return "oui36:" + b36
            if i36 is None and idents is not None:
                # Usually the only unknown: go on as if unassigned, flag the row, let the batch's
                # identifier call confirm it (the caller re-checks flagged rows).
                idents.add((IdScheme.OUI36, b36))
                self._assumed = True
                i36 = _NOTHING
            i28 = self._c28[blocks[1]]
            if i36 is not None and i28:
                return "oui28:" + blocks[1]
            i24 = self._c24[blocks[0]]
            if i36 is not None and i28 is not None and i24:
                return "oui:" + blocks[0]
            if i36 is None or i28 is None or i24 is None:
                if idents is not None:
                    for scheme, value, got in zip(
                        _BLOCK_SCHEMES, blocks, (i24, i28, i36), strict=True
                    ):
                        if got is None:
                            idents.add((scheme, value))
                return None
        else:
            i24 = self._c24[blocks[0]]
            if i24 is None:
                if idents is not None:
                    idents.add((IdScheme.OUI, blocks[0]))
                return None
            # The prefix is not subdivided: its 24-bit block decides every MAC under it.
            key = "oui:" + blocks[0] if i24 else _unassigned(blocks[0])
            if len(self._mac_keys) < self.engine.cache_size:
                self._mac_keys[blocks[0]] = key
            return key
        return _unassigned(blocks[0])

    def _lookup(
        self,
        fields: Fields,
        blocks: tuple[str, ...],
        code: str,
        idents: set[tuple[IdScheme, str]] | None,
        want: dict[tuple[str, str], str] | None,
    ) -> tuple[FieldOutcome | None, ...] | None:
        """The row's five field outcomes, or None when a key is not cached yet.

        Identifiers not cached go to ``idents``; outcomes not cached, with the raw value to
        match them from, go to ``want``.
        """
        mac, fcc, brand, model, name = fields
        complete = True
        om: FieldOutcome | None = NOTHING_FOUND
        of: FieldOutcome | None = NOTHING_FOUND
        if mac:
            key = self._mac_key(blocks, idents)
            if key is None:
                complete = False
            else:
                om = self._om[key]
                if om is None:
                    complete = False
                    if want is not None:
                        want.setdefault(("mac", key), mac)
        if fcc:
            if self._cfcc[code] is None:
                complete = False
                if idents is not None:
                    idents.add((IdScheme.FCC_GRANTEE, code))
            else:
                of = self._of[code]
                if of is None:
                    complete = False
                    if want is not None:
                        want.setdefault(("fcc_id", code), fcc)
        # Names as typed: cached by their text, matched from the same text when missing.
        named: list[FieldOutcome | None] = []
        for kind, value, cache in (
            ("brand", brand, self._ob),
            ("model", model, self._omo),
            ("name", name, self._on),
        ):
            outcome = cache[value] if value else NOTHING_FOUND
            if value and outcome is None:
                complete = False
                if want is not None:
                    want[(kind, value)] = value
            named.append(outcome)
        return (om, of, *named) if complete else None

    # -- computing what the caches lack -----------------------------------------------------
    def _compute(self, want: dict[tuple[str, str], str]) -> None:
        """Match every wanted key with the single-lookup code over prefetched data."""
        if not want:
            return
        cached = self.engine.cached
        texts = [raw for (kind, _), raw in want.items() if kind in ("brand", "model", "name")]
        keys = {k for t in texts for k in name_keys(t)}
        tokens = {t for text in texts for t in name_tokens(text)}
        cached.fetch_names([k for k in keys if cached.names[k] is None])
        cached.fetch_tokens([t for t in tokens if cached.tokens[t] is None])
        # Words in no name may be typos: their stored neighbours, in one more call per batch.
        near = typo_neighbours(cached, [t for t in tokens if not cached.tokens[t]])
        cached.fetch_tokens([w for w in near if cached.tokens[w] is None])
        tokens |= near.keys()
        ids: set[str] = set()
        for k in keys:
            ids.update(cached.names[k] or ())
        for t in tokens:
            ids.update(cached.tokens[t] or ())
        for kind, key in want:
            if kind == "mac" and not key.startswith("none/"):
                scheme, value = key.split(":", 1)
                ids.update(cached.idents[IdScheme(scheme)][value] or ())
            elif kind == "fcc_id":
                ids.update(cached.idents[IdScheme.FCC_GRANTEE][key] or ())
        cached.fetch_nodes(ids)
        matched = {
            key: self.engine.matcher.match(Query(**{key[0]: raw})) for key, raw in want.items()
        }
        assert self.reach is not None
        reach = self.reach
        # What the batch's matches outside the target's group distribute into it: one edge call
        # for the batch, with the single lookup's own rule (matches inside the group have paths,
        # so their rows are never `no`).
        outside = [m for ms, _ in matched.values() for m in ms if m.id not in reach.depth]
        sold: dict[str, list[Edge]] = {}
        for edge in self.engine.matcher.distributes(outside, reach, self.day):
            sold.setdefault(edge.src, []).append(edge)
        # Names of the nodes on evidence paths and distribution edges, in one more batched call.
        cached.fetch_nodes(
            {
                x
                for matches, _ in matched.values()
                for m in matches
                for p in reach.evidence_paths(m.id, MAX_PATHS)
                for e in p
                for x in (e.src, e.dst)
            }
            | {x for edges in sold.values() for e in edges for x in (e.src, e.dst)}
        )
        for (kind, key), (matches, notes) in matched.items():
            self._out[kind].put(key, self._outcome(kind, matches, notes, sold))

    def _outcome(
        self,
        field_name: str,
        matches: list[Match],
        notes: list[str],
        sold: dict[str, list[Edge]],
    ) -> FieldOutcome:
        assert self.reach is not None
        ranked = rank_paths(matches, self.reach, MAX_PATHS)
        evidence = None
        if ranked:
            best = ranked[0]
            m, path = best.match, best.path
            node_ids = {m.id, self.target.id} | {x for e in path for x in (e.src, e.dst)}
            names = {i: n.name for i, n in self.engine.cached.nodes(node_ids).items()}
            text = evidence_text(field_name, m, self.target.id, path, names)
            evidence = Evidence(
                field_name, m, self.target.id, path, names, best.score, text, best.weak
            )
        top = None
        for m in matches:
            if top is None or m.score > top.score:
                top = m
        if not matches and not notes:
            return NOTHING_FOUND
        return FieldOutcome(tuple(matches), evidence, top, tuple(notes), self._steps(matches, sold))

    def _steps(self, matches: list[Match], sold: dict[str, list[Edge]]) -> tuple[Step, ...]:
        """The DISTRIBUTES edges out of ``matches``, as path steps with names and strength."""
        edges = {e.id: e for m in matches for e in sold.get(m.id, ())}
        if not edges:
            return ()
        ids = {x for e in edges.values() for x in (e.src, e.dst)}
        names = {i: n.name for i, n in self.engine.cached.nodes(ids).items()}
        ordered = sorted(edges.values(), key=lambda e: (e.src, e.dst, e.id))
        return tuple(Step.of(e, names) for e in ordered)

    # -- the row's verdict from its fields' outcomes ----------------------------------------
    def _combine(self, outcomes: tuple[FieldOutcome | None, ...]) -> BulkResult:
        hit = self._combos[outcomes]
        if hit is None:
            hit = self._verdict(outcomes)
            self._combos.put(outcomes, hit)
        return hit

    def _verdict(self, outcomes: tuple[FieldOutcome | None, ...]) -> BulkResult:
        best: Evidence | None = None
        top: Match | None = None
        notes: list[str] = []
        for outcome in outcomes:
            if outcome is None:
                continue
            notes.extend(outcome.notes)
            e = outcome.best
            # Strictly better only: the first of equals wins, as in resolve's stable sort.
            if e is not None and (best is None or e.rank() < best.rank()):
                best = e
            if outcome.top is not None and (top is None or outcome.top.score > top.score):
                top = outcome.top
        assert self.reach is not None
        if self.reach.truncated:
            notes.append("the target's graph was cut at the traversal bound; a 'no' may be partial")
        if best is not None:
            verdict: Verdict = "possible" if best.weak else "yes"
            text = best.text
            if best.weak:
                text += (
                    " (weak link: "
                    + "; ".join(weak_link_text(w, best.names) for w in best.weak)
                    + ")"
                )
            answer = self._answer(verdict, round(best.score, 3), text, best, best.match.id, notes)
            return BulkResult(
                verdict,
                answer.confidence,
                text,
                None,
                None,
                best,
                outcomes,
                answer.notes,
                answer,
            )
        if top is not None:
            text = (
                f"{top.field} matched {top.name} ({top.kind}); "
                f"no path from {self.target.name} reaches it"
            )
            sold = _union(o.distributes for o in outcomes if o is not None)
            if sold:
                items = ", ".join(sorted({s.to_name for s in sold}))
                text += f"; it distributes {items} (a distributor is not the maker)"
            answer = self._answer("no", round(top.score, 3), text, None, top.id, [], sold)
            return BulkResult("no", answer.confidence, text, None, None, None, outcomes, (), answer)
        text = "no match" + (f" ({'; '.join(notes)})" if notes else "")
        answer = self._answer("unknown", 0.0, text, None, None, notes)
        return BulkResult("unknown", 0.0, text, None, None, None, outcomes, answer.notes, answer)

    def _answer(
        self,
        verdict: Verdict,
        confidence: float,
        text: str,
        best: Evidence | None,
        entity: str | None,
        notes: list[str],
        sold: tuple[Step, ...] = (),
    ) -> Answer:
        shipped = tuple((s.from_, s.to, s.valid_from, s.valid_to) for s in sold)
        key = (verdict, confidence, text, best, entity, shipped, *notes)
        answer = self._answers[key]
        if answer is None:
            answer = Answer(verdict, confidence, text, best, entity, tuple(notes), sold)
            self._answers.put(key, answer)
        return answer


def _union(groups: Iterable[tuple[Step, ...]]) -> tuple[Step, ...]:
    """Distribution steps of several fields, each edge once, in the single lookup's order."""
    seen: dict[tuple[object, ...], Step] = {}
    for steps in groups:
        for s in steps:
            seen.setdefault((s.from_, s.to, s.relation, s.valid_from, s.valid_to), s)
    return tuple(sorted(seen.values(), key=lambda s: (s.from_, s.to)))


def _locally_administered(oui: str) -> bool:
    return bool(int(oui[:2], 16) & 0x02)


def _unassigned(oui: str) -> str:
    """The key of a MAC in no assigned block: the answer still depends on the U/L bit (the note
    on locally administered addresses)."""
    return "none/local" if _locally_administered(oui) else "none/global"
