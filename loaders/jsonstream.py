"""One streaming JSON reader for the loaders and the audit/bulk readers.

A JSON text is read in chunks and cut into values (array elements, concatenated values, object
members) by a scanner that only tracks brackets and strings; each value is then decoded once,
by the standard library's C decoder. Work is linear in the input: no value is ever re-parsed
from its start when it spans chunks (the fault of decoding a growing buffer again after every
read), and memory is bounded by one value, never more than ``max_record`` characters.

What makes one value unusable is that value's problem, and the stream goes on after it:

- longer than ``max_record`` characters (its text is dropped while the scanner skips to its end),
- nested deeper than ``max_depth`` (the decoder would recurse; a writer could not re-encode it),
- a number the decoder refuses (Python refuses integers of more than 4,300 digits),
- a syntax error inside a value whose brackets balance.

What leaves no place to go on from (an unclosed value, a missing ``,`` between elements, a text
that is not UTF-8) raises :class:`JsonBroken`.

>>> import io
>>> s = JsonStream(io.StringIO('[{"a": 1}, [[[1]]], {"b": 2}]'), max_depth=2)
>>> s.expect("[")
'['
>>> [(item.value, item.problem) for item in s.array_items()]
[({'a': 1}, None), (None, 'nested deeper than 2 levels'), ({'b': 2}, None)]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any, NamedTuple

# Real records are far smaller (the longest OFAC remark is a few kB, an OpenSanctions entity a
# few hundred kB); anything this large is a broken file, and keeping it would defeat streaming.
MAX_RECORD_CHARS = 4 * 1024 * 1024
# Real records nest a few levels (a BODS interest inside a statement inside an array); far
# below the decoder's recursion limit and orjson's 254-level limit on the way out.
MAX_DEPTH = 64
CHUNK_CHARS = 1 << 16

_STRUCTURE = re.compile(r'[\[\]{}"]')
_STRING_STOP = re.compile(r'["\\]')
_SCALAR_END = re.compile(r"[,\]}\s]")
_SPACE = " \t\r\n\x1a"  # \x1a: a DOS end-of-file marker some published files end with


class JsonBroken(Exception):
    """The text cannot be read on from here (``line`` is where the reader stopped)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class Item(NamedTuple):
    """One value: the line it starts on, the value (None with a problem), and the problem."""

    line: int
    value: Any
    problem: str | None


def decode(text: str, max_depth: int = MAX_DEPTH) -> tuple[Any, str | None]:
    """One complete JSON text as ``(value, None)``, or ``(None, problem)``; never raises.

    >>> decode('{"n": ' + "9" * 5000 + "}")[1]
    'a number too large to read (more than 4,300 digits)'
    >>> decode("[" * 100 + "]" * 100, max_depth=64)[1]
    'nested deeper than 64 levels'
    """
    # Fewer opening brackets than the limit cannot nest deeper: skip the scan.
    if text.count("[") + text.count("{") > max_depth:
        from io import StringIO

        stream = JsonStream(StringIO(text), max_record=len(text) + 1, max_depth=max_depth)
        try:
            item = stream.value()
        except JsonBroken as exc:
            return None, f"JSON syntax error: {exc.message}"
        if item.problem is not None:
            return None, item.problem
        if stream.peek() != "":
            return None, "JSON syntax error: extra data after the value"
        return item.value, None
    return _loads(text, 1)


def _loads(text: str, line: int) -> tuple[Any, str | None]:
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        where = f" (line {line + exc.lineno - 1}, column {exc.colno})" if exc.lineno > 1 else ""
        return None, f"JSON syntax error: {exc.msg}{where}"
    except RecursionError:
        return None, "nested too deeply to read"
    except ValueError as exc:
        if "digits" in str(exc):
            return None, "a number too large to read (more than 4,300 digits)"
        return None, f"unreadable JSON value: {exc}"


