"""What only a server store has: URLs, outages and recovery, isolation of a load in progress.

The contract suite (test_store_contract.py) covers the protocol itself on every backend. These
tests run on real FalkorDB and Neo4j servers (see server_stores.py; .ci/run starts both) and show
as skipped without them; outages are real too: a loopback relay between client and server is cut.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from factories import org, owns
from fastapi.testclient import TestClient
from server_stores import CYPHER_BACKENDS, drop, fresh_url, neo4j_auth, with_options
from tcp_relay import TcpRelay

from supplygraph.api.app import create_app
from supplygraph.graph.errors import InvalidStoreURL, StoreUnavailable
from supplygraph.graph.model.records import Relation
from supplygraph.graph.store import cypher_queries as q
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.cypher import VERSION_RECHECK_S, CypherStore
from supplygraph.graph.store.cypher_queries import Dialect, schema_statements
from supplygraph.graph.store.protocol import Direction
from supplygraph.service import SupplyGraph

FAST_FAIL = "retries=1&backoff=0.05&timeout=2"


@pytest.fixture(params=CYPHER_BACKENDS)
def store_url(request: pytest.FixtureRequest) -> Iterator[str]:
    url = fresh_url(request.param)
    drop(url)  # Neo4j: the server's one database, emptied first
    yield url
    drop(url)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("falkordb://127.0.0.1:6379/g?colour=blue", "unknown option(s) colour"),
        ("falkordb://127.0.0.1:6379/g?batch_size=lots", "batch_size must be a whole number"),
        ("falkordb://127.0.0.1:6379/g?batch_size=0", "batch_size must be at least 1"),
        ("falkordb://127.0.0.1:6379/g?timeout=-1", "timeout cannot be negative"),
        ("falkordb://127.0.0.1:notaport/g", "invalid port"),
        ("neo4j:///nohost", "names no host"),
    ],
)
def test_bad_store_urls_are_refused_clearly(url: str, words: str) -> None:
    with pytest.raises(InvalidStoreURL, match=words.replace("(", r"\(").replace(")", r"\)")):
        open_store(url)


def test_unreachable_servers_give_store_unavailable() -> None:
    port = _closed_port()
    with pytest.raises(StoreUnavailable, match="FalkorDB at falkordb://127.0.0.1"):
        open_store(f"falkordb://127.0.0.1:{port}/g?{FAST_FAIL}")
    # The real Neo4j driver against a closed port: no server, no credentials needed to fail.
    with pytest.raises(StoreUnavailable, match="Neo4j at bolt://127.0.0.1"):
        open_store(f"bolt://127.0.0.1:{port}?{FAST_FAIL}")


def test_schema_differs_only_by_dialect() -> None:
    neo4j, falkordb = schema_statements(Dialect.NEO4J), schema_statements(Dialect.FALKORDB)
    assert len(neo4j) == len(falkordb)
    assert all("IF NOT EXISTS" in s for s in neo4j)
    assert any("IS UNIQUE" in s for s in neo4j)
    assert not any("IF NOT EXISTS" in s for s in falkordb)


def test_outage_gives_503_then_recovers_by_itself(store_url: str) -> None:
    server = urlparse(store_url)
    relay = TcpRelay((server.hostname or "127.0.0.1", server.port or 0))
    try:
        # bolt:// rather than neo4j://: routing would hand the driver the server's own address,
        # around the relay.
        scheme = "bolt" if server.scheme.startswith(("neo4j", "bolt")) else server.scheme
        url = f"{scheme}://127.0.0.1:{relay.port}{server.path}?{FAST_FAIL}"
        store = open_store(url)
        with store.writer() as w:
            w.put([org("acme", "Acme Holdings"), org("sub", "Acme Sub"), owns("acme", "sub", 100)])
        client = TestClient(create_app(SupplyGraph(store)), raise_server_exceptions=False)
        query = "/v1/resolve?name=Acme%20Sub&target=acme"
        assert client.get(query).json()["verdict"] == "yes"

        relay.cut()
        with pytest.raises(StoreUnavailable):
            store.view().counts()
        # A repeated question is answered from the cache while the commit marker read last is
        # fresh (VERSION_RECHECK_S); after that it needs the server.
        time.sleep(VERSION_RECHECK_S)
        down = client.get(query)
        assert down.status_code == 503
        assert down.headers["Retry-After"]
        assert down.json()["error"]["code"] == "store_unavailable"
        with pytest.raises(StoreUnavailable), store.writer() as w:
            w.put([org("lost", "Never Written")])

        relay.restore()  # same port: the database is back
        assert store.view().counts()["nodes"] == 2
        up = client.get(query)
        assert up.status_code == 200 and up.json()["verdict"] == "yes"
        with store.writer() as w:
            w.put([org("later", "Written After The Outage")])
        assert set(store.view().nodes(["later", "lost"])) == {"later"}
        store.close()
    finally:
        relay.close()


def test_readers_do_not_see_a_load_in_progress(store_url: str) -> None:
    store = open_store(with_options(store_url, "batch_size=10"))
    with store.writer() as w:
        w.put([org("old", "Old Co")])
    reader = open_store(store_url)
    with store.writer() as w:
        w.put([org(f"n{i}", f"New Co {i}") for i in range(50)])  # five batches sent
        assert reader.view().counts()["nodes"] == 1
        assert reader.view().nodes(["n1"]) == {}
    assert reader.view().counts()["nodes"] == 51
    reader.close()
    store.close()


def test_concurrent_writers_take_turns_and_both_land(store_url: str) -> None:
    first = open_store(store_url)
    second = open_store(store_url)
    assert isinstance(second, CypherStore)
    entered = threading.Event()
    errors: list[BaseException] = []

    def slow_load() -> None:
        try:
            with first.writer() as w:
                entered.set()
                w.put([org("a", "Alpha Merged", "First Alias")])
                time.sleep(0.5)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    thread = threading.Thread(target=slow_load)
    thread.start()
    assert entered.wait(10)
    with second.writer() as w:  # waits for the lock, then sees the first load's node
        w.put([org("a", "Alpha Merged", "Second Alias")])
    thread.join()
    assert not errors
    node = second.view().nodes(["a"])["a"]
    assert set(node.aliases) == {"First Alias", "Second Alias"}
    first.close()
    second.close()


KILLED_LOAD = """
import os, sys
from supplygraph.graph.model.records import Node, NodeKind, SourceRef
from supplygraph.graph.store.backends import open_store
store = open_store(sys.argv[1])
src = SourceRef(id="s", title="killed load")
with store.writer() as w:
    w.put([Node(id="kept", kind=NodeKind.ORGANIZATION, name="Renamed", aliases=("Changed",),
                sources=(src,))])
    for b in range(1000):
        w.put([Node(id=f"k{b}-{i}", kind=NodeKind.ORGANIZATION, name=f"Killed {b} {i}",
                    sources=(src,)) for i in range(10)])
        if b == 5:
            print("batches sent", flush=True)
    os.kill(os.getpid(), 9)  # not reached: the test kills the loader first
