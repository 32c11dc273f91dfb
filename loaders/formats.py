"""The loaders by ``--format`` name. Each module yields records for one file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from supplygraph.graph.model.records import Record

from . import bods, brands, csl, dod1260h, fcc, ftm, gleif, ieee, ndaa889, ofac
from .common import Ref
from .context import LoadContext


class Loader(Protocol):
    FORMAT: str

    def records(self, path: Path, ctx: LoadContext) -> Iterator[Record | Ref]: ...

    def member_files(self, path: Path) -> list[Path]: ...


FORMATS: dict[str, Loader] = {
    "csl": csl,
    "ofac": ofac,
    "fcc": fcc,
    "ndaa889": ndaa889,
    "1260h": dod1260h,
    "ftm": ftm,
    "bods": bods,
    "gleif": gleif,
    "brands": brands,
    "ieee": ieee,
}