class JsonStream:
    """A cursor over a JSON text read in chunks; values are cut out and decoded one at a time.

    ``line`` is the line number at the cursor.
    """

    def __init__(
        self,
        text: IO[str],
        max_record: int = MAX_RECORD_CHARS,
        max_depth: int = MAX_DEPTH,
        chunk: int = CHUNK_CHARS,
    ) -> None:
        self.text = text
        self.max_record = max_record
        self.max_depth = max_depth
        self.chunk = chunk
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False

    def _read(self) -> str:
        """The next chunk ("" at the end); the consumed buffer is dropped by the caller."""
        if self.eof:
            return ""
        try:
            chunk = self.text.read(self.chunk)
        except UnicodeDecodeError as exc:
            raise JsonBroken(self.line, f"not UTF-8 near this line ({exc.reason})") from None
        if not chunk:
            self.eof = True
        return chunk

    def _fill(self) -> bool:
        chunk = self._read()
        if not chunk:
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            buf, pos = self.buf, self.pos
            while pos < len(buf) and buf[pos] in _SPACE:
                if buf[pos] == "\n":
                    self.line += 1
                pos += 1
            self.pos = pos
            if pos < len(buf):
                return buf[pos]
            if not self._fill():
                return ""

    def advance(self, n: int) -> None:
        self.line += self.buf.count("\n", self.pos, self.pos + n)
        self.pos += n

    def expect(self, chars: str) -> str:
        """Consume the next character, which must be one of ``chars``."""
        char = self.peek()
        if char == "" or char not in chars:
            got = "end of file" if char == "" else repr(char)
            wanted = " or ".join(repr(c) for c in chars)
            raise JsonBroken(self.line, f"expected {wanted}, found {got}")
        self.advance(1)
        return char

    def value(self) -> Item:
        """The next value, decoded; a value that cannot be used is an item with a problem."""
        first = self.peek()
        start_line = self.line
        if first == "":
            raise JsonBroken(self.line, "a value expected, found end of file")
        if first in "]},:":
            raise JsonBroken(self.line, f"a value expected, found {first!r}")
        parts: list[str] = []  # the value's text from earlier chunks (while it is kept)
        kept = 0
        keep = True
        depth = 0
        deepest = 0
        in_string = False
        escape = False
        scalar = first not in "[{"
        if first == '"':
            in_string, scalar = True, False
        buf = self.buf
        begin = self.pos  # where this chunk's part of the value starts
        i = self.pos + (1 if first in '"[{' else 0)
        if first in "[{":
            depth = deepest = 1
        while True:
            end = -1
            while i < len(buf):
                if scalar:
                    m = _SCALAR_END.search(buf, i)
                    if m is None:
                        i = len(buf)
                        break
                    end = m.start()
                    break
                if in_string:
                    if escape:
                        i += 1
                        escape = False
                        continue
                    m = _STRING_STOP.search(buf, i)
                    if m is None:
                        i = len(buf)
                        break
                    i = m.end()
                    if m.group() == "\\":
                        escape = True
                    else:
                        in_string = False
                        if depth == 0:
                            end = i
                            break
                    continue
                m = _STRUCTURE.search(buf, i)
                if m is None:
                    i = len(buf)
                    break
                i = m.end()
                char = m.group()
                if char == '"':
                    in_string = True
                elif char in "[{":
                    depth += 1
                    deepest = max(deepest, depth)
                else:
                    depth -= 1
                    if depth == 0:
                        end = i
                        break
            if end < 0 and scalar and self.eof:
                end = len(buf)
            if end >= 0:
                self.line += buf.count("\n", begin, end)
                self.buf, self.pos = buf, end
                if deepest > self.max_depth:
                    return Item(start_line, None, f"nested deeper than {self.max_depth} levels")
                if not keep:
                    return Item(start_line, None, self._too_long())
                parts.append(buf[begin:end])
                value, problem = _loads("".join(parts), start_line)
                return Item(start_line, value, problem)
            # The value goes on in the next chunk: keep (or drop) this part, never re-scan it.
            self.line += buf.count("\n", begin)
            if keep:
                kept += len(buf) - begin
                if kept > self.max_record or deepest > self.max_depth:
                    keep, parts = False, []
                else:
                    parts.append(buf[begin:])
            chunk = self._read()
            if not chunk:
                self.buf, self.pos = "", 0
                if scalar:
                    buf, begin, i = "", 0, 0
                    continue
                raise JsonBroken(start_line, "value not closed before the end of the file")
            buf, begin, i = chunk, 0, 0
            self.buf, self.pos = buf, 0

    def _too_long(self) -> str:
        return f"JSON record longer than {self.max_record:,} characters"

    def array_items(self) -> Iterator[Item]:
        """The elements of an array whose ``[`` has been consumed, through its ``]``."""
        if self.peek() == "]":
            self.advance(1)
            return
        while True:
            yield self.value()
            if self.expect(",]") == "]":
                return
