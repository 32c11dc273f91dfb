"""The loaders by ``--format`` name, in the order detection tries them.

Each module yields records for one file and ends with its ``FORMAT`` entry
(:class:`~supplygraph.loaders.format_spec.LoaderFormat`); adding a format is one module and one
name in the tuple below. The order matters only for detection: a JSON file is asked whether it
is BODS before FtM, and FtM before GLEIF (an FtM export may cite api.gleif.org).
"""

from __future__ import annotations

from pathlib import Path

from supplygraph.graph.errors import InvalidRecord

from . import bods, brands, csl, dod1260h, fcc, ftm, gleif, ieee, ndaa889, ofac
from .format_spec import LoaderFormat

FORMATS: dict[str, LoaderFormat] = {
    m.FORMAT.name: m.FORMAT
    for m in (ofac, bods, ftm, gleif, csl, fcc, dod1260h, ndaa889, brands, ieee)
}
FORMAT_NAMES = ", ".join(FORMATS)


def loader_format(name: str, path: Path) -> LoaderFormat:
    """The entry for ``name``; an unknown name is refused naming the file and the known ones."""
    found = FORMATS.get(name)
    if found is None:
        raise InvalidRecord(
            str(path), None, "format", f"unknown format {name!r}; use one of {FORMAT_NAMES}"
        )
    return found
