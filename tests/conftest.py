"""Shared fixtures: a real SQLite store holding the seed data and the IEEE registry.

The seeded store is built once per test session (about ten seconds) and only read by tests;
tests that write use their own fresh store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from supplygraph.api.app import create_app
from supplygraph.service import SupplyGraph

# Real public files and our own fixtures in the same layouts; tests/data/PROVENANCE.md says which.
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def test_data() -> Path:
    return TEST_DATA


@pytest.fixture(scope="session")
def seeded_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seeded") / "graph.db"
    graph = SupplyGraph.open(f"sqlite:///{path}")
    graph.load_seed()
    graph.load_oui()
    graph.close()
    return path


@pytest.fixture(scope="session")
def graph(seeded_path: Path) -> Iterator[SupplyGraph]:
    sg = SupplyGraph.open(f"sqlite:///{seeded_path}")
    yield sg
    sg.close()


@pytest.fixture(scope="session")
def client(graph: SupplyGraph) -> TestClient:
    return TestClient(create_app(graph), raise_server_exceptions=False)


@pytest.fixture()
def empty_graph(tmp_path: Path) -> Iterator[SupplyGraph]:
    sg = SupplyGraph.open(f"sqlite:///{tmp_path / 'empty.db'}")
    yield sg
    sg.close()
