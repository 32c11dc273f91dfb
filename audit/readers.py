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

import codecs
import contextlib
import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse as defused_iterparse

from supplygraph.graph.errors import InvalidRecord
from supplygraph.loaders.jsonstream import JsonBroken, JsonStream, decode

from .columns import ColumnMap, map_columns

FORMATS = ("csv", "xlsx", "json", "ndjson", "nmap", "maclist")


class Missing:
    """A JSON record's absent key: written as nothing (not as null) in JSON output."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()

# One row: (line or record number, cells aligned to the columns, problem or None).
Row = tuple[int, list[Any], str | None]


@dataclass(slots=True)
class RowBatch:
    """Consecutive rows, column-wise (no tuple per row): line numbers, cells, and the problems
    of the rows that have one (by place in the batch).

    ``lines`` (CSV only) holds, per row, its input line when that line is the row exactly as a
    comma-separated output would hold it (one physical line, one cell per column), else None;
    writers may copy such a line instead of re-encoding its cells.
    """

    numbers: Sequence[int]
    cells: list[list[Any]]
    problems: dict[int, str] = field(default_factory=dict)
    lines: Sequence[str | None] | None = None

    @classmethod
    def of(cls, rows: list[Row]) -> RowBatch:
        return cls(
            [r[0] for r in rows],
            [r[1] for r in rows],
            {i: r[2] for i, r in enumerate(rows) if r[2] is not None},
        )

    def __len__(self) -> int:
        return len(self.cells)

    def rows(self) -> Iterator[Row]:
        problems = self.problems
        for i, (number, cells) in enumerate(zip(self.numbers, self.cells, strict=True)):
            yield number, cells, problems.get(i)


@dataclass
class Inventory:
    """An opened inventory: columns, a stream of rows and how far reading has got."""

    name: str
    format: str
    columns: list[str]
    rows: Iterator[Row]
    position: Callable[[], int]  # units done (bytes, or rows for XLSX)
    total: int | None  # units in all, when known
    unit: str = "bytes"
    closers: list[Callable[[], None]] = field(default_factory=list)
    # Readers that can do better than one row at a time (CSV) read whole batches here.
    batch_reader: Callable[[int], RowBatch] | None = None

    def read_batch(self, size: int) -> RowBatch:
        """Up to ``size`` rows (none at the end of the input)."""
        if self.batch_reader is not None:
            return self.batch_reader(size)
        return RowBatch.of(list(islice(self.rows, size)))

    def mapping(self) -> ColumnMap:
        """The column map; raises when no column holds anything to resolve."""
        found = map_columns(self.columns)
        if not found.index:
            shown = ", ".join(repr(c) for c in self.columns[:12]) or "(none)"
            raise InvalidRecord(
                self.name,
                1,
                None,
                f"no column holds a MAC address, FCC ID, brand/manufacturer, model or "
                f"company/supplier name (columns: {shown})",
            )
        return found

    def close(self) -> None:
        for close in self.closers:
            close()


# -- detection --------------------------------------------------------------------------------
_MACISH = re.compile(
    r"^\s*(?:[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2}"
    r"|[0-9A-Fa-f]{12})\s*$"
)


def _text_lines(head: bytes, limit: int = 20) -> list[str]:
    text = head.decode(_encoding(head), errors="replace").lstrip("\ufeff")
    lines = [ln.strip() for ln in text.splitlines()[:-1] or text.splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")][:limit]


def _looks_like_maclist(head: bytes) -> bool:
    lines = _text_lines(head)
    if lines and not _MACISH.match(lines[0]) and fold_header(lines[0]) in _MAC_HEADERS:
        lines = lines[1:]
    return bool(lines) and all(_MACISH.match(ln) for ln in lines)


def fold_header(text: str) -> str:
    from .columns import fold

    return fold(text)


_MAC_HEADERS = {"mac", "mac address", "macaddress", "mac addr"}


def detect_format(name: str, head: bytes) -> str:
    """The format of an inventory from its name and first bytes."""
    suffix = Path(name).suffix.lower()
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".ndjson", ".jsonl"):
        return "ndjson"
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"{"):
        return "ndjson"
    if start.startswith(b"<") or suffix == ".xml":
        return "nmap"
    if suffix == ".json":
        return "json"
    if _looks_like_maclist(head):
        return "maclist"
    return "csv"


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


# -- text helpers -----------------------------------------------------------------------------
def _encoding(head: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (old spreadsheet exports).

    The ``-sig`` and UTF-16 codecs drop the BOM themselves, also after a seek to the start.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start < len(head) - 3:
            return "cp1252"
    return "utf-8"


def _text(binary: IO[bytes]) -> tuple[io.TextIOWrapper, str]:
    """A text stream over ``binary`` (from its start) and a decoded sample of its head."""
    start = binary.tell()
    head = binary.read(65536)
    binary.seek(start)
    codec = _encoding(head)
    sample = head.decode(codec, errors="replace")
    # Undecodable bytes become U+FFFD in the row rather than stopping the run.
    wrapper = _Text(binary, encoding=codec, errors="replace", newline="")
    return wrapper, sample


class _Text(io.TextIOWrapper):
    """A text layer that leaves the binary file open when it is dropped: the reader's caller
    owns the file (a second pass seeks it back, progress reads its position)."""

    def __del__(self) -> None:
        with contextlib.suppress(ValueError):
            self.detach()


def _tell(binary: IO[bytes]) -> Callable[[], int]:
    last = 0

    def position() -> int:
        nonlocal last
        with contextlib.suppress(ValueError):  # closed at the end of the run
            last = binary.tell()
        return last

    return position


# -- CSV --------------------------------------------------------------------------------------
def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    cut = sample[: sample.rfind("\n") + 1] or sample
    try:
        sniffed = csv.Sniffer().sniff(cut, delimiters=",;\t|")
        delimiter = sniffed.delimiter
    except csv.Error:
        first = cut.splitlines()[0] if cut else ""
        counts = {d: first.count(d) for d in ",;\t|"}
        delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","

    class Sniffed(csv.excel):
        pass

    Sniffed.delimiter = delimiter
    return Sniffed


def read_csv(binary: IO[bytes], name: str) -> Inventory:
    """Any delimiter (sniffed), UTF-8 with or without BOM, UTF-16, quoted fields."""
    text, sample = _text(binary)
    dialect = _dialect(sample.lstrip("\ufeff"))
    source = _CsvSource(text, dialect)
    reader = source.reader
    header: list[str] | None = None
    while header is None:
        try:
            first = next(reader)
        except StopIteration:
            raise InvalidRecord(name, None, None, "the inventory is empty") from None
        except csv.Error as exc:
            raise InvalidRecord(name, reader.line_num, None, f"unreadable header: {exc}") from None
        if any(c.strip() for c in first):
            header = [c.strip() for c in first]
    source.width = len(header)

    def rows() -> Iterator[Row]:
        while batch := source.batch(4096):
            yield from batch.rows()

    return Inventory(
        name, "csv", header, rows(), _tell(binary), _size(binary), batch_reader=source.batch
    )


class _CsvSource:
    """CSV records read a batch at a time, keeping the physical lines they came from.

    One reader parses the stream (so a quoted field may span lines, and batches), fed by chunks
    of lines; a batch is taken from it in one C-level call. Line numbers are worked out per
    batch: when every record of the batch took one line they follow from the reader's line
    count; otherwise from the line breaks inside each record's cells.

    A stray quote opens a field that swallows the lines after it (up to the next quote, the field
    size limit or the end of the file). A record that fails, or whose quoted field holds lines
    shaped like whole rows, is reported at the line it starts on, and a new reader takes up the
    lines after that one, so the rows it swallowed are read again.
    """

    CHUNK = 8192  # lines read from the stream at a time
    STRAY_LINES = 100  # line breaks in one record beyond which it is taken for a stray quote

    def __init__(self, text: IO[str], dialect: type[csv.Dialect] | csv.Dialect) -> None:
        self.text = text
        self.width = 0
        self.dialect = dialect
        # Input lines are copied to the output only when its encoding would hold them as is.
        self.copyable = dialect.delimiter == "," and dialect.quotechar == '"'
        self.held: list[str] = []  # lines fed to the reader from line number held_from + 1 on
        self.held_from = 0
        self.base = 0  # the line the current reader started after
        self.reader = self._reader(())
        self.finished = False

    def _reader(self, again: Sequence[str]) -> Any:
        # Lines reach the reader through C-level iterators; Python runs once per chunk.
        lines = chain(again, chain.from_iterable(iter(self._chunk, [])))
        return csv.reader(lines, self.dialect)

    def _chunk(self) -> list[str]:
        chunk = list(islice(self.text, self.CHUNK))
        self.held += chunk
        return chunk

    def _restart(self, line: int) -> None:
        """Read on from the line after ``line`` with a new reader."""
        self.reader = self._reader(self.held[line - self.held_from :])
        self.base = line

    def _line(self) -> int:
        return self.base + int(self.reader.line_num)

    def batch(self, size: int) -> RowBatch:
        if self.finished:
            return RowBatch((), [])
        start = self._line()
        # Lines before the batch are done with.
        del self.held[: start - self.held_from]
        self.held_from = start
        try:
            records = list(islice(self.reader, size))
        except csv.Error:
            # Records read before the error went with it; parse this batch's lines again, one
            # record at a time, so each row (and the unreadable line) gets its own answer.
            return self._one_by_one(start)
        if not records:
            self.finished = True
            return RowBatch((), [])
        end = self._line()
        if end - start == len(records):
            numbers: list[int] | range = range(start + 1, end + 1)
            lines: list[str] | None = self.held[: end - start] if self.copyable else None
            return self._rows(records, numbers, lines)
        numbers = self._numbers(start, records)
        for k, cells in enumerate(records):
            if self._stray(cells):
                first = (numbers[k - 1] if k else start) + 1
                return self._cut(records[:k], numbers[:k], first, None)
        return self._rows(records, numbers, None)

    def _stray(self, cells: list[str]) -> bool:
        """Whether a record's quoted field looks like swallowed rows: more than STRAY_LINES line
        breaks, or (with more than one column) a line inside it holding a row's delimiters."""
        delimiter = self.dialect.delimiter
        for c in cells:
            if "\n" not in c and "\r" not in c:
                continue
            inner = c.splitlines()
            if len(inner) > self.STRAY_LINES:
                return True
            if self.width > 1 and any(ln.count(delimiter) >= self.width - 1 for ln in inner[1:]):
                return True
        return False

    def _cut(
        self, records: list[list[str]], numbers: Sequence[int], bad: int, error: str | None
    ) -> RowBatch:
        """The rows before an unreadable record, that record's error at the line it starts on,
        and a new reader from the line after it."""
        batch = self._rows(records, numbers, None)
        if error is None:
            problem = (
                "unbalanced quote: a quoted field opened on this line runs on over the lines "
                "after it; this line is skipped and the lines after it are read again"
            )
        elif "field limit" in error:
            problem = f"unreadable line: {error} (a stray quote?); the lines after it are read"
        else:
            problem = f"unreadable line: {error}"
        batch = RowBatch(
            [*batch.numbers, bad],
            [*batch.cells, [""] * self.width],
            {**batch.problems, len(batch.cells): problem},
        )
        self._restart(bad)
        return batch

    @staticmethod
    def _numbers(start: int, records: list[list[str]]) -> list[int]:
        """Each record's last line: one line plus the line breaks inside its cells."""
        out: list[int] = []
        at = start
        for cells in records:
            at += 1
            for c in cells:
                if "\n" in c or "\r" in c:
                    at += c.count("\n") + c.count("\r") - c.count("\r\n")
            out.append(at)
        return out

    def _rows(
        self, records: list[list[str]], numbers: Sequence[int], lines: list[str] | None
    ) -> RowBatch:
        width = self.width
        if set(map(len, records)) == {width} and all(map(itemgetter(0), records)):
            # The common case, without a step per row: every record has one value per column
            # and a first one (so none is blank).
            return RowBatch(numbers, records, {}, lines)
        rows: list[Row] = []
        kept: list[str | None] = []
        for i, cells in enumerate(records):
            row = self._row(numbers[i], cells)
            if row is not None:
                rows.append(row)
                # Only a whole, unpadded row may be copied as its line.
                whole = row[2] is None and len(cells) == width
                kept.append(lines[i] if lines is not None and whole else None)
        batch = RowBatch.of(rows)
        batch.lines = kept if lines is not None else None
        return batch

    def _row(self, number: int, cells: list[str]) -> Row | None:
        """One record as a row of the header's width; None for a blank one."""
        width = self.width
        n = len(cells)
        if n == width and (cells[0] or any(cells)):
            return number, cells, None
        if not any(cells):
            return None  # blank lines (or rows of empty cells) are not rows
        if n < width:
            # Spreadsheets drop trailing empty cells; that is not an error.
            return number, cells + [""] * (width - n), None
        extra = ", ".join(repr(c) for c in cells[width:] if c)
        problem = f"line has {n} values but the header has {width} columns"
        return number, cells[:width], problem + (f" (extra: {extra})" if extra else "")

    def _one_by_one(self, start: int) -> RowBatch:
        end = self._line()  # the reader has moved past the unreadable line
        again = csv.reader(self.held[: end - start], self.dialect)
        records: list[list[str]] = []
        numbers: list[int] = []
        while True:
            before = again.line_num
            try:
                cells = next(again)
            except StopIteration:
                break
            except csv.Error as exc:
                return self._cut(records, numbers, start + before + 1, str(exc))
            if self._stray(cells):
                return self._cut(records, numbers, start + before + 1, None)
            records.append(cells)
            numbers.append(start + again.line_num)
        # Parsed again without the error (it lay past the lines held): read on from here.
        self._restart(start + again.line_num)
        return self._rows(records, numbers, None)


