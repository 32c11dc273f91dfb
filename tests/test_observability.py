"""Request ids, JSON access logs and Prometheus metrics on the real app and store."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from supplygraph.api.app import create_app
from supplygraph.api.middleware import ACCESS_LOGGER
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings


@pytest.fixture()
def client(graph: SupplyGraph) -> TestClient:
    return TestClient(create_app(graph, Settings()), raise_server_exceptions=False)


def test_request_id_echoed_or_generated(client: TestClient) -> None:
    resp = client.get("/healthz", headers={"X-Request-ID": "order-4711.a"})
    assert resp.headers["X-Request-ID"] == "order-4711.a"
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz").headers["X-Request-ID"]
    # An id that could forge log lines is replaced, not echoed.
    assert client.get("/healthz", headers={"X-Request-ID": "a b\tc"}).headers[
        "X-Request-ID"
    ] not in ("a b\tc",)


def test_one_json_log_line_per_request(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
            client.get("/v1/resolve", params={"mac": "zz"}, headers={"X-Request-ID": "r-1"})
    finally:
        logger.removeHandler(caplog.handler)
    lines = [orjson.loads(r.getMessage()) for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(lines) == 1
    entry = lines[0]
    assert entry["method"] == "GET" and entry["path"] == "/v1/resolve"
    assert entry["route"] == "/v1/resolve" and entry["status"] == 422
    assert entry["request_id"] == "r-1" and entry["duration_ms"] >= 0


def _metric(text: str, prefix: str) -> float:
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{prefix} not in metrics")


def test_metrics_count_requests_latency_and_cache(client: TestClient) -> None:
    for _ in range(3):
        assert client.get("/v1/resolve", params={"brand": "HiWatch"}).status_code == 200
    client.get("/v1/entities/nope")
    text = client.get("/metrics").text
    assert (
        _metric(
            text,
            'supplygraph_http_requests_total{method="GET",route="/v1/resolve",status="200"}',
        )
        == 3
    )
    # Route templates, not raw paths, keep the label set small.
    assert 'route="/v1/entities/{entity_id}",status="404"' in text
    assert (
        _metric(
            text,
            'supplygraph_http_request_duration_seconds_count{method="GET",route="/v1/resolve"}',
        )
        == 3
    )
    assert _metric(text, 'supplygraph_cache_hits_total{cache="answers"}') >= 2
    assert 0 < _metric(text, 'supplygraph_cache_hit_ratio{cache="answers"}') <= 1
    assert 'supplygraph_cache_hit_ratio{cache="reach"}' in text
    assert _metric(text, "supplygraph_store_errors_total") == 0


def test_store_errors_counted_as_503(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    graph = SupplyGraph.open(f"sqlite:///{folder / 'gone.db'}")
    graph.load_seed()
    # The store's folder disappears: the server's threads cannot open it any more.
    shutil.rmtree(folder)
    client = TestClient(create_app(graph, Settings()), raise_server_exceptions=False)
    resp = client.get("/v1/resolve", params={"brand": "EZVIZ"})
    assert resp.status_code == 503 and resp.headers["Retry-After"]
    assert resp.json()["error"]["code"] == "store_unavailable"
    assert _metric(client.get("/metrics").text, "supplygraph_store_errors_total") == 1
    graph.close()


def test_metrics_can_be_switched_off(graph: SupplyGraph) -> None:
    client = TestClient(create_app(graph, Settings(metrics=False)))
    assert client.get("/metrics").status_code == 404
