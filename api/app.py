"""The FastAPI application. Routes are thin: they translate HTTP to engine calls and back."""

from __future__ import annotations

from fastapi import FastAPI

import supplygraph
from supplygraph.service import SupplyGraph

from . import errors
from .routes import entities, resolve


def create_app(graph: SupplyGraph) -> FastAPI:
    app = FastAPI(
        title="supplygraph",
        version=supplygraph.__version__,
        description="Is this product, brand, device or company ultimately Hikvision "
        "(or Dahua, Huawei, any target)? Verdicts with sourced evidence paths.",
    )
    app.state.graph = graph
    errors.install(app)

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, object]:
        return {"status": "ok", "version": supplygraph.__version__}

    app.include_router(resolve.router)
    app.include_router(entities.router)
    return app
