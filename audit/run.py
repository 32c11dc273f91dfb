"""The audit pipeline: inventory rows in, one result per row out, in order, with a summary.

Rows stream from a reader through the bulk engine (batched store lookups) to a writer; the
:class:`Summary` keeps counts and bounded samples for the report, so memory does not grow with
the number of rows.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from supplygraph.graph.engine.bulk import BulkResolver, BulkRun
from supplygraph.graph.engine.bulk_rows import (
    FIELDS,
    BulkItem,
    BulkResult,
    RowProblem,
)
from supplygraph.graph.engine.judge import Evidence, Judgement
from supplygraph.graph.engine.outlets import (
    AUDIT_COLUMNS,
    NO_CELLS,
    Cells,
    cells_of,
    listed_row,
    path_sources,
    step_sources,
)
from supplygraph.graph.engine.regimes import RegimeEngine
from supplygraph.graph.engine.resolve import Resolver
from supplygraph.graph.model.answers import VERDICTS, Match, RegimeOut, Step
from supplygraph.graph.model.records import SourceRef

from .columns import LABELS, ColumnMap, map_columns
from .readers import MISSING, Extra, Inventory, RowBatch

YES_SAMPLE = 10_000  # yes rows listed in the HTML and JSON reports (and as many possible rows)
ERROR_SAMPLE = 1_000
DISTRIBUTOR_SAMPLE = 1_000  # distributors listed with their rows
TOP = 12
CONFIDENCE_BINS = ((0.0, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1.01))

Progress = Callable[[int, int, int | None], None]  # (rows done, units done, units in all)


def _text_value(value: Any) -> str | None:
    """A JSON cell as query text; None when it cannot be one (an object or a list)."""
    if value is MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


class RowFeeder:
    """Turns a batch of reader rows into engine items (the five query fields, or a problem)."""

    def __init__(self, inventory: Inventory, mapping: ColumnMap) -> None:
        self.inventory = inventory
        self.mapping = mapping
        width = len(inventory.columns)
        # A missing field reads a cell appended to every row (empty), so one getter serves all.
        positions = [mapping.index.get(f, width) for f in FIELDS]
        self._padded = width in positions
        self._getter = itemgetter(*positions)
        self._text_cells = inventory.format != "json" and inventory.format != "ndjson"

    def items(self, batch: RowBatch) -> list[BulkItem]:
        getter = self._getter
        items: list[BulkItem]
        if not self._text_cells:
            items = [self._json_fields(cells) for cells in batch.cells]
        elif self._padded:
            items = [getter([*cells, ""]) for cells in batch.cells]
        else:
            items = list(map(getter, batch.cells))
        for i, problem in batch.problems.items():
            items[i] = RowProblem(problem, "row")
        return items

    def _json_fields(self, cells: list[Any]) -> BulkItem:
        values: list[str] = []
        width = len(self.inventory.columns)
        extra = cells[width] if len(cells) > width else None
        for f in FIELDS:
            text = ""
            # The first of the field's spellings that this record fills ("mac", "MAC", ...).
            for pos in self.mapping.alternates.get(f, ()):
                value = cells[pos] if pos < width else MISSING
                found = _text_value(value)
                if found is None:
                    return RowProblem(f"expected text, got a JSON {_kind(value)}", f)
                if found:
                    text = found
                    break
            values.append(text)
        if isinstance(extra, Extra):
            # Keys first seen after the sampled records: a query field only where the columns
            # left it empty.
            for key, value in extra.items():
                named = _field_of(key)
                if named is None or values[FIELDS.index(named)]:
                    continue
                late = _text_value(value)
                if late is None:
                    return RowProblem(f"{key}: expected text, got a JSON {_kind(value)}", named)
                values[FIELDS.index(named)] = late
        return (values[0], values[1], values[2], values[3], values[4])


def _kind(value: Any) -> str:
    return "object" if isinstance(value, dict) else type(value).__name__


@lru_cache(maxsize=4096)
def _field_of(key: str) -> str | None:
    """The query field a JSON key names, if any ("MAC Address" -> "mac")."""
    found = map_columns([key]).index
    return next(iter(found), None)


_ANSWER = attrgetter("answer")


@dataclass
class Summary:
    """Counts and bounded samples of an audit, for the HTML and JSON reports."""

    inventory: str
    format: str
    target: dict[str, str]
    as_of: date
    columns: dict[str, str]
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    seconds: float = 0.0
    rows: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)
    yes_by_field: Counter[str] = field(default_factory=Counter)
    yes_by_match: Counter[str] = field(default_factory=Counter)
    yes_by_confidence: Counter[str] = field(default_factory=Counter)
    regimes: Counter[str] = field(default_factory=Counter)
    regime_names: dict[str, str] = field(default_factory=dict)
    yes_rows: list[dict[str, Any]] = field(default_factory=list)
    possible_rows: list[dict[str, Any]] = field(default_factory=list)
    error_rows: list[dict[str, Any]] = field(default_factory=list)
    # Suppliers in the inventory that distribute the target group's products (verdict `no`),
    # by distributor id: name, what it distributes, rows, source ids.
    distributors: dict[str, dict[str, Any]] = field(default_factory=dict)
    distributor_rows: int = 0
    sources: dict[str, SourceRef] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The report's content as plain JSON (the HTML report shows the same)."""
        return {
            "inventory": self.inventory,
            "format": self.format,
            "generated": self.started.isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 3),
            "target": self.target,
            "as_of": self.as_of.isoformat(),
            "columns": self.columns,
            "rows": self.rows,
            "verdicts": {k: self.verdicts.get(k, 0) for k in (*VERDICTS, "error")},
            "yes_by_field": dict(self.yes_by_field.most_common()),
            "yes_by_match": dict(self.yes_by_match.most_common(TOP)),
            "yes_by_confidence": {
                _bin_label(lo, hi): self.yes_by_confidence.get(_bin_label(lo, hi), 0)
                for lo, hi in CONFIDENCE_BINS
            },
            "regimes": {
                k: {"name": self.regime_names.get(k, k), "rows": n}
                for k, n in self.regimes.most_common()
            },
            "yes_rows": self.yes_rows,
            "yes_rows_listed": len(self.yes_rows),
            "possible_rows": self.possible_rows,
            "possible_rows_listed": len(self.possible_rows),
            "distributor_rows": self.distributor_rows,
            "distributors": sorted(
                self.distributors.values(), key=lambda d: (-d["rows"], d["name"].casefold())
            ),
            "error_rows": self.error_rows,
            "sources": {
                k: s.model_dump(mode="json", exclude_none=True) for k, s in self.sources.items()
            },
        }


