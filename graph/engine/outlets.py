"""Every outlet of an answer, written from the judge's record (:class:`Judgement`) here only.

One answer leaves the service in six shapes:

- a single lookup's JSON answer: :func:`answer_fields` fills the judged fields of a
  :class:`ResolveResult`;
- an audit row's cells after the input's (CSV and XLSX: :func:`row_cells`; the JSON report's row
  values: :func:`json_cells`), under the column names of :data:`AUDIT_COLUMNS`;
- the bulk endpoint's NDJSON line, :class:`BulkLine` (its schema is published in OpenAPI):
  :class:`LineWriter`;
- a listed row of the HTML and JSON reports: :func:`listed_row`;
- a watch's kept row, :class:`WatchRow` (and its side of a change report).

The per-answer cells (regimes, sources, weak links, distribution steps) are worked out once per
distinct answer (:func:`cells_of`), however many rows share it. Adding a field to answers means
computing it in :mod:`~supplygraph.graph.engine.judge`, declaring it on ``ResolveResult``
(:mod:`~supplygraph.graph.model.answers`) and writing it out here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import orjson
from pydantic import BaseModel, Field

from supplygraph.graph.engine.bulk_rows import BulkResult
from supplygraph.graph.engine.judge import Evidence, Judgement, weak_link_text
from supplygraph.graph.model.answers import (
    D_KIND,
    D_NAME,
    HIKVISION,
    Match,
    Step,
    Verdict,
    WeakLink,
)

# The cells an audit adds after the input's columns, in order (CSV, XLSX and JSON reports).
AUDIT_COLUMNS = (
    "verdict",
    "confidence",
    "evidence",
    "weak_link",
    "distributes",
    "regimes",
    "error",
)


# -- the per-answer cells ---------------------------------------------------------------------
class Cells(NamedTuple):
    """The report cells of one answer, worked out once however many rows share it."""

    covered: tuple[str, ...]  # the regimes covering the answer's entity, one id each
    sources: tuple[str, ...]  # ids of the sources behind the evidence
    weak_link: str  # for `possible`: the weak links and why ("" otherwise)
    distributes: str  # for a distributor: what of the target group it distributes ("")
    # The regimes cell, `covered` joined ("; " between): kept, not derived per access, because
    # every row of a report writes it and rows share few answers.
    regimes: str = ""


NO_CELLS = Cells((), (), "", "")


def cells_of(answer: Judgement, covered: Sequence[str], sources: tuple[str, ...]) -> Cells:
    """An answer's cells, given the regimes covering its entity and its sources' ids."""
    return Cells(
        tuple(covered),
        sources,
        weak_link_cell(answer),
        distributes_cell(answer.distributes),
        "; ".join(covered),
    )


def path_sources(best: Evidence) -> tuple[str, ...]:
    """Ids of the sources along an evidence path, each once, in path order."""
    return tuple(dict.fromkeys(src.id for e in best.path for src in e.sources))


def step_sources(steps: Sequence[Step]) -> tuple[str, ...]:
    """Ids of the sources behind distribution steps, each once."""
    return tuple(dict.fromkeys(src.id for step in steps for src in step.sources))


def weak_link_cell(answer: Judgement) -> str:
    """The weak links of a `possible` answer, each with why it is weak (" | " between)."""
    best = answer.best
    if best is None:
        # A possible with no path (a stake or a group's name): its links say why in full.
        return " | ".join(w.reason for w in answer.weak_links)
    if not best.weak:
        return ""
    return " | ".join(weak_link_text(w, best.names) for w in best.weak)


def distributes_cell(steps: Sequence[Step]) -> str:
    """``Distributor -DISTRIBUTES-> Brand`` per edge ("; " between)."""
    return "; ".join(f"{s.from_name} -{s.relation}-> {s.to_name}" for s in steps)


# -- a single lookup's JSON answer ------------------------------------------------------------
def answer_fields(judgement: Judgement) -> dict[str, Any]:
    """The fields of a single answer (``ResolveResult``) that the judgement decides."""
    return {
        "verdict": judgement.verdict,
        "confidence": judgement.confidence,
        "explanation": judgement.explanation,
        "notes": list(judgement.notes),
        "weak_links": list(judgement.weak_links),
        "distributes": list(judgement.distributes),
    }


# -- audit rows: CSV, XLSX and JSON -----------------------------------------------------------
def row_cells(result: BulkResult | Judgement, cells: Cells, error: str | None) -> list[str]:
    """A row's cells after the input's, as text (CSV, XLSX), in :data:`AUDIT_COLUMNS` order."""
    verdict = result.verdict
    return [
        verdict or "",
        "" if verdict is None else str(result.confidence),
        result.evidence,
        cells.weak_link,
        cells.distributes,
        cells.regimes,
        error or "",
    ]


def json_cells(result: BulkResult, cells: Cells, error: str | None) -> list[Any]:
    """A row's values after the input's in the JSON report, in :data:`AUDIT_COLUMNS` order
    (an empty cell is null)."""
    verdict = result.verdict
    return [
        verdict,
        None if verdict is None else result.confidence,
        result.evidence,
        cells.weak_link or None,
        cells.distributes or None,
        cells.regimes,
        error,
    ]


# -- a listed row of the HTML and JSON reports ------------------------------------------------
def listed_row(
    number: int,
    ordinal: int,
    inputs: dict[str, str],
    answer: Judgement,
    cells: Cells,
    top: Match | None,
) -> dict[str, Any]:
    """A yes or possible row as the reports list it. A ``possible`` with no path (a minority
    stake or a group's name, nothing else known) names the row's best match instead of the
    path's end."""
    best = answer.best
    if best is not None:
        field, matched = best.field, best.match.name
    else:
        field = top.field if top is not None else ""
        matched = top.name if top is not None else (answer.entity or "")
    return {
        "row": ordinal,
        "line": number,
        "input": inputs,
        "verdict": answer.verdict,
        "confidence": answer.confidence,
        "field": field,
        "matched": matched,
        "evidence": answer.evidence,
        **({"weak_link": cells.weak_link} if cells.weak_link else {}),
        "sources": list(cells.sources),
        "regimes": cells.regimes,
    }


# -- the bulk endpoint's NDJSON line ----------------------------------------------------------
def _unset_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def _keyed(description: str, **more: Any) -> Any:
    """A key a line holds only when its answer has something to say in it: not required, and
    never null when present (the default is never written, so the schema shows none)."""
    return Field(default=None, description=description, json_schema_extra=_unset_default, **more)


class LineMatch(BaseModel):
    """What decided a yes or possible row: the end of its evidence path."""

    id: str = Field(description="The matched entity's id.", examples=["brand-hilook"])
    name: str = Field(description=D_NAME, examples=["HiLook"])
    kind: str = Field(description=D_KIND, examples=["brand"])
    field: str = Field(
        description="Which query field matched: name, brand, model, mac or fcc_id.",
        examples=["brand"],
    )


class LineSource(BaseModel):
    """A source behind the row's evidence."""

    id: str = Field(description="The source's id.", examples=["hik-hilook-manual-ud22027b"])
    title: str = Field(description="The document or dataset.", examples=["HiLook user manual"])
    url: str | None = Field(
        description="Where to read it.", examples=["https://www.hikvision.com/"]
    )


class LineError(BaseModel):
    """Why a row got no verdict (or, on a last line with ``row`` null, why the stream ended)."""

    code: str = Field(
        description="invalid_row (unreadable row), invalid_query (a malformed or empty field); "
        "on a last line with row null, the error code of what stopped the stream.",
        examples=["invalid_query"],
    )
    message: str = Field(
        description="What is wrong, naming the line and column.",
        examples=["line 3: MAC: not a MAC address or IEEE prefix: 'zz'"],
    )
    field: str | None = Field(
        default=None,
        description="The query field at fault: row, query, mac, fcc_id, brand, model or name.",
        examples=["mac"],
    )


class BulkLine(BaseModel):
    """One line of ``POST /v1/resolve/bulk``'s NDJSON answer: one input row's verdict.

    Keys whose answer has nothing to say are left out: ``matched``, ``weak_links`` and
    ``weak_link`` come with an evidence path (yes, possible), ``distributes`` with a
    distributor's no, ``sources`` when evidence or distribution steps cite any; a bad row holds
    ``row``, ``verdict`` (null) and ``error`` only.
    """

    row: int | None = Field(
        description="The row's place in the input, from 1; null on a last line that says why "
        "the stream stopped.",
        examples=[1],
    )
    verdict: Verdict | None = Field(
        description="yes, possible, no or unknown; null for a bad row.", examples=["yes"]
    )
    confidence: float = _keyed("Match quality and evidence strength, 0 to 1.", examples=[0.95])
    evidence: str = _keyed(
        "The deciding evidence as a readable path, or why nothing decides it.",
        examples=[f"brand matched HiLook: {HIKVISION} -OWNS_BRAND-> HiLook"],
    )
    matched: LineMatch = _keyed("For yes and possible: what the path leads to.")
    weak_links: list[WeakLink] = _keyed(
        "With an evidence path: its weak links (empty for yes), and why each is weak."
    )
    weak_link: str | None = _keyed(
        'With an evidence path: its weak links as text (" | " between); null for yes.',
        examples=["Hikvision OWNS_BRAND HiWatch: only grade C sources"],
    )
    distributes: list[Step] = _keyed(
        "For a distributor's no: the DISTRIBUTES edges into the target group, as path steps "
        "(a distributor is not the maker)."
    )
    sources: list[LineSource] = _keyed(
        "The sources behind the evidence path or the distribution steps."
    )
    regimes: list[str] = _keyed(
        "The regimes that cover the entity the row resolved to.",
        examples=[["ndaa-889", "fcc-covered"]],
    )
    error: LineError | None = Field(description="Null, or why the row got no verdict.")


def bulk_line(ordinal: int, result: BulkResult, cells: Cells, error: str | None) -> BulkLine:
    """A row's NDJSON line: only the keys its answer has something to say in are set."""
    if result.error is not None:
        code = "invalid_row" if result.error_field == "row" else "invalid_query"
        fault = LineError(code=code, message=error or result.error, field=result.error_field)
        return BulkLine(row=ordinal, verdict=None, error=fault)
    line: dict[str, Any] = {
        "row": ordinal,
        "verdict": result.verdict,
        "confidence": result.confidence,
        "evidence": result.evidence,
    }
    seen: dict[str, LineSource] = {}
    best = result.best
    if best is not None:
        m = best.match
        line["matched"] = LineMatch(id=m.id, name=m.name, kind=m.kind, field=m.field)
        line["weak_links"] = list(best.weak)
        line["weak_link"] = cells.weak_link or None
        for edge in best.path:
            for s in edge.sources:
                seen.setdefault(s.id, LineSource(id=s.id, title=s.title, url=s.url))
    answer = result.answer
    if answer is not None and answer.distributes:
        line["distributes"] = list(answer.distributes)
        for step in answer.distributes:
            for s in step.sources:
                seen.setdefault(s.id, LineSource(id=s.id, title=s.title, url=s.url))
    if seen:
        line["sources"] = list(seen.values())
    line["regimes"] = list(cells.covered)
    line["error"] = None
    return BulkLine(**line)


def line_json(line: BulkLine) -> bytes:
    """The line as NDJSON writes it (without the line end): its set keys, in schema order."""
    fields = line.model_fields_set
    return orjson.dumps(line.model_dump(mode="json", by_alias=True, include=fields))


class LineWriter:
    """NDJSON lines of bulk rows. Rows that share an answer share everything but ``row``: the
    rest of the line is made and serialized once per answer."""

    def __init__(self) -> None:
        self._tails: dict[Judgement, bytes] = {}

    def line(self, ordinal: int, result: BulkResult, cells: Cells, error: str | None) -> bytes:
        answer = result.answer
        if answer is None:
            return line_json(bulk_line(ordinal, result, cells, error))
        tail = self._tails.get(answer)
        if tail is None:
            if len(self._tails) >= 100_000:
                self._tails.clear()
            whole = line_json(bulk_line(0, result, cells, error))
            # `row` is the first key: the rest, after `{"row":0,`, is the same for every row.
            tail = self._tails[answer] = whole[len(b'{"row":0,') :]
        return b'{"row":%d,%s' % (ordinal, tail)


# -- a watch's kept row -----------------------------------------------------------------------
# The fields of a kept row that a change report shows, before and after.
WATCH_SIDE = ("verdict", "entity", "entity_name", "regimes", "evidence", "sources")


@dataclass(frozen=True)
class WatchRow:
    """One row's answer, as a watch keeps it between checks (one line of ``rows.jsonl``)."""

    row: int
    line: int
    input: dict[str, str]
    verdict: str
    entity: str | None = None
    entity_name: str | None = None
    regimes: tuple[str, ...] = ()
    evidence: str = ""
    sources: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WatchRow:
        return cls(**{**data, "regimes": tuple(data["regimes"]), "sources": tuple(data["sources"])})

    def side(self) -> dict[str, Any]:
        """What a change report shows of the row, before or after."""
        return {k: v for k, v in asdict(self).items() if k in WATCH_SIDE}


def watch_row(
    ordinal: int,
    number: int,
    inputs: dict[str, str],
    result: BulkResult,
    cells: Cells,
    error: str | None,
) -> WatchRow:
    """A row's answer as a watch keeps it; a bad row is kept as ``error`` with its message."""
    answer = result.answer
    if answer is None:
        return WatchRow(ordinal, number, inputs, "error", evidence=error or "")
    name = answer.best.match.name if answer.best is not None else None
    if name is None and answer.entity is not None:
        name = next((m.name for m in result.matched if m.id == answer.entity), None)
    return WatchRow(
        ordinal,
        number,
        inputs,
        answer.verdict,
        answer.entity,
        name,
        cells.covered,
        answer.evidence,
        cells.sources,
    )
