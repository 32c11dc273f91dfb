"""The ``supplygraph`` command line: every verb, thin over the facade (see docs/ for each)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.console import Console
from rich.markup import escape

from supplygraph.console import record_progress
from supplygraph.graph.engine.resolve import weak_link_text
from supplygraph.graph.errors import SupplyGraphError
from supplygraph.graph.model.answers import Step
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

if TYPE_CHECKING:
    from supplygraph.audit.watch import Watches, WatchReport

app = typer.Typer(
    help="Is this product, brand, device or company ultimately Hikvision (or any target)?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()


@app.callback()
def _process() -> None:
    """Is this product, brand, device or company ultimately Hikvision (or any target)?"""
    # Every command is one process we own: long runs keep large caches (see runtime.py).
    from supplygraph.runtime import tune_gc

    tune_gc()


StoreOpt = Annotated[
    str | None, typer.Option("--store", help="Store URL (default: $SUPPLYGRAPH_STORE or sqlite)")
]


def _open(store: str | None) -> SupplyGraph:
    settings = Settings()
    settings.apply()
    return SupplyGraph.open(store or settings.store)


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except SupplyGraphError as exc:
        err.print(f"[red]error:[/red] {exc.message}", highlight=False)
        raise typer.Exit(2) from None


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    with record_progress(err, label) as (tick, _):
        yield tick


def bootstrap(graph: SupplyGraph) -> None:
    """Load the seed data and the IEEE registry into an empty store."""
    with _progress("seed data") as tick:
        graph.load_seed(tick)
    with _progress("IEEE MAC registry") as tick:
        graph.load_oui(tick)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    store: StoreOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes; with more than one, rate limits and failed-key counts are "
            "kept in a shared file ($SUPPLYGRAPH_LIMITS_DB, default limits.db beside the store)",
        ),
    ] = 1,
    refresh_every: Annotated[
        str | None,
        typer.Option(
            "--refresh-every",
            help="Refresh the sources in the background this often (e.g. 24h, 90m); each "
            "changed source is swapped in by one transaction, then watches are checked",
        ),
    ] = None,
    sources_file: SourcesOpt = None,
    mirror: MirrorOpt = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxy addresses (comma-separated) whose X-Forwarded-For is trusted; default "
            "$SUPPLYGRAPH_FORWARDED_ALLOW_IPS, empty: none",
        ),
    ] = None,
) -> None:
    """Run the REST API (and the web UI). An empty store is filled with the seed data first."""
    import os

    from supplygraph.api.serving import serve as run_server

    settings = Settings()
    store_url = store or settings.store
    with _errors():
        every = None
        if refresh_every is not None:
            from supplygraph.loaders.update import Refresher, parse_interval, read_sources

            every = parse_interval(refresh_every)
            read_sources(_path(sources_file))  # a broken sources file stops the start, not a run
        graph = _open(store_url)
        if settings.bootstrap and graph.is_empty():
            err.print("empty store: loading seed data and the IEEE MAC registry")
            bootstrap(graph)
        if every is not None:
            # One refresher for all workers, in this process: a load bumps the store version,
            # which every worker reads before it answers.
            refresher = Refresher(
                every, lambda: _refresh(graph, sources_file, mirror, settings), _log_refresh
            )
            refresher.start()
        else:
            graph.close()
    # Every worker builds its app from the environment (api.app.app_from_environment).
    os.environ["SUPPLYGRAPH_STORE"] = store_url
    if forwarded_allow_ips is not None:
        os.environ["SUPPLYGRAPH_FORWARDED_ALLOW_IPS"] = forwarded_allow_ips
    if workers > 1 and not settings.limits_db:
        os.environ["SUPPLYGRAPH_LIMITS_DB"] = str(default_limits_db(store_url))
    run_server(
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
        # The app writes one JSON line per request itself (api/middleware.py).
        access_log=not settings.access_log,
    )


def default_limits_db(store_url: str) -> Path:
    """``limits.db`` beside an SQLite store, else under ``./data`` (the default store's folder)."""
    if store_url.startswith("sqlite:///") and not store_url.endswith(":memory:"):
        return Path(store_url.removeprefix("sqlite:///")).parent / "limits.db"
    return Path("data") / "limits.db"


@app.command()
def load(
    paths: Annotated[list[str], typer.Argument(help="'seed', 'oui', or files to load")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", help="csl, ofac, fcc, ndaa889, 1260h, ftm, bods, gleif, brands, ieee"
        ),
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
    with _errors():
        graph = _open(store)
        for path in paths:
            if path == "seed":
                with _progress("seed data") as tick:
                    report = graph.load_seed(tick)
            elif path == "oui":
                with _progress("IEEE MAC registry") as tick:
                    report = graph.load_oui(tick)
            else:
                files.append(path)
                continue
            err.print(report.summary(), highlight=False, markup=False)
        if files:
            _load_files(graph, files, fmt, allow_shrink, allow_older, assume_complete)


def _load_files(
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
        with _progress(f"{path.name} ({name})") as tick:
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


SourcesOpt = Annotated[
    str | None,
    typer.Option("--sources", help="Sources file (YAML; default: the shipped official sources)"),
]
MirrorOpt = Annotated[
    str | None,
    typer.Option(
        "--mirror", help="Fetch every URL from this mirror instead: MIRROR/host/path of the URL"
    ),
]
EXIT_FAILED = 2  # a source could not be fetched or loaded (the others still were)


def _path(text: str | None) -> Path | None:
    return Path(text) if text else None


def _watches(settings: Settings | None = None) -> Watches:
    from supplygraph.audit.watch import Watches

    return Watches(Path((settings or Settings()).watch_dir))


def _refresh(
    graph: SupplyGraph, sources_file: str | None, mirror: str | None, settings: Settings
) -> str:
    """One scheduled refresh: update, then check every watch (webhooks fire from there)."""
    report = graph.update(
        _path(sources_file),
        mirror=mirror,
        on_start=lambda name: _log_refresh(f"{name} started"),
        on_outcome=lambda o: _log_refresh(f"{o.name} {o.status}: {o.reason}"),
    )
    text = "; ".join(f"{o.name} {o.status}" for o in report.outcomes)
    if report.loaded:
        reports, errors = _watches(settings).check_all(graph.resolver, graph.view)
        for checked in reports:
            text += f"; watch {checked.name}: {len(checked.changes)} rows changed"
            if checked.webhook_error:
                text += f" ({checked.webhook_error}; {checked.webhook_pending} pending)"
        for name, message in errors.items():
            text += f"; watch {name} failed: {message}"
    return text


def _log_refresh(text: str) -> None:
    err.print(f"refresh: {text}", highlight=False, markup=False)


@app.command()
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

    with _errors():
        graph = _open(store)
        report = graph.update(
            _path(sources_file),
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
            checked, watch_errors = _watches().check_all(graph.resolver, graph.view)
    if as_json:
        body = {
            "sources": [o.as_dict() for o in report.outcomes],
            "watches": [c.to_json() for c in checked],
            "watch_errors": watch_errors,
        }
        sys.stdout.write(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        for c in checked:
            _print_watch(c)
    _print_watch_errors(watch_errors)
    if report.failed or watch_errors:
        raise typer.Exit(EXIT_FAILED)
    if any(c.changed for c in checked):
        from supplygraph.audit.watch import EXIT_CHANGED

        raise typer.Exit(EXIT_CHANGED)


@app.command()
def changes(
    since: Annotated[str, typer.Option("--since", help="From this day on, YYYY-MM-DD (UTC)")],
    dataset: Annotated[str | None, typer.Option(help="Only this dataset")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """What each load changed in its dataset: entities and listings added, removed, changed."""
    from datetime import UTC, datetime, time

    with _errors():
        day = _date(since)
        assert day is not None
        sets = _open(store).view.changes(datetime.combine(day, time.min, tzinfo=UTC), dataset)
    if as_json:
        rows = [c.model_dump(mode="json") for c in sets]
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
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


def _print_watch_errors(errors: dict[str, str]) -> None:
    for name, message in errors.items():
        err.print(f"error: watch {name}: {message}", highlight=False, markup=False)


def _print_watch(report: WatchReport) -> None:
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


def _list_watches(watches: Watches, as_json: bool) -> None:
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
        sys.stdout.write(orjson.dumps(listed, option=orjson.OPT_INDENT_2).decode() + "\n")
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


@app.command()
def watch(
    inventory: Annotated[
        str | None, typer.Argument(help="Inventory to watch (as for `audit`)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Watch name (default: the file name)")] = None,
    webhook: Annotated[
        str | None, typer.Option(help="POST a JSON report here when rows change")
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="Target id or name (default Hikvision)")
    ] = None,
    input_format: Annotated[
        str | None,
        typer.Option("--input-format", help="csv, xlsx, json, ndjson, nmap, maclist (detected)"),
    ] = None,
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
    watches = _watches()
    with _errors():
        if remove:
            if not name:
                raise typer.BadParameter("--remove needs --name")
            watches.remove(name)
            err.print(f"stopped watching {name}")
            return
        graph = _open(store)
        if inventory is not None:
            meta = watches.add(graph.resolver, Path(inventory), name, webhook, target, input_format)
            err.print(
                f"watching {meta.name}: {meta.rows:,} rows of {inventory} (target {meta.target})",
                highlight=False,
                markup=False,
            )
        if not check:
            if inventory is None:
                _list_watches(watches, as_json)
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
        sys.stdout.write(orjson.dumps(shown, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        for r in reports:
            _print_watch(r)
    _print_watch_errors(errors)
    if errors:
        raise typer.Exit(EXIT_FAILED)
    if any(r.changed for r in reports):
        from supplygraph.audit.watch import EXIT_CHANGED

        raise typer.Exit(EXIT_CHANGED)


@app.command()
def sources(
    dataset: Annotated[str | None, typer.Option(help="Only this dataset")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """The load log: every file loaded, with its hash, format, dataset, time and counts."""
    with _errors():
        entries = _open(store).view.loads(dataset)
    if as_json:
        hidden = {"designation_ids", "entity_ids"}
        rows = [e.model_dump(mode="json", exclude=hidden) for e in entries]
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    for e in entries:
        counts = ", ".join(f"{k} {v:,}" for k, v in e.counts.items())
        out.print(
            f"{e.loaded_at:%Y-%m-%d %H:%M:%S} {e.dataset} [{e.format}] {e.file} "
            f"sha256 {e.sha256[:12]}: {counts}",
            highlight=False,
            markup=False,
        )


VERDICT_COLOURS = {"yes": "red", "possible": "dark_orange", "no": "green", "unknown": "yellow"}


def _step_line(step: Step) -> str:
    """``A -OWNS 51%-> B  [source titles]``, with ``(weak: why)`` on a weak step."""
    share = f" {step.share}%" if step.share is not None else ""
    weak = f" (weak: {step.weak_reason})" if step.strength == "weak" else ""
    cites = "; ".join(s.title for s in step.sources)
    return f"{step.from_name} -{step.relation}{share}-> {step.to_name}{weak}  [{cites}]"


def _print(model: object, as_json: bool) -> None:
    data = model.model_dump(mode="json", by_alias=True)  # type: ignore[attr-defined]
    if as_json:
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


@app.command()
def resolve(
    name: Annotated[str | None, typer.Option(help="Company or product name")] = None,
    brand: Annotated[str | None, typer.Option(help="Brand")] = None,
    model: Annotated[str | None, typer.Option(help="Model number")] = None,
    mac: Annotated[str | None, typer.Option(help="MAC address or 24-bit prefix")] = None,
    fcc_id: Annotated[str | None, typer.Option("--fcc-id", help="FCC ID")] = None,
    target: Annotated[
        str | None, typer.Option(help="Target id or name (default Hikvision)")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full JSON answer")] = False,
    store: StoreOpt = None,
) -> None:
    """Is this ultimately the target? Prints the verdict and its evidence paths."""
    with _errors():
        day = _date(as_of)
        result = _open(store).resolve(
            name=name, brand=brand, model=model, mac=mac, fcc_id=fcc_id, target=target, as_of=day
        )
    if as_json:
        _print(result, True)
        return
    colour = VERDICT_COLOURS[result.verdict]
    out.print(
        f"[bold {colour}]{result.verdict}[/] (confidence {result.confidence}) "
        f"- target {escape(result.target.name)}",
        highlight=False,
    )
    out.print(result.explanation, highlight=False, markup=False)
    names = {m.id: m.name for m in result.matched}
    for path in result.paths:
        for step in path:
            names[step.from_], names[step.to] = step.from_name, step.to_name
    for w in result.weak_links:
        out.print(f"weak link: {weak_link_text(w, names)}", highlight=False, markup=False)
    for i, path in enumerate(result.paths, 1):
        out.print(f"path {i}:", highlight=False)
        for step in path:
            out.print(f"  {_step_line(step)}", highlight=False, markup=False)
    for step in result.distributes:
        out.print(f"distributes: {_step_line(step)}", highlight=False, markup=False)
    for d in result.designations:
        out.print(
            f"designation: {d.entity_name} on {d.list_name or d.list_} from {d.start_date}",
            highlight=False,
        )
    for note in result.notes:
        out.print(f"note: {note}", highlight=False)


@app.command()
def owners(
    entity: Annotated[str, typer.Argument(help="Entity id or name")],
    max_depth: Annotated[int, typer.Option("--max-depth")] = 6,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """The upstream ownership and control chain, with integrated shares."""
    with _errors():
        result = _open(store).owners(entity, max_depth, _date(as_of))
    if as_json:
        _print(result, True)
        return
    out.print(f"owners of {result.entity.name} as of {result.as_of}:", highlight=False)
    for o in result.owners:
        share = "unknown" if o.effective_share is None else f"{o.effective_share:g}%"
        if o.effective_share is None and o.effective_share_min is not None:
            share = f"{o.effective_share_min:g}-{o.effective_share_max:g}%"
        flags = ", ".join(f for f, on in (("controls", o.controls), ("ultimate", o.ultimate)) if on)
        out.print(
            f"  {'  ' * (o.depth - 1)}{o.name} [{o.id}] depth {o.depth}, effective {share}"
            f"{' (' + flags + ')' if flags else ''}",
            highlight=False,
            markup=False,
        )
    if result.state_owned is not None:
        out.print(result.state_owned.reason, highlight=False, markup=False)


@app.command()
def regimes(
    entity: Annotated[str, typer.Argument(help="Entity id or name")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    store: StoreOpt = None,
) -> None:
    """Per-regulation verdicts (OFAC 50%, BIS affiliates, listings, NDAA 889, FCC, Canada)."""
    with _errors():
        result = _open(store).regimes(entity, _date(as_of))
    if as_json:
        _print(result, True)
        return
    out.print(f"regimes for {result.entity.name} as of {result.as_of}:", highlight=False)
    for r in result.regimes:
        out.print(f"  {r.regime}: {r.verdict}. {r.reason}", highlight=False, markup=False)


@app.command()
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
) -> None:
    """Measure speed, each figure next to a baseline measured in the same run."""
    from supplygraph.bench.run import run as run_bench

    report = run_bench(quick, stores or ())
    rows = [
        {k: f.as_dict()[k] for k in ("name", "value", "unit", "baseline_name", "baseline_value")}
        | {"ratio": f.ratio, "goal": f.goal, "note": f.note}
        for f in report.figures
    ]
    if as_json:
        sys.stdout.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
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


@app.command()
def migrate(
    source: Annotated[str, typer.Option("--from", help="Store URL to copy from")],
    target: Annotated[str, typer.Option("--to", help="Store URL to copy into")],
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Records per batch")
    ] = 1000,
) -> None:
    """Copy a whole graph (records and load log) between stores, e.g. SQLite to Neo4j."""
    from supplygraph.graph.store.migrate import migrate as copy_stores

    with _errors(), record_progress(err, "migrating") as (tick, set_total):
        report = copy_stores(source, target, batch_size, progress=tick, on_total=set_total)
    err.print(
        f"copied {report.records:,} records and {report.loads:,} load-log entries "
        f"in {report.seconds:.1f}s",
        highlight=False,
    )


@app.command()
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
    target: Annotated[
        str | None, typer.Option(help="Target id or name (default Hikvision)")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")] = None,
    input_format: Annotated[
        str | None,
        typer.Option("--input-format", help="csv, xlsx, json, ndjson, nmap, maclist (detected)"),
    ] = None,
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

    with _errors():
        summary, where = run_audit(
            _open(store).resolver,
            Path(inventory),
            output,
            fmt,
            target,
            _date(as_of),
            input_format,
            err,
            raw_csv,
        )
    err.print(describe(summary, where), highlight=False, markup=False)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    from supplygraph.graph.model.normalize import iso_date

    return iso_date(text)


if __name__ == "__main__":
    app()
