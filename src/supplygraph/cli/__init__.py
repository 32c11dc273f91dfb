"""The ``supplygraph`` command line: every verb, thin over the facade (see docs/ for each).

The verbs live by group (serving, loading, watching, questions, auditing, tools); this module
builds the one Typer app from them, in the order ``--help`` lists them.
"""

from __future__ import annotations

import typer

from .auditing import audit
from .loading import changes, load, sources, update
from .questions import owners, regimes, resolve
from .serving import bootstrap, default_limits_db, serve
from .tools import bench, migrate
from .watching import watch

__all__ = ["app", "bootstrap", "default_limits_db"]

app = typer.Typer(
    help="Is this product, brand, device or company ultimately Hikvision (or any target)?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _process() -> None:
    """Is this product, brand, device or company ultimately Hikvision (or any target)?"""
    # Every command is one process we own: long runs keep large caches (see runtime.py).
    from supplygraph.runtime import tune_gc

    tune_gc()


for verb in (
    serve,
    load,
    update,
    changes,
    watch,
    sources,
    resolve,
    owners,
    regimes,
    bench,
    migrate,
    audit,
):
    app.command()(verb)
