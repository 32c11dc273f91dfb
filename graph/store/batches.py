"""Records in fixed-size batches, and the one loop that writes them (ingest, migrate, tests)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

from supplygraph.graph.model.records import Record
from supplygraph.graph.store.protocol import GraphStore, GraphWriter

T = TypeVar("T")
BATCH = 1000
Progress = Callable[[int], None]


def batched(items: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items, read lazily (the stdlib's needs 3.12).

    >>> list(batched(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    if size < 1:
        raise ValueError("batch size must be at least 1")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def put_batched(
    writer: GraphWriter,
    records: Iterable[Record],
    size: int = BATCH,
    progress: Progress | None = None,
) -> int:
    """Write ``records`` through an open writer a batch at a time; returns how many."""
    written = 0
    for batch in batched(records, size):
        writer.put(batch)
        written += len(batch)
        if progress:
            progress(len(batch))
    return written


def write_records(
    store: GraphStore, records: Iterable[Record], progress: Progress | None = None
) -> int:
    """Write records as they are, in one atomic transaction, with no linking and no load log.

    For records built in code (tests, the bench's synthetic graphs, store copies); files and
    the built-in sources go through :func:`supplygraph.loaders.ingest.load_source`.
    """
    with store.writer() as writer:
        return put_batched(writer, records, BATCH, progress)
