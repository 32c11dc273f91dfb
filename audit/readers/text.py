"""Bytes to text for the line-based readers: the encoding guessed from the first bytes, and
the byte offset read so far (for progress)."""

from __future__ import annotations

import codecs
import contextlib
import io
from collections.abc import Callable
from typing import IO


# -- text helpers -----------------------------------------------------------------------------
def guess_encoding(head: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (old spreadsheet exports).

    The ``-sig`` and UTF-16 codecs drop the BOM themselves, also after a seek to the start.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start < len(head) - 3:
            return "cp1252"
    return "utf-8"


def text_stream(binary: IO[bytes]) -> tuple[io.TextIOWrapper, str]:
    """A text stream over ``binary`` (from its start) and a decoded sample of its head."""
    start = binary.tell()
    head = binary.read(65536)
    binary.seek(start)
    codec = guess_encoding(head)
    sample = head.decode(codec, errors="replace")
    # Undecodable bytes become U+FFFD in the row rather than stopping the run.
    wrapper = _Text(binary, encoding=codec, errors="replace", newline="")
    return wrapper, sample


class _Text(io.TextIOWrapper):
    """A text layer that leaves the binary file open when it is dropped: the reader's caller
    owns the file (a second pass seeks it back, progress reads its position)."""

    def __del__(self) -> None:
        with contextlib.suppress(ValueError):
            self.detach()


def byte_offset(binary: IO[bytes]) -> Callable[[], int]:
    last = 0

    def position() -> int:
        nonlocal last
        with contextlib.suppress(ValueError):  # closed at the end of the run
            last = binary.tell()
        return last

    return position


def stream_size(binary: IO[bytes]) -> int | None:
    try:
        here = binary.tell()
        end = binary.seek(0, io.SEEK_END)
        binary.seek(here)
        return end
    except (OSError, ValueError):
        return None
