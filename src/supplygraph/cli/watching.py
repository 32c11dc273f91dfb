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
    from supplygraph.audit.watch import Watches, WatchReport

# An error checking a watch (the others were still checked); 3 means rows changed.
EXIT_FAILED = 2


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


def print_watch_errors(errors: dict[str, str]) -> None:
    for name, message in errors.items():
        err.print(f"error: watch {name}: {message}", highlight=False, markup=False)


def list_watches(watches: Watches, as_json: bool) -> None:
    """Every watch with its last check and webhook state; a damaged one says so."""
    from supplygraph.audit.watch import WatchError

    listed: list[dict[str, object]] = []
    for n in watches.names():
        try:
            m = watches.meta(n)
        except WatchError as exc:
            listed.append({"watch": n, "error": exc.message})
            continue
        listed.append(
            {"watch": n, **m.model_dump(mode="json", include={"rows", "inventory", "target"})}
            | {"checked": m.checked.isoformat(timespec="seconds"), "webhook": m.webhook}
            | {"webhook_error": m.webhook_error, "webhook_pending": m.webhook_pending}
        )
    if as_json:
        print_json(listed)
        return
    for w in listed:
        if "error" in w:
            out.print(f"{w['watch']}: {w['error']}", highlight=False, markup=False)
            continue
        line = (
            f"{w['watch']}: {w['rows']:,} rows of {w['inventory']}, target {w['target']}, "
            f"checked {str(w['checked'])[:16].replace('T', ' ')}"
        )
        if w["webhook"]:
            line += f", webhook {w['webhook']}"
        if w["webhook_error"]:
            line += f" (undelivered: {w['webhook_pending']} reports; {w['webhook_error']})"
        out.print(line, highlight=False, markup=False)


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
                list_watches(watches, as_json)
            return
        reports, errors = watches.check_all(graph.resolver, graph.view, [name] if name else None)
        if name and errors and not reports:
            from supplygraph.audit.watch import WatchError

            raise WatchError(errors[name])
    if report:
        from supplygraph.audit.watch import render_html

        Path(report).write_text(render_html(reports), encoding="utf-8")
    if as_json:
        shown: list[dict[str, object]] = [r.to_json() for r in reports]
        shown += [{"watch": n, "error": m} for n, m in errors.items()]
        print_json(shown)
    else:
        for r in reports:
            print_watch(r)
    print_watch_errors(errors)
    if errors:
        raise typer.Exit(EXIT_FAILED)
    if any(r.changed for r in reports):
        from supplygraph.audit.watch import EXIT_CHANGED

        raise typer.Exit(EXIT_CHANGED)
