"""Audit outputs: CSV, JSON, XLSX and HTML, written atomically (or CSV/JSON to stdout).

Rows keep the input's columns and order, followed by ``verdict`` (yes, possible, no, unknown),
``confidence``, ``evidence``, ``weak_link`` (why a verdict is only possible), ``distributes``
(what a supplier distributes of the target group), ``regimes`` (the regimes covering the
row's match) and ``error``; those cells are written by
:mod:`~supplygraph.graph.engine.outlets`. A file output is written under a temporary name
beside the target and renamed at the end, so a failed run leaves nothing half-written.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import IO, Any, Protocol, cast

import orjson

from supplygraph.graph.csv_formulas import any_may_hold_formula, formula_safe, may_hold_formula
from supplygraph.graph.engine.bulk_rows import BulkResult
from supplygraph.graph.engine.judge import Judgement
from supplygraph.graph.engine.outlets import Cells, json_cells, row_cells
from supplygraph.graph.errors import SupplyGraphError

from .readers import MISSING, Extra
from .run import Batch, Outcome, Summary

OUTPUT_FORMATS = ("csv", "json", "xlsx", "html")
XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included


class OutputError(SupplyGraphError):
    code = "output_error"


class Writer(Protocol):
    def write_batch(self, batch: Batch) -> None: ...

    def finish(self, summary: Summary) -> None: ...

    def abort(self) -> None: ...


class _Target:
    """A file written under a temporary name and renamed into place on commit."""

    def __init__(self, path: Path | None, suffix: str) -> None:
        self.path = path
        self.temp: Path | None = None
        if path is not None:
            try:
                fd, name = tempfile.mkstemp(
                    prefix=f".{path.name}.", suffix=".partial", dir=path.parent or "."
                )
            except OSError as exc:
                raise OutputError(f"cannot write {path}: {exc.strerror}") from None
            os.close(fd)
            self.temp = Path(name)

    def open_text(self) -> IO[str]:
        if self.temp is None:
            return sys.stdout
        return self.temp.open("w", newline="", encoding="utf-8")

    def open_binary(self) -> IO[bytes]:
        if self.temp is None:
            return sys.stdout.buffer
        return self.temp.open("wb")

    def commit(self) -> None:
        if self.temp is not None and self.path is not None:
            # mkstemp creates 0600; give the report the permissions a plain open() would.
            umask = os.umask(0)
            os.umask(umask)
            self.temp.chmod(0o666 & ~umask)
            os.replace(self.temp, self.path)
            self.temp = None

    def abort(self) -> None:
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)
            self.temp = None


def _plain(value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_ANSWER = attrgetter("answer")


class _RowWriter:
    """Writers that take one row at a time."""

    def write(self, outcome: Outcome) -> None:
        raise NotImplementedError

    def write_batch(self, batch: Batch) -> None:
        for outcome in batch.outcomes():
            self.write(outcome)


class CsvWriter:
    """Input cells, then ours; a cell that a spreadsheet would run as a formula gets a leading
    single quote (:func:`~supplygraph.graph.csv_formulas.formula_safe`) unless ``raw``."""

    def __init__(
        self, target: _Target, columns: list[str], extra: list[str], text: bool, raw: bool = False
    ) -> None:
        self.target = target
        self.raw = raw
        self.file = target.open_text()
        self.writer = csv.writer(self.file)
        # The input cells without the line end; our cells follow, serialized once per answer.
        self._buf = io.StringIO()
        self._cell_writer = csv.writer(self._buf, lineterminator="")
        self.text = text  # every cell is already a string (CSV, XLSX, nmap, MAC list inputs)
        # A JSON record's keys beyond the columns (an Extra cell) have no column here.
        self.width = len(columns)
        self._tails: dict[Judgement, str] = {}
        self.writer.writerow(self._safe(_unique(columns, extra)))

    def write_batch(self, batch: Batch) -> None:
        if len(self._tails) >= 100_000:
            self._tails.clear()
        tails = self._tails
        results = batch.results
        answers = list(map(_ANSWER, results))
        # Rows share answers: the verdict, evidence and regimes cells (the long part of the
        # line, quoted) are serialized once per answer and appended as text.
        for answer in set(answers).difference(tails):
            if answer is not None:
                tails[answer] = self._tail(answer, batch.derived[answer], None)
        ends: list[str | None] = list(map(tails.get, answers))
        for i, error in batch.errors.items():
            ends[i] = self._tail(results[i], batch.error_cells, error)
        # Each row is its input cells and our cells: one join over both, alternating (no string
        # per row in between).
        heads = self._heads(batch)
        parts: list[str | None] = [None] * (2 * len(heads))
        parts[::2] = heads
        parts[1::2] = ends
        self.file.write("".join(parts))  # type: ignore[arg-type]  # every end is filled

    def _heads(self, batch: Batch) -> list[str]:
        """The rows' input cells as text: the input line itself where it already is the row's
        cells in our encoding (plain CSV input), else the cells, encoded."""
        lines = batch.lines if self.text else None
        heads: list[str | None]
        if lines is None:
            heads = [None] * len(batch.results)
        elif None in lines:
            heads = [None if line is None else line.rstrip("\r\n") for line in lines]
        else:
            # The usual case, every row one copyable line: the line ends go in C.
            heads = list(map(str.rstrip, cast("Sequence[str]", lines), repeat("\r\n")))
        # Formula cells are looked for once for the batch (nearly every batch holds none), then
        # line by line; a line end is no cell, so "\r" only counts inside a line.
        copied = [h for h in heads if h is not None]
        if copied and not self.raw and any_may_hold_formula(copied):
            heads = [None if h is None or may_hold_formula(h) else h for h in heads]
        if None in heads:
            for i, head in enumerate(heads):
                if head is None:
                    cells = batch.rows.cells[i][: self.width]
                    heads[i] = self._cells_text(cells if self.text else [_plain(c) for c in cells])
        return heads  # type: ignore[return-value]  # every None was filled above

    def _safe(self, cells: list[Any]) -> list[Any]:
        if self.raw:
            return cells
        return [formula_safe(c) if isinstance(c, str) else c for c in cells]

    def _cells_text(self, cells: list[Any]) -> str:
        buf = self._buf
        buf.seek(0)
        buf.truncate()
        self._cell_writer.writerow(self._safe(cells))
        return buf.getvalue()

    def _tail(self, result: BulkResult | Judgement, cells: Cells, error: str | None) -> str:
        """Our cells, after the input's: a comma, the cells, the line end."""
        return "," + self._cells_text(row_cells(result, cells, error)) + "\r\n"

    def finish(self, summary: Summary) -> None:
        self.file.flush()
        if self.file is not sys.stdout:
            self.file.close()
        self.target.commit()

    def abort(self) -> None:
        if self.file is not sys.stdout:
            self.file.close()
        self.target.abort()