def _size(binary: IO[bytes]) -> int | None:
    try:
        here = binary.tell()
        end = binary.seek(0, io.SEEK_END)
        binary.seek(here)
        return end
    except (OSError, ValueError):
        return None


# -- plain list of MAC addresses ----------------------------------------------------------------
def read_maclist(binary: IO[bytes], name: str) -> Inventory:
    """One MAC per line; blank lines and ``#`` comments skipped; an optional header line."""
    text, _ = _text(binary)
    size = _size(binary)

    def rows() -> Iterator[Row]:
        first = True
        for number, line in enumerate(text, 1):
            value = line.strip()
            if not value or value.startswith("#"):
                continue
            if first and not _MACISH.match(value) and fold_header(value) in _MAC_HEADERS:
                first = False
                continue
            first = False
            yield number, [value], None

    return Inventory(name, "maclist", ["MAC Address"], rows(), _tell(binary), size)


# -- JSON array and NDJSON --------------------------------------------------------------------
# A bulk row is one query: a record this long or deep is broken (or hostile), not an inventory.
MAX_JSON_RECORD = 1 << 20  # characters of one JSON record (one NDJSON line)
# The columns are the keys of the first records, in order of appearance; a key first seen later
# stays with its own row (see Extra), so rows never grow with the number of distinct keys.
SAMPLE_RECORDS = 1000
MAX_COLUMNS = 256


