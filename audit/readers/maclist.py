"""Plain lists of MAC addresses, one per line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from .detection import MAC_HEADERS, MACISH, fold_header
from .inventory import Inventory, Row
from .text import byte_offset, stream_size, text_stream


# -- plain list of MAC addresses ----------------------------------------------------------------
def read_maclist(binary: IO[bytes], name: str) -> Inventory:
    """One MAC per line; blank lines and ``#`` comments skipped; an optional header line."""
    text, _ = text_stream(binary)
    size = stream_size(binary)

    def rows() -> Iterator[Row]:
        first = True
        for number, line in enumerate(text, 1):
            value = line.strip()
            if not value or value.startswith("#"):
                continue
            if first and not MACISH.match(value) and fold_header(value) in MAC_HEADERS:
                first = False
                continue
            first = False
            yield number, [value], None

    return Inventory(name, "maclist", ["MAC Address"], rows(), byte_offset(binary), size)
