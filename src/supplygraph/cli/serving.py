"""``supplygraph serve``: the REST API and web UI, with an optional background refresh."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

from .common import (
    MirrorOpt,
    SourcesOpt,
    StoreOpt,
    err,
    errors_to_exit,
    open_graph,
    optional_path,
    progress,
    watches_in,
)


def bootstrap(graph: SupplyGraph) -> None:
    """Load the seed data and the IEEE registry into an empty store."""
    with progress("seed data") as tick:
        graph.load_seed(tick)
    with progress("IEEE MAC registry") as tick:
        graph.load_oui(tick)


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
    with errors_to_exit():
        every = None
        if refresh_every is not None:
            from supplygraph.loaders.update import Refresher, parse_interval, read_sources

            every = parse_interval(refresh_every)
            read_sources(
                optional_path(sources_file)
            )  # a broken sources file stops the start, not a run
        graph = open_graph(store_url)
        if settings.bootstrap and graph.is_empty():
            err.print("empty store: loading seed data and the IEEE MAC registry")
            bootstrap(graph)
        if every is not None:
            # One refresher for all workers, in this process: a load bumps the store version,
            # which every worker reads before it answers.
            refresher = Refresher(
                every, lambda: refresh_once(graph, sources_file, mirror, settings), log_refresh
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


def refresh_once(
    graph: SupplyGraph, sources_file: str | None, mirror: str | None, settings: Settings
) -> str:
    """One scheduled refresh: update, then check every watch (webhooks fire from there)."""
    report = graph.update(
        optional_path(sources_file),
        mirror=mirror,
        on_start=lambda name: log_refresh(f"{name} started"),
        on_outcome=lambda o: log_refresh(f"{o.name} {o.status}: {o.reason}"),
    )
    text = "; ".join(f"{o.name} {o.status}" for o in report.outcomes)
    if report.loaded:
        reports, errors = watches_in(settings).check_all(graph.resolver, graph.view)
        for checked in reports:
            text += f"; watch {checked.name}: {len(checked.changes)} rows changed"
            if checked.webhook_error:
                text += f" ({checked.webhook_error}; {checked.webhook_pending} pending)"
        for name, message in errors.items():
            text += f"; watch {name} failed: {message}"
    return text


def log_refresh(text: str) -> None:
    err.print(f"refresh: {text}", highlight=False, markup=False)
