"""CSV inventories: the dialect sniffed, rows streamed, a broken quote reported on its row
and read past."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from itertools import chain, islice
from operator import itemgetter
from typing import IO, Any

from supplygraph.graph.errors import InvalidRecord

from .inventory import Inventory, Row, RowBatch
from .text import byte_offset, stream_size, text_stream


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
    text, sample = text_stream(binary)
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
        name,
        "csv",
        header,
        rows(),
        byte_offset(binary),
        stream_size(binary),
        batch_reader=source.batch,
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
