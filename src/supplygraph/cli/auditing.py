"""``supplygraph audit``: every row of an inventory resolved into a report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    AsOfOpt,
    InputFormatOpt,
    StoreOpt,
    TargetOpt,
    day_of,
    err,
    errors_to_exit,
    open_graph,
)


def audit(
    inventory: Annotated[
        str, typer.Argument(help="Inventory: CSV, XLSX, JSON/NDJSON, nmap XML or a MAC list")
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="Output file, '-' for stdout (default INVENTORY.audit.csv)"
        ),
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, json, xlsx or html (default: from -o)")
    ] = None,
    target: TargetOpt = None,
    as_of: AsOfOpt = None,
    input_format: InputFormatOpt = None,
    raw_csv: Annotated[
        bool,
        typer.Option(
            "--raw-csv",
            help="CSV output: keep cells starting with = + - @ as they are (by default they get "
            "a leading ' so a spreadsheet does not run them as formulas)",
        ),
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Resolve every row of an installed-device inventory into a report (bulk, streamed)."""
    from supplygraph.console import describe, run_audit

    with errors_to_exit():
        summary, where = run_audit(
            open_graph(store).resolver,
            Path(inventory),
            output,
            fmt,
            target,
            day_of(as_of),
            input_format,
            err,
            raw_csv,
        )
    err.print(describe(summary, where), highlight=False, markup=False)