def _unique(columns: list[str], extra: list[str]) -> list[str]:
    """The output header; an input column that already has one of our names keeps it, ours get
    an ``audit_`` prefix instead, so nothing is overwritten."""
    taken = {c.casefold() for c in columns}
    return [*columns, *(f"audit_{e}" if e.casefold() in taken else e for e in extra)]


class JsonWriter(_RowWriter):
    """``{"report": {...}, "rows": [...]}``; rows are spooled to a temporary file meanwhile, so
    the report (known only at the end) can come first without holding rows in memory."""

    def __init__(self, target: _Target, columns: list[str], extra: list[str]) -> None:
        self.target = target
        self.columns = columns
        self.names = _unique(columns, extra)[len(columns) :]
        # Closed in finish() or abort(): it lives as long as the audit.
        self.spool: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115  # closed in finish() or abort()
        self.first = True

    def write(self, outcome: Outcome) -> None:
        cells = outcome.cells
        row: dict[str, Any] = {
            c: v for c, v in zip(self.columns, cells, strict=False) if v is not MISSING
        }
        if len(cells) > len(self.columns) and isinstance(cells[-1], Extra):
            row.update(cells[-1])  # the record's keys beyond the columns, kept as they came
        values = json_cells(outcome.result, outcome.derived, outcome.error)
        row.update(zip(self.names, values, strict=True))
        if outcome.sources:
            row["sources"] = list(outcome.sources)
        self.spool.write((b"\n" if self.first else b",\n") + orjson.dumps(row))
        self.first = False

    def finish(self, summary: Summary) -> None:
        out = self.target.open_binary()
        try:
            report = orjson.dumps(summary.to_json(), option=orjson.OPT_INDENT_2)
            out.write(b'{"report": ' + report + b',\n"rows": [')
            self.spool.seek(0)
            shutil.copyfileobj(self.spool, out, 1 << 20)
            out.write(b"\n]}\n")
            out.flush()
        finally:
            if out is not sys.stdout.buffer:
                out.close()
            self.spool.close()
        self.target.commit()

    def abort(self) -> None:
        self.spool.close()
        self.target.abort()


