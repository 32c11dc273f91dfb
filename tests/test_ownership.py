"""Integrated ownership arithmetic on a real store with hand-written chains."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import edge, org, owns
from supplygraph.graph.model import Relation
from supplygraph.graph.ownership import ownership
from supplygraph.graph.store import GraphStore, open_store

DAY = date(2025, 1, 1)


@pytest.fixture()
def store(tmp_path: Path) -> GraphStore:
    return open_store(f"sqlite:///{tmp_path / 'own.db'}")


def _owners(store: GraphStore, entity: str, depth: int = 6) -> dict[str, object]:
    return {o.id: o for o in ownership(store.view(), entity, True, depth, DAY)}


def test_direct_plus_indirect_sums_to_one_hundred(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("state", "holding", "target")])
        w.put(
            [
                owns("state", "holding", 100),
                owns("holding", "target", 76.5),
                owns("state", "target", 23.5),
            ]
        )
    owners = _owners(store, "target")
    state = owners["state"]
    assert state.effective_share == pytest.approx(100.0)  # type: ignore[attr-defined]
    assert state.direct_share == 23.5  # type: ignore[attr-defined]
    assert state.ultimate and state.controls  # type: ignore[attr-defined]
    assert owners["holding"].effective_share == 76.5  # type: ignore[attr-defined]


def test_unknown_share_gives_a_range_never_zero(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("top", "mid", "leaf")])
        w.put([owns("top", "mid"), owns("mid", "leaf", 60)])
    top = _owners(store, "leaf")["top"]
    assert top.effective_share is None  # type: ignore[attr-defined]
    assert top.effective_share_min is None  # type: ignore[attr-defined]
    assert top.effective_share_max == 60.0  # type: ignore[attr-defined]


def test_share_ranges_propagate(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("a", "b", "c")])
        w.put([edge("a", Relation.OWNS, "b", share_min=25, share_max=50), owns("b", "c", 50)])
    a = _owners(store, "c")["a"]
    assert (a.effective_share_min, a.effective_share_max) == (12.5, 25.0)  # type: ignore[attr-defined]


def test_cross_holding_cycle_terminates(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("x", "y", "z")])
        w.put([owns("x", "y", 50), owns("y", "x", 10), owns("y", "z", 40)])
    owners = _owners(store, "z", depth=10)
    assert owners["x"].effective_share == 20.0  # type: ignore[attr-defined]
    assert owners["y"].effective_share == 40.0  # type: ignore[attr-defined]


def test_control_is_reported_but_adds_no_share(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("gov", "co")])
        w.put([edge("gov", Relation.CONTROLS, "co")])
    gov = _owners(store, "co")["gov"]
    assert gov.controls is True  # type: ignore[attr-defined]
    assert gov.effective_share is None and gov.effective_share_max is None  # type: ignore[attr-defined]


def test_parallel_reports_of_one_stake_do_not_double_count(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("p", "s")])
        w.put(
            [
                owns("p", "s", 38.88, reported_on=date(2023, 1, 1)),
                owns("p", "s", 37.0, reported_on=date(2025, 9, 30)),
            ]
        )
    assert _owners(store, "s")["p"].effective_share == 37.0  # type: ignore[attr-defined]


def test_as_of_uses_validity(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("seller", "sold")])
        w.put(
            [owns("seller", "sold", 100, valid_from=date(2018, 2, 6), valid_to=date(2022, 11, 24))]
        )
    view = store.view()
    assert [o.id for o in ownership(view, "sold", True, 5, date(2020, 1, 1))] == ["seller"]
    assert ownership(view, "sold", True, 5, date(2022, 11, 24)) == []
    assert ownership(view, "sold", True, 5, date(2017, 1, 1)) == []
