"""``ubo_query``: owners of a random company in a large synthetic ownership graph.

The graph mimics corporate groups: each group is a holding tree (every company has a majority
parent in its group) plus minority cross-stakes from earlier companies of the same group, and
the group's top holding is owned by two investment funds. Companies have about two owners each,
so 1M companies carry about 2M OWNS edges. It is written through the store writer in one
transaction, like any load, and the build time is reported.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from supplygraph.graph.model.records import Edge, Node, NodeKind, Record, Relation, SourceRef
from supplygraph.service import SupplyGraph

from .figures import Figure, percentile

SOURCE = (SourceRef(id="bench-synthetic", title="synthetic benchmark graph", grade="C"),)
GROUP = 25  # companies per corporate group
FUNDS = 1000  # investment funds owning the groups' top holdings


def synthetic_org(node_id: str, name: str) -> Node:
    """An organization node of a synthetic benchmark graph, built without validation."""
    # model_construct: the values are made here, well-formed by construction; validating three
    # million records would measure pydantic, not the store.
    return Node.model_construct(
        id=node_id,
        kind=NodeKind.ORGANIZATION,
        name=name,
        aliases=(),
        country=None,
        org_type=None,
        identifiers=(),
        properties={},
        sources=SOURCE,
    )


def _owns(src: str, dst: str, share: float) -> Edge:
    return Edge.model_construct(
        id=f"e:{src}>{dst}",
        src=src,
        dst=dst,
        relation=Relation.OWNS,
        share=share,
        share_min=None,
        share_max=None,
        valid_from=None,
        valid_to=None,
        reported_on=None,
        confidence=1.0,
        reason=None,
        note=None,
        sources=SOURCE,
    )


def synthetic_groups(companies: int, seed: int = 8) -> Iterator[Record]:
    """Nodes and OWNS edges of ``companies`` companies in groups (see the module docstring)."""
    rng = random.Random(seed)
    for f in range(FUNDS):
        yield synthetic_org(f"f{f}", f"Fund {f}")
    for i in range(companies):
        yield synthetic_org(f"c{i}", f"Company {i}")
        k = i % GROUP
        base = i - k
        if k == 0:
            a, b = rng.sample(range(FUNDS), 2)
            yield _owns(f"f{a}", f"c{i}", 30.0)
            yield _owns(f"f{b}", f"c{i}", 20.0)
            continue
        parent = base + (k - 1) // 3
        yield _owns(f"c{parent}", f"c{i}", float(rng.choice((51, 60, 75, 90, 100))))
        others = [j for j in range(base, i) if j != parent]
        if others:
            yield _owns(f"c{rng.choice(others)}", f"c{i}", float(rng.choice((5, 10, 15, 20))))


def build(path: Path, companies: int) -> tuple[SupplyGraph, float, dict[str, int]]:
    """A fresh store at ``path`` holding the synthetic graph; returns it, seconds, counts."""
    graph = SupplyGraph.open(f"sqlite:///{path}")
    start = time.perf_counter()
    with graph.store.writer() as writer:
        batch: list[Record] = []
        for record in synthetic_groups(companies):
            batch.append(record)
            if len(batch) >= 5000:
                writer.put(batch)
                batch = []
        writer.put(batch)
    seconds = time.perf_counter() - start
    return graph, seconds, graph.view.counts()


def run(workdir: Path, companies: int, queries: int) -> list[Figure]:
    """Build the graph, then time ``queries`` owner lookups of random companies."""
    graph, build_s, counts = build(workdir / "ubo.db", companies)
    scale = f"{counts['nodes'] - FUNDS:,} companies, {counts['edges']:,} OWNS edges"
    rng = random.Random(1)
    today = date.today()
    for _ in range(20):  # warm the connection and the page cache a little
        graph.owners(f"c{rng.randrange(companies)}", as_of=today)
    times: list[float] = []
    found = 0
    for _ in range(queries):
        ref = f"c{rng.randrange(companies)}"
        start = time.perf_counter()
        result = graph.owners(ref, as_of=today)
        times.append((time.perf_counter() - start) * 1000.0)
        found += len(result.owners)
    start = time.perf_counter()
    for _ in range(queries):
        graph.view.nodes([f"c{rng.randrange(companies)}"])
    lookup_ms = (time.perf_counter() - start) / queries * 1000.0
    graph.close()
    p50, p99 = percentile(times, 50), percentile(times, 99)
    note = f"{scale}; {queries} random companies, max_depth 6, {found / queries:.1f} owners each"
    return [
        Figure(
            "ubo_query_p50",
            p50,
            f"ms ({scale})",
            "node_lookup_ms",
            lookup_ms,
            goal="context for p99",
            note=note,
        ),
        Figure(
            "ubo_query_p99",
            p99,
            f"ms ({scale})",
            "node_lookup_ms",
            lookup_ms,
            goal="value < 20 ms",
            note=note,
        ),
        Figure(
            "ubo_graph_build",
            build_s,
            f"s ({scale})",
            "",
            None,
            goal="reported",
            note=f"one transaction through the store writer, "
            f"{(counts['nodes'] + counts['edges']) / build_s:,.0f} records/s",
        ),
    ]


DENSE = 60  # companies each owning 1% of every other (issue: dense ownership)


def _dense_store(path: Path, dense: bool) -> SupplyGraph:
    """60 companies: each owning 1% of every other (dense), or a chain of 100% stakes."""
    graph = SupplyGraph.open(f"sqlite:///{path}")
    names = [f"d{i}" for i in range(DENSE)]
    with graph.store.writer() as writer:
        writer.put([synthetic_org(n, f"Dense {n}") for n in names])
        if dense:
            writer.put([_owns(a, b, 1.0) for a in names for b in names if a != b])
        else:
            writer.put([_owns(a, b, 100.0) for a, b in zip(names, names[1:], strict=False)])
    return graph


def run_dense(workdir: Path, queries: int) -> list[Figure]:
    """``dense_owners``: one uncached ``owners`` answer on the dense graph (the walk stops at
    its budget and says partial), next to the same question on a 60-company chain."""
    today = date.today()
    timings: dict[bool, list[float]] = {}
    partial = 0
    for dense in (False, True):
        graph = _dense_store(workdir / f"dense-{dense}.db", dense)
        times: list[float] = []
        for i in range(min(queries, 20)):
            graph.drop_caches()
            start = time.perf_counter()
            result = graph.owners(f"d{(i * 7) % DENSE}", as_of=today)
            times.append((time.perf_counter() - start) * 1000.0)
            partial += dense and result.partial
        graph.close()
        timings[dense] = times
    p50 = percentile(timings[True], 50)
    return [
        Figure(
            "dense_owners_p50",
            p50,
            f"ms ({DENSE} companies each owning 1% of every other, max_depth 6)",
            "chain_owners_p50_ms",
            percentile(timings[False], 50),
            goal="value < 1000 ms (partial, with bounds that hold)",
            note=f"{len(timings[True])} uncached answers, {partial} marked partial; "
            f"baseline: a chain of {DENSE} companies",
        )
    ]
