"""The service's own trust and storage (issue: Hardening III, L6, L7).

L6 runs the server as `supplygraph serve` configures it (api/serving.py), on 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from live_server import free_port

from supplygraph.api.serving import _config


@contextmanager
def _served(monkeypatch: pytest.MonkeyPatch, store: Path, forwarded: str) -> Iterator[str]:
    monkeypatch.setenv("SUPPLYGRAPH_STORE", f"sqlite:///{store}")
    monkeypatch.setenv("SUPPLYGRAPH_API_KEYS", "the-right-key")
    monkeypatch.setenv("SUPPLYGRAPH_AUTH_FAILURE_BURST", "3")
    monkeypatch.setenv("SUPPLYGRAPH_AUTH_FAILURE_RATE", "0.01")
    monkeypatch.setenv("SUPPLYGRAPH_FORWARDED_ALLOW_IPS", forwarded)
    port = free_port()
    server = uvicorn.Server(_config("127.0.0.1", port, "warning", False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _statuses(base: str, tries: int) -> list[int]:
    out = []
    for i in range(tries):
        request = urllib.request.Request(
            f"{base}/v1/search?q=hik",
            headers={"X-API-Key": f"wrong-{i}", "X-Forwarded-For": f"198.51.100.{i + 1}"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                out.append(resp.status)
        except urllib.error.HTTPError as exc:
            out.append(exc.code)
    return out


def test_forwarded_for_from_loopback_is_not_trusted_by_default(
    seeded_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: uvicorn trusted X-Forwarded-For from 127.0.0.1, so a local client that named a new
    # address each time was never held by the failed-key limit.
    with _served(monkeypatch, seeded_path, "") as base:
        statuses = _statuses(base, 6)
    assert statuses[:3] == [401, 401, 401] and 429 in statuses[3:]


def test_forwarded_for_is_read_from_a_configured_proxy(
    seeded_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _served(monkeypatch, seeded_path, "127.0.0.1") as base:
        statuses = _statuses(base, 6)
    assert statuses == [401] * 6  # each named client has its own allowance


def test_shared_limits_keep_keys_hashed_and_private(tmp_path: Path) -> None:
    # Was: with --workers N the API keys sat in clear in limits.db, mode 0644.
    from supplygraph.api.shared_limits import SharedBuckets

    path = tmp_path / "limits.db"
    buckets = SharedBuckets(path, "rate", rate=1.0, burst=2)
    assert buckets.take("key:very-secret-api-key") == 0.0
    assert buckets.take("key:very-secret-api-key") == 0.0
    assert buckets.take("key:very-secret-api-key") > 0  # still one bucket per caller
    assert buckets.take("key:another-key") == 0.0
    buckets.close()
    assert path.stat().st_mode & 0o777 == 0o600
    for part in tmp_path.iterdir():
        assert b"very-secret-api-key" not in part.read_bytes(), part.name
