"""Bulk resolution: millions of rows against one target, a few batched store calls per batch.

A row is a tuple of the query fields in the order the verdict engine matches them
(:data:`FIELDS`: mac, fcc_id, brand, model, name; ``""`` means absent). Rows are read in
batches; for each batch the engine collects the distinct keys it has not seen yet (MAC blocks,
FCC grantee codes, names as typed), asks the store once per primitive (``find_by_identifier``,
``find_by_name_key``, ``find_by_token``, ``nodes``), and keeps what it learnt in bounded caches
for the next batches. Each field is then matched by the very code single lookups use
(:meth:`Resolver.match` over a view that answers from those caches), so a bulk verdict equals
the single verdict row by row; only the bookkeeping is shared. Rows whose values were all seen
before, as typed, are answered column by column without a Python step per row.

Memory stays flat in the number of rows: results are yielded in input order batch by batch and
every cache is bounded.

The stages live in their own modules: :mod:`.bulk_keys` (what keys a row's fields, and the
outcomes cached under them), :mod:`.bulk_typed` (rows answered from their values as typed),
:mod:`.bulk_outcomes` (matching keys seen for the first time) and :mod:`.bulk_cases` (distinct
cases judged once); :class:`BulkRun` reads the batches and runs them through those stages.

>>> from supplygraph import SupplyGraph
>>> sg = SupplyGraph.open("sqlite:///:memory:")
>>> _ = sg.load_seed()
>>> run = BulkResolver(sg.resolver).prepare()
>>> [r.verdict for r in run.resolve([("", "", "HiLook", "", ""), ("", "", "", "", "CETHIK")])]
['yes', 'no']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice

from supplygraph.graph.engine.bulk_cases import CaseAnswers
from supplygraph.graph.engine.bulk_keys import KeyLookup, grantee, mac_blocks
from supplygraph.graph.engine.bulk_outcomes import KeyMatcher
from supplygraph.graph.engine.bulk_rows import (
    BulkItem,
    BulkResult,
    FieldOutcome,
    Fields,
    RowProblem,
)
from supplygraph.graph.engine.bulk_typed import TypedRows
from supplygraph.graph.engine.cached_view import CachedView
from supplygraph.graph.engine.reach import Reach
from supplygraph.graph.engine.resolve import Query, Resolver
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.gc_pause import paused
from supplygraph.graph.model.records import IdScheme, Node

EMPTY_QUERY = "give at least one of name, brand, model, mac, fcc_id"
# A row to look at again after the batch's identifier call: its place, stripped fields, MAC
# blocks and FCC grantee code.
Deferred = tuple[int, Fields, tuple[str, ...], str]
# A row answered on the assumption that its 36-bit MAC block is unassigned: its place, the
# outcomes so found, that block, and what Deferred holds.
Provisional = tuple[int, tuple[FieldOutcome | None, ...], str, Fields, tuple[str, ...], str]


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
        """New caches for the current store version (its view, matcher and closure)."""
        size = self.engine.cache_size
        self.keys = KeyLookup(size)
        self.typed = TypedRows(size)
        engine = self.engine
        self.cases = CaseAnswers(
            size, self.target, self.day, engine.cached, engine.matcher, self.reach
        )

    # -- public -----------------------------------------------------------------------------
    def resolve(self, rows: Iterable[BulkItem]) -> Iterator[BulkResult]:
        """One result per row, in input order; reads ``batch_size`` rows ahead."""
        it = iter(rows)
        while True:
            # Reading a batch and resolving it make no reference cycles, and the collector's
            # full passes over millions of cached keys cost more than the work itself: pause
            # it meanwhile (restored as it was before the consumer sees the results).
            with paused():
                batch = list(islice(it, self.engine.batch_size))
                results = self._resolve_batch(batch) if batch else []
            if not batch:
                return
            yield from results

    def resolve_batch(self, batch: list[BulkItem]) -> list[BulkResult]:
        """Answers for one batch, in order, with at most one store call per primitive and hop."""
        # As in resolve(): no reference cycles are made here, so the collector can wait.
        with paused():
            return self._resolve_batch(batch)

    # -- the stages of a batch --------------------------------------------------------------
    def _resolve_batch(self, batch: list[BulkItem]) -> list[BulkResult]:
        if self.engine.check_version() or self.reach is None:
            # New data (or the first batch): take the closure of this version, drop the outcomes.
            self.reach = self.engine.resolver.reach_cache.get(
                self.engine.view, self.target.id, self.day
            )
            self._fresh()
        self.keys.bind(self.engine.cached)
        results = self.typed.known(batch, self.cases)
        if None in results:
            todo = [i for i, r in enumerate(results) if r is None]
            self._general(batch, results, todo)
            self.typed.remember(batch, results, todo, self.keys.subdivided)
        return results  # type: ignore[return-value]  # _general filled every None

    def _general(
        self, batch: list[BulkItem], results: list[BulkResult | None], todo: list[int]
    ) -> None:
        """Resolve the rows at ``todo`` (filling ``results``) with the batch's store calls."""
        deferred: list[Deferred] = []
        # Rows answered on the assumption that their 36-bit MAC block is unassigned (nearly
        # always true), to be confirmed by the batch's identifier call.
        provisional: list[Provisional] = []
        idents: set[tuple[IdScheme, str]] = set()
        keys = self.keys
        lookup = keys.lookup
        combine = self.cases.combine
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
                blocks = mac_blocks(mac) if mac else ()
                code = grantee(fcc) if fcc else ""
            except InvalidQuery as exc:
                results[at] = BulkResult(None, 0.0, "", exc.message, exc.field)
                continue
            keys.assumed = False
            found = lookup(fields, blocks, code, idents, None)
            if found is None:
                deferred.append((at, fields, blocks, code))
            elif keys.assumed:
                provisional.append((at, found, blocks[2], fields, blocks, code))
            else:
                results[at] = combine(found)
        if deferred or provisional:
            self._second_pass(results, deferred, provisional, idents)

    def _second_pass(
        self,
        results: list[BulkResult | None],
        deferred: list[Deferred],
        provisional: list[Provisional],
        idents: set[tuple[IdScheme, str]],
    ) -> None:
        keys = self.keys
        lookup = keys.lookup
        combine = self.cases.combine
        cached: CachedView = self.engine.cached
        # Second pass, after one identifier call: most rows only lacked a fresh MAC block.
        cached.fetch_identifiers(idents)
        keys.bind(cached)
        c36 = keys.assigned36
        for i, assumed, b36, fields, blocks, code in provisional:
            if c36[b36]:
                deferred.append((i, fields, blocks, code))  # assigned after all: look again
            else:
                results[i] = combine(assumed)
        want: dict[tuple[str, str], str] = {}
        still: list[Deferred] = []
        for row in deferred:
            keys.assumed = False
            found = lookup(row[1], row[2], row[3], None, want)
            if found is None or keys.assumed:
                still.append(row)
            else:
                results[row[0]] = combine(found)
        if still:
            # Third pass, after the name, token and node calls that matching the new keys needs.
            self._match(want)
            keys.bind(cached)
            for i, fields, blocks, code in still:
                keys.assumed = False
                done = lookup(fields, blocks, code, None, None)
                assert done is not None and not keys.assumed, "every key was fetched"
                results[i] = combine(done)

    def _match(self, want: dict[tuple[str, str], str]) -> None:
        """Match every wanted key and keep its outcome for this run."""
        assert self.reach is not None
        engine = self.engine
        matcher = KeyMatcher(engine.cached, engine.matcher, self.target, self.day, self.reach)
        out = self.keys.out
        for (kind, key), outcome in matcher.outcomes(want):
            out[kind].put(key, outcome)
