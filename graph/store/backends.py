"""Open a store by URL: the one place that knows every backend (the protocol is in store.py)."""

from __future__ import annotations

from urllib.parse import urlparse

from supplygraph.graph.errors import InvalidStoreURL
from supplygraph.graph.store.protocol import GraphStore

DEFAULT_STORE_URL = "sqlite:///./data/supplygraph.db"


def open_store(url: str = DEFAULT_STORE_URL) -> GraphStore:
    """Open the store a URL names: ``sqlite:///path``, ``neo4j://...``, ``falkordb://...``.

    >>> store = open_store("sqlite:///:memory:")
    >>> store.view().counts()["nodes"]
    0
    """
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        from supplygraph.graph.store.sqlite import SQLiteStore

        return SQLiteStore.from_url(url)
    if scheme in ("falkordb", "neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"):
        # Lazy: the server drivers are an optional extra (supplygraph[cypher]).
        from supplygraph.graph.store.cypher import CypherStore

        return CypherStore.from_url(url)
    raise InvalidStoreURL(
        f"unsupported store URL {url!r}: use sqlite:///path, neo4j://host:7687 or "
        "falkordb://host:6379/graph"
    )
