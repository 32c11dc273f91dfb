"""The one judge: a resolved question in, one frozen :class:`Judgement` out.

Single lookups (:meth:`Resolver.compute`) call :func:`judge` once per question; the bulk engine
(:class:`BulkRun`) once per distinct deciding case, and shares the judgement between every row
that case decides. Both outlets of an answer (the single lookup's ``ResolveResult`` and a bulk
row's cells and NDJSON line) are written from the judgement, so they cannot drift apart: the
verdict, confidence, both texts, weak links, distribution steps and notes are worked out here
only.

The rule (docs/verdicts.md): the best evidence path decides ``yes`` (strong end to end) or
``possible`` (a weak link); without a path, a significant stake of the group or name affinity
(:mod:`supplygraph.graph.engine.relatedness`) makes it ``possible``; a resolved question that
nothing ties to the group is ``no`` (saying what a distributor sells, that an owner is above the
target, and stakes below the threshold or sourced denials); nothing matched is ``unknown``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter

from pydantic import BaseModel

from supplygraph.graph.engine.relatedness import Finding
from supplygraph.graph.engine.verdicts import ScoredPath, verdict_of
from supplygraph.graph.model.answers import Match, Step, Verdict, WeakLink
from supplygraph.graph.model.records import Edge, Node

# Said once for both engines: a closure cut at the walk budget cannot prove a `no`.
TRUNCATED_NOTE = "the target's graph was cut at the traversal bound; a 'no' may be partial"


@dataclass(frozen=True, slots=True, eq=False)
class Evidence:
    """The best evidence path: what it matched and how the target reaches that."""

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

    @classmethod
    def of(cls, scored: ScoredPath, start: str, names: Mapping[str, str]) -> Evidence:
        """A ranked path as evidence, with the names of its nodes (and of the match)."""
        m = scored.match
        ids = {m.id, start} | {x for e in scored.path for x in (e.src, e.dst)}
        mine = {i: names[i] for i in ids if i in names}
        text = evidence_text(m.field, m, start, scored.path, mine)
        return cls(m.field, m, start, scored.path, mine, scored.score, text, scored.weak)


@dataclass(frozen=True, slots=True, eq=False)
class Judgement:
    """One answer, as every outlet writes it; shared by every bulk row it decides (hashed by
    identity: reports derive regimes and sources once per judgement)."""

    verdict: Verdict
    confidence: float
    evidence: str  # the short text of a report row
    best: Evidence | None
    entity: str | None  # the entity the verdict is about: the best match, else the top one
    notes: tuple[str, ...]
    # For ``no``: what the matches distribute of the target group's brands and companies (a
    # distributor is not the maker).
    distributes: tuple[Step, ...] = ()
    explanation: str = ""  # the readable sentence of a single answer
    weak_links: tuple[WeakLink, ...] = ()

    def content(self) -> tuple[object, ...]:
        """Everything the answer says, hashable: judgements with equal content are one answer
        (the bulk engine shares one object between them). Made from every field, so a field
        added later counts without a change here; the best path by identity, as it is shared."""
        return tuple(_hashable(v) if v.__class__ is tuple and v else v for v in _EVERY_FIELD(self))


# Every field of a judgement in one call (its content is taken once per distinct bulk case).
_EVERY_FIELD = attrgetter(*(f.name for f in fields(Judgement)))


@dataclass(frozen=True, slots=True)
class Case:
    """A resolved question, as both engines hand it to :func:`judge`."""

    target: Node
    matches: Sequence[Match]  # everything the question resolved to, in field order
    best: Evidence | None  # the best-ranked evidence path, if any reaches a match
    sold: Sequence[Step]  # DISTRIBUTES steps from the matches into the group (no path only)
    finding: Finding  # stakes, affinity and denials of unreached matches
    above: frozenset[str]  # owners of the target
    names: Mapping[str, str]  # node id -> name for the finding's and the paths' nodes
    notes: Sequence[str]  # the matcher's notes
    truncated: bool  # the target's closure was cut at its walk budget


def _hashable(items: tuple[object, ...]) -> tuple[object, ...]:
    """A tuple field as a hashable value: its records (steps, weak links) as their JSON."""
    return tuple(v.model_dump_json() if isinstance(v, BaseModel) else v for v in items)


def judge(case: Case) -> Judgement:
    """The judgement of a resolved question (see the module docstring)."""
    notes = (*case.notes, TRUNCATED_NOTE) if case.truncated else tuple(case.notes)
    best, finding, matches = case.best, case.finding, case.matches
    verdict: Verdict
    if best is not None:
        verdict = "possible" if best.weak else "yes"
    else:
        verdict = verdict_of(None, bool(matches), finding.possible)
    top = max(matches, key=lambda m: m.score, default=None)
    explanation = _explain(case, verdict)
    if best is not None:
        evidence = best.text
        if best.weak:
            why = "; ".join(weak_link_text(w, best.names) for w in best.weak)
            evidence += f" (weak link: {why})"
        return Judgement(
            verdict,
            round(best.score, 3),
            evidence,
            best,
            best.match.id,
            notes,
            (),
            explanation,
            best.weak,
        )
    if top is None:
        evidence = "no match" + (f" ({'; '.join(notes)})" if notes else "")
        return Judgement(verdict, 0.0, evidence, None, None, notes, (), explanation)
    names, sold = case.names, tuple(case.sold)
    reached = f"{top.field} matched {top.name} ({top.kind}); no path from {case.target.name}"
    if verdict == "possible":
        links = tuple(finding.weak_links(dict(names)))
        why = "; ".join(weak_link_text(w, names) for w in links)
        evidence = f"{reached} reaches it, but the answer is not a plain no: {why}"
        confidence = round(top.score * finding.confidence(), 3)
        return Judgement(
            verdict, confidence, evidence, None, top.id, notes, sold, explanation, links
        )
    evidence = f"{reached} reaches it" + _finding_notes(finding, names)
    if sold:
        items = ", ".join(sorted({s.to_name for s in sold}))
        evidence += f"; it distributes {items} (a distributor is not the maker)"
    return Judgement(verdict, round(top.score, 3), evidence, None, top.id, notes, sold, explanation)


def best_evidence(ranked: Iterable[Evidence | None]) -> Evidence | None:
    """The best of several fields' evidence: strictly better only, so the first of equals wins
    (as a single lookup's stable sort does)."""
    best: Evidence | None = None
    for e in ranked:
        if e is not None and (best is None or e.rank() < best.rank()):
            best = e
    return best


def _finding_notes(finding: Finding, names: Mapping[str, str]) -> str:
    """Stakes below the threshold and sourced denials, said beside a `no` row."""
    if not (finding.stakes or finding.denials):
        return ""
    parts = [f"{s.text(dict(names))} (below {finding.threshold:g}%)" for s in finding.stakes]
    parts += [
        f"a source states that {names.get(e.src, e.src)} is not part of {names.get(e.dst, e.dst)}"
        for e in finding.denials
    ]
    return "; " + "; ".join(parts)


def _explain(case: Case, verdict: Verdict) -> str:
    """One readable sentence for the verdict (a single answer's ``explanation``)."""
    target, matches, finding = case.target, case.matches, case.finding
    names = dict(case.names)
    if verdict == "unknown":
        return "The query matched nothing known; no verdict can be given."
    best = case.best
    found = ", ".join(sorted({f"{m.name} ({m.kind})" for m in matches})[:5])
    if verdict == "possible" and best is None:
        why = "; ".join(weak_link_text(w, names) for w in finding.weak_links(names))
        return (
            f"Resolved to {found}; no evidence path leads from {target.name} to it, but the "
            f"answer is not a plain no: {why}."
        )
    if verdict == "no":
        text = f"Resolved to {found}; no evidence path leads from {target.name} to it."
        if case.sold:
            items = ", ".join(sorted({s.to_name for s in case.sold}))
            text += f" It distributes {items} (a distributor is not the maker)."
        owners = sorted({m.name for m in matches if m.id in case.above})
        if owners:
            verb, pronoun = (
                ("owns or controls", "it is")
                if len(owners) == 1
                else ("own or control", "they are")
            )
            text += (
                f" {' and '.join(owners)} {verb} {target.name}: {pronoun} above the target, "
                "not below it, and an owner of the target is not the target."
            )
        for stake in finding.stakes:
            text += (
                f" {stake.text(names)}, below the {finding.threshold:g}% that would make it "
                "possibly the group's."
            )
        for denial in finding.denials:
            src, dst = names.get(denial.src, denial.src), names.get(denial.dst, denial.dst)
            cited = "; ".join(s.title for s in denial.sources[:2])
            text += f" A source states that {src} is not part of {dst} ({cited})."
        return text
    assert best is not None
    path_names = {**names, **best.names}
    if not best.path:
        text = f"{best.match.name} is {target.name} itself."
    else:
        chain = " -> ".join(
            f"{path_names.get(e.src, e.src)} {e.relation.value} {path_names.get(e.dst, e.dst)}"
            for e in best.path
        )
        text = f"{best.match.name} leads to {target.name}: {chain}."
    if verdict == "possible":
        why = "; ".join(weak_link_text(w, path_names) for w in best.weak)
        text += f" Only possible: the evidence has a weak link ({why})."
    return text


def weak_link_text(link: WeakLink, names: Mapping[str, str]) -> str:
    """A weak link as people read it: ``A OWNS_BRAND B: only grade C sources``."""
    if link.relation is None or link.from_ is None or link.to is None:
        # A weak match (a model-number family) rather than a weak edge: name what matched.
        named = names.get(link.to) if link.to is not None else None
        return f"{named}: {link.reason}" if named is not None else link.reason
    src, dst = names.get(link.from_, link.from_), names.get(link.to, link.to)
    return f"{src} {link.relation} {dst}: {link.reason}"


def evidence_text(
    field_name: str, match: Match, start: str, path: Iterable[Edge], names: Mapping[str, str]
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
