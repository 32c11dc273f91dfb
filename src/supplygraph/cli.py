"""The ``supplygraph`` command line (DESIGN.md section 5)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from supplygraph.graph.errors import SupplyGraphError
from supplygraph.graph.resolve import weak_link_text
from supplygraph.graph.results import Step
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

app = typer.Typer(
    help="Is this product, brand, device or company ultimately Hikvision (or any target)?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

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
def _progress(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,} records"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


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
) -> None:
    """Run the REST API (and the web UI). An empty store is filled with the seed data first."""
    import uvicorn

    from supplygraph.api.app import create_app

    settings = Settings()
    with _errors():
        graph = _open(store)
        if settings.bootstrap and graph.is_empty():
            err.print("empty store: loading seed data and the IEEE MAC registry")
            bootstrap(graph)
    uvicorn.run(
        create_app(graph),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
        # The app writes one JSON line per request itself (api/middleware.py).
        access_log=not settings.access_log,
    )


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
) -> None:
    """Load the seed data (`load seed`), the IEEE registry (`load oui`) or source files."""
    files: list[str] = []
    with _errors():
        graph = _open(store)
        for path in paths:
            if path == "seed":
                with _progress("seed data") as tick:
                    n = graph.load_seed(tick)
            elif path == "oui":
                with _progress("IEEE MAC registry") as tick:
                    n = graph.load_oui(tick)
            else:
                files.append(path)
                continue
            err.print(f"{path}: {n:,} records written")
        if files:
            _load_files(graph, files, fmt, allow_shrink, allow_older)


def _load_files(
    graph: SupplyGraph,
    files: list[str],
    fmt: str | None,
    allow_shrink: bool = False,
    allow_older: bool = False,
) -> None:
    """Each file in its own transaction; the first bad one stops the run (exit code 2)."""
    from pathlib import Path

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
            )
        err.print(report.summary(), highlight=False, markup=False)
        for warning in report.warnings[:20]:
            err.print(f"  warning: {warning}", highlight=False, markup=False)


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
    quick: Annotated[bool, typer.Option("--quick", help="About a minute; smaller sizes")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON")] = False,
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
    for row in rows:
        out.print(
            f"{row['name']}: {row['value']:g} {row['unit']}  vs {row['baseline_name']} "
            f"{row['baseline_value']}  ratio {row['ratio']}  [{row['goal']}]",
            highlight=False,
            markup=False,
        )
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
    from supplygraph.graph.migrate import migrate as copy_stores

    with (
        _errors(),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:,} records"),
            TimeElapsedColumn(),
            console=err,
        ) as bar,
    ):
        task = bar.add_task("migrating", total=None)
        report = copy_stores(
            source,
            target,
            batch_size,
            progress=lambda n: bar.advance(task, n),
            on_total=lambda total: bar.update(task, total=total),
        )
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
    from pathlib import Path

    from supplygraph.audit.console import describe, run_audit

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
    from supplygraph.graph.normalize import iso_date

    return iso_date(text)


if __name__ == "__main__":
    app()
