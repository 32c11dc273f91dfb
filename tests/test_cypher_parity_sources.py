"""Every real source file, loaded through the loaders into the embedded store and each Cypher
server: the same graph, the same load log, the same answers.

A module of its own (not part of test_cypher_parity.py) because Neo4j Community holds one
database: a module keeps at most one Neo4j store open (see server_stores.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
from server_stores import CYPHER_BACKENDS, fresh_store

from supplygraph.graph.model.records import Edge, Node
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.batches import write_records
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.loaders import seed
from supplygraph.service import SupplyGraph

DAY = date(2025, 6, 1)


def _load_sources(store: GraphStore, test_data: Path) -> None:
    from supplygraph.loaders.ingest import load_file, plan

    write_records(store, seed.records())
    # Every data file, subfolders included (the BODS versions, the GLEIF API responses); one
    # plan orders the GLEIF relationship files after the LEI records they name.
    files = sorted(p for p in test_data.rglob("*") if p.suffix in (".csv", ".json", ".xml"))
    # The two CSL files are samples of different vintages and sizes, not one list's versions.
    for path, fmt in plan(files):
        load_file(store, path, fmt, today=DAY, allow_shrink=True, allow_older=True)


def _same(a: Any, b: Any) -> None:
    assert orjson.loads(orjson.dumps(a.model_dump(mode="json"))) == orjson.loads(
        orjson.dumps(b.model_dump(mode="json"))
    )


@pytest.fixture(scope="module")
def local_store(test_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('sources') / 'graph.db'}")
    _load_sources(store, test_data)
    yield store
    store.close()


@pytest.fixture(scope="module", params=CYPHER_BACKENDS)
def source_stores(
    request: pytest.FixtureRequest, test_data: Path, local_store: GraphStore
) -> Iterator[tuple[SupplyGraph, SupplyGraph]]:
    with fresh_store(request.param, "sources-") as server:
        _load_sources(server, test_data)
        yield SupplyGraph(local_store), SupplyGraph(server)


def test_source_files_load_to_the_same_graph_and_log(
    source_stores: tuple[SupplyGraph, SupplyGraph],
) -> None:
    local, server = source_stores
    assert local.view.counts() == server.view.counts()
    assert local.view.counts()["designations"] > 1000

    def records(view: Any) -> list[bytes]:
        return sorted(orjson.dumps(r.model_dump(mode="json")) for r in view.iter_records())

    assert records(local.view) == records(server.view)

    def log(view: Any) -> list[dict[str, Any]]:
        # Each store stamps its own load time; everything else must agree.
        return [e.model_dump(mode="json", exclude={"loaded_at", "id"}) for e in view.loads()]

    assert sorted(log(local.view), key=orjson.dumps) == sorted(log(server.view), key=orjson.dumps)


def test_listed_entities_resolve_identically(
    source_stores: tuple[SupplyGraph, SupplyGraph],
) -> None:
    local, server = source_stores
    listed = sorted(
        {r.entity_id for r in local.view.iter_records() if not isinstance(r, Node | Edge)}
    )
    names = [n.name for n in local.view.nodes(listed[::60]).values()]
    assert len(names) > 20
    for name in names:
        for target in ("hikvision", "dahua"):
            a = local.resolve(name=name, target=target, as_of=DAY)
            _same(a, server.resolve(name=name, target=target, as_of=DAY))
