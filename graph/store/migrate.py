"""Copying a whole graph between stores (``supplygraph migrate``), and timing a load into one.

The copy streams ``iter_records`` of the source into one writer of the target, so it is as
atomic as any load: a failed migration leaves the target as it was. Copying into a store that
already holds data merges, exactly as loading the same records again would.

>>> from supplygraph.graph.store.backends import open_store
>>> source, target = open_store("sqlite:///:memory:"), open_store("sqlite:///:memory:")
>>> copy_graph(source, target).records
0
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from supplygraph.graph.errors import InvalidStoreURL
from supplygraph.graph.model.records import Record
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.batches import BATCH, put_batched
from supplygraph.graph.store.protocol import GraphStore

Progress = Callable[[int], None]
DEFAULT_BATCH = BATCH


@dataclass(frozen=True)
class CopyReport:
    records: int  # nodes, edges and designations written
    loads: int  # load-log entries copied
    seconds: float

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0


def total_records(store: GraphStore) -> int:
    """Nodes, edges and designations in a store: the length of its ``iter_records``."""
    return sum(store.view().counts().values())


def copy_graph(
    source: GraphStore,
    target: GraphStore,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every node, edge, designation and load-log entry of ``source`` into ``target``."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    start = time.perf_counter()
    view = source.view()
    loads = view.loads()
    with target.writer() as writer:
        written = put_batched(writer, view.iter_records(), batch_size, progress)
        # Oldest first, so a target that orders ties by arrival sees them as the source did.
        for entry in reversed(loads):
            writer.record_load(entry)
        for changes in view.changes():
            writer.record_changes(changes)
    return CopyReport(records=written, loads=len(loads), seconds=time.perf_counter() - start)


def migrate(
    source_url: str,
    target_url: str,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> CopyReport:
    """Open both stores by URL and copy; ``on_total`` learns the record count first."""
    if source_url == target_url:
        raise InvalidStoreURL("--from and --to name the same store")
    source = open_store(source_url)
    try:
        target = open_store(target_url)
        try:
            if on_total:
                on_total(total_records(source))
            return copy_graph(source, target, batch_size, progress)
        finally:
            target.close()
    finally:
        source.close()


def ingest_rate(
    target: GraphStore, records: Iterable[Record], batch_size: int = DEFAULT_BATCH
) -> CopyReport:
    """Time one atomic load of ``records`` into ``target`` (for the bench's ingest figures).

    Run it on the embedded store and on a FalkorDB store with the same records to get both
    rates from one run.
    """
    start = time.perf_counter()
    with target.writer() as writer:
        written = put_batched(writer, records, batch_size, None)
    return CopyReport(records=written, loads=0, seconds=time.perf_counter() - start)