class XlsxWriter(_RowWriter):
    """A "Summary" sheet first, then "Audit" (continued in "Audit (2)", ... past Excel's limit)."""

    def __init__(self, target: _Target, columns: list[str], extra: list[str]) -> None:
        from openpyxl import Workbook

        assert target.temp is not None, "XLSX needs a file, not stdout"
        self.target = target
        self.book = Workbook(write_only=True)
        self.summary_sheet = self.book.create_sheet("Summary")
        self.header = _unique(columns, extra)
        self.width = len(columns)
        self.sheets = 0
        self.rows_in_sheet = XLSX_MAX_ROWS
        self.sheet: Any = None

    def _cells(self, values: list[Any]) -> list[Any]:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        out: list[Any] = []
        for value in values:
            text = _plain(value)
            if text and ILLEGAL_CHARACTERS_RE.search(text):
                text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
            if text.startswith("="):
                # A cell that starts with "=" would become a formula; inventories hold data.
                cell = WriteOnlyCell(self.sheet, value=text)
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(text)
        return out

    def write(self, outcome: Outcome) -> None:
        if self.rows_in_sheet >= XLSX_MAX_ROWS:
            self.sheets += 1
            title = "Audit" if self.sheets == 1 else f"Audit ({self.sheets})"
            self.sheet = self.book.create_sheet(title)
            self.sheet.append(self.header)
            self.rows_in_sheet = 1
        ours = row_cells(outcome.result, outcome.derived, outcome.error)
        self.sheet.append(self._cells(outcome.cells[: self.width] + ours))
        self.rows_in_sheet += 1

    def finish(self, summary: Summary) -> None:
        if self.sheet is None:
            self.sheet = self.book.create_sheet("Audit")
            self.sheet.append(self.header)
        data = summary.to_json()
        ws = self.summary_sheet
        ws.append(["Installation audit", data["inventory"]])
        ws.append(["Target", f"{data['target']['name']} ({data['target']['id']})"])
        ws.append(["As of", data["as_of"]])
        ws.append(["Generated", data["generated"]])
        ws.append(["Rows", data["rows"]])
        ws.append([])
        ws.append(["Verdict", "Rows"])
        for verdict, n in data["verdicts"].items():
            ws.append([verdict, n])
        ws.append([])
        ws.append(["Yes rows by evidence field", "Rows"])
        for f, n in data["yes_by_field"].items():
            ws.append([f, n])
        if data["distributors"]:
            ws.append([])
            ws.append(["Distributor of the target's products", "Distributes", "Rows"])
            for d in data["distributors"]:
                ws.append([d["name"], "; ".join(d["distributes"]), d["rows"]])
        ws.append([])
        ws.append(["Regime", "Rows covered"])
        for regime in data["regimes"].values():
            ws.append([regime["name"], regime["rows"]])
        ws.append([])
        ws.append(["Source", "Title", "URL", "Grade"])
        for key, src in data["sources"].items():
            ws.append([key, src.get("title", ""), src.get("url", ""), src.get("grade", "")])
        assert self.target.temp is not None
        self.book.save(self.target.temp)
        self.target.commit()

    def abort(self) -> None:
        self.target.abort()


class HtmlWriter:
    """The report alone (summary, charts, the yes rows with evidence and sources)."""

    def __init__(self, target: _Target) -> None:
        self.target = target

    def write_batch(self, batch: Batch) -> None:
        return None  # the report needs the summary only

    def finish(self, summary: Summary) -> None:
        from .html import render

        with self.target.open_text() as f:
            f.write(render(summary))
        self.target.commit()

    def abort(self) -> None:
        self.target.abort()


def open_writer(
    fmt: str,
    path: Path | None,
    columns: list[str],
    extra: list[str],
    text_cells: bool,
    raw_csv: bool = False,
) -> Writer:
    """A writer for ``fmt``; ``path`` None writes CSV or JSON to standard output. ``raw_csv``
    keeps CSV cells that start like a formula as they are."""
    if fmt not in OUTPUT_FORMATS:
        raise OutputError(f"unknown output format {fmt!r} (use {', '.join(OUTPUT_FORMATS)})")
    if path is None and fmt in ("xlsx", "html"):
        raise OutputError(f"a {fmt} report needs an output file (-o report.{fmt})")
    target = _Target(path, fmt)
    try:
        factories: dict[str, Callable[[], Writer]] = {
            "csv": lambda: CsvWriter(target, columns, extra, text_cells, raw_csv),
            "json": lambda: JsonWriter(target, columns, extra),
            "xlsx": lambda: XlsxWriter(target, columns, extra),
            "html": lambda: HtmlWriter(target),
        }
        return factories[fmt]()
    except BaseException:
        target.abort()
        raise


def format_for(path: Path | None, fmt: str | None) -> str:
    """The output format: as given, else from the output file's suffix, else CSV."""
    if fmt:
        return fmt.lower()
    if path is not None:
        suffix = path.suffix.lower().lstrip(".")
        if suffix in OUTPUT_FORMATS:
            return suffix
        if suffix == "htm":
            return "html"
    return "csv"
