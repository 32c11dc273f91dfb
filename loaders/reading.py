"""Streaming readers shared by the loaders: lines, CSV rows and JSON items, never a whole file.

Every reader checks what makes a file unreadable (empty, not UTF-8, a line or record longer than
:data:`MAX_RECORD_BYTES`, broken quoting, a JSON syntax error) and raises an error that names the
file, the line and, where there is one, the field.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .context import LoadContext
from .jsonstream import MAX_RECORD_CHARS, Item, JsonBroken, JsonStream

# Real rows are far smaller (the longest OFAC remark is a few kB, an OpenSanctions entity a few
# hundred kB); anything this large is a broken file, and reading it whole would defeat streaming.
MAX_RECORD_BYTES = MAX_RECORD_CHARS
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


@dataclass
class JsonLayout:
    """How a JSON file held its records: what its completeness evidence is read from.

    ``closed`` is true when the whole file was one array, or one object holding the records
    in a member, and it parsed to its closing bracket (a file cut anywhere else does not
    parse). ``members`` keeps the top-level object's members named in ``keep`` (a stated
    record count, paging metadata), each bounded like a record.
    """

    keep: tuple[str, ...] = ()
    values: int = 0  # top-level values
    container: bool = False  # the records came from an array or a keyed member
    members: dict[str, Any] = field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return self.values == 1 and self.container


def json_completeness(ctx: LoadContext, layout: JsonLayout, count_key: str | None = None) -> None:
    """Set ``ctx``'s completeness from a JSON file's layout and its stated count, if any."""
    if not layout.closed:
        ctx.completeness(
            False,
            "JSON lines (or values one after another) state no record count: a file cut at a "
            "line end reads as a shorter list",
        )
        return
    stated = layout.members.get(count_key) if count_key else None
    if isinstance(stated, int) and not isinstance(stated, bool):
        ok = stated == ctx.read
        ctx.completeness(
            ok,
            f"the file states {stated:,} records ({count_key!r}) and holds {ctx.read:,}",
        )
        return
    ctx.completeness(
        True, "the JSON document parsed to its closing bracket (a cut file does not parse)"
    )


def json_error(ctx: LoadContext, where: int | str, exc: ValueError) -> Exception:
    return ctx.error(where, None, f"JSON syntax error: {exc}")


def iter_json_items(
    ctx: LoadContext,
    path: Path,
    keys: Sequence[str] = (),
    allow_empty: bool = False,
    layout: JsonLayout | None = None,
) -> Iterator[tuple[int, Any]]:
    """Items of a JSON document, streamed: ``(line the item starts on, item)``.

    Accepts a top-level array (each element is an item), JSON lines / concatenated values (each
    value is an item, arrays are flattened), or an object. An object holding one of ``keys``
    yields that member's elements (or the member itself when it is an object); any other object
    is one item. An item longer than :data:`MAX_RECORD_BYTES` characters, nested deeper than
    :data:`~.jsonstream.MAX_DEPTH` levels or holding a number too large to read is an error
    naming its line. ``layout``, when given, is filled in with how the file held its items.
    """
    check_not_empty(ctx, path)
    layout = layout if layout is not None else JsonLayout()
    with path.open("r", encoding="utf-8-sig", newline="") as fh:
        stream = JsonStream(fh, max_record=MAX_RECORD_BYTES, chunk=CHUNK_CHARS)
        try:
            found_any = False
            for line, item in _items(stream, keys, layout):
                found_any = True
                yield line, item
        except JsonBroken as exc:
            raise ctx.error(exc.line, None, f"JSON syntax error: {exc.message}") from None
        except _BadItem as exc:
            raise ctx.error(exc.item.line, None, str(exc.item.problem)) from None
    if not found_any and not allow_empty:
        raise ctx.error(None, None, "no JSON records found")


class _BadItem(Exception):
    def __init__(self, item: Item) -> None:
        super().__init__(item.problem)
        self.item = item


def _good(item: Item) -> tuple[int, Any]:
    if item.problem is not None:
        raise _BadItem(item)
    return item.line, item.value


def _items(
    stream: JsonStream, keys: Sequence[str], layout: JsonLayout
) -> Iterator[tuple[int, Any]]:
    while True:
        char = stream.peek()
        if char == "":
            return
        layout.values += 1
        if char == "[":
            stream.advance(1)
            layout.container = True
            yield from map(_good, stream.array_items())
        elif char == "{" and keys:
            yield from _object_members(stream, keys, layout)
        else:
            yield _good(stream.value())


def _object_members(
    stream: JsonStream, keys: Sequence[str], layout: JsonLayout
) -> Iterator[tuple[int, Any]]:
    """An object's members named by ``keys`` streamed (their elements, or the member itself
    when it is an object); an object holding none of them is one item."""
    start_line = stream.line
    stream.expect("{")
    members: dict[str, Any] = {}
    streamed = False
    if stream.peek() == "}":
        stream.advance(1)
    else:
        while True:
            if stream.peek() != '"':
                raise JsonBroken(stream.line, "object key expected")
            _, key = _good(stream.value())
            stream.expect(":")
            if key in keys and stream.peek() == "[":
                stream.advance(1)
                streamed = True
                yield from map(_good, stream.array_items())
            elif key in keys and stream.peek() == "{":
                streamed = True
                yield _good(stream.value())
            else:
                _, members[key] = _good(stream.value())
            if stream.expect(",}") == "}":
                break
    if streamed:
        layout.container = True
        layout.members.update((k, v) for k, v in members.items() if k in layout.keep)
    else:
        yield start_line, members