class Extra(dict[str, Any]):
    """A JSON record's keys that are not among the inventory's columns, kept with that row as
    one trailing cell after the columns' cells (JSON output writes them back)."""


def _json_array(binary: IO[bytes], name: str) -> Iterator[tuple[int, Any, str | None]]:
    """Elements of a top-level JSON array, each read once by the shared streaming reader."""
    text, _ = _text(binary)
    stream = JsonStream(text, max_record=MAX_JSON_RECORD)
    index = 0
    try:
        if stream.peek() != "[":
            raise InvalidRecord(name, None, None, "expected a JSON array of objects ('[' first)")
        stream.advance(1)
        for item in stream.array_items():
            index += 1
            problem = item.problem and f"{item.problem} (the record starts on line {item.line})"
            yield index, item.value, problem
    except JsonBroken as exc:
        yield (
            index + 1,
            None,
            f"JSON syntax error after record {index} (line {exc.line}): " + (exc.message),
        )


def _ndjson(binary: IO[bytes], name: str) -> Iterator[tuple[int, Any, str | None]]:
    text, _ = _text(binary)
    number = 0
    while line := text.readline(MAX_JSON_RECORD + 1):
        number += 1
        if len(line) > MAX_JSON_RECORD and not line.endswith("\n"):
            # Skip the rest of the line without holding it.
            while (rest := text.readline(1 << 16)) and not rest.endswith("\n"):
                pass
            yield number, None, f"line longer than {MAX_JSON_RECORD:,} characters"
            continue
        if not line.strip():
            continue
        value, problem = decode(line)
        yield number, value, problem and f"not usable JSON ({problem})"


