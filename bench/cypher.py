"""Cypher server figures: ingest, owner queries and search as you type on a FalkorDB or Neo4j
server, each next to the embedded store given the same graph in the same run.

The server's graph is a scratch one: on FalkorDB a fresh graph of its own
(``<graph>_bench_<random>``), dropped at the end; Neo4j holds one database per server here, so
the bench runs only on a database without a supplygraph graph in it and removes what it wrote
at the end (the store's labels only). A shared server's data is never touched.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from supplygraph.graph.model.records import Record
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.service import SupplyGraph

from .figures import Figure, percentile
from .ubo import synthetic_groups


class NotScratch(Exception):
    """The server store already holds a graph: the bench will not write into it."""


def backend_of(url: str) -> str:
    """``falkordb`` or ``neo4j``: the prefix of the figure names."""
    return "falkordb" if urlparse(url).scheme == "falkordb" else "neo4j"


@contextmanager
def scratch_store(url: str) -> Iterator[GraphStore]:
    """An empty store on the server, removed again afterwards (see the module docstring)."""
    parsed = urlparse(url)
    if backend_of(url) == "falkordb":
        graph = (parsed.path.strip("/") or "supplygraph") + "_bench_" + uuid.uuid4().hex[:8]
        url = urlunparse(parsed._replace(path="/" + graph))
    store = open_store(url)
    if store.view().counts()["nodes"]:
        store.close()  # before any clean-up could touch the graph that is there
        raise NotScratch(f"{url} already holds a graph; give the bench an empty database")
    try:
        yield store
    finally:
        getattr(store, "drop", lambda: None)()
        store.close()


def _ingest(store: GraphStore, records: list[Record]) -> float:
    start = time.perf_counter()
    with store.writer() as writer:
        for i in range(0, len(records), 2000):
            writer.put(records[i : i + 2000])
    return len(records) / (time.perf_counter() - start)


def _timed_ms(call: Callable[[int], object], companies: int, queries: int) -> list[float]:
    for n in range(min(10, companies)):
        call(n)  # warm up: a server plans (and Neo4j compiles) each query text once
    rng = random.Random(7)
    times = []
    for _ in range(queries):
        n = rng.randrange(companies)
        start = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - start) * 1000.0)
    return times


def _owners_ms(graph: SupplyGraph, companies: int, queries: int) -> list[float]:
    today = date.today()
    return _timed_ms(lambda n: graph.owners(f"c{n}", as_of=today), companies, queries)


def _search_ms(graph: SupplyGraph, companies: int, queries: int) -> list[float]:
    # Search as you type: the last word is unfinished ("Company 12" of "Company 1234"), so it
    # is a prefix over every name token.
    return _timed_ms(lambda n: graph.search(f"Company {str(n)[:2]}"), companies, queries)


def run(url: str, quick: bool) -> list[Figure]:
    """Ingest rate, owners p50/p99 and search p99 on the server, each next to the embedded store."""
    backend = backend_of(url)
    companies, queries = (2_000, 100) if quick else (20_000, 500)
    records = list(synthetic_groups(companies))
    with scratch_store(url) as server, tempfile.TemporaryDirectory() as tmp:
        local = open_store(f"sqlite:///{Path(tmp) / 'local.db'}")
        local_rate = _ingest(local, records)
        remote_rate = _ingest(server, records)
        local_graph, remote_graph = SupplyGraph(local), SupplyGraph(server)
        local_ms = _owners_ms(local_graph, companies, queries)
        remote_ms = _owners_ms(remote_graph, companies, queries)
        local_search = _search_ms(local_graph, companies, queries)
        remote_search = _search_ms(remote_graph, companies, queries)
        local.close()
    scale = f"{companies:,} companies, {len(records):,} records"

    def figure(name: str, value: float, unit: str, baseline: str, base: float) -> Figure:
        return Figure(f"{backend}_{name}", value, unit, baseline, base, goal="reported")

    return [
        figure(
            "ingest",
            remote_rate,
            f"records/s ({scale})",
            "embedded_ingest_records_per_s",
            local_rate,
        ),
        figure(
            "owners_p50",
            percentile(remote_ms, 50),
            f"ms ({scale})",
            "embedded_owners_p50_ms",
            percentile(local_ms, 50),
        ),
        figure(
            "owners_p99",
            percentile(remote_ms, 99),
            f"ms ({scale})",
            "embedded_owners_p99_ms",
            percentile(local_ms, 99),
        ),
        figure(
            "search_prefix_p99",
            percentile(remote_search, 99),
            f"ms ({scale})",
            "embedded_search_prefix_p99_ms",
            percentile(local_search, 99),
        ),
    ]
