"""Format detection when ``--format`` is not given: by name, by header, by the first record.

Only the first few kilobytes are read. When nothing fits, the error asks for ``--format``.
"""

from __future__ import annotations

from pathlib import Path

from supplygraph.graph.errors import InvalidRecord

from . import ofac

PEEK = 64 * 1024
FORMAT_NAMES = "csl, ofac, fcc, ndaa889, 1260h, ftm, bods, gleif, brands, ieee"


def _peek(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            raw = fh.read(PEEK)
    except OSError as exc:
        raise InvalidRecord(str(path), None, None, f"cannot read: {exc.strerror or exc}") from exc
    if not raw:
        raise InvalidRecord(str(path), None, None, "the file is empty")
    # Detection only: a bad byte here is reported properly, with its line, by the loader.
    return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")


def detect_format(path: Path) -> str:
    """The ``--format`` name for ``path``.

    >>> detect_format(Path("/nonexistent/sdn.csv"))
    'ofac'
    """
    if ofac.find_set(path) is not None:
        return "ofac"
    if path.is_dir():
        raise InvalidRecord(str(path), None, None, "a folder that holds no OFAC file set")
    text = _peek(path)
    head = text.lstrip()
    first_line = text.split("\n", 1)[0]
    suffix = path.suffix.lower()
    xml = suffix == ".xml" or head.startswith("<")
    if xml and any(mark in text[:4096] for mark in ("gleif.org", "LEIData", "RelationshipData")):
        return "gleif"
    if head.startswith(("{", "[")):
        sample = head[:PEEK]
        if '"recordType"' in sample or '"statementType"' in sample or '"statementID"' in sample:
            return "bods"
        if '"schema"' in sample and '"properties"' in sample:
            return "ftm"
        if (
            '"lei-records"' in sample
            or '"relationship-records"' in sample
            or ("api.gleif.org" in sample)
        ):
            return "gleif"
        if '"results"' in sample and '"source"' in sample:
            return "csl"
    header = {h.strip().strip('"') for h in first_line.replace(";", ",").split(",")}
    if {"source", "name", "alt_names", "ids"} <= header:
        return "csl"
    if header & {"covered_equipment_or_services", "Covered Equipment or Services"}:
        return "fcc"
    if {"Clean Name", "Parent Name"} <= header:
        return "1260h"
    if {"schema", "name", "program", "authority"} <= header and "889" in text:
        return "ndaa889"
    if {"from_name", "relation", "to_name"} <= header:
        return "brands"
    if {"Registry", "Assignment", "Organization Name"} <= header:
        return "ieee"
    raise InvalidRecord(
        str(path), 1, None, f"cannot tell the file's format; pass --format (one of {FORMAT_NAMES})"
    )
