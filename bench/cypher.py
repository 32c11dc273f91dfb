"""Cypher server figures: load rate, owners, resolve and search as you type on a FalkorDB or Neo4j
server, each next to the embedded store given the same graph in the same run, and the
GLEIF-shaped files loaded into the server by ``supplygraph load``.

The server's graph is a scratch one: on FalkorDB a fresh graph of its own
(``<graph>_bench_<random>``), dropped at the end; Neo4j holds one database per server here, so
the bench runs only on a database without a supplygraph graph in it and removes what it wrote
at the end (the store's labels, and the floor's own label). A shared server's data is never
touched.

The load rate is put next to two baselines: the embedded store's rate for the same records, and
the server's *write floor*: the same number of rows, in batches of the store's size, each
created as one bare node carrying the record's JSON (no index, no lookup rows, no merge). No
load that keeps the store's semantics can be faster than that on the same server.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import orjson

from supplygraph.graph.model.records import Record
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.cypher import CypherStore
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.loaders.gleif import lei_node_id
from supplygraph.service import SupplyGraph

from . import gleif
from .figures import Figure, percentile
from .ubo import FUNDS, synthetic_groups

FLOOR_LABEL = "SgBenchFloor"  # the floor's rows: never one of the store's labels


class NotScratch(Exception):
    """The server store already holds a graph: the bench will not write into it."""


@dataclass(frozen=True)
class ServerSizes:
    companies: int
    queries: int

    @classmethod
    def of(cls, quick: bool, companies: int | None = None) -> ServerSizes:
        """100k companies with ``--quick``, 1M otherwise (``companies`` overrides both)."""
        default, queries = (100_000, 200) if quick else (1_000_000, 500)
        return cls(companies or default, queries)


def backend_of(url: str) -> str:
    """``falkordb`` or ``neo4j``: the prefix of the figure names."""
    return "falkordb" if urlparse(url).scheme == "falkordb" else "neo4j"


@contextmanager
def scratch_store(url: str) -> Iterator[tuple[str, GraphStore]]:
    """An empty store on the server and its URL, removed again afterwards (see the module
    docstring)."""
    parsed = urlparse(url)
    if backend_of(url) == "falkordb":
        graph = (parsed.path.strip("/") or "supplygraph") + "_bench_" + uuid.uuid4().hex[:8]
        url = urlunparse(parsed._replace(path="/" + graph))
    store = open_store(url)
    if store.view().counts()["nodes"]:
        store.close()  # before any clean-up could touch the graph that is there
        raise NotScratch(f"{url} already holds a graph; give the bench an empty database")
    try:
        yield url, store
    finally:
        getattr(store, "drop", lambda: None)()
        store.close()


def _load(store: GraphStore, records: list[Record]) -> float:
    """Records per second of one load of ``records``, written as a loader writes them."""
    start = time.perf_counter()
    with store.writer() as writer:
        for i in range(0, len(records), 2000):
            writer.put(records[i : i + 2000])
    return len(records) / (time.perf_counter() - start)


def _write_floor(store: CypherStore, records: list[Record]) -> float:
    """Rows per second of the server's write floor (see the module docstring)."""
    rows = [{"id": r.id, "data": orjson.dumps(r.model_dump(mode="json")).decode()} for r in records]
    create = f"UNWIND $rows AS row CREATE (:{FLOOR_LABEL} {{id: row.id, data: row.data}})"
    remove = f"MATCH (n:{FLOOR_LABEL}) WITH n LIMIT 10000 DELETE n RETURN count(*)"
    size = store.batch_size
    with store.executor.load() as session:
        start = time.perf_counter()
        for i in range(0, len(rows), size):
            with session.batch() as tx:
                tx.run(create, {"rows": rows[i : i + size]})
        seconds = time.perf_counter() - start
        while True:  # FalkorDB drops the scratch graph anyway; Neo4j keeps the database
            with session.batch() as tx:
                if not tx.run(remove)[0][0]:
                    break
    return len(rows) / seconds


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


def _resolve_ms(graph: SupplyGraph, companies: int, queries: int) -> list[float]:
    # A name among `companies` alike ("Company 123"), judged against one of the funds at the
    # top of the groups: name matching, the walk and the verdict, every question a new one.
    today = date.today()

    def ask(n: int) -> object:
        return graph.resolve(name=f"Company {n}", target=f"f{n % FUNDS}", as_of=today)

    return _timed_ms(ask, companies, queries)


def _search_ms(graph: SupplyGraph, companies: int, queries: int) -> list[float]:
    # Search as you type: the last word is unfinished ("Company 12" of "Company 1234"), so it
    # is a prefix over every name token.
    return _timed_ms(lambda n: graph.search(f"Company {str(n)[:2]}"), companies, queries)


