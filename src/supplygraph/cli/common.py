"""What every verb of the command line shares: consoles, options, opening the store, errors."""

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

from supplygraph.console import record_progress
from supplygraph.graph.errors import SupplyGraphError
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

if TYPE_CHECKING:
    from pydantic import BaseModel

    from supplygraph.audit.watch import Watches

err = Console(stderr=True)
out = Console()

StoreOpt = Annotated[
    str | None, typer.Option("--store", help="Store URL (default: $SUPPLYGRAPH_STORE or sqlite)")
]
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
TargetOpt = Annotated[str | None, typer.Option(help="Target id or name (default Hikvision)")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Date YYYY-MM-DD")]
InputFormatOpt = Annotated[
    str | None,
    typer.Option("--input-format", help="csv, xlsx, json, ndjson, nmap, maclist (detected)"),
]


def open_graph(store: str | None) -> SupplyGraph:
    settings = Settings()
    settings.apply()
    return SupplyGraph.open(store or settings.store)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """A SupplyGraphError is one red line on stderr and exit code 2, never a traceback."""
    try:
        yield
    except SupplyGraphError as exc:
        err.print(f"[red]error:[/red] {exc.message}", highlight=False)
        raise typer.Exit(2) from None


@contextmanager
def progress(label: str) -> Iterator[Callable[[int], None]]:
    with record_progress(err, label) as (tick, _):
        yield tick


def print_json(data: object) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def print_model(model: BaseModel) -> None:
    print_json(model.model_dump(mode="json", by_alias=True))


def optional_path(text: str | None) -> Path | None:
    return Path(text) if text else None


def watches_in(settings: Settings | None = None) -> Watches:
    from supplygraph.audit.watch import Watches

    return Watches(Path((settings or Settings()).watch_dir))


def day_of(text: str | None) -> date | None:
    if text is None:
        return None
    from supplygraph.graph.model.normalize import iso_date

    return iso_date(text)
