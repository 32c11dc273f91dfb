"""Inventory readers: CSV, XLSX, JSON array, NDJSON, nmap XML and plain MAC lists, streamed.

Every reader turns a file into an :class:`Inventory`: the column names, and rows as cell lists
aligned to them, each with its line (or record) number and a problem when the row cannot be read
as it stands. Readers never stop on a bad row; a file that cannot be an inventory at all (no
column names a MAC, brand, model, FCC ID or company) raises :class:`InvalidRecord` up front.

Memory stays flat: CSV and NDJSON are read line by line, JSON arrays element by element (each
read once), XLSX with openpyxl's read-only mode within limits (see :func:`read_xlsx`), nmap XML
with defusedxml's ``iterparse`` (dropping each element once read).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from supplygraph.graph.errors import InvalidRecord

from .csv_table import read_csv
from .detection import detect_format, fold_header
from .inventory import FORMATS, MISSING, Inventory, Missing, Row, RowBatch
from .json_records import MAX_JSON_RECORD, SAMPLE_RECORDS, Extra, read_json, read_ndjson
from .maclist import read_maclist
from .nmap import read_nmap
from .xlsx import read_xlsx

__all__ = [
    "FORMATS",
    "MAX_JSON_RECORD",
    "MISSING",
    "READERS",
    "SAMPLE_RECORDS",
    "Extra",
    "Inventory",
    "Missing",
    "Row",
    "RowBatch",
    "detect_format",
    "fold_header",
    "open_inventory",
    "read_xlsx",
]

# The readers of a binary stream by format; XLSX is read from its path (a zip needs seeking).
READERS: dict[str, Callable[[IO[bytes], str], Inventory]] = {
    "csv": read_csv,
    "json": read_json,
    "ndjson": read_ndjson,
    "nmap": read_nmap,
    "maclist": read_maclist,
}


def open_inventory(path: Path, fmt: str | None = None) -> Inventory:
    """Open ``path`` as an inventory, detecting the format unless ``fmt`` names one."""
    try:
        binary: IO[bytes] = path.open("rb")
    except OSError as exc:
        raise InvalidRecord(str(path), None, None, f"cannot open: {exc.strerror}") from None
    try:
        head = binary.read(65536)
        binary.seek(0)
        kind = fmt or detect_format(path.name, head)
        if kind not in FORMATS:
            raise InvalidRecord(str(path), None, None, f"unknown inventory format {kind!r}")
        if kind == "xlsx":
            binary.close()
            return read_xlsx(path)
        inventory = READERS[kind](binary, str(path))
    except BaseException:
        binary.close()
        raise
    inventory.closers.append(binary.close)
    return inventory