"""


def test_a_killed_load_is_never_seen_and_the_next_load_removes_it(store_url: str) -> None:
    store = open_store(store_url)
    assert isinstance(store, CypherStore)
    with store.writer() as w:
        w.put([org("kept", "Kept Co")])
    view = store.view()
    before = (view.counts(), view.version(), view.nodes(["kept"]))
    seen: set[tuple[str, ...]] = set()
    stop = threading.Event()

    def read() -> None:
        other = open_store(store_url)
        reader = other.view()
        while not stop.is_set():
            seen.add((str(reader.counts()), reader.version(), str(reader.nodes(["kept"]))))
        other.close()

    watcher = threading.Thread(target=read)
    watcher.start()
    lease = with_options(store_url, "batch_size=10&lock_lease=2")
    loader = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, lease], stdout=subprocess.PIPE)
    assert loader.stdout is not None and loader.stdout.readline()  # in the middle of its load
    time.sleep(0.5)
    loader.kill()  # SIGKILL: no clean-up of any kind runs
    assert loader.wait(60) == -9
    stop.set()
    watcher.join()
    assert seen == {(str(before[0]), before[1], str(before[2]))}  # readers saw none of it
    assert (view.counts(), view.version(), view.nodes(["kept"])) == before
    if store.dialect is Dialect.NEO4J:  # FalkorDB wrote into a staging copy, since dropped
        assert store.leftovers() > 50  # the batches it sent are on the server, invisible
    # The dead writer's lock runs out after its lease; the next load goes through and clears
    # what the killed one wrote before it starts.
    with store.writer() as w:
        w.put([org("next", "Next Co")])
    assert set(store.view().nodes(["kept", "next", "k1-1", "k6-1"])) == {"kept", "next"}
    assert store.view().nodes(["kept"]) == before[2]
    assert store.leftovers() == 0
    store.close()


def test_a_store_opening_clears_what_a_killed_load_left(store_url: str) -> None:
    lease = with_options(store_url, "batch_size=10&lock_lease=1")
    loader = subprocess.Popen([sys.executable, "-c", KILLED_LOAD, lease], stdout=subprocess.PIPE)
    assert loader.stdout is not None and loader.stdout.readline()
    loader.kill()
    loader.wait(60)
    time.sleep(1.5)  # the lease runs out
    store = open_store(store_url)
    assert isinstance(store, CypherStore)
    assert store.leftovers() == 0 and store.view().counts()["nodes"] == 0
    store.close()


def test_concurrent_readers_only_ever_see_whole_loads(store_url: str) -> None:
    writer_store = open_store(with_options(store_url, "batch_size=10"))  # every put below is sent
    with writer_store.writer() as w:
        w.put([org(f"base{i}", f"Base {i}") for i in range(500)])
    stop = threading.Event()
    seen: list[int] = []
    errors: list[BaseException] = []

    def read() -> None:
        store = open_store(store_url)
        while not stop.is_set():
            try:
                seen.append(store.view().counts()["nodes"])
            except BaseException as exc:  # reported below
                errors.append(exc)
                return
        store.close()

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    for k in range(8):  # each load adds 50 nodes, sent in five batches of 10
        with writer_store.writer() as w:
            for b in range(5):
                w.put([org(f"n{k}-{b}-{i}", f"Node {k} {b} {i}") for i in range(10)])
    stop.set()
    for t in readers:
        t.join()
    assert not errors
    assert seen and all(n >= 500 and (n - 500) % 50 == 0 for n in seen), sorted(set(seen))
    assert writer_store.view().counts()["nodes"] == 900
    writer_store.close()


def _plan(store_url: str, query: str, params: dict[str, Any]) -> str:
    """The server's plan for a query, as operator names without spaces."""
    parsed = urlparse(store_url)
    if parsed.scheme == "falkordb":
        from falkordb import FalkorDB

        db = FalkorDB(host=parsed.hostname, port=parsed.port)
        text = str(db.select_graph(parsed.path.strip("/")).explain(query, params))
        db.connection.close()
        return text.replace(" ", "")
    import neo4j

    with neo4j.GraphDatabase.driver(store_url.split("?")[0], auth=neo4j_auth()) as driver:
        driver.execute_query("CALL db.awaitIndexes(60)")  # new indexes populate in the background
        plan = driver.execute_query("EXPLAIN " + query, params).summary.plan

    def operators(step: dict[str, Any]) -> Iterator[str]:
        yield step["operatorType"]
        for child in step.get("children", []):
            yield from operators(child)

    return " ".join(operators(plan))


