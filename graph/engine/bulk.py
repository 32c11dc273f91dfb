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

>>> from supplygraph import SupplyGraph
>>> sg = SupplyGraph.open("sqlite:///:memory:")
>>> _ = sg.load_seed()
>>> run = BulkResolver(sg.resolver).prepare()
>>> [r.verdict for r in run.resolve([("", "", "HiLook", "", ""), ("", "", "", "", "CETHIK")])]
['yes', 'no']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import lru_cache
from itertools import islice

from supplygraph.graph.caches import TwoGenerationCache
from supplygraph.graph.engine.bulk_rows import (
    FIELDS,
    NOTHING_FOUND,
    BulkItem,
    BulkResult,
    FieldOutcome,
    Fields,
    RowProblem,
)
from supplygraph.graph.engine.cached_view import CachedView
from supplygraph.graph.engine.judge import (
    Case,
    Evidence,
    Judgement,
    best_evidence,
    evidence_text,
    judge,
)
from supplygraph.graph.engine.reach import Reach
from supplygraph.graph.engine.relatedness import Finding
from supplygraph.graph.engine.resolve import MAX_PATHS, Query, Resolver
from supplygraph.graph.engine.verdicts import rank_paths
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.gc_pause import paused
from supplygraph.graph.match.matcher import typo_neighbours
from supplygraph.graph.match.typed import as_typed
from supplygraph.graph.model.answers import Match, Step
from supplygraph.graph.model.mac_blocks import deciding_block, mac_block_texts, mac_digits
from supplygraph.graph.model.normalize import fcc_grantee_code, mac_prefixes, name_keys, name_tokens
from supplygraph.graph.model.records import (
    Edge,
    IdScheme,
    Node,
)

EMPTY_QUERY = "give at least one of name, brand, model, mac, fcc_id"
_HEX12 = re.compile(r"[0-9A-F]{12}")


@lru_cache(maxsize=65536)
def _grantee(fcc_id: str) -> str:
    return fcc_grantee_code(fcc_id)


def _mac_blocks(mac: str) -> tuple[str, ...]:
    """(oui, oui28, oui36) of a MAC, or (oui,) for a bare 24-bit prefix; raises InvalidQuery."""
    digits = mac_digits(mac)
    if len(digits) == 12 and _HEX12.fullmatch(digits):
        # What mac_prefixes returns for twelve hex digits, without its slower general parser.
        return (digits[:6], digits[:7], digits[:9])
    return tuple(mac_prefixes(mac).values())


