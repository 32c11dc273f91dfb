"""JSON arrays (element by element) and NDJSON (line by line); the columns are the keys of
the first records."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
from typing import IO, Any

from supplygraph.graph.errors import InvalidRecord
from supplygraph.loaders.jsonstream import JsonBroken, JsonStream, decode

from .inventory import MISSING, Inventory, Row
from .text import byte_offset, stream_size, text_stream

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
    text, _ = text_stream(binary)
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
    text, _ = text_stream(binary)
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
    size = stream_size(binary)

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

    return Inventory(name, fmt, names, rows(), byte_offset(binary), size)


def read_ndjson(binary: IO[bytes], name: str) -> Inventory:
    return read_json(binary, name, "ndjson")
