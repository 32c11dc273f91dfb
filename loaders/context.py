"""What a loader needs besides the file: where to report warnings, counts and progress.

A loader only yields records; the context collects what the user should be told about the file
(rows read, rows skipped, warnings naming the row) and turns unreadable input into
:class:`~supplygraph.graph.errors.InvalidRecord` errors that name the file, line and field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from supplygraph.graph.errors import InvalidRecord

if TYPE_CHECKING:
    from supplygraph.graph.store.protocol import GraphView

# More warnings than this are counted but not kept: a broken file must not fill the load log.
MAX_KEPT_WARNINGS = 50
NO_EVIDENCE = (
    "the format states no record count, trailer or checksum (a file cut at a line end reads "
    "as a shorter list)"
)


@dataclass
class LoadContext:
    """Per-file state shared by a loader and the ingest pipeline."""

    path: Path
    dataset: str = ""
    read: int = 0
    skipped: int = 0
    warning_count: int = 0
    warnings: list[str] = field(default_factory=list)
    progress: Callable[[int], None] | None = None
    # The publication date the file states (a header or trailer), when the loader finds one.
    published: date | None = None
    # Whether the file shows by its own evidence that it is whole (a record count that matches,
    # a trailer, a closed JSON array), and how; or why not. Only a file shown complete may end
    # the listings it leaves out (ingest.py). A loader that finds no evidence leaves the default.
    complete: bool = False
    evidence: str = NO_EVIDENCE
    # The store the file goes into, for loaders whose records refer to earlier loads (BODS
    # versions and replaced statements); None when parsing alone.
    view: GraphView | None = None
    # Format-specific counts for the load report, e.g. BODS relationships with an unspecified
    # party.
    tallies: dict[str, int] = field(default_factory=dict)
    # Whether the linker may link this source's organizations to stored ones by name.
    link_names: bool = True

    @property
    def file(self) -> str:
        return str(self.path)

    def warn(self, where: int | str | None, message: str) -> None:
        """Record a problem that does not stop the load (a malformed row we can skip)."""
        self.warning_count += 1
        if len(self.warnings) < MAX_KEPT_WARNINGS:
            prefix = f"{self.path.name}:{where}: " if where is not None else f"{self.path.name}: "
            self.warnings.append(prefix + message)

    def error(self, where: int | str | None, field_name: str | None, message: str) -> InvalidRecord:
        """An error naming this file, the line or record, and the field."""
        return InvalidRecord(self.file, where, field_name, message)

    def completeness(self, complete: bool, evidence: str) -> None:
        """Record what the file shows about its own completeness (see loaders/README.md)."""
        self.complete = complete
        self.evidence = evidence

    def tally(self, key: str, n: int = 1) -> None:
        self.tallies[key] = self.tallies.get(key, 0) + n

    def count_read(self, n: int = 1) -> None:
        self.read += n
        if self.progress is not None:
            self.progress(n)

    def skip(self, n: int = 1) -> None:
        self.skipped += n