def run(url: str, quick: bool, companies: int | None = None) -> list[Figure]:
    """Load rate, owners, resolve and search on the server, each next to the embedded store,
    then the GLEIF-shaped files loaded into the server."""
    backend = backend_of(url)
    sizes = ServerSizes.of(quick, companies)
    records = list(synthetic_groups(sizes.companies))
    scale = f"{sizes.companies:,} companies, {len(records):,} records"
    figures: list[Figure] = []

    def figure(name: str, value: float, unit: str, base_name: str, base: float, goal: str) -> None:
        figures.append(Figure(f"{backend}_{name}", value, unit, base_name, base, goal=goal))

    with scratch_store(url) as (_, server), tempfile.TemporaryDirectory() as tmp:
        assert isinstance(server, CypherStore)
        local = open_store(f"sqlite:///{Path(tmp) / 'local.db'}")
        local_rate = _load(local, records)
        remote_rate = _load(server, records)
        floor_rate = _write_floor(server, records)
        local_graph, remote_graph = SupplyGraph(local), SupplyGraph(server)
        owners_goal = "ratio <= 3" if backend == "neo4j" else "reported"
        measured = {
            "owners": (_owners_ms, owners_goal),
            "resolve": (_resolve_ms, "reported"),
            "search_prefix": (_search_ms, "reported"),
        }
        for what, (measure, goal) in measured.items():
            local_ms = measure(local_graph, sizes.companies, sizes.queries)
            remote_ms = measure(remote_graph, sizes.companies, sizes.queries)
            for q in (50, 99):
                figure(
                    f"{what}_p{q}",
                    percentile(remote_ms, q),
                    f"ms ({scale})",
                    f"embedded_{what}_p{q}_ms",
                    percentile(local_ms, q),
                    goal if q == 99 else "reported",
                )
        local.close()
    figure(
        "load",
        remote_rate,
        f"records/s ({scale})",
        "embedded_load_records_per_s",
        local_rate,
        "value >= 30,000 records/s" if backend == "neo4j" else "reported",
    )
    figure(
        "load_vs_write_floor",
        remote_rate,
        f"records/s ({scale})",
        f"{backend}_write_floor_rows_per_s",
        floor_rate,
        "reported (the floor: one bare node per record, no index)",
    )
    figures += _gleif_load(url, backend, sizes.companies)
    return figures


def _gleif_load(url: str, backend: str, entities: int) -> list[Figure]:
    """``supplygraph load`` of GLEIF-shaped files into the server: wall time, rate, peak RSS,
    and owners on the loaded graph."""
    relationships = entities * 3 // 2
    with tempfile.TemporaryDirectory() as tmp, scratch_store(url) as (scratch_url, server):
        work = Path(tmp)
        lei_file = gleif.write_lei_file(work / "gleif-lei.xml", entities)
        rr_file = work / "gleif-rr.xml"
        written = gleif.write_rr_file(rr_file, entities, relationships)
        loaded = gleif.load_in_child(scratch_url, [lei_file, rr_file])
        if loaded.returncode != 0:
            raise RuntimeError(f"the GLEIF load into {backend} exited with {loaded.returncode}")
        graph = SupplyGraph(server)
        rng = random.Random(4)
        today = date.today()
        times: list[float] = []
        for _ in range(200):
            node_id = lei_node_id(gleif.lei_of(rng.randrange(entities)))
            start = time.perf_counter()
            graph.owners(node_id, as_of=today)
            times.append((time.perf_counter() - start) * 1000.0)
    scale = f"{entities:,} LEI records, {written:,} relationship records"
    rate = (entities + written) / loaded.seconds
    return [
        Figure(
            f"{backend}_gleif_load",
            loaded.seconds,
            f"s ({scale})",
            "goal, s",
            gleif.SERVER_LOAD_GOAL_S,
            goal="value <= 1800 s at 3M entities and 5M relationships"
            if backend == "neo4j"
            else "reported",
            note=f"`supplygraph load` into the server, end to end in a child process; "
            f"{rate:,.0f} records/s",
        ),
        Figure(
            f"{backend}_gleif_load_peak_rss",
            loaded.peak_rss_mib,
            f"MiB ({scale})",
            "goal, MiB",
            gleif.RSS_GOAL_MIB,
            goal="value <= 4096 MiB",
            note="VmHWM of the loading process's own address space; the server's not counted",
        ),
        Figure(
            f"{backend}_gleif_owners_p99",
            percentile(times, 99),
            f"ms ({scale})",
            f"{backend}_gleif_owners_p50_ms",
            percentile(times, 50),
            goal="reported",
        ),
    ]
