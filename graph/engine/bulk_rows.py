"""The bulk engine's rows and answers: the query fields of a row, row problems, per-field
outcomes, verdicts with their evidence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supplygraph.graph.engine.relatedness import Finding
from supplygraph.graph.model.answers import Match, Step, Verdict, WeakLink
from supplygraph.graph.model.records import Edge

# The order in which Resolver.match looks at the fields; ties between equally good paths go to
# the earlier field, exactly as in a single lookup.
FIELDS: tuple[str, ...] = ("mac", "fcc_id", "brand", "model", "name")
Fields = tuple[str, str, str, str, str]


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
    # When no path reaches the matches: stakes, name affinity and denials (a `no` is earned).
    finding: Finding | None = None


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
