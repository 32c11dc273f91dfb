"""The audit pipeline: inventory rows in, one result per row out, in order, with a summary.

Rows stream from a reader through the bulk engine (batched store lookups) to a writer; the
:class:`Summary` keeps counts and bounded samples for the report, so memory does not grow with
the number of rows.
"""

from __future__ import annotations

import gc
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, NamedTuple, Protocol

from supplygraph.graph.bulk import (
    FIELDS,
    BulkItem,
    BulkResolver,
    BulkResult,
    BulkRun,
    Evidence,
    RowProblem,
)
from supplygraph.graph.model import SourceRef
from supplygraph.graph.resolve import Resolver

from .columns import LABELS, ColumnMap
from .readers import MISSING, Inventory, Row

YES_SAMPLE = 10_000  # yes rows listed in the HTML and JSON reports
ERROR_SAMPLE = 1_000
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
    """Turns reader rows into engine items, remembering the rows until their results come."""

    def __init__(self, inventory: Inventory, mapping: ColumnMap) -> None:
        self.inventory = inventory
        self.mapping = mapping
        self.pending: deque[Row] = deque()
        width = len(inventory.columns)
        # A missing field reads a cell appended to every row (empty), so one getter serves all.
        self._positions = [mapping.index.get(f, width) for f in FIELDS]
        self._getter = itemgetter(*self._positions)
        self._text_cells = inventory.format != "json" and inventory.format != "ndjson"

    def items(self) -> Iterator[BulkItem]:
        pending = self.pending
        remember = pending.append
        getter = self._getter
        text_cells = self._text_cells
        for row in self.inventory.rows:
            remember(row)
            cells = row[1]
            if row[2] is not None:
                yield RowProblem(row[2], "row")
            elif text_cells:
                cells.append("")
                fields = getter(cells)
                cells.pop()
                yield fields
            else:
                yield self._json_fields(cells)

    def _json_fields(self, cells: list[Any]) -> BulkItem:
        values: list[str] = []
        for f in FIELDS:
            text = ""
            # The first of the field's spellings that this record fills ("mac", "MAC", ...).
            for pos in self.mapping.alternates.get(f, ()):
                value = cells[pos] if pos < len(cells) else MISSING
                found = _text_value(value)
                if found is None:
                    kind = "object" if isinstance(value, dict) else type(value).__name__
                    return RowProblem(f"expected text, got a JSON {kind}", f)
                if found:
                    text = found
                    break
            values.append(text)
        return (values[0], values[1], values[2], values[3], values[4])


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
    error_rows: list[dict[str, Any]] = field(default_factory=list)
    sources: dict[str, SourceRef] = field(default_factory=dict)
    with_regimes: bool = False

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
            "verdicts": {k: self.verdicts.get(k, 0) for k in ("yes", "no", "unknown", "error")},
            "yes_by_field": dict(self.yes_by_field.most_common()),
            "yes_by_match": dict(self.yes_by_match.most_common(TOP)),
            "yes_by_confidence": {
                _bin_label(lo, hi): self.yes_by_confidence.get(_bin_label(lo, hi), 0)
                for lo, hi in CONFIDENCE_BINS
            },
            **(
                {
                    "regimes": {
                        k: {"name": self.regime_names.get(k, k), "rows": n}
                        for k, n in self.regimes.most_common()
                    }
                }
                if self.with_regimes
                else {}
            ),
            "yes_rows": self.yes_rows,
            "yes_rows_listed": len(self.yes_rows),
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
    regimes: str | None
    sources: tuple[str, ...]


class _RegimeVerdict(Protocol):
    regime: str
    name: str
    verdict: str


class _RegimeEngine(Protocol):
    """What the audit needs of the regimes engine (graph/regimes.py), when it is installed."""

    def verdicts(self, entity_id: str, day: date) -> Sequence[_RegimeVerdict]: ...


class RegimeColumn:
    """The regimes that cover a row's best match, cached per entity.

    The column exists only when the resolver carries a regimes engine.
    """

    def __init__(self, resolver: Resolver, day: date) -> None:
        self.engine: _RegimeEngine | None = getattr(resolver, "regimes", None)
        self.day = day
        self.names: dict[str, str] = {}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._cells: dict[str, str] = {}

    @property
    def available(self) -> bool:
        return self.engine is not None

    def cell(self, entity_id: str) -> str:
        """The regimes covering an entity, as the output cell ("ndaa-889; fcc-covered")."""
        text = self._cells.get(entity_id)
        if text is None:
            text = self._cells[entity_id] = "; ".join(self.covered(entity_id))
        return text

    def covered(self, entity_id: str) -> tuple[str, ...]:
        hit = self._cache.get(entity_id)
        if hit is None:
            assert self.engine is not None
            verdicts = self.engine.verdicts(entity_id, self.day)
            for v in verdicts:
                self.names[v.regime] = v.name
            hit = tuple(v.regime for v in verdicts if v.verdict == "covered")
            if len(self._cache) > 100_000:
                self._cache.clear()
                self._cells.clear()
            self._cache[entity_id] = hit
        return hit


def _entity_of(result: BulkResult) -> str | None:
    if result.best is not None:
        return result.best.match.id
    top = None
    for o in result.outcomes:
        if o is not None and o.top is not None and (top is None or o.top.score > top.score):
            top = o.top
    return top.id if top is not None else None


