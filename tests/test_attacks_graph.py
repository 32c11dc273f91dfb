"""Dense graphs (issue: Hardening III, M7): every walk has a budget and says when it is partial.

60 companies each owning 1% of every other have about 58^5 simple paths of depth 6 between any
two of them; without a budget one ``owners`` request ran for 93-112 s on a core. The tests
check what a partial answer says (bounds that hold, never a wrong exact figure), not timings:
the budget's own counters show the walk stopped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from factories import edge, org, owns
from fastapi.testclient import TestClient

from supplygraph.api.app import create_app
from supplygraph.graph.engine.ownership import owners, ownership
from supplygraph.graph.engine.walk_budget import MAX_PATH_STEPS, WalkBudget
from supplygraph.graph.model.answers import EntityRef
from supplygraph.graph.model.records import Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.service import SupplyGraph

DAY = date(2025, 1, 1)
COMPANIES = [f"c{i:02d}" for i in range(60)]


@pytest.fixture(scope="module")
def dense_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("dense") / "dense.db"
    store = open_store(f"sqlite:///{path}")
    with store.writer() as w:
        w.put([org(c, f"Company {c}") for c in COMPANIES])
        w.put([owns(a, b, 1.0) for a in COMPANIES for b in COMPANIES if a != b])
    store.close()
    return path


@pytest.fixture(scope="module")
def dense(dense_path: Path) -> Iterator[GraphStore]:
    store = open_store(f"sqlite:///{dense_path}")
    yield store
    store.close()


def test_dense_owners_stop_at_the_budget_and_say_so(dense: GraphStore) -> None:
    budget = WalkBudget(max_seconds=120)  # the step limit decides, however busy the machine
    entity = EntityRef(id="c00", name="Company c00", kind="organization")
    result = owners(dense.view(), entity, 6, DAY, budget)
    assert budget.exhausted is not None
    assert budget.steps <= MAX_PATH_STEPS + 1
    assert result.partial and result.partial_reason
    assert budget.exhausted in result.partial_reason
    assert len(result.owners) == 59
    for owner in result.owners:
        assert owner.partial
        assert owner.effective_share is None  # never a figure the walk could not finish
        assert owner.direct_share == 1.0
        low, high = owner.effective_share_min, owner.effective_share_max
        assert low is not None and high is not None
        # At least the direct 1%, at most the sum over every walk (1% + 58 x 0.01% + ...).
        assert 1.0 <= low <= high < 3.0
        assert not owner.controls  # no chain of majority stakes exists, and BFS proves it
        assert not owner.ultimate  # everyone has owners above


def _chain_store(tmp_path: Path) -> GraphStore:
    store = open_store(f"sqlite:///{tmp_path / 'chain.db'}")
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("state", "a", "b", "c", "target")])
        w.put(
            [
                owns("state", "a", 100),
                owns("state", "b", 60),
                owns("a", "c", 40),
                owns("b", "c", 30),
                owns("c", "target", 80),
                owns("a", "target", 10),
                edge("state", Relation.CONTROLS, "target"),
            ]
        )
    return store


def test_a_partial_answer_brackets_the_exact_one(tmp_path: Path) -> None:
    store = _chain_store(tmp_path)
    exact = {o.id: o for o in ownership(store.view(), "target", True, 6, DAY)}
    assert not any(o.partial for o in exact.values())
    # state: 100% x 10% + 100% x 40% x 80% + 60% x 30% x 80% = 10 + 32 + 14.4
    assert exact["state"].effective_share == pytest.approx(56.4)
    for steps in range(1, 8):
        cut = {
            o.id: o
            for o in ownership(
                store.view(), "target", True, 6, DAY, WalkBudget(max_path_steps=steps)
            )
        }
        assert set(cut) == set(exact)
        for oid, full in exact.items():
            part = cut[oid]
            assert part.partial and part.effective_share is None
            assert full.effective_share is not None
            assert part.effective_share_max is not None
            assert (part.effective_share_min or 0.0) <= full.effective_share
            assert full.effective_share <= part.effective_share_max
            assert part.controls == full.controls  # control is read exactly, not from paths
    store.close()


def test_a_node_budget_leaves_the_frontier_not_ultimate(tmp_path: Path) -> None:
    store = _chain_store(tmp_path)
    cut = ownership(store.view(), "target", True, 6, DAY, WalkBudget(max_nodes=2))
    assert cut and all(o.partial and not o.ultimate for o in cut)
    store.close()


def test_dense_graph_over_http_is_answered_partial_and_cached(dense_path: Path) -> None:
    graph = SupplyGraph.open(f"sqlite:///{dense_path}")
    client = TestClient(create_app(graph), raise_server_exceptions=False)
    first = client.get("/v1/entities/c00/owners")
    assert first.status_code == 200
    body = first.json()
    assert body["partial"] is True and "partial" in body["partial_reason"]
    assert client.get("/v1/entities/c00/owners").json() == body
    assert graph.walk_cache.hits >= 1  # the second request was not walked again
    held = client.get("/v1/entities/c00/holdings").json()
    assert held["partial"] is True and len(held["holdings"]) == 59
    regimes = client.get("/v1/entities/c00/regimes")
    assert regimes.status_code == 200
    resolved = client.get("/v1/resolve", params={"name": "Company c01", "target": "c00"})
    assert resolved.status_code == 200
    graph.close()


# -- M6: /v1/changes is paged and compressed -------------------------------------------------
def _history(path: Path, sets: int, items: int) -> None:
    from datetime import UTC, datetime, timedelta

    from supplygraph.graph.model.records import ChangeItem, ChangeSet

    store = open_store(f"sqlite:///{path}")
    start = datetime(2026, 3, 1, tzinfo=UTC)
    with store.writer() as w:
        for n in range(sets):
            w.record_changes(
                ChangeSet(
                    id=f"load-{n:03d}",
                    dataset="us-csl",
                    loaded_at=start + timedelta(hours=n),
                    file="/srv/lists/consolidated.json",
                    sha256="0" * 64,
                    counts={"entities_added": items},
                    items=tuple(
                        ChangeItem(kind="entity", change="added", id=f"e{n}-{i}", name=f"N {i}")
                        for i in range(items)
                    ),
                )
            )
    store.close()


def test_changes_are_paged_by_cursor_and_gzipped(tmp_path: Path) -> None:
    # Was: the whole history in one answer (155k items: 29 MB a request, uncompressed).
    path = tmp_path / "history.db"
    _history(path, sets=30, items=500)
    graph = SupplyGraph.open(f"sqlite:///{path}")
    client = TestClient(create_app(graph), raise_server_exceptions=False)
    seen: list[str] = []
    params: dict[str, str | int] = {"since": "2026-03-01", "limit": 2000}
    pages = 0
    while True:
        resp = client.get("/v1/changes", params=params, headers={"Accept-Encoding": "gzip"})
        assert resp.status_code == 200
        assert resp.headers["content-encoding"] == "gzip"
        page = resp.json()
        assert 1 <= len(page) <= 4 and sum(len(c["items"]) for c in page) <= 2000
        assert all(c["file"] == "consolidated.json" for c in page)
        seen += [c["id"] for c in page]
        pages += 1
        cursor = resp.headers.get("x-next-cursor")
        if cursor is None:
            assert "link" not in resp.headers
            break
        assert 'rel="next"' in resp.headers["link"]
        params["cursor"] = cursor
        assert pages < 20  # the loop ends by itself
    assert seen == [f"load-{n:03d}" for n in reversed(range(30))]  # newest first, each once
    assert (
        client.get("/v1/changes", params={"since": "2026-03-01", "limit": 10_001}).status_code
        == 422
    )
    bad = client.get("/v1/changes", params={"since": "2026-03-01", "cursor": "not-a-cursor"})
    assert bad.status_code == 404 and bad.json()["error"]["details"]["field"] == "cursor"
    graph.close()
