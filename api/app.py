"""The FastAPI application. Routes are thin: they translate HTTP to engine calls and back."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.routing import APIRoute

import supplygraph
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

from . import docs_pages, errors, middleware, security
from .routes import (
    bulk,
    bulk_contract,
    changes,
    entities,
    health,
    match,
    neighbourhood,
    ops,
    reconcile,
    regimes,
    resolve,
    sources,
)
from .ui import install as install_ui


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(graph: SupplyGraph, settings: Settings | None = None) -> FastAPI:
    """The app over ``graph``; ``settings`` (default: from the environment) set keys and limits."""
    settings = settings or Settings()
    settings.apply()
    app = FastAPI(
        title="supplygraph",
        version=supplygraph.__version__,
        description="Is this product, brand, device or company ultimately Hikvision "
        "(or Dahua, Huawei, any target)? Verdicts with sourced evidence paths.",
        # Operation ids are the route names (`resolve`, `owners`, ...): generated clients name
        # their functions after them.
        generate_unique_id_function=_operation_id,
        # Served by docs_pages from vendored assets: FastAPI's own pages need a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.graph = graph
    app.state.settings = settings
    errors.install(app)

    app.include_router(health.router)
    app.include_router(resolve.router)
    app.include_router(bulk.router)
    bulk_contract.declare_line(app)
    # Right after resolve: the no-op baseline pays the same route matching as what it is
    # compared with.
    app.include_router(ops.router)
    app.include_router(entities.router)
    app.include_router(regimes.router)
    app.include_router(neighbourhood.router)
    app.include_router(sources.router)
    app.include_router(changes.router)
    app.include_router(match.router)
    app.include_router(reconcile.router)
    install_ui(app)
    docs_pages.install(app)
    if settings.metrics:
        app.include_router(ops.metrics_router)
    # Order matters: the last added is the outermost, so ids, logs and metrics cover rejections.
    security.install(app, settings)
    middleware.install(app, settings)
    return app


def app_from_environment() -> FastAPI:
    """The app over the store named by ``SUPPLYGRAPH_STORE``, settings from the environment.

    An import-string factory (``uvicorn --factory supplygraph.api.app:app_from_environment``):
    each worker of ``supplygraph serve --workers N`` is a fresh process that builds its own app
    with it, and so its own store connections.
    """
    from supplygraph.runtime import settle, tune_gc

    settings = Settings()
    app = create_app(SupplyGraph.open(settings.store), settings)
    # A server process is ours: tune the collector for its caches (see runtime.py).
    tune_gc()
    settle()
    return app
