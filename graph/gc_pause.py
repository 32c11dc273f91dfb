"""Pausing Python's cyclic garbage collector around work that makes no reference cycles.

Bulk resolution and the ingest pipeline allocate thousands of objects per batch that all
survive the batch; the collector's automatic passes, set off by those allocations, find no
garbage and re-traverse the heap, which can cost as much as the work itself when millions of
cached keys are alive. Reference counting still frees
everything else meanwhile; the collector's previous state is restored after.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside the block; restored as it was after.

    >>> with paused():
    ...     gc.isenabled()
    False
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
