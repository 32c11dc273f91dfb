"""Bulk audit figures: a whole audit against the bare CSV read of the same file, and the
in-process rate of exact-key resolution (MAC, brand, FCC ID).

Both use the synthetic inventory of :mod:`supplygraph.bench.inventory` (real IEEE blocks, seed
brands and FCC grantee codes, a share of bad rows). Callable on its own::

    from supplygraph.bench.bulk import bulk_vs_csv_read, exact_key_rate
    bulk_vs_csv_read(graph, Path("/tmp"), rows=1_000_000)   # {"ratio": ..., ...}
    exact_key_rate(graph, rows=1_000_000)                   # {"rows_per_s": ..., ...}
"""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Any

from supplygraph.audit import audit_file
from supplygraph.audit.columns import map_columns
from supplygraph.audit.run import quiet_gc
from supplygraph.bench.figures import Figure
from supplygraph.bench.inventory import write_csv
from supplygraph.graph.engine.bulk import BulkResolver
from supplygraph.graph.engine.bulk_rows import FIELDS, Fields
from supplygraph.service import SupplyGraph


def csv_read_seconds(path: Path) -> float:
    """The baseline: every row of the file through ``csv.reader``, nothing else."""
    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as f:
        for _ in csv.reader(f):
            pass
    return time.perf_counter() - start


def bulk_vs_csv_read(graph: SupplyGraph, work: Path, rows: int = 1_000_000) -> dict[str, Any]:
    """Audit a ``rows``-row inventory to CSV, and read the same file bare, in this run.

    Returns seconds for both, their ratio (goal: at most 4) and the audit's rows per second.
    """
    inventory = work / f"inventory-{rows}.csv"
    if not inventory.exists():
        write_csv(inventory, rows)
    baseline = csv_read_seconds(inventory)
    start = time.perf_counter()
    summary = audit_file(graph.resolver, inventory, work / "audit-out.csv", own_process=True)
    audit = time.perf_counter() - start
    return {
        "rows": summary.rows,
        "csv_read_s": baseline,
        "audit_s": audit,
        "ratio": audit / baseline,
        "audit_rows_per_s": summary.rows / audit,
        "verdicts": dict(summary.verdicts),
    }


def exact_key_rows(path: Path) -> list[Fields]:
    """The inventory's MAC, FCC ID and brand values only (model numbers and names dropped)."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        mapping = map_columns(next(reader))
        mac, fcc, brand = (mapping.index[f] for f in FIELDS[:3])
        return [(r[mac], r[fcc], r[brand], "", "") for r in reader]


def exact_key_rate(
    graph: SupplyGraph, rows: int = 1_000_000, work: Path | None = None
) -> dict[str, Any]:
    """Rows per second of the bulk engine on exact keys, in process (no file, no output)."""
    folder = work or Path.cwd()
    inventory = folder / f"inventory-{rows}.csv"
    if not inventory.exists():
        write_csv(inventory, rows)
    items = exact_key_rows(inventory)
    engine = BulkResolver(graph.resolver)
    run = engine.prepare()
    with quiet_gc() as between:
        start = time.perf_counter()
        done = 0
        for i, _ in enumerate(run.resolve(items), 1):
            if i % engine.batch_size == 0:
                between()
            done = i
        seconds = time.perf_counter() - start
    # The baseline: one dict lookup per row, the floor of any keyed resolution in Python.
    table = {row: 0 for row in items[:1000]}
    start = time.perf_counter()
    for row in items:
        table.get(row)
    floor = time.perf_counter() - start
    return {
        "rows": done,
        "seconds": seconds,
        "rows_per_s": done / seconds,
        "dict_lookups_per_s": len(items) / floor,
    }


def _graph(work: Path) -> SupplyGraph:
    seeded = work / "seeded.db"
    if seeded.exists():
        return SupplyGraph.open(f"sqlite:///{seeded}")
    graph = SupplyGraph.open(f"sqlite:///{work / 'bulk-seeded.db'}")
    graph.load_seed()
    graph.load_oui()
    return graph


def run(work: Path, quick: bool) -> list[Figure]:
    """The bulk figures for ``supplygraph bench``, on the 1M-row inventory the figure is defined
    on, also with ``quick`` (about 20 s in all): a smaller file would mostly measure the cost of
    each key's first sighting, which a long audit spreads over many rows."""
    rows = 1_000_000
    graph = _graph(work)
    try:
        audit = bulk_vs_csv_read(graph, work, rows)
        rate = exact_key_rate(graph, rows, work)
    finally:
        graph.close()
    size = f"{rows:,}-row inventory"
    return [
        Figure(
            "bulk_vs_csv_read",
            audit["audit_s"],
            f"s to audit a {size} to CSV",
            "csv.reader over the same file, s",
            audit["csv_read_s"],
            goal="ratio <= 4",
            note=f"{audit['audit_rows_per_s']:,.0f} rows/s end to end",
        ),
        Figure(
            "bulk_exact_keys",
            rate["rows_per_s"],
            f"rows/s, MAC + FCC ID + brand, in process ({size})",
            "dict lookups/s over the same rows",
            rate["dict_lookups_per_s"],
            goal=">= 200,000 rows/s",
        ),
    ]
