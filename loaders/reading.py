"""Streaming readers shared by the loaders: lines, CSV rows and JSON items, never a whole file.

Every reader checks what makes a file unreadable (empty, not UTF-8, a line or record longer than
:data:`MAX_RECORD_BYTES`, broken quoting, a JSON syntax error) and raises an error that names the
file, the line and, where there is one, the field.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .context import LoadContext

# Real rows are far smaller (the longest OFAC remark is a few kB, an OpenSanctions entity a few
# hundred kB); anything this large is a broken file, and reading it whole would defeat streaming.
MAX_RECORD_BYTES = 4 * 1024 * 1024
CHUNK_CHARS = 1 << 20
# A DOS end-of-file marker: the OFAC legacy files end with one.
_EOF_MARK = "\x1a"
# The csv module refuses fields over 128 KiB by default; our own line limit is the real guard.
csv.field_size_limit(MAX_RECORD_BYTES)


def check_not_empty(ctx: LoadContext, path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ctx.error(None, None, f"cannot read: {exc.strerror or exc}") from exc
    if size == 0:
        raise ctx.error(None, None, "the file is empty")


def iter_lines(ctx: LoadContext, path: Path) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` with the line ending kept, decoded strictly as UTF-8.

    A leading byte-order mark is dropped; a trailing DOS end-of-file marker is ignored.
    """
    check_not_empty(ctx, path)
    with path.open("rb") as fh:
        number = 0
        while True:
            raw = fh.readline(MAX_RECORD_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_RECORD_BYTES:
                raise ctx.error(
                    number, None, f"line longer than {MAX_RECORD_BYTES:,} bytes: not a valid file"
                )
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ctx.error(
                    number,
                    None,
                    f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                    "save the file as UTF-8",
                ) from None
            if number == 1 and text.startswith("\ufeff"):
                text = text[1:]
            if text.strip() == _EOF_MARK:
                continue
            yield number, text


def iter_csv(ctx: LoadContext, path: Path, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Rows of a CSV file with the line number each row starts on."""
    lines = iter_lines(ctx, path)
    current = [0]

    def feed() -> Iterator[str]:
        for number, text in lines:
            current[0] = number
            yield text

    reader = csv.reader(feed(), delimiter=delimiter, strict=True)
    while True:
        start = current[0] + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ctx.error(current[0] or start, None, f"broken CSV quoting: {exc}") from None
        if not row or all(not cell.strip() for cell in row):
            continue
        yield start, row


def check_header(
    ctx: LoadContext, header: Sequence[str], required: Sequence[str], delimiter: str = ","
) -> dict[str, int]:
    """Column positions by name; every ``required`` column must be there."""
    names = [h.strip() for h in header]
    missing = [r for r in required if r not in names]
    if missing:
        hint = ""
        if len(names) == 1 and delimiter not in names[0]:
            hint = f" (only one column found: is the delimiter {delimiter!r}?)"
        raise ctx.error(1, missing[0], f"missing column(s) {', '.join(missing)}{hint}")
    return {name: i for i, name in enumerate(names)}


def iter_table(
    ctx: LoadContext, path: Path, required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file with a header, as {column: stripped cell}, each counted as read.

    The header must name every ``required`` column; a row with another number of cells is an
    error naming its line.
    """
    rows = iter_csv(ctx, path)
    first = next(rows, None)
    if first is None:
        raise ctx.error(None, None, "the file is empty")
    cols = check_header(ctx, first[1], required)
    for line, row in rows:
        ctx.count_read()
        if len(row) != len(cols):
            raise ctx.error(line, None, f"expected {len(cols)} columns, found {len(row)}")
        yield line, {name: row[i].strip() for name, i in cols.items()}


def json_error(ctx: LoadContext, where: int | str, exc: ValueError) -> Exception:
    return ctx.error(where, None, f"JSON syntax error: {exc}")


def iter_json_items(
    ctx: LoadContext, path: Path, keys: Sequence[str] = (), allow_empty: bool = False
) -> Iterator[tuple[int, Any]]:
    """Items of a JSON document, streamed: ``(line the item starts on, item)``.

    Accepts a top-level array (each element is an item), JSON lines / concatenated values (each
    value is an item, arrays are flattened), or an object. An object holding one of ``keys``
    yields that member's elements (or the member itself when it is an object); any other object
    is one item.
    """
    check_not_empty(ctx, path)
    stream = _JsonStream(ctx, path)
    found_any = False
    while True:
        char = stream.peek()
        if char == "":
            break
        if char == "[":
            stream.advance(1)
            for item in stream.array_items():
                found_any = True
                yield item
        elif char == "{" and keys:
            obj_items = stream.object_members(keys)
            for item in obj_items:
                found_any = True
                yield item
        else:
            found_any = True
            yield stream.value()
    if not found_any and not allow_empty:
        raise ctx.error(None, None, "no JSON records found")


class _JsonStream:
    """A cursor over a JSON text read in chunks; values are decoded one at a time."""

    def __init__(self, ctx: LoadContext, path: Path) -> None:
        self.ctx = ctx
        self.fh = path.open("r", encoding="utf-8-sig", newline="")
        self.buf = ""
        self.pos = 0
        self.line = 1  # line number at self.pos
        self.eof = False
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.fh.read(CHUNK_CHARS)
        except UnicodeDecodeError as exc:
            raise self.ctx.error(
                self.line, None, f"not UTF-8 near this line ({exc.reason})"
            ) from None
        if not chunk:
            self.eof = True
            self.fh.close()
            return False
        # Drop what has been consumed so the buffer holds at most one record plus a chunk.
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def _skip_ws(self) -> None:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n\x1a":
                if self.buf[self.pos] == "\n":
                    self.line += 1
                self.pos += 1
            if self.pos < len(self.buf) or not self._fill():
                return

    def peek(self) -> str:
        self._skip_ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def advance(self, n: int) -> None:
        self.line += self.buf.count("\n", self.pos, self.pos + n)
        self.pos += n

    def expect(self, chars: str) -> str:
        char = self.peek()
        if char == "" or char not in chars:
            got = "end of file" if char == "" else repr(char)
            raise self.ctx.error(
                self.line, None, f"JSON syntax error: expected one of {chars!r}, found {got}"
            )
        self.advance(1)
        return char

    def value(self) -> tuple[int, Any]:
        self._skip_ws()
        start_line = self.line
        while True:
            try:
                obj, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos > MAX_RECORD_BYTES:
                    raise self.ctx.error(
                        start_line,
                        None,
                        f"JSON record longer than {MAX_RECORD_BYTES:,} characters or broken",
                    ) from None
                if self._fill():
                    continue
                line = start_line + self.buf.count("\n", self.pos, exc.pos)
                raise self.ctx.error(line, None, f"JSON syntax error: {exc.msg}") from None
            # A number at the very end of the buffer may continue in the next chunk.
            if end == len(self.buf) and not self.eof and self._fill():
                continue
            self.advance(end - self.pos)
            return start_line, obj

    def array_items(self) -> Iterator[tuple[int, Any]]:
        if self.peek() == "]":
            self.advance(1)
            return
        while True:
            yield self.value()
            if self.expect(",]") == "]":
                return

    def object_members(self, keys: Sequence[str]) -> Iterator[tuple[int, Any]]:
        start_line = self.line
        self.expect("{")
        members: dict[str, Any] = {}
        streamed = False
        if self.peek() == "}":
            self.advance(1)
        else:
            while True:
                _, key = self.value()
                if not isinstance(key, str):
                    raise self.ctx.error(self.line, None, "JSON syntax error: object key expected")
                self.expect(":")
                if key in keys and self.peek() == "[":
                    self.advance(1)
                    streamed = True
                    yield from self.array_items()
                elif key in keys and self.peek() == "{":
                    streamed = True
                    yield self.value()
                else:
                    _, members[key] = self.value()
                if self.expect(",}") == "}":
                    break
        if not streamed:
            yield start_line, members
