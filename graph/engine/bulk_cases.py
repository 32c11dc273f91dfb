"""Distinct cases answered once: a row's field outcomes -> its result, by the one judge.

Rows combine a few field outcomes many ways, and most combinations are decided by the same few
outcomes (the best evidence path, or everything matched when no path reaches it): a combination
is looked up first, then its deciding case, and only a new case is judged (:func:`judge`).
Judgements with the same content are shared, so reports derive each answer's cells once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from supplygraph.graph.caches import TwoGenerationCache
from supplygraph.graph.engine.bulk_rows import BulkResult, FieldOutcome
from supplygraph.graph.engine.cached_view import CachedView
from supplygraph.graph.engine.judge import Case, Evidence, Judgement, best_evidence, judge
from supplygraph.graph.engine.reach import Reach
from supplygraph.graph.engine.relatedness import Finding
from supplygraph.graph.engine.resolve import Resolver
from supplygraph.graph.model.answers import Step
from supplygraph.graph.model.records import Node


class CaseAnswers:
    """The results of a run's outcome combinations and the judgements of its deciding cases,
    for one store version: ``cached`` and ``matcher`` read that version, ``reach`` is the
    target's closure in it (a run makes a new one when new data is committed)."""

    def __init__(
        self,
        size: int,
        target: Node,
        day: date,
        cached: CachedView,
        matcher: Resolver,
        reach: Reach | None,
    ) -> None:
        self.target = target
        self.day = day
        self.cached = cached
        self.matcher = matcher
        self.reach = reach
        self.combos: TwoGenerationCache[tuple[FieldOutcome | None, ...], BulkResult] = (
            TwoGenerationCache(size)
        )
        # The deciding outcomes of a row -> its judgement (see _verdict).
        self._judged: TwoGenerationCache[tuple[object, ...], Judgement] = TwoGenerationCache(size)
        self._answers: TwoGenerationCache[tuple[object, ...], Judgement] = TwoGenerationCache(size)

    def combine(self, outcomes: tuple[FieldOutcome | None, ...]) -> BulkResult:
        """The result of a row with these field outcomes."""
        hit = self.combos[outcomes]
        if hit is None:
            hit = self._verdict(outcomes)
            self.combos.put(outcomes, hit)
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
        reach = self.reach
        assert reach is not None
        cached, matcher = self.cached, self.matcher
        matches = [m for o in matched for m in o.matched]
        finding = Finding()
        sold: tuple[Step, ...] = ()
        above: frozenset[str] = frozenset()
        names: dict[str, str] = {}
        if best is None and matched:
            sold = _union(o.distributes for o in matched)
            finding = _merged([o.finding for o in matched if o.finding is not None], bool(sold))
            above = matcher.above_target(self.target.id, self.day)
            names = {i: n.name for i, n in cached.nodes(finding.entities()).items()}
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
                truncated=reach.truncated,
            )
        )
        # Rows decided by different outcomes often get the same answer: share one object, so
        # reports derive its cells once.
        content = judgement.content()
        shared = self._answers[content]
        if shared is None:
            shared = judgement
            self._answers.put(content, shared)
        return shared


def _union(groups: Iterable[tuple[Step, ...]]) -> tuple[Step, ...]:
    """Distribution steps of several fields, each edge once, in the single lookup's order."""
    seen: dict[tuple[object, ...], Step] = {}
    for steps in groups:
        for s in steps:
            seen.setdefault((s.from_, s.to, s.relation, s.valid_from, s.valid_to), s)
    return tuple(sorted(seen.values(), key=lambda s: (s.from_, s.to)))


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
