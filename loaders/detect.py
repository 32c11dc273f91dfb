"""Format detection when ``--format`` is not given: by name, by header, by the first record.

Only the first few kilobytes are read. Each format says how it recognises its files (its
``FORMAT`` entry); they are asked in the order of :data:`~supplygraph.loaders.formats.FORMATS`.
When nothing fits, the error asks for ``--format``.
"""

from __future__ import annotations

from pathlib import Path

from supplygraph.graph.errors import InvalidRecord

from .format_spec import Peek, never
from .formats import FORMAT_NAMES, FORMATS

PEEK = 64 * 1024


def _peek(path: Path) -> Peek:
    try:
        with path.open("rb") as fh:
            raw = fh.read(PEEK)
    except OSError as exc:
        raise InvalidRecord(str(path), None, None, f"cannot read: {exc.strerror or exc}") from exc
    if not raw:
        raise InvalidRecord(str(path), None, None, "the file is empty")
    # Detection only: a bad byte here is reported properly, with its line, by the loader.
    return Peek(path, raw.decode("utf-8", errors="replace").removeprefix("\ufeff"))


def detect_format(path: Path) -> str:
    """The ``--format`` name for ``path``.

    >>> detect_format(Path("/nonexistent/sdn.csv"))
    'ofac'
    """
    for fmt in FORMATS.values():
        if fmt.recognise_path(path):
            return fmt.name
    if path.is_dir():
        sets = ", ".join(f.name for f in FORMATS.values() if f.recognise_path is not never)
        raise InvalidRecord(str(path), None, None, f"a folder that holds no file set ({sets})")
    peek = _peek(path)
    for fmt in FORMATS.values():
        if fmt.recognise(peek):
            return fmt.name
    raise InvalidRecord(
        str(path), 1, None, f"cannot tell the file's format; pass --format (one of {FORMAT_NAMES})"
    )
