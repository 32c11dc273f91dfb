"""Integrated ownership arithmetic on a real store with hand-written chains."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from factories import edge, org, owns
from fastapi.testclient import TestClient
from fixture_graphs import bods_state_chain

from supplygraph.graph.engine.ownership import owners, ownership
from supplygraph.graph.model.answers import EntityRef, OwnerOut
from supplygraph.graph.model.records import OrgType, Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.batches import write_records
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.service import SupplyGraph

DAY = date(2025, 1, 1)


@pytest.fixture()
def store(tmp_path: Path) -> GraphStore:
    return open_store(f"sqlite:///{tmp_path / 'own.db'}")


def _owners(store: GraphStore, entity: str, depth: int = 6) -> dict[str, OwnerOut]:
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
    assert state.effective_share == pytest.approx(100.0)
    assert state.direct_share == 23.5
    assert state.ultimate and state.controls
    assert owners["holding"].effective_share == 76.5


def test_unknown_share_gives_a_range_never_zero(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("top", "mid", "leaf")])
        w.put([owns("top", "mid"), owns("mid", "leaf", 60)])
    top = _owners(store, "leaf")["top"]
    assert top.effective_share is None
    assert top.effective_share_min is None
    assert top.effective_share_max == 60.0


def test_share_ranges_propagate(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("a", "b", "c")])
        w.put([edge("a", Relation.OWNS, "b", share_min=25, share_max=50), owns("b", "c", 50)])
    a = _owners(store, "c")["a"]
    assert (a.effective_share_min, a.effective_share_max) == (12.5, 25.0)


def test_cross_holding_cycle_terminates(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("x", "y", "z")])
        w.put([owns("x", "y", 50), owns("y", "x", 10), owns("y", "z", 40)])
    owners = _owners(store, "z", depth=10)
    assert owners["x"].effective_share == 20.0
    assert owners["y"].effective_share == 40.0


def test_control_is_reported_but_adds_no_share(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("gov", "co")])
        w.put([edge("gov", Relation.CONTROLS, "co")])
    gov = _owners(store, "co")["gov"]
    assert gov.controls is True
    assert gov.effective_share is None and gov.effective_share_max is None


def test_parallel_reports_of_one_stake_do_not_double_count(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("p", "s")])
        w.put(
            [
                owns("p", "s", 38.88, reported_on=date(2023, 1, 1)),
                owns("p", "s", 37.0, reported_on=date(2025, 9, 30)),
            ]
        )
    assert _owners(store, "s")["p"].effective_share == 37.0


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


# -- ultimate owners and the state-ownership finding -------------------------------------------
def test_bods_state_chain_gives_one_hundred_percent_state_ownership(tmp_path: Path) -> None:
    """76.5% through a wholly owned holding plus 23.5% direct: the ministry holds 100%."""
    sg = SupplyGraph.open(f"sqlite:///{tmp_path / 'bods.db'}")
    try:
        write_records(sg.store, bods_state_chain())
        ports = sg.find_entity("Ruritanian Ports Company")
        result = sg.owners(ports.id, as_of=date(2024, 6, 1))
    finally:
        sg.close()
    ministry = next(o for o in result.owners if o.name == "Ministry of Finance of Ruritania")
    assert ministry.effective_share == pytest.approx(100.0)
    # BODS also states the 76.5% indirect interest as a summary: it must not count twice.
    assert ministry.direct_share == 23.5
    assert ministry.ultimate
    finding = result.state_owned
    assert finding is not None and finding.state_owned
    assert [b.name for b in finding.by] == ["Ministry of Finance of Ruritania"]
    assert finding.effective_share == pytest.approx(100.0)
    assert "state-owned or state-controlled" in finding.reason
    assert result.ultimate_owners is not None
    assert [(u.name, u.state) for u in result.ultimate_owners] == [
        ("Ministry of Finance of Ruritania", True)
    ]
    # The chain through the holding is shown first (two ownership links).
    assert [s.to_name for s in finding.paths[0]] == [
        "Ruritania State Holdings Ltd",
        "Ruritanian Ports Company",
    ]


def test_no_state_at_the_top(store: GraphStore) -> None:
    with store.writer() as w:
        w.put([org(i, i.title()) for i in ("founder", "company")])
        w.put([owns("founder", "company", 80)])
    result = owners(
        store.view(), EntityRef(id="company", name="Company", kind="organization"), 6, DAY
    )
    assert result.state_owned is not None and result.state_owned.state_owned is False
    assert "Founder" in result.state_owned.reason
    assert result.ultimate_owners is not None and result.ultimate_owners[0].id == "founder"
    assert result.ultimate_owners[0].state is False


def test_minority_soe_stake_is_a_state_owner_not_state_control(store: GraphStore) -> None:
    with store.writer() as w:
        w.put(
            [
                org("soe", "Soe", org_type=OrgType.STATE_OWNED_ENTERPRISE),
                org("family", "Family"),
                org("co", "Co"),
            ]
        )
        w.put([owns("soe", "co", 10), owns("family", "co", 60)])
    finding = owners(store.view(), EntityRef(id="co", name="Co", kind="organization"), 6, DAY)
    assert finding.state_owned is not None and finding.state_owned.state_owned
    assert finding.state_owned.effective_share == 10.0
    assert "no majority or control recorded" in finding.state_owned.reason


def test_hikvision_chain_up_to_cetc_and_sasac(graph: SupplyGraph) -> None:
    result = graph.owners("hikvision", as_of=date(2026, 1, 1))
    finding = result.state_owned
    assert finding is not None and finding.state_owned
    assert [b.id for b in finding.by] == ["sasac"]
    assert finding.controls  # SASAC controls CETC, CETC controls Hikvision (seed sources)
    chains = {tuple([p[0].from_] + [s.to for s in p]) for p in finding.paths}
    assert ("sasac", "cetc", "cethik", "hikvision") in chains
    assert ("sasac", "cetc", "cetc-investment", "hikvision") in chains
    # SASAC's share of CETC is not published: the integrated share stays a bound, never 0.
    # CETC's wholly owned CETHIK (36.08%) and CETC Investment (2.46%) hold Hikvision as of
    # 2022-09-30 (Hikrobot prospectus); the 52nd Institute's 1.92% hangs under a control edge
    # (an institute has no share capital), which never adds to a share.
    assert finding.effective_share is None and finding.effective_share_max == pytest.approx(38.54)
    assert result.ultimate_owners is not None
    assert {u.id for u in result.ultimate_owners if u.state} == {"sasac"}
    assert "State-owned Assets Supervision" in finding.reason


def test_owners_endpoint_carries_the_finding(client: TestClient) -> None:
    body = client.get("/v1/entities/hikvision/owners").json()
    assert body["state_owned"]["state_owned"] is True
    assert body["state_owned"]["by"][0]["id"] == "sasac"
    assert body["owners"]  # the existing shape is unchanged
    holdings = client.get("/v1/entities/hikvision/holdings").json()
    assert holdings["state_owned"] is None
