"""``supplygraph watch``: inventories re-resolved after each update, changed rows reported."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    InputFormatOpt,
    StoreOpt,
    TargetOpt,
    err,
    errors_to_exit,
    open_graph,
    out,
    print_json,
    watches_in,
)

if TYPE_CHECKING:
    from supplygraph.audit.watch import WatchReport


def print_watch(report: WatchReport) -> None:
    out.print(
        f"watch {report.name}: {len(report.changes):,} of {report.rows:,} rows changed "
        f"since {report.previous_check:%Y-%m-%d %H:%M}",
        highlight=False,
        markup=False,
    )
    for c in report.changes:
        regimes = ""
        if c.before.regimes != c.after.regimes:
            regimes = f", regimes [{', '.join(c.before.regimes)}] -> [{', '.join(c.after.regimes)}]"
        inputs = ", ".join(f"{k}={v}" for k, v in c.input.items())
        out.print(
            f"  row {c.row} ({inputs}): {c.before.verdict} -> {c.after.verdict}{regimes}",
            highlight=False,
            markup=False,
        )
        for reason in c.reasons:
            out.print(f"    {reason}", highlight=False, markup=False)
    if report.webhook_error:
        err.print(f"warning: {report.webhook_error}", highlight=False, markup=False)


def watch(
    inventory: Annotated[
        str | None, typer.Argument(help="Inventory to watch (as for `audit`)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Watch name (default: the file name)")] = None,
    webhook: Annotated[
        str | None, typer.Option(help="POST a JSON report here when rows change")
    ] = None,
    target: TargetOpt = None,
    input_format: InputFormatOpt = None,
    check: Annotated[
        bool, typer.Option("--check", help="Re-resolve every watched inventory and report")
    ] = False,
    report: Annotated[
        str | None, typer.Option("--report", help="With --check: write an HTML diff report")
    ] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Stop watching --name")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """Watch an inventory; `--check` reports the rows whose verdict or regimes changed.

    Exit code of --check: 0 no row changed, 3 rows changed, 2 an error.
    """
    watches = watches_in()
    with errors_to_exit():
        if remove:
            if not name:
                raise typer.BadParameter("--remove needs --name")
            watches.remove(name)
            err.print(f"stopped watching {name}")
            return
        graph = open_graph(store)
        if inventory is not None:
            meta = watches.add(graph.resolver, Path(inventory), name, webhook, target, input_format)
            err.print(
                f"watching {meta.name}: {meta.rows:,} rows of {inventory} (target {meta.target})",
                highlight=False,
                markup=False,
            )
        if not check:
            if inventory is None:
                for n in watches.names():
                    m = watches.meta(n)
                    out.print(
                        f"{n}: {m.rows:,} rows of {m.inventory}, target {m.target}, "
                        f"checked {m.checked:%Y-%m-%d %H:%M}"
                        + (f", webhook {m.webhook}" if m.webhook else ""),
                        highlight=False,
                        markup=False,
                    )
            return
        names = [name] if name else watches.names()
        reports = [watches.check(graph.resolver, graph.view, n) for n in names]
    if report:
        from supplygraph.audit.watch import render_html

        Path(report).write_text(render_html(reports), encoding="utf-8")
    if as_json:
        body = [r.to_json() for r in reports]
        print_json(body)
    else:
        for r in reports:
            print_watch(r)
    if any(r.changed for r in reports):
        from supplygraph.audit.watch import EXIT_CHANGED

        raise typer.Exit(EXIT_CHANGED)