_BLOCK_SCHEMES = (IdScheme.OUI, IdScheme.OUI28, IdScheme.OUI36)
_SUB_BLOCKS = frozenset((IdScheme.OUI28, IdScheme.OUI36))
_NOTHING: tuple[str, ...] = ()
# Stands in for a row problem in _known's columns: never known, as no MAC is noted under "?"
# (only under the text of a 24-bit block, or "" for none).
_UNKNOWN_ROW: Fields = ("?", "", "", "", "")
_NOTHING_FOUND_ROW = (NOTHING_FOUND,) * len(FIELDS)


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
        self._answers: TwoGenerationCache[tuple[object, ...], Judgement] = TwoGenerationCache(size)
        # The deciding outcomes of a row -> its verdict, texts and answer (see _verdict).
        self._judged: TwoGenerationCache[tuple[object, ...], Judgement] = TwoGenerationCache(size)
        # For _known, per field: the value as typed -> its outcome (a MAC by the text of its
        # 24-bit block, see mac_block_texts); an absent field found nothing.
        self._typed: tuple[TwoGenerationCache[str, FieldOutcome], ...] = tuple(
            TwoGenerationCache(size) for _ in FIELDS
        )
        for typed in self._typed:
            typed.put("", NOTHING_FOUND)

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

    def _resolve_batch(self, batch: list[BulkItem]) -> list[BulkResult]:
        if self.engine.check_version() or self.reach is None:
            # New data (or the first batch): drop the outcomes, take the closure of this version.
            self._fresh()
            self.reach = self.engine.resolver.reach_cache.get(
                self.engine.view, self.target.id, self.day
            )
        self._bind()
        results = self._known(batch)
        if None in results:
            todo = [i for i, r in enumerate(results) if r is None]
            self._general(batch, results, todo)
            self._remember_typed(batch, results, todo)
        return results  # type: ignore[return-value]  # _general filled every None

    def _known(self, batch: list[BulkItem]) -> list[BulkResult | None]:
        """Answers for the rows whose every value is known as typed; None for the others.

        The common case of a long audit, done column by column in C: each field's values as
        typed (a MAC by its 24-bit block, when that block decides it) map to the field's outcome
        (:meth:`_remember_typed` notes them), the row's outcomes to its result. Whatever is not
        known goes to :meth:`_general`.
        """
        rows: list[BulkItem] | list[Fields] = batch
        if RowProblem in set(map(type, batch)):
            rows = [_UNKNOWN_ROW if item.__class__ is RowProblem else item for item in batch]
        if not rows:
            return []
        macs, fccs, brands, models, names = zip(*rows, strict=True)
        typed_mac, typed_fcc, typed_brand, typed_model, typed_name = self._typed
        outcomes = list(
            zip(
                map(typed_mac.__getitem__, mac_block_texts(macs)),
                map(typed_fcc.__getitem__, fccs),
                map(typed_brand.__getitem__, brands),
                map(typed_model.__getitem__, models),
                map(typed_name.__getitem__, names),
                strict=True,
            )
        )
        out: list[BulkResult | None] = list(map(self._combos.__getitem__, outcomes))
        # A combination not seen yet is combined here; a value not known yet (a None among the
        # row's outcomes) is left to the general path.
        for i in _places(out, None):
            if None not in outcomes[i]:
                out[i] = self._combine(outcomes[i])
        # Rows whose fields all found nothing share one result, unless they hold nothing at all:
        # that is an error, which the general path reports.
        nothing = self._combos[_NOTHING_FOUND_ROW]
        if nothing is not None:
            for i in _places(out, nothing):
                if not "".join(rows[i]).strip():  # type: ignore[arg-type]
                    out[i] = None
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
        c36 = self._assigned36
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

    def _remember_typed(
        self, batch: list[BulkItem], results: list[BulkResult | None], done: list[int]
    ) -> None:
        """Note the values of the rows at ``done`` as typed, with their outcomes, for
        :meth:`_known`. A MAC is noted by its 24-bit block only where that block decides every
        MAC under it (it is not subdivided); a bare 24-bit prefix then shares that key, rightly,
        as the same block decides it."""
        todo = [at for at in done if batch[at].__class__ is not RowProblem]
        texts = mac_block_texts([batch[at][0] for at in todo])  # type: ignore[index]
        typed_mac, typed_fcc, typed_brand, typed_model, typed_name = self._typed
        subdivided = self._subdivided
        for at, block_text in zip(todo, texts, strict=True):
            result = results[at]
            assert result is not None
            if not result.outcomes:
                continue  # an error: nothing to note
            mac_out, fcc_out, brand_out, model_out, name_out = result.outcomes
            mac, fcc, brand, model, name = batch[at]  # type: ignore[misc]
            if not mac:
                typed_mac.put("", mac_out)  # type: ignore[arg-type]  # in case it aged out
            elif len(block_text) < len(mac) and block_text not in typed_mac:
                digits = mac_digits(block_text)
                if digits not in subdivided:
                    # The block's other usual spellings too: inventories mix notations.
                    for spelling in (block_text, *_block_spellings(digits)):
                        typed_mac.put(spelling, mac_out)  # type: ignore[arg-type]
            typed_fcc.put(fcc, fcc_out)  # type: ignore[arg-type]
            typed_brand.put(brand, brand_out)  # type: ignore[arg-type]
            typed_model.put(model, model_out)  # type: ignore[arg-type]
            typed_name.put(name, name_out)  # type: ignore[arg-type]

    # -- cache lookups ----------------------------------------------------------------------
    def _bind(self) -> None:
        """Bind the caches read per row to plain attributes (re-bound after every fetch)."""
        cached = self.engine.cached
        self._assigned24, self._assigned28, self._assigned36, self._assigned_fcc = (
            cached.oui,
            cached.oui28,
            cached.oui36,
            cached.fcc,
        )
        self._subdivided = cached.subdivided_blocks()
        out = self._out
        self._by_mac_block, self._by_grantee, self._by_brand, self._by_model, self._by_name = (
            out[f] for f in FIELDS
        )

    def _mac_key(
        self, blocks: tuple[str, ...], idents: set[tuple[IdScheme, str]] | None
    ) -> str | None:
        """The key of the block that decides a MAC (:func:`deciding_block`); None if that is not
        cached yet, in which case the blocks to look up are added to ``idents``."""
        if len(blocks) == 3 and blocks[0] in self._subdivided:
            holders = [self._assigned24[blocks[0]], self._assigned28[blocks[1]]]
            holders36 = self._assigned36[blocks[2]]
            if holders36 is None and idents is not None:
                # Usually the only unknown: go on as if unassigned, flag the row, let the batch's
                # identifier call confirm it (the caller re-checks flagged rows).
                idents.add((IdScheme.OUI36, blocks[2]))
                self._assumed = True
                holders36 = _NOTHING
            holders.append(holders36)
            known = [None if h is None else bool(h) for h in holders]
            decided = deciding_block(blocks, known)
            if decided is None:
                if idents is not None:
                    for scheme, value, got in zip(_BLOCK_SCHEMES, blocks, known, strict=True):
                        if got is None:
                            idents.add((scheme, value))
                return None
            return _block_key(decided)
        holders24 = self._assigned24[blocks[0]]
        if holders24 is None:
            if idents is not None:
                idents.add((IdScheme.OUI, blocks[0]))
            return None
        # The prefix is not subdivided: its 24-bit block decides every MAC under it.
        return _block_key(deciding_block(blocks[:1], [bool(holders24)]) or ("none", blocks[0]))

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
        mac_out: FieldOutcome | None = NOTHING_FOUND
        fcc_out: FieldOutcome | None = NOTHING_FOUND
        if mac:
            key = self._mac_key(blocks, idents)
            if key is None:
                complete = False
            else:
                mac_out = self._by_mac_block[key]
                if mac_out is None:
                    complete = False
                    if want is not None:
                        want.setdefault(("mac", key), mac)
        if fcc:
            if self._assigned_fcc[code] is None:
                complete = False
                if idents is not None:
                    idents.add((IdScheme.FCC_GRANTEE, code))
            else:
                fcc_out = self._by_grantee[code]
                if fcc_out is None:
                    complete = False
                    if want is not None:
                        want.setdefault(("fcc_id", code), fcc)
        # Names as typed: cached by their text, matched from the same text when missing.
        named: list[FieldOutcome | None] = []
        for kind, value, cache in (
            ("brand", brand, self._by_brand),
            ("model", model, self._by_model),
            ("name", name, self._by_name),
        ):
            outcome = cache[value] if value else NOTHING_FOUND
            if value and outcome is None:
                complete = False
                if want is not None:
                    want[(kind, value)] = value
            named.append(outcome)
        return (mac_out, fcc_out, *named) if complete else None

    # -- computing what the caches lack -----------------------------------------------------
    def _compute(self, want: dict[tuple[str, str], str]) -> None:
        """Match every wanted key with the single-lookup code over prefetched data."""
        if not want:
            return
        cached = self.engine.cached
        texts = [
            as_typed(raw) for (kind, _), raw in want.items() if kind in ("brand", "model", "name")
        ]
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
        # Names of the nodes on evidence paths and distribution edges, read in one batched call
        # with the subjects of the unreached matches (a `no` must be earned: relatedness).
        names = {
            x
            for matches, _ in matched.values()
            for m in matches
            for p in reach.evidence_paths(m.id, MAX_PATHS)
            for e in p
            for x in (e.src, e.dst)
        } | {x for edges in sold.values() for e in edges for x in (e.src, e.dst)}
        unreached = {
            key: [m.id for m in ms]
            for key, (ms, _) in matched.items()
            if ms and not any(m.id in reach.depth for m in ms)
        }
        sellers = {key for key, (ms, _) in matched.items() if any(m.id in sold for m in ms)}
        resolver = self.engine.matcher
        above = resolver.above_target(self.target.id, self.day) if unreached else frozenset()
        findings = resolver.related.find_many(
            unreached, reach, above, self.day, sellers, also=names
        )
        for (kind, key), (matches, notes) in matched.items():
            finding = findings.get((kind, key))
            self._out[kind].put(key, self._outcome(kind, matches, notes, sold, finding))

    def _outcome(
        self,
        field_name: str,
        matches: list[Match],
        notes: list[str],
        sold: dict[str, list[Edge]],
        finding: Finding | None = None,
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
        steps = self._steps(matches, sold)
        return FieldOutcome(tuple(matches), evidence, top, tuple(notes), steps, finding)

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
        """The row's result: which outcomes decide it is found here, the judgement (texts,
        answer) is made once per deciding outcomes (rows combine a few of them many ways)."""
        notes: list[str] = []
        matched: list[FieldOutcome] = []  # outcomes that matched something, in field order
        for outcome in outcomes:
            if outcome is None:
                continue
            notes.extend(outcome.notes)
            if outcome.matched:
                matched.append(outcome)
        best = best_evidence(o.best for o in matched)
        # What each kind of judgement depends on (keys of different kinds never compare equal:
        # they start with an Evidence, a FieldOutcome or a note). Without a path, the answer
        # names everything the row resolved to.
        key: tuple[object, ...]
        if best is not None:
            key = (best, *notes)
        elif matched:
            key = (*matched, *notes)
        else:
            key = tuple(notes)
        judged = self._judged[key]
        if judged is None:
            judged = self._judge(best, matched, notes)
            self._judged.put(key, judged)
        return BulkResult(
            judged.verdict,
            judged.confidence,
            judged.evidence,
            None,
            None,
            judged.best,
            outcomes,
            judged.notes,
            judged,
        )

    def _judge(
        self, best: Evidence | None, matched: list[FieldOutcome], notes: list[str]
    ) -> Judgement:
        """The judgement for :meth:`_verdict`, by the one judge single lookups use."""
        assert self.reach is not None
        matches = [m for o in matched for m in o.matched]
        finding = Finding()
        sold: tuple[Step, ...] = ()
        above: frozenset[str] = frozenset()
        names: dict[str, str] = {}
        if best is None and matched:
            sold = _union(o.distributes for o in matched)
            finding = _merged([o.finding for o in matched if o.finding is not None], bool(sold))
            above = self.engine.matcher.above_target(self.target.id, self.day)
            ids = {x for s in finding.stakes for x in (s.holder, s.entity)}
            ids |= {a.entity for a in finding.affinity}
            ids |= {x for e in finding.denials for x in (e.src, e.dst)}
            names = {i: n.name for i, n in self.engine.cached.nodes(ids).items()}
        judgement = judge(
            Case(
                target=self.target,
                matches=matches,
                best=best,
                sold=sold,
                finding=finding,
                above=above,
                names=names,
                notes=notes,
                truncated=self.reach.truncated,
            )
        )
        # Rows decided by different outcomes often get the same answer: share one object, so
        # reports derive its cells once.
        shipped = tuple((s.from_, s.to, s.valid_from, s.valid_to) for s in judgement.distributes)
        content = (
            judgement.verdict,
            judgement.confidence,
            judgement.evidence,
            judgement.best,
            judgement.entity,
            shipped,
            judgement.explanation,
            *judgement.notes,
        )
        shared = self._answers[content]
        if shared is None:
            shared = judgement
            self._answers.put(content, shared)
        return shared


def _block_spellings(digits: str) -> tuple[str, ...]:
    """A 24-bit block's text in each notation :func:`mac_block_texts` recognizes, in upper and
    lower case: ``"B0C787"`` -> ``"B0:C7:87"``, ``"b0-c7-87"``, ``"B0C7.87"``, ...

    >>> _block_spellings("B0C787")[:4]
    ('B0C787', 'B0:C7:87', 'B0-C7-87', 'B0C7.87')
    """
    pairs = (digits[:2], digits[2:4], digits[4:6])
    upper = (digits, ":".join(pairs), "-".join(pairs), f"{digits[:4]}.{digits[4:]}")
    return upper + tuple(text.lower() for text in upper)


def _places(items: list[BulkResult | None], wanted: BulkResult | None) -> Iterator[int]:
    """Where ``wanted`` is in ``items``: list.index does the scanning in C, which matters when
    it is in a few places of a batch of thousands."""
    at = -1
    while True:
        try:
            at = items.index(wanted, at + 1)
        except ValueError:
            return
        yield at


def _union(groups: Iterable[tuple[Step, ...]]) -> tuple[Step, ...]:
    """Distribution steps of several fields, each edge once, in the single lookup's order."""
    seen: dict[tuple[object, ...], Step] = {}
    for steps in groups:
        for s in steps:
            seen.setdefault((s.from_, s.to, s.relation, s.valid_from, s.valid_to), s)
    return tuple(sorted(seen.values(), key=lambda s: (s.from_, s.to)))


def _locally_administered(oui: str) -> bool:
    return bool(int(oui[:2], 16) & 0x02)


def _block_key(block: tuple[str, str]) -> str:
    scheme, value = block
    return _unassigned(value) if scheme == "none" else f"{scheme}:{value}"


def _unassigned(oui: str) -> str:
    """The key of a MAC in no assigned block: the answer still depends on the U/L bit (the note
    on locally administered addresses)."""
    return "none/local" if _locally_administered(oui) else "none/global"


def _merged(findings: list[Finding], distributor: bool) -> Finding:
    """The fields' findings as one, as a single lookup finds them over all its matches: each
    fact once, in the same order, and no name affinity where a field's stake or denial (or a
    distributor's trade) already decides it."""
    if len(findings) == 1 and not distributor:
        return findings[0]
    stakes = {s.edge.id: s for f in findings for s in f.stakes}
    denials = {e.id: e for f in findings for e in f.denials}
    affinity = {a.entity: a for f in findings for a in f.affinity}
    merged = Finding(
        stakes=sorted(stakes.values(), key=lambda s: (s.edge.dst, s.edge.src, s.edge.id)),
        denials=sorted(denials.values(), key=lambda e: e.id),
    )
    if not (merged.denials or any(s.significant for s in merged.stakes) or distributor):
        merged.affinity = sorted(affinity.values(), key=lambda a: a.entity)
    return merged
