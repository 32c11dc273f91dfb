"""The verbs that fill and follow the store: ``load``, ``update``, ``changes``, ``sources``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from supplygraph.loaders.formats import FORMAT_NAMES
from supplygraph.service import SupplyGraph

from .common import (
    MirrorOpt,
    SourcesOpt,
    StoreOpt,
    day_of,
    err,
    errors_to_exit,
    open_graph,
    optional_path,
    out,
    print_json,
    progress,
    watches_in,
)
from .watching import print_watch, print_watch_errors

if TYPE_CHECKING:
    from supplygraph.audit.watch import WatchReport

EXIT_FAILED = 2  # a source could not be fetched or loaded (the others still were)


def load(
    paths: Annotated[list[str], typer.Argument(help="'seed', 'oui', or files to load")],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"{FORMAT_NAMES} (detected when not given)"),
    ] = None,
    store: StoreOpt = None,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="load a file that ends more than 10% of its dataset's listings (refused "
            "otherwise: a cut-off download reads as a shorter list)",
        ),
    ] = False,
    allow_older: Annotated[
        bool,
        typer.Option(
            "--allow-older",
            help="load a file older (by its own date) than the last load of its dataset",
        ),
    ] = False,
    assume_complete: Annotated[
        bool,
        typer.Option(
            "--assume-complete",
            help="end the listings a file leaves out even though the file does not show by "
            "its own evidence (record count, trailer, checksum) that it is whole",
        ),
    ] = False,
) -> None:
    """Load the seed data (`load seed`), the IEEE registry (`load oui`) or source files."""
    files: list[str] = []
    with errors_to_exit():
        graph = open_graph(store)
        for path in paths:
            if path == "seed":
                with progress("seed data") as tick:
                    report = graph.load_seed(tick)
            elif path == "oui":
                with progress("IEEE MAC registry") as tick:
                    report = graph.load_oui(tick)
            else:
                files.append(path)
                continue
            err.print(report.summary(), highlight=False, markup=False)
        if files:
            load_files(graph, files, fmt, allow_shrink, allow_older, assume_complete)


def load_files(
    graph: SupplyGraph,
    files: list[str],
    fmt: str | None,
    allow_shrink: bool = False,
    allow_older: bool = False,
    assume_complete: bool = False,
) -> None:
    """Each file in its own transaction; the first bad one stops the run (exit code 2)."""
    from supplygraph.loaders.ingest import load_file, plan

    for path, name in plan([Path(f) for f in files], fmt):
        with progress(f"{path.name} ({name})") as tick:
            report = load_file(
                graph.store,
                path,
                name,
                tick,
                allow_shrink=allow_shrink,
                allow_older=allow_older,
                assume_complete=assume_complete,
            )
        err.print(report.summary(), highlight=False, markup=False)
        for warning in report.warnings[:20]:
            err.print(f"  warning: {warning}", highlight=False, markup=False)


def update(
    sources_file: SourcesOpt = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", help="Only this source (repeat for several; runs disabled ones)"),
    ] = None,
    mirror: MirrorOpt = None,
    allow_shrink: Annotated[
        bool, typer.Option("--allow-shrink", help="as for `load`: a list may end many listings")
    ] = False,
    allow_older: Annotated[
        bool, typer.Option("--allow-older", help="as for `load`: a file may be older")
    ] = False,
    assume_complete: Annotated[
        bool,
        typer.Option(
            "--assume-complete",
            help="as for `load`: end the listings a file leaves out even when it cannot show "
            "that it is whole",
        ),
    ] = False,
    no_watch: Annotated[
        bool, typer.Option("--no-watch", help="Do not check the watched inventories afterwards")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON")] = False,
    store: StoreOpt = None,
) -> None:
    """Fetch the official sources (or a sources file's) and load the ones that changed.

    Exit code 0: done (loaded or unchanged); 2: a source failed (nothing of it was loaded; the
    others were); 3: a watched inventory has rows whose verdict or regimes changed.
    """
    from supplygraph.loaders.update import SourceOutcome

    def show(o: SourceOutcome) -> None:
        if not as_json:
            colour = {"loaded": "green", "unchanged": "dim", "failed": "red"}[o.status]
            err.print(f"[{colour}]{o.status}[/] {escape(o.name)}: {escape(o.reason)}")
            if o.report is not None:
                err.print(f"  {o.report.summary()}", highlight=False, markup=False)

    with errors_to_exit():
        graph = open_graph(store)
        report = graph.update(
            optional_path(sources_file),
            only=only or (),
            mirror=mirror,
            allow_shrink=allow_shrink,
            allow_older=allow_older,
            on_outcome=show,
            assume_complete=assume_complete,
        )
        checked: list[WatchReport] = []
        watch_errors: dict[str, str] = {}
        if report.loaded and not no_watch:
            checked, watch_errors = watches_in().check_all(graph.resolver, graph.view)
    if as_json:
        body = {
            "sources": [o.as_dict() for o in report.outcomes],
            "watches": [c.to_json() for c in checked],
            "watch_errors": watch_errors,
        }
        print_json(body)
    else:
        for c in checked:
            print_watch(c)
    print_watch_errors(watch_errors)
    if report.failed or watch_errors:
        raise typer.Exit(EXIT_FAILED)
    if any(c.changed for c in checked):
        from supplygraph.audit.watch import EXIT_CHANGED

        raise typer.Exit(EXIT_CHANGED)


def changes(
    since: Annotated[str, typer.Option("--since", help="From this day on, YYYY-MM-DD (UTC)")],
    dataset: Annotated[str | None, typer.Option(help="Only this dataset")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """What each load changed in its dataset: entities and listings added, removed, changed."""
    from datetime import UTC, datetime, time

    with errors_to_exit():
        day = day_of(since)
        assert day is not None
        sets = open_graph(store).view.changes(datetime.combine(day, time.min, tzinfo=UTC), dataset)
    if as_json:
        rows = [c.model_dump(mode="json") for c in sets]
        print_json(rows)
        return
    for c in sets:
        counts = ", ".join(
            f"{k.replace('_', ' ')} {v:,}" for k, v in c.counts.items() if v and k != "entities"
        )
        first = "" if c.previous_load else " (first load of the dataset)"
        out.print(
            f"{c.loaded_at:%Y-%m-%d %H:%M} {c.dataset}{first}: {counts or 'no change'}",
            highlight=False,
            markup=False,
        )
        for item in c.items:
            what = (
                item.list_name or item.list_id if item.kind == "designation" else item.entity_kind
            )
            out.print(
                f"  {item.change} {item.kind} {item.name or item.id}{f' ({what})' if what else ''}",
                highlight=False,
                markup=False,
            )
        if c.truncated:
            out.print("  ... (more: see --json counts)", highlight=False)


def sources(
    dataset: Annotated[str | None, typer.Option(help="Only this dataset")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """The load log: every file loaded, with its hash, format, dataset, time and counts."""
    with errors_to_exit():
        entries = open_graph(store).view.loads(dataset)
    if as_json:
        hidden = {"designation_ids", "entity_ids"}
        rows = [e.model_dump(mode="json", exclude=hidden) for e in entries]
        print_json(rows)
        return
    for e in entries:
        counts = ", ".join(f"{k} {v:,}" for k, v in e.counts.items())
        out.print(
            f"{e.loaded_at:%Y-%m-%d %H:%M:%S} {e.dataset} [{e.format}] {e.file} "
            f"sha256 {e.sha256[:12]}: {counts}",
            highlight=False,
            markup=False,
        )