def _bin_label(lo: float, hi: float) -> str:
    return f"{lo:.2f}-{min(hi, 1.0):.2f}"


def _confidence_bin(value: float) -> str:
    for lo, hi in CONFIDENCE_BINS:
        if lo <= value < hi:
            return _bin_label(lo, hi)
    return _bin_label(*CONFIDENCE_BINS[-1])


class Outcome(NamedTuple):
    """What the writers get per row (a named tuple: one is made per row)."""

    number: int  # line (CSV, NDJSON, MAC list, XLSX) or record (JSON array, nmap host)
    ordinal: int  # the row's place among the input's rows, from 1
    cells: list[Any]
    result: BulkResult
    error: str | None
    derived: Cells

    @property
    def regimes(self) -> str:
        return self.derived.regimes

    @property
    def sources(self) -> tuple[str, ...]:
        return self.derived.sources


@dataclass(slots=True)
class Batch:
    """Consecutive input rows with their results, as the writers get them.

    ``derived`` maps each distinct answer of the batch to its report cells; ``errors`` maps a
    row's place in the batch to its error text.
    """

    rows: RowBatch
    results: list[BulkResult]
    first: int  # ordinal of the first row, from 1
    derived: dict[Judgement, Cells]
    errors: dict[int, str]
    error_cells: Cells  # the cells of an error row
    lines: Sequence[str | None] | None = None  # see RowBatch.lines

    def outcomes(self) -> Iterator[Outcome]:
        """The batch row by row (for writers and streams that take one row at a time)."""
        derived, errors = self.derived, self.errors
        numbers, rows = self.rows.numbers, self.rows.cells
        for i, (number, cells, result) in enumerate(zip(numbers, rows, self.results, strict=True)):
            error = errors.get(i)
            if error is not None:
                yield Outcome(number, self.first + i, cells, result, error, self.error_cells)
            else:
                assert result.answer is not None
                yield Outcome(number, self.first + i, cells, result, None, derived[result.answer])