def test_every_lookup_goes_through_an_index(store_url: str) -> None:
    store = open_store(store_url)  # opening a store sets up its indexes and constraints
    store.close()
    asks = [
        (q.NODES, {"ids": ["a"]}),
        (q.LOOKUP_NODES, {"keys": [q.lookup_key("name", "acme")]}),
        (q.LOOKUP_PREFIX_NODES, {**q.prefix_range(q.lookup_key("token", "ac")), "limit": 5}),
        (q.LOOKUP_KEYS_STARTING, q.prefix_range(q.lookup_key("ident", "oui28", ""))),
        (q.DESIGNATIONS, {"ids": ["a"]}),
        (q.existing_edges(Relation.OWNS), {"ids": ["e"]}),
    ]
    for query, params in asks:
        plan = _plan(store_url, query, {**params, "at": None})
        assert "Index" in plan and "LabelScan" not in plan and "AllNodesScan" not in plan, (
            query,
            plan,
        )


def test_neo4j_holds_the_uniqueness_constraints() -> None:
    # Neo4j only: FalkorDB keeps ids unique by MERGE under the store's writer lock.
    import neo4j

    url = fresh_url("neo4j")
    open_store(url).close()  # opening a store sets up its constraints
    with neo4j.GraphDatabase.driver(url, auth=neo4j_auth()) as driver:
        shown = "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type"
        rows = driver.execute_query(shown).records
    unique = {(r["labelsOrTypes"][0], r["properties"][0]) for r in rows if "UNIQUE" in r["type"]}
    assert unique == {(label, prop) for label, prop, is_unique in q.INDEXED if is_unique}


def test_each_edge_is_one_relationship_however_often_it_is_written(store_url: str) -> None:
    # New edges are created without a MERGE of the relationship: the writer's read-back of
    # the ids must catch every edge already there, in an earlier load or an earlier batch.
    first = [owns("fund", f"c{i}", 10.0 + i) for i in range(5)]
    loads = [
        [[org("fund", "Fund"), *first[:3]], [owns("fund", "c0", 20.0), *first[3:]]],
        [[owns("fund", "c1", 55.0), owns("fund", "c9", 1.0)]],
    ]
    stores = [open_store(with_options(store_url, "batch_size=2")), open_store("sqlite:///:memory:")]
    for store in stores:
        for load in loads:
            with store.writer() as w:
                for batch in load:
                    w.put(batch)
    server = stores[0]
    assert isinstance(server, CypherStore)
    rows = server.executor.read("MATCH ()-[r:OWNS]->() RETURN r.id, count(*) ORDER BY r.id", None)
    ids = sorted(e.id for e in [*first, owns("fund", "c9", 1.0)])
    assert [(row[0], row[1]) for row in rows] == [(i, 1) for i in ids]
    got, expected = (
        sorted(s.view().edges(["fund"], Direction.OUT, [Relation.OWNS]), key=lambda e: e.id)
        for s in stores
    )
    assert got == expected and len(got) == 6
    for store in stores:
        store.close()
