"""Request ids, one structured JSON log line per request, and Prometheus metrics.

A pure ASGI middleware: it reads the matched route template after the app ran (so metric labels
stay few: ``/v1/entities/{entity_id}``, not one label per id) and adds ``X-Request-ID`` to the
response, taking the caller's id when it is a sane token and making one otherwise.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supplygraph.graph.errors import StoreUnavailable
from supplygraph.settings import Settings

from .errors import error_body

ACCESS_LOGGER = "supplygraph.access"
REQUEST_ID_HEADER = b"x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
# Buckets from 0.5 ms: a cached lookup answers in less than a millisecond.
LATENCY_BUCKETS = (
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
)


def access_logger() -> logging.Logger:
    """The access logger; on first use it writes bare JSON lines to stderr unless configured."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class CacheCollector(Collector):
    """Hit and miss counts and the hit ratio of the engine caches, read at scrape time."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def _caches(self) -> Iterator[tuple[str, int, int]]:
        resolver = getattr(getattr(self.app.state, "graph", None), "resolver", None)
        for label, attr in (("reach", "reach_cache"), ("answers", "answers")):
            cache = getattr(resolver, attr, None)
            if cache is not None:
                yield label, int(cache.hits), int(cache.misses)

    def collect(self) -> Iterator[Metric]:
        hits = CounterMetricFamily("supplygraph_cache_hits", "Engine cache hits", labels=["cache"])
        misses = CounterMetricFamily(
            "supplygraph_cache_misses", "Engine cache misses", labels=["cache"]
        )
        ratio = GaugeMetricFamily(
            "supplygraph_cache_hit_ratio", "Hits / (hits + misses) since start", labels=["cache"]
        )
        for label, hit, miss in self._caches():
            hits.add_metric([label], hit)
            misses.add_metric([label], miss)
            ratio.add_metric([label], hit / (hit + miss) if hit + miss else 0.0)
        yield hits
        yield misses
        yield ratio


class Metrics:
    """The app's own registry, so that several apps in one process (tests) do not collide."""

    def __init__(self, app: FastAPI) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "supplygraph_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "supplygraph_http_request_duration_seconds",
            "Time from request to the last response byte",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.store_errors = Counter(
            "supplygraph_store_errors",
            "Requests that failed because the store was unavailable",
            registry=self.registry,
        )
        self.registry.register(CacheCollector(app))


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key == REQUEST_ID_HEADER:
            text = value.decode("latin-1")
            if _SAFE_ID.fullmatch(text):
                return str(text)
            break
    return uuid.uuid4().hex


class ObservabilityMiddleware:
    """Outermost layer: every response, rejected or not, has an id, a log line and a count."""

    def __init__(self, app: ASGIApp, metrics: Metrics, log: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.logger = access_logger() if log else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        header = (b"x-request-id", request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - start)

    def _record(self, scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "<unmatched>"
        method = scope.get("method", "")
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        if self.logger is not None:
            entry: dict[str, Any] = {
                "event": "request",
                "method": method,
                "path": scope.get("path", ""),
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000.0, 3),
                "request_id": request_id,
            }
            self.logger.info(orjson.dumps(entry).decode())


def install(app: FastAPI, settings: Settings) -> Metrics:
    """Add the middleware (call last, so it wraps every other layer) and the store-error count."""
    metrics = Metrics(app)
    app.state.metrics = metrics

    async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StoreUnavailable)
        metrics.store_errors.inc()
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details),
            status_code=503,
            headers={"Retry-After": "5"},
        )

    app.add_exception_handler(StoreUnavailable, _store_unavailable)
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, log=settings.access_log)
    return metrics
