"""What every reader returns: an :class:`Inventory` of rows aligned to its columns, in
batches (:class:`RowBatch`), with :data:`MISSING` for a JSON record's absent key."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from supplygraph.graph.errors import InvalidRecord

from ..columns import ColumnMap, map_columns

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