def _records(binary: IO[bytes], name: str, fmt: str) -> Iterator[tuple[int, Any, str | None]]:
    return _json_array(binary, name) if fmt == "json" else _ndjson(binary, name)


def read_json(binary: IO[bytes], name: str, fmt: str = "json") -> Inventory:
    """A JSON array of objects, or NDJSON (one object per line), read once.

    The columns are the keys of the first :data:`SAMPLE_RECORDS` records in order of appearance
    (at most :data:`MAX_COLUMNS`); a key a record lacks is MISSING. A record's other keys are
    kept with it as a trailing :class:`Extra` cell, so memory follows the batch, not the number
    of distinct keys in the file.
    """
    records = _records(binary, name, fmt)
    sample = list(islice(records, SAMPLE_RECORDS))
    columns: dict[str, None] = {}
    for _, record, _problem in sample:
        if isinstance(record, dict):
            for key in record:
                if len(columns) >= MAX_COLUMNS:
                    break
                columns[str(key)] = None
    names = list(columns)
    where = {c: i for i, c in enumerate(names)}
    width = len(names)
    size = _size(binary)

    def rows() -> Iterator[Row]:
        for number, record, problem in chain(sample, records):
            cells: list[Any] = [MISSING] * width
            if problem is not None:
                yield number, cells, problem
            elif not isinstance(record, dict):
                kind = "null" if record is None else type(record).__name__
                yield number, cells, f"record {number} is a JSON {kind}, not an object"
            else:
                extra: Extra | None = None
                for key, value in record.items():
                    at = where.get(key)
                    if at is not None:
                        cells[at] = value
                    else:
                        if extra is None:
                            extra = Extra()
                        extra[key] = value
                if extra is not None:
                    cells.append(extra)
                yield number, cells, None

    return Inventory(name, fmt, names, rows(), _tell(binary), size)