class RegimeColumn:
    """The regimes that cover a row's best match, cached per entity (the resolver's regimes
    engine answers)."""

    def __init__(self, resolver: Resolver, day: date) -> None:
        self.engine: RegimeEngine = resolver.regimes
        self.day = day
        self.names: dict[str, str] = {}
        self._cache: dict[str, tuple[str, ...]] = {}

    def covered(self, entity_id: str) -> tuple[str, ...]:
        hit = self._cache.get(entity_id)
        if hit is None:
            hit = self._keep(entity_id, self.engine.verdicts(entity_id, self.day))
        return hit

    def prefetch(self, entity_ids: Iterable[str]) -> None:
        """Work out many entities' regimes at once (the engine shares their store calls)."""
        todo = [e for e in dict.fromkeys(entity_ids) if e not in self._cache]
        if todo:
            for entity_id, verdicts in self.engine.verdicts_many(todo, self.day).items():
                self._keep(entity_id, verdicts)

    def _keep(self, entity_id: str, verdicts: Sequence[RegimeOut]) -> tuple[str, ...]:
        for v in verdicts:
            self.names[v.regime] = v.name
        hit = tuple(v.regime for v in verdicts if v.verdict == "covered")
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[entity_id] = hit
        return hit


@contextmanager
def quiet_gc() -> Iterator[Callable[[], None]]:
    """For a batch process that owns its interpreter: no garbage collection during the run.

    Rows, results and cache entries make no reference cycles, so the collector finds nothing,
    yet its passes (set off by the millions of rows and cells a large inventory allocates) cost
    as much as reading the file. Automatic collection is off meanwhile and restored after, and
    survivors move to the permanent generation after each batch, so that a collection set off
    later does not re-scan millions of cache entries. Yields the function to call between
    batches.
    """
    collecting = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


