"""FalkorDB figures: ingest and owner queries on a FalkorDB server next to the embedded store.

Uses a fresh graph of its own on the given server (``<graph>_bench_<random>``), dropped at the
end, so a shared server's data is never touched. Sizes are small: every write is a round trip.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from supplygraph.graph.model import Record
from supplygraph.graph.store import GraphStore, open_store

from supplygraph.service import SupplyGraph

from .figures import Figure, percentile
from .ubo import synthetic_groups


def _bench_url(url: str) -> str:
    parsed = urlparse(url)
    graph = (parsed.path.strip("/") or "supplygraph") + "_bench_" + uuid.uuid4().hex[:8]
    return urlunparse(parsed._replace(path="/" + graph))


def _ingest(store: GraphStore, records: list[Record]) -> float:
    start = time.perf_counter()
    with store.writer() as writer:
        for i in range(0, len(records), 2000):
            writer.put(records[i : i + 2000])
    return len(records) / (time.perf_counter() - start)


def _owners_ms(graph: SupplyGraph, companies: int, queries: int) -> list[float]:
    rng = random.Random(7)
    today = date.today()
    times = []
    for _ in range(queries):
        ref = f"c{rng.randrange(companies)}"
        start = time.perf_counter()
        graph.owners(ref, as_of=today)
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def run(url: str, quick: bool) -> list[Figure]:
    """Ingest rate and owners p50/p99 on FalkorDB, each next to the embedded store."""
    companies, queries = (2_000, 100) if quick else (20_000, 500)
    records = list(synthetic_groups(companies))
    server = open_store(_bench_url(url))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            local = open_store(f"sqlite:///{Path(tmp) / 'local.db'}")
            local_rate = _ingest(local, records)
            remote_rate = _ingest(server, records)
            local_ms = _owners_ms(SupplyGraph(local), companies, queries)
            remote_ms = _owners_ms(SupplyGraph(server), companies, queries)
            local.close()
    finally:
        drop = getattr(server, "drop", None)
        if drop is not None:
            drop()
        server.close()
    scale = f"{companies:,} companies, {len(records):,} records"
    return [
        Figure(
            "falkordb_ingest",
            remote_rate,
            f"records/s ({scale})",
            "embedded_ingest_records_per_s",
            local_rate,
            goal="reported",
        ),
        Figure(
            "falkordb_owners_p50",
            percentile(remote_ms, 50),
            f"ms ({scale})",
            "embedded_owners_p50_ms",
            percentile(local_ms, 50),
            goal="reported",
        ),
        Figure(
            "falkordb_owners_p99",
            percentile(remote_ms, 99),
            f"ms ({scale})",
            "embedded_owners_p99_ms",
            percentile(local_ms, 99),
            goal="reported",
        ),
    ]