@contextmanager
def quiet_gc() -> Iterator[Callable[[], None]]:
    """For a batch process that owns its interpreter: keep the caches out of full collections.

    Long-lived cache entries are acyclic, so moving survivors to the permanent generation after
    each batch loses nothing, and full collections stop re-scanning millions of cache entries
    (they otherwise cost more than the lookups). Yields the function to call between batches.
    """
    gc.freeze()
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()


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
        self._tally: dict[BulkResult, int] = {}
        self._derived: dict[BulkResult, tuple[str | None, tuple[str, ...]]] = {}
        self._sources: dict[Evidence, tuple[str, ...]] = {}
        self.summary = Summary(
            inventory=inventory.name,
            format=inventory.format,
            target={"id": self.run.target.id, "name": self.run.target.name},
            as_of=self.run.day,
            columns=self.mapping.describe(),
            with_regimes=self.regimes.available,
        )

    @property
    def extra_columns(self) -> list[str]:
        base = ["verdict", "confidence", "evidence"]
        if self.regimes.available:
            base.append("regimes")
        return [*base, "error"]

    def outcomes(
        self, progress: Progress | None = None, between: Callable[[], None] | None = None
    ) -> Iterator[Outcome]:
        feeder = RowFeeder(self.inventory, self.mapping)
        started = datetime.now(UTC)
        tick = self.engine.batch_size
        done = 0
        pending = feeder.pending
        outcome = self._outcome
        for result in self.run.resolve(feeder.items()):
            number, cells, _ = pending.popleft()
            done += 1
            yield outcome(number, done, cells, result)
            if done % tick == 0:
                if progress is not None:
                    progress(done, self.inventory.position(), self.inventory.total)
                if between is not None:
                    between()
        self._flush()
        if progress is not None:
            progress(done, self.inventory.position(), self.inventory.total)
        self.summary.seconds = (datetime.now(UTC) - started).total_seconds()

    def _outcome(self, number: int, ordinal: int, cells: list[Any], result: BulkResult) -> Outcome:
        if result.error is not None:
            return self._error(number, ordinal, cells, result)
        # Rows share result objects (one per distinct combination of keys): count them per
        # object and derive the regimes and sources once per object, not once per row.
        tally = self._tally
        n = tally.get(result)
        if n is None:
            if len(tally) >= 100_000:
                self._flush()
            tally[result] = 1
        else:
            tally[result] = n + 1
        derived = self._derived.get(result)
        if derived is None:
            derived = self._derive(result)
        regimes, sources = derived
        if result.verdict == "yes" and len(self.summary.yes_rows) < YES_SAMPLE:
            self._sample(number, ordinal, cells, result, regimes, sources)
        return Outcome(number, ordinal, cells, result, None, regimes, sources)

    def _error(self, number: int, ordinal: int, cells: list[Any], result: BulkResult) -> Outcome:
        s = self.summary
        error = self._error_text(number, result)
        s.rows += 1
        s.verdicts["error"] += 1
        if len(s.error_rows) < ERROR_SAMPLE:
            s.error_rows.append({"row": ordinal, "line": number, "error": error})
        regimes_cell = "" if self.regimes.available else None
        return Outcome(number, ordinal, cells, result, error, regimes_cell, ())

    def _derive(self, result: BulkResult) -> tuple[str | None, tuple[str, ...]]:
        regimes: str | None = None
        if self.regimes.available:
            entity = _entity_of(result)
            regimes = self.regimes.cell(entity) if entity else ""
        sources: tuple[str, ...] = ()
        best = result.best
        if result.verdict == "yes" and best is not None:
            sources = self._sources.get(best) or self._path_sources(best)
        if len(self._derived) >= 100_000:
            self._derived.clear()
        self._derived[result] = (regimes, sources)
        return regimes, sources

    def _path_sources(self, best: Evidence) -> tuple[str, ...]:
        found = tuple(dict.fromkeys(src.id for e in best.path for src in e.sources))
        if len(self._sources) >= 100_000:
            self._sources.clear()
        self._sources[best] = found
        return found

    def _flush(self) -> None:
        """Move the per-result tallies into the summary's counters."""
        s = self.summary
        for result, n in self._tally.items():
            verdict = result.verdict
            assert verdict is not None
            s.rows += n
            s.verdicts[verdict] += n
            regimes, _ = self._derived.get(result) or self._derive(result)
            for r in regimes.split("; ") if regimes else ():
                s.regimes[r] += n
            best = result.best
            if verdict == "yes" and best is not None:
                s.yes_by_field[best.field] += n
                s.yes_by_match[best.match.name] += n
                s.yes_by_confidence[_confidence_bin(result.confidence)] += n
        s.regime_names = self.regimes.names
        self._tally.clear()

    def _sample(
        self,
        number: int,
        ordinal: int,
        cells: list[Any],
        result: BulkResult,
        regimes: str | None,
        sources: tuple[str, ...],
    ) -> None:
        best = result.best
        assert best is not None
        for e in best.path:
            for src in e.sources:
                self.summary.sources.setdefault(src.id, src)
        self.summary.yes_rows.append(
            {
                "row": ordinal,
                "line": number,
                "input": self._inputs(cells),
                "confidence": result.confidence,
                "field": best.field,
                "matched": best.match.name,
                "evidence": result.evidence,
                "sources": list(sources),
                **({"regimes": regimes} if regimes is not None else {}),
            }
        )

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