class Audit:
    """One audit run: ``for outcome in audit.outcomes(): ...`` then ``audit.summary``."""

    def __init__(
        self,
        inventory: Inventory,
        resolver: Resolver,
        target: str | None = None,
        as_of: date | None = None,
        engine: BulkResolver | None = None,
    ) -> None:
        self.inventory = inventory
        self.mapping = inventory.mapping()
        self.engine = engine or BulkResolver(resolver)
        # Resolving the target first: an unknown target fails before anything is written.
        self.run: BulkRun = self.engine.prepare(target, as_of)
        self.regimes = RegimeColumn(resolver, self.run.day)
        self._error_cells = NO_CELLS
        self._derived: dict[Judgement, Cells] = {}
        self._sources: dict[Evidence, tuple[str, ...]] = {}
        self.summary = Summary(
            inventory=inventory.name,
            format=inventory.format,
            target={"id": self.run.target.id, "name": self.run.target.name},
            as_of=self.run.day,
            columns=self.mapping.describe(),
        )

    @property
    def extra_columns(self) -> list[str]:
        return list(AUDIT_COLUMNS)

    def outcomes(
        self, progress: Progress | None = None, between: Callable[[], None] | None = None
    ) -> Iterator[Outcome]:
        """Every row's outcome, in input order."""
        for batch in self.batches(progress, between):
            yield from batch.outcomes()

    def batches(
        self, progress: Progress | None = None, between: Callable[[], None] | None = None
    ) -> Iterator[Batch]:
        """The rows in batches of the engine's size, resolved, counted, in input order."""
        feeder = RowFeeder(self.inventory, self.mapping)
        started = datetime.now(UTC)
        size = self.engine.batch_size
        done = 0
        while True:
            rows = self.inventory.read_batch(size)
            if not len(rows):
                break
            results = self.run.resolve_batch(feeder.items(rows))
            batch = self._account(rows, results, done + 1)
            batch.lines = rows.lines
            done += len(rows)
            yield batch
            if progress is not None:
                progress(done, self.inventory.position(), self.inventory.total)
            if between is not None:
                between()
        self.summary.regime_names = self.regimes.names
        if progress is not None:
            progress(done, self.inventory.position(), self.inventory.total)
        self.summary.seconds = (datetime.now(UTC) - started).total_seconds()

    def _account(self, rows: RowBatch, results: list[BulkResult], first: int) -> Batch:
        """Count a batch into the summary; derive regimes and sources once per distinct result."""
        s = self.summary
        if len(self._derived) >= 100_000:
            self._derived = {}  # bounded; a new dict, so batches handed out keep theirs
        derived = self._derived
        errors: dict[int, str] = {}
        # Rows share answers (what the report shows; far fewer than rows): count them per
        # answer, in C, and derive the regimes and sources once per answer, not once per row.
        answers = list(map(_ANSWER, results))
        counts = Counter(answers)
        self.regimes.prefetch(
            a.entity for a in counts if a is not None and a.entity and a not in derived
        )
        for answer, n in counts.items():
            if answer is None:
                continue  # rows with errors: counted below, one by one
            got = derived.get(answer)
            if got is None:
                got = self._derive(answer)
            verdict = answer.verdict
            s.rows += n
            s.verdicts[verdict] += n
            for r in got.covered:
                s.regimes[r] += n
            best = answer.best
            if verdict == "yes" and best is not None:
                s.yes_by_field[best.field] += n
                s.yes_by_match[best.match.name] += n
                s.yes_by_confidence[_confidence_bin(answer.confidence)] += n
            if answer.distributes:
                s.distributor_rows += n
                self._count_distributors(answer.distributes, n)
        if None in counts:
            for i in [i for i, a in enumerate(answers) if a is None]:
                errors[i] = self._error(rows.numbers[i], first + i, results[i])
        samples = {"yes": s.yes_rows, "possible": s.possible_rows}
        if any(len(rows_) < YES_SAMPLE for rows_ in samples.values()):
            for i, result in enumerate(results):
                answer = result.answer
                listed = samples.get(answer.verdict) if answer is not None else None
                if listed is not None and len(listed) < YES_SAMPLE:
                    assert answer is not None
                    number, cells = rows.numbers[i], rows.cells[i]
                    top = max(result.matched, key=lambda m: m.score, default=None)
                    listed.append(
                        self._sample(number, first + i, cells, answer, derived[answer], top)
                    )
        return Batch(rows, results, first, derived, errors, self._error_cells)

    def _count_distributors(self, steps: Sequence[Step], rows: int) -> None:
        """Count ``rows`` once for each distributor among ``steps``, with what it sells."""
        table = self.summary.distributors
        for step in steps:
            entry = table.get(step.from_)
            if entry is None:
                if len(table) >= DISTRIBUTOR_SAMPLE:
                    continue
                entry = table[step.from_] = {
                    "id": step.from_,
                    "name": step.from_name,
                    "distributes": [],
                    "rows": 0,
                    "sources": [],
                }
            if step.to_name not in entry["distributes"]:
                entry["distributes"].append(step.to_name)
            for src in step.sources:
                self.summary.sources.setdefault(src.id, src)
                if src.id not in entry["sources"]:
                    entry["sources"].append(src.id)
        # A distributor named by two steps of one answer counts that answer's rows once.
        for distributor in dict.fromkeys(step.from_ for step in steps):
            if distributor in table:
                table[distributor]["rows"] += rows

    def _error(self, number: int, ordinal: int, result: BulkResult) -> str:
        s = self.summary
        error = self._error_text(number, result)
        s.rows += 1
        s.verdicts["error"] += 1
        if len(s.error_rows) < ERROR_SAMPLE:
            s.error_rows.append({"row": ordinal, "line": number, "error": error})
        return error

    def _derive(self, answer: Judgement) -> Cells:
        entity = answer.entity
        covered = self.regimes.covered(entity) if entity else ()
        sources: tuple[str, ...] = ()
        best = answer.best
        if best is not None:
            sources = self._sources.get(best) or self._path_sources(best)
        elif answer.distributes:
            sources = step_sources(answer.distributes)
        got = cells_of(answer, covered, sources)
        self._derived[answer] = got
        return got

    def _path_sources(self, best: Evidence) -> tuple[str, ...]:
        found = path_sources(best)
        if len(self._sources) >= 100_000:
            self._sources.clear()
        self._sources[best] = found
        return found

    def _sample(
        self,
        number: int,
        ordinal: int,
        cells: list[Any],
        answer: Judgement,
        derived: Cells,
        top: Match | None = None,
    ) -> dict[str, Any]:
        """A listed row of the report (yes or possible), its sources added to the report's."""
        if answer.best is not None:
            for e in answer.best.path:
                for src in e.sources:
                    self.summary.sources.setdefault(src.id, src)
        return listed_row(number, ordinal, self._inputs(cells), answer, derived, top)

    def _inputs(self, cells: list[Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        for f, i in self.mapping.index.items():
            value = cells[i] if i < len(cells) else ""
            if value is not MISSING and value not in (None, ""):
                out[self.mapping.header(f)] = str(value)
        return out

    def _error_text(self, number: int, result: BulkResult) -> str:
        where = "record" if self.inventory.format in ("json", "nmap") else "line"
        if result.error_field == "row":
            return f"{where} {number}: {result.error}"
        if result.error_field == "query":
            wanted = ", ".join(LABELS[f] for f in FIELDS if f in self.mapping.index)
            return f"{where} {number}: nothing to resolve (no {wanted or 'query field'})"
        column = self.mapping.header(result.error_field or "")
        return f"{where} {number}: {column}: {result.error}"
