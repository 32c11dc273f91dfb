"""What a loader module declares about its format, in one place: :class:`LoaderFormat`.

Each format module ends with ``FORMAT = LoaderFormat(...)``: its ``--format`` name, how its
files are recognised, which files one load reads, its flags and its place in a load's order.
:mod:`~supplygraph.loaders.formats` collects them; detection, ``load``'s ordering, the CLI help
and the sources file's validation all read the collected entries, so nothing about a format is
written a second time in the generic pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from supplygraph.graph.model.records import Record

from .common import Ref
from .context import LoadContext

# A generator of records; some formats also yield references resolved at ingest (GLEIF).
Records = Callable[[Path, LoadContext], Iterator[Record | Ref]]


@dataclass(frozen=True)
class Peek:
    """The first kilobytes of a file, as detection reads them (decoded once, shared by every
    format's recogniser)."""

    path: Path
    text: str

    @cached_property
    def head(self) -> str:
        return self.text.lstrip()

    @cached_property
    def suffix(self) -> str:
        return self.path.suffix.lower()

    @cached_property
    def is_xml(self) -> bool:
        return self.suffix == ".xml" or self.head.startswith("<")

    @cached_property
    def is_json(self) -> bool:
        return self.head.startswith(("{", "["))

    @cached_property
    def header(self) -> frozenset[str]:
        """The cells of the first line, for CSV files separated by commas or semicolons."""
        first_line = self.text.split("\n", 1)[0]
        return frozenset(h.strip().strip('"') for h in first_line.replace(";", ",").split(","))


@dataclass(frozen=True)
class Flags:
    """How the pipeline treats a format's files."""

    # A file with no records is a valid answer (a GLEIF API list of children may be empty),
    # not a file holding a header only.
    allow_empty: bool = False
    # Whether the linker may tie this format's organizations to others by name. Registry and
    # curated records are tied only by reviewed mappings (identifier links still apply).
    link_names: bool = True


def single_file(path: Path) -> list[Path]:
    """The files one load of ``path`` reads: the file itself (every format but a file set)."""
    return [path]


def never(_: object) -> bool:
    return False


def first_phase(_: Path) -> int:
    return 0


@dataclass(frozen=True)
class LoaderFormat:
    """One ``--format``: the module's generator and what the pipeline needs to know about it.

    ``recognise`` looks at the first kilobytes (:class:`Peek`); ``recognise_path`` at the path
    alone, before anything is read (a file set named by its file names, or its folder).
    ``load_phase`` orders the files of one ``load`` call: lower phases first (relationship
    files that name their endpoints by identifier go after the files that describe them).
    ``second_process``: the loader reads nothing from the store (``ctx.view``), so a large
    file may be parsed in a child process while this one writes (loaders/pipeline.py).
    """

    name: str
    records: Records
    recognise: Callable[[Peek], bool] = never
    recognise_path: Callable[[Path], bool] = never
    member_files: Callable[[Path], list[Path]] = single_file
    flags: Flags = field(default_factory=Flags)
    second_process: bool = False
    load_phase: Callable[[Path], int] = first_phase
