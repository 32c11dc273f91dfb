"""`supplygraph migrate`: a whole graph, load log included, copied between real stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import orjson
import pytest
from factories import listing, org, owns
from server_stores import CYPHER_BACKENDS, drop, fresh_url
from typer.testing import CliRunner

from supplygraph.cli import app
from supplygraph.graph.model.records import LoadEntry
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.batches import write_records
from supplygraph.graph.store.migrate import copy_graph, ingest_rate
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.loaders import seed

runner = CliRunner()
ENTRY = LoadEntry(
    id="load-1",
    file="csl.csv",
    sha256="ab" * 32,
    format="csl",
    dataset="us-csl",
    loaded_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    counts={"read": 2, "added": 2},
    designation_ids=("d1",),
)


def _fill(store: GraphStore) -> None:
    write_records(store, seed.records())
    with store.writer() as w:
        w.put([org("x", "Xylo Holdings"), org("y", "Xylo Sub"), owns("x", "y", 51.0)])
        w.put([listing("y", "us-csl", date(2024, 1, 1))])
        w.record_load(ENTRY)
        w.record_load(ENTRY.model_copy(update={"id": "load-0", "loaded_at": datetime(2025, 1, 1)}))


def _dump(store: GraphStore) -> tuple[list[bytes], list[LoadEntry]]:
    view = store.view()
    records = sorted(orjson.dumps(r.model_dump(mode="json")) for r in view.iter_records())
    return records, view.loads()


@pytest.fixture()
def source(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    store = open_store(url)
    _fill(store)
    store.close()
    yield url


def test_cli_copies_records_and_load_log(source: str, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'target.db'}"
    result = runner.invoke(app, ["migrate", "--from", source, "--to", target, "--batch-size", "7"])
    assert result.exit_code == 0, result.output
    assert "load-log entries" in result.output
    a, b = open_store(source), open_store(target)
    assert _dump(a) == _dump(b)
    assert [e.id for e in b.view().loads()] == ["load-1", "load-0"]
    a.close()
    b.close()


def test_cli_refuses_bad_targets_clearly(source: str) -> None:
    same = runner.invoke(app, ["migrate", "--from", source, "--to", source])
    assert same.exit_code == 2 and "same store" in same.output
    bad = runner.invoke(app, ["migrate", "--from", source, "--to", "mysql://db/graph"])
    assert bad.exit_code == 2 and "unsupported store URL" in bad.output


def test_a_failed_copy_leaves_the_target_as_it_was(source: str, tmp_path: Path) -> None:
    target = open_store(f"sqlite:///{tmp_path / 'target.db'}")
    with target.writer() as w:
        w.put([org("keep", "Kept Before")])
    src = open_store(source)

    def fail_half_way(n: int) -> None:
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        copy_graph(src, target, batch_size=50, progress=fail_half_way)
    assert target.view().counts() == {"nodes": 1, "edges": 0, "designations": 0}
    report = ingest_rate(target, [org("more", "More Co")])
    assert report.records == 1 and report.per_second > 0
    src.close()
    target.close()


@pytest.mark.parametrize("backend", CYPHER_BACKENDS)
def test_round_trip_through_a_server(backend: str, source: str, tmp_path: Path) -> None:
    server_url = fresh_url(backend, "migrate-")
    drop(server_url)  # Neo4j: the server's one database, emptied first
    back = f"sqlite:///{tmp_path / 'back.db'}"
    try:
        there = runner.invoke(app, ["migrate", "--from", source, "--to", server_url])
        assert there.exit_code == 0, there.output
        again = runner.invoke(app, ["migrate", "--from", server_url, "--to", back])
        assert again.exit_code == 0, again.output
        a, server, b = open_store(source), open_store(server_url), open_store(back)
        assert _dump(a) == _dump(server) == _dump(b)
        for store in (a, server, b):
            store.close()
    finally:
        drop(server_url)
