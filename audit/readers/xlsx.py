"""XLSX workbooks: the first worksheet, in openpyxl's read-only mode, within limits on the
inflated size, rows, columns and cells."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from supplygraph.graph.errors import InvalidRecord

from .inventory import Inventory, Row


# -- XLSX -------------------------------------------------------------------------------------
def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


# openpyxl applies no limits of its own. Worksheets are streamed (only their inflated size is
# capped); every other part (shared strings, styles, the workbook) is read whole, so each is
# capped far lower: a 2 MB file of repeated short strings inflates to gigabytes of objects.
XLSX_MAX_INFLATED = 1 << 30  # all parts together, once inflated
XLSX_MAX_PART = 64 << 20  # one part read whole (xl/sharedStrings.xml, xl/styles.xml, ...)
XLSX_MAX_ROWS = 1_048_576  # Excel's own limit
XLSX_MAX_CELLS = 50_000_000  # cells read, padding included
XLSX_MAX_COLUMNS = 16_384  # Excel's own limit (XFD)


def _check_xlsx_parts(path: Path, name: str) -> None:
    """Refuse a workbook whose parts inflate past the limits, before openpyxl reads any."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InvalidRecord(name, None, None, f"not a readable XLSX workbook: {exc}") from None
    total = 0
    for member in members:
        # zipfile stops at the declared size (and checks the CRC), so it bounds what inflates.
        total += member.file_size
        streamed = member.filename.startswith("xl/worksheets/") and not member.filename.endswith(
            ".rels"
        )
        if not streamed and member.file_size > XLSX_MAX_PART:
            raise InvalidRecord(
                name,
                None,
                None,
                f"XLSX part {member.filename} inflates to {member.file_size:,} bytes (limit "
                f"{XLSX_MAX_PART:,}): refused as a decompression bomb",
            )
    if total > XLSX_MAX_INFLATED:
        raise InvalidRecord(
            name,
            None,
            None,
            f"XLSX workbook inflates to {total:,} bytes (limit {XLSX_MAX_INFLATED:,}): refused "
            "as a decompression bomb",
        )


def read_xlsx(path: Path) -> Inventory:
    """The first worksheet, streamed in openpyxl's read-only mode; the first non-empty row is
    the header. Parts that inflate past :data:`XLSX_MAX_PART` (or all of them past
    :data:`XLSX_MAX_INFLATED`), more than :data:`XLSX_MAX_ROWS` rows or :data:`XLSX_MAX_CELLS`
    cells are refused with an error naming the part or the sheet."""
    from openpyxl import load_workbook

    name = str(path)
    _check_xlsx_parts(path, name)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InvalidRecord(name, None, None, f"not a readable XLSX workbook: {exc}") from None
    sheet = book.worksheets[0]
    where = f"sheet {sheet.title!r}"
    declared = sheet.max_row if isinstance(sheet.max_row, int) else 0
    if declared > XLSX_MAX_ROWS:
        book.close()
        raise InvalidRecord(
            name, where, None, f"declares {declared:,} rows (limit {XLSX_MAX_ROWS:,})"
        )
    if isinstance(sheet.max_column, int) and sheet.max_column > XLSX_MAX_COLUMNS:
        # A stated width past Excel's would pad every row to it.
        sheet.reset_dimensions()
    counted = 0

    def limited() -> Iterator[tuple[Any, ...]]:
        nonlocal counted
        for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
            counted += len(cells)
            if number > XLSX_MAX_ROWS:
                raise InvalidRecord(name, where, None, f"more than {XLSX_MAX_ROWS:,} rows: refused")
            if counted > XLSX_MAX_CELLS:
                raise InvalidRecord(
                    name, where, None, f"more than {XLSX_MAX_CELLS:,} cells (padding included)"
                )
            yield cells

    values = limited()
    header: list[str] | None = None
    line = 0
    for cells in values:
        line += 1
        if any(c is not None and str(c).strip() for c in cells):
            header = [_xlsx_cell(c).strip() for c in cells]
            break
    if header is None:
        book.close()
        raise InvalidRecord(name, None, None, "the first worksheet is empty")
    while header and not header[-1]:
        header.pop()
    width = len(header)
    done = 0

    def rows() -> Iterator[Row]:
        nonlocal done, line
        for cells in values:
            line += 1
            done = line
            row = [_xlsx_cell(c) for c in cells[:width]]
            if not any(row):
                continue
            row += [""] * (width - len(row))
            extra = [c for c in cells[width:] if c is not None and str(c).strip()]
            problem = None
            if extra:
                problem = f"row has values beyond the header's {width} columns"
            yield line, row, problem

    total = sheet.max_row if isinstance(sheet.max_row, int) and sheet.max_row > 1 else None
    inventory = Inventory(name, "xlsx", header, rows(), lambda: done, total, unit="rows")
    inventory.closers.append(book.close)
    return inventory
