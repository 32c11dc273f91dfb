"""Tools for operators: ``bench`` (speed next to same-run baselines), ``migrate`` (copy a
graph between stores)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from supplygraph.console import record_progress

from .common import err, errors_to_exit, out, print_json


def bench(
    quick: Annotated[bool, typer.Option("--quick", help="A few minutes; smaller sizes")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown", help="Print the figures as the results table of docs/benchmarks.md"
        ),
    ] = False,
    stores: Annotated[
        list[str] | None,
        typer.Option(
            "--store",
            help="falkordb:// or neo4j:// server for the Cypher figures (repeat for several; "
            "default: $SUPPLYGRAPH_TEST_FALKORDB and $NEO4J_URI)",
        ),
    ] = None,
    server_companies: Annotated[
        int | None,
        typer.Option(
            "--server-companies",
            min=1,
            help="Companies in the server figures' graph (default 100,000 with --quick, "
            "else 1,000,000)",
        ),
    ] = None,
    stores_only: Annotated[
        bool,
        typer.Option(
            "--stores-only", help="Only the server figures, each beside the embedded store's"
        ),
    ] = False,
) -> None:
    """Measure speed, each figure next to a baseline measured in the same run."""
    from supplygraph.bench.run import run as run_bench

    report = run_bench(quick, stores or (), server_companies, stores_only)
    rows = [
        {k: f.as_dict()[k] for k in ("name", "value", "unit", "baseline_name", "baseline_value")}
        | {"ratio": f.ratio, "goal": f.goal, "note": f.note}
        for f in report.figures
    ]
    if as_json:
        print_json(rows)
        return
    if markdown:
        from supplygraph.bench.figures import markdown_table

        sys.stdout.write(markdown_table(rows))
        return
    for row in rows:
        if row["value"] is None:
            line = f"{row['name']}: {row['note']}  [{row['goal']}]"
        else:
            line = (
                f"{row['name']}: {row['value']:g} {row['unit']}  vs {row['baseline_name']} "
                f"{row['baseline_value']}  ratio {row['ratio']}  [{row['goal']}]"
            )
        out.print(line, highlight=False, markup=False)
    for name, why in report.skipped.items():
        out.print(f"skipped {name}: {why}", highlight=False, markup=False)


def migrate(
    source: Annotated[str, typer.Option("--from", help="Store URL to copy from")],
    target: Annotated[str, typer.Option("--to", help="Store URL to copy into")],
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Records per batch")
    ] = 1000,
) -> None:
    """Copy a whole graph (records and load log) between stores, e.g. SQLite to Neo4j."""
    from supplygraph.graph.store.migrate import migrate as copy_stores

    with errors_to_exit(), record_progress(err, "migrating") as (tick, set_total):
        report = copy_stores(source, target, batch_size, progress=tick, on_total=set_total)
    err.print(
        f"copied {report.records:,} records and {report.loads:,} load-log entries "
        f"in {report.seconds:.1f}s",
        highlight=False,
    )
