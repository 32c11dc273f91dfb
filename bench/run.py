"""Runs every benchmark and returns the figures; ``supplygraph bench`` prints them.

``quick`` (three to four minutes on two cores) shrinks sizes and durations, and says so in the
figure names or units; the full run uses the sizes the goals are stated for (1M companies, 30 s
load at 32 connections). Optional parts (bulk audit, Cypher servers) are included when their
code and servers exist, and listed under ``skipped`` otherwise.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supplygraph.service import SupplyGraph

from . import gleif, group_names, http, ingest, inprocess, names, ubo
from .figures import Figure


@dataclass
class Sizes:
    resolve_calls: int
    ftm_companies: int
    ubo_companies: int
    ubo_queries: int
    http_seconds: float
    load_seconds: float
    gleif_entities: int
    gleif_relationships: int

    @classmethod
    def of(cls, quick: bool) -> Sizes:
        if quick:
            return cls(2000, 10_000, 100_000, 500, 3, 5, 100_000, 150_000)
        return cls(20_000, 200_000, 1_000_000, 2000, 10, 30, 3_000_000, 5_000_000)


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def _say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def _optional(report: Report, name: str, module: str, call: Callable[[Any], list[Figure]]) -> None:
    """Run an optional benchmark module if it is installed; note why when it is not."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        report.skipped[name] = f"{module} not present"
        return
    report.figures.extend(call(mod))


# Where the bench finds servers when no --store is given: the variables .ci/run exports.
SERVER_VARIABLES = {"falkordb": "SUPPLYGRAPH_TEST_FALKORDB", "neo4j": "NEO4J_URI"}


def _server_urls(stores: Sequence[str]) -> list[str]:
    """The --store URLs, else the test servers named in the environment."""
    if stores:
        return list(stores)
    return [os.environ[v] for v in SERVER_VARIABLES.values() if os.environ.get(v)]


def _server_figures(report: Report, url: str, quick: bool, companies: int | None) -> None:
    from . import cypher

    backend = cypher.backend_of(url)
    sizes = cypher.ServerSizes.of(quick, companies)
    _say(f"{backend}: load, owners, resolve and search at {sizes.companies:,} companies")
    try:
        report.figures += cypher.run(url, quick, companies)
    except ImportError as exc:  # the server drivers are an extra
        report.skipped[backend] = f"no driver ({exc})"
    except cypher.NotScratch as exc:
        report.skipped[backend] = str(exc)


def run(
    quick: bool,
    stores: Sequence[str] = (),
    server_companies: int | None = None,
    stores_only: bool = False,
) -> Report:
    """Every figure, each with its baseline measured in this run (only the server figures and
    their embedded baselines with ``stores_only``)."""
    sizes = Sizes.of(quick)
    report = Report()
    if stores_only:
        _servers(report, quick, stores, server_companies)
        return report
    with tempfile.TemporaryDirectory(prefix="supplygraph-bench-") as tmp:
        work = Path(tmp)
        _say("seeding a store (seed data + IEEE registry)")
        start = time.perf_counter()
        seeded = work / "seeded.db"
        graph = SupplyGraph.open(f"sqlite:///{seeded}")
        graph.load_seed()
        graph.load_oui()
        _say(f"seeded in {time.perf_counter() - start:.1f} s; resolving in-process")
        report.figures += inprocess.run(graph, sizes.resolve_calls)
        graph.close()

        _say("earned no: the labelled group names beyond the seed")
        report.figures += group_names.run(work)

        _say("name matching: quality on the OFAC SDN list, cold names on a large store")
        name_figures, cold = names.run(work, quick)
        report.figures += name_figures

        _say("HTTP: no-op vs cached and cold resolve, 2 workers vs 1, then the load test")
        report.figures += http.run(
            f"sqlite:///{seeded}", cold.url, cold.listed, sizes.http_seconds, sizes.load_seconds
        )

        _say("FtM ingest vs parse")
        report.figures += ingest.run(work, sizes.ftm_companies)

        _say(f"UBO queries over {sizes.ubo_companies:,} synthetic companies")
        report.figures += ubo.run(work, sizes.ubo_companies, sizes.ubo_queries)
        report.figures += ubo.run_dense(work, sizes.ubo_queries)

        _say(
            f"GLEIF-shaped load: {sizes.gleif_entities:,} entities, "
            f"{sizes.gleif_relationships:,} relationships"
        )
        report.figures += gleif.run(
            work, sizes.gleif_entities, sizes.gleif_relationships, sizes.ubo_queries
        )

        _say("bulk audit vs CSV read (if the bulk module is present)")
        _optional(
            report,
            "bulk_vs_csv_read",
            "supplygraph.bench.bulk",
            lambda mod: mod.run(work, quick),
        )

        _servers(report, quick, stores, server_companies)
    return report


def _servers(
    report: Report, quick: bool, stores: Sequence[str], server_companies: int | None
) -> None:
    for url in _server_urls(stores):
        _server_figures(report, url, quick, server_companies)
    if not stores:
        for backend, variable in SERVER_VARIABLES.items():
            if not os.environ.get(variable):
                report.skipped[backend] = f"no server (--store URL or {variable})"
