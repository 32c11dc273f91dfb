"""API keys, rate limits, body limits, CORS and browser headers on the real app and store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from supplygraph.api.app import create_app
from supplygraph.api.security import AdminOnly, TokenBuckets, keys_match
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings


def _client(graph: SupplyGraph, **settings: Any) -> TestClient:
    return TestClient(
        create_app(graph, Settings(access_log=False, **settings)),
        raise_server_exceptions=False,
    )


def _error_code(resp: Response) -> str:
    body = resp.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    return str(body["error"]["code"])


@pytest.fixture()
def keyed(graph: SupplyGraph) -> Iterator[TestClient]:
    yield _client(graph, api_keys="alpha-key, beta-key")


def test_keys_required_on_v1_but_not_healthz(keyed: TestClient) -> None:
    assert keyed.get("/healthz").status_code == 200
    resp = keyed.get("/v1/resolve", params={"brand": "HiLook"})
    assert resp.status_code == 401 and _error_code(resp) == "unauthorized"
    wrong = keyed.get("/v1/resolve", params={"brand": "HiLook"}, headers={"X-API-Key": "alpha"})
    assert wrong.status_code == 401
    for key in ("alpha-key", "beta-key"):
        ok = keyed.get("/v1/resolve", params={"brand": "HiLook"}, headers={"X-API-Key": key})
        assert ok.status_code == 200 and ok.json()["verdict"] == "yes"


def test_a_key_as_a_bearer_token_is_accepted(keyed: TestClient) -> None:
    """Generated OpenAPI clients send ``Authorization: Bearer <token>`` by default."""
    params = {"brand": "HiLook"}
    for scheme in ("Bearer", "bearer"):
        ok = keyed.get(
            "/v1/resolve", params=params, headers={"Authorization": f"{scheme} beta-key"}
        )
        assert ok.status_code == 200 and ok.json()["verdict"] == "yes"
    for header in ("Bearer alpha", "Basic YWxwaGEta2V5", "beta-key", "Bearer "):
        wrong = keyed.get("/v1/resolve", params=params, headers={"Authorization": header})
        assert wrong.status_code == 401, header
        assert wrong.headers["www-authenticate"] == "Bearer"
    # X-API-Key is read first: a wrong one is not rescued by a right bearer token.
    both = {"X-API-Key": "alpha", "Authorization": "Bearer alpha-key"}
    assert keyed.get("/v1/resolve", params=params, headers=both).status_code == 401


def test_keys_required_on_ui(keyed: TestClient) -> None:
    assert keyed.get("/ui").status_code == 401
    assert keyed.get("/ui/anything").status_code == 401


def test_no_keys_configured_means_open(graph: SupplyGraph) -> None:
    client = _client(graph)
    assert client.get("/v1/resolve", params={"brand": "HiLook"}).status_code == 200


def test_keys_match_is_exact() -> None:
    keys = [b"alpha-key", b"beta-key"]
    assert keys_match("alpha-key", keys)
    assert not keys_match("alpha-key ", keys)
    assert not keys_match("", keys)
    assert not keys_match("ключ", keys)  # non-ASCII input must not raise


def test_rate_limit_gives_429_with_retry_after(graph: SupplyGraph) -> None:
    client = _client(graph, api_keys="k1,k2", rate_limit=0.5, rate_burst=3)
    k1 = {"X-API-Key": "k1"}
    codes = [client.get("/v1/noop", headers=k1).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]
    limited = client.get("/v1/noop", headers=k1)
    assert _error_code(limited) == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    # Limits are per key: another key still has its burst.
    assert client.get("/v1/noop", headers={"X-API-Key": "k2"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_token_bucket_refills() -> None:
    buckets = TokenBuckets(rate=2.0, burst=1)
    assert buckets.take("a", now=0.0) == 0
    assert buckets.take("a", now=0.1) == pytest.approx(0.4)
    assert buckets.take("a", now=0.6) == 0


def test_body_limit_413_declared_and_streamed(graph: SupplyGraph) -> None:
    client = _client(graph, max_body_bytes=100)
    resp = client.post("/v1/resolve", content=b"x" * 101)
    assert resp.status_code == 413 and _error_code(resp) == "payload_too_large"

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"y" * 50

    app = create_app(graph, Settings(access_log=False, max_body_bytes=100))
    router = APIRouter()

    @router.post("/v1/echo-length")
    async def echo(body: dict[str, object]) -> dict[str, int]:
        return {"n": len(body)}

    app.include_router(router)
    streamed = TestClient(app).post("/v1/echo-length", content=chunks())
    assert streamed.status_code == 413


def test_ui_security_headers(graph: SupplyGraph) -> None:
    client = _client(graph)
    resp = client.get("/ui")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    api = client.get("/healthz")
    assert api.headers["X-Content-Type-Options"] == "nosniff"


def test_cors_preflight_without_key(graph: SupplyGraph) -> None:
    client = _client(graph, api_keys="k", cors_origins="https://buyer.example")
    pre = client.options(
        "/v1/resolve",
        headers={
            "Origin": "https://buyer.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-API-Key",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == "https://buyer.example"
    other = client.options(
        "/v1/resolve",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "Access-Control-Allow-Origin" not in other.headers


def test_unexpected_errors_leak_nothing(graph: SupplyGraph) -> None:
    app = create_app(graph, Settings(access_log=False))
    router = APIRouter()

    @router.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("/secret/internal/path.py exploded")

    app.include_router(router)
    resp = TestClient(app, raise_server_exceptions=False).get("/v1/boom")
    assert resp.status_code == 500
    assert "secret" not in resp.text and "Traceback" not in resp.text
    assert _error_code(resp) == "internal_error"


def _admin_app(graph: SupplyGraph, **settings: Any) -> FastAPI:
    app = create_app(graph, Settings(access_log=False, **settings))
    router = APIRouter()

    @router.post("/v1/admin/touch")
    def touch(_: AdminOnly) -> dict[str, bool]:
        return {"ok": True}

    app.include_router(router)
    return app


def test_writes_need_an_admin_key(graph: SupplyGraph) -> None:
    off = TestClient(_admin_app(graph))
    assert off.post("/v1/admin/touch").status_code == 403
    app = _admin_app(graph, api_keys="reader", admin_keys="writer")
    client = TestClient(app)
    assert client.post("/v1/admin/touch").status_code == 401
    reader = client.post("/v1/admin/touch", headers={"X-API-Key": "reader"})
    assert reader.status_code == 403 and _error_code(reader) == "forbidden"
    assert client.post("/v1/admin/touch", headers={"X-API-Key": "writer"}).status_code == 401
    app2 = _admin_app(graph, api_keys="reader,writer", admin_keys="writer")
    ok = TestClient(app2).post("/v1/admin/touch", headers={"X-API-Key": "writer"})
    assert ok.status_code == 200
