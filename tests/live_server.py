"""A real uvicorn server on a free loopback port, for tests that speak HTTP like a client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn

from supplygraph.api.app import create_app
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(store: Path, settings: Settings | None = None) -> Iterator[str]:
    """The app over the SQLite store at ``store``; yields its base URL, stops on exit."""
    graph = SupplyGraph.open(f"sqlite:///{store}")
    port = free_port()
    config = uvicorn.Config(
        create_app(graph, settings or Settings(access_log=False)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the uvicorn server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        graph.close()
