"""The bulk engine's rows and answers: the query fields of a row, row problems, per-field
outcomes, verdicts with their evidence."""

from __future__ import annotations

from dataclasses import dataclass

from supplygraph.graph.engine.judge import Evidence, Judgement
from supplygraph.graph.engine.relatedness import Finding
from supplygraph.graph.model.answers import Match, Step, Verdict

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
class FieldOutcome:
    """What one field resolved to against the run's target; hashed by identity on purpose."""

    matched: tuple[Match, ...]
    best: Evidence | None
    top: Match | None  # the best-scoring match (first of equals)
    notes: tuple[str, ...]
    # DISTRIBUTES edges from the field's matches into the target's group (see Judgement).
    distributes: tuple[Step, ...] = ()
    # When no path reaches the matches: stakes, name affinity and denials (a `no` is earned).
    finding: Finding | None = None


# The outcome of an absent field, or of one that matched nothing and raised no note: one shared
# object, so rows that differ only in such fields share their combination (and their result).
NOTHING_FOUND = FieldOutcome((), None, None, ())


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
    answer: Judgement | None = None  # None exactly when the row has an error

    @property
    def matched(self) -> list[Match]:
        """Everything the row's fields resolved to, in field order (as a single lookup lists)."""
        return [m for o in self.outcomes if o is not None for m in o.matched]
