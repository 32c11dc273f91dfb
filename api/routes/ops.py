"""Operational endpoints kept out of the OpenAPI schema: Prometheus metrics and a no-op.

``GET /v1/noop`` answers a constant through the same middleware (keys, limits, logs, metrics) as
every ``/v1`` route: the benchmark divides the resolve rate by its rate on the same server.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(include_in_schema=False)
metrics_router = APIRouter(include_in_schema=False)


@router.get("/v1/noop")
async def noop() -> dict[str, bool]:
    """Does nothing: the baseline for ``http_resolve_vs_noop``."""
    return {"ok": True}


@metrics_router.get("/metrics")
def metrics(request: Request) -> Response:
    """Prometheus text format: requests, latency histogram, store errors, cache hit rates."""
    registry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