def read_ndjson(binary: IO[bytes], name: str) -> Inventory:
    return read_json(binary, name, "ndjson")


# -- nmap XML ---------------------------------------------------------------------------------
NMAP_COLUMNS = ["Host", "Hostname", "MAC Address", "Vendor", "Status"]


def _host_row(host: Element) -> list[Any]:
    ip = mac = vendor = ""
    for address in host.iter("address"):
        kind = address.get("addrtype", "")
        if kind == "mac":
            mac = address.get("addr", "")
            vendor = address.get("vendor", "")
        elif kind in ("ipv4", "ipv6") and not ip:
            ip = address.get("addr", "")
    hostname = next((h.get("name", "") for h in host.iter("hostname")), "")
    status = next((s.get("state", "") for s in host.iter("status")), "")
    return [ip, hostname, mac, vendor, status]


_HOST_PARTS = {"address", "hostnames", "hostname", "status"}  # what a row is made of


def read_nmap(binary: IO[bytes], name: str) -> Inventory:
    """Hosts of an nmap XML report (``nmap -oX``): address, hostname, MAC and its vendor.

    Parsed with defusedxml (no entities, no external references). Every element is dropped once
    it ends, except the parts of a host a row is made of, so memory follows one host, whatever
    else (ports, scripts, run statistics, foreign elements) the report holds.
    """
    size = _size(binary)
    events = defused_iterparse(binary, events=("start", "end"))
    try:
        _, root = next(events)
    except (ParseError, StopIteration, DefusedXmlException) as exc:
        raise InvalidRecord(name, None, None, f"not XML: {exc}") from None
    if root.tag != "nmaprun":
        raise InvalidRecord(name, None, None, f"not an nmap XML report (root <{root.tag}>)")

    def rows() -> Iterator[Row]:
        count = 0
        stack: list[Element] = [root]
        host: Element | None = None
        try:
            for event, elem in events:
                if event == "start":
                    if elem.tag == "host" and len(stack) == 1:
                        host = elem
                    stack.append(elem)
                    continue
                stack.pop()
                parent = stack[-1] if stack else None
                # The parser runs ahead of the events, so a finished element need not be its
                # parent's last child yet: what is not read is dropped by whole lists.
                if host is not None and elem is host:
                    count += 1
                    yield count, _host_row(elem), None
                    host = None
                    root.clear()
                elif parent is None:
                    continue
                elif host is None:
                    del parent[:]  # outside any host nothing is read
                elif parent is host:
                    if elem.tag not in _HOST_PARTS:
                        elem.clear()
                        if len(host) > 256:
                            host[:] = [c for c in host if c.tag in _HOST_PARTS]
                elif parent.tag not in _HOST_PARTS:
                    del parent[:]  # ports, scripts, ... of a host
        except ParseError as exc:
            line = exc.position[0] if exc.position else None
            yield count + 1, [""] * len(NMAP_COLUMNS), f"XML error at line {line}: {exc}"
        except DefusedXmlException as exc:
            yield count + 1, [""] * len(NMAP_COLUMNS), f"XML refused: {exc}"

    return Inventory(name, "nmap", list(NMAP_COLUMNS), rows(), _tell(binary), size)


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


READERS: dict[str, Callable[[IO[bytes], str], Inventory]] = {
    "csv": read_csv,
    "json": read_json,
    "ndjson": read_ndjson,
    "nmap": read_nmap,
    "maclist": read_maclist,
}
