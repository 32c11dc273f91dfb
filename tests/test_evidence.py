"""Evidence strength: weak links give `possible` (never `yes`) in single lookups, bulk runs and
regimes; distributors answer `no` with what they sell; 889 follows common control."""

from __future__ import annotations

from datetime import date

from factories import WEAK_SRC, edge, org

from supplygraph.graph.engine.bulk import BulkResolver
from supplygraph.graph.engine.regimes import evaluate
from supplygraph.graph.model.evidence import EvidencePolicy
from supplygraph.graph.model.records import Edge, Node, NodeKind, Relation
from supplygraph.service import SupplyGraph


def _weak(src: str, rel: Relation, dst: str, confidence: float = 0.3) -> Edge:
    e = edge(src, rel, dst)
    return e.model_copy(update={"sources": (WEAK_SRC,), "confidence": confidence})


def _brand(node_id: str, name: str) -> Node:
    return org(node_id, name).model_copy(update={"kind": NodeKind.BRAND})


def test_a_weak_link_gives_possible_and_names_the_link(empty_graph: SupplyGraph) -> None:
    with empty_graph.store.writer() as w:
        w.put([org("acme", "Acme Holdings"), _brand("b-zq", "Zq Cam")])
        w.put([_weak("acme", Relation.MANUFACTURES_FOR, "b-zq")])
    result = empty_graph.resolve(brand="Zq Cam", target="acme")
    assert result.verdict == "possible"
    assert result.paths[0][0].strength == "weak"
    assert result.weak_links[0].relation == "MANUFACTURES_FOR"
    assert "only grade C sources" in result.weak_links[0].reason
    assert "weak link" in result.explanation
    rows = (
        BulkResolver(empty_graph.resolver)
        .prepare(target="acme")
        .resolve([("", "", "Zq Cam", "", "")])
    )
    assert [r.verdict for r in rows] == ["possible"]


def test_a_strong_path_wins_over_a_weak_one(empty_graph: SupplyGraph) -> None:
    with empty_graph.store.writer() as w:
        w.put([org("acme", "Acme Holdings"), org("sub", "Sub Co"), _brand("b-zq", "Zq Cam")])
        # The weak link is the short path; the strong chain is longer but wins.
        w.put([_weak("acme", Relation.MANUFACTURES_FOR, "b-zq", confidence=0.45)])
        w.put([edge("acme", Relation.OWNS, "sub", 100), edge("sub", Relation.OWNS_BRAND, "b-zq")])
    result = empty_graph.resolve(brand="Zq Cam", target="acme")
    assert result.verdict == "yes"
    assert [s.relation for s in result.paths[0]] == ["OWNS", "OWNS_BRAND"]
    assert all(s.strength == "strong" for s in result.paths[0])


def test_policy_thresholds_are_settings() -> None:
    e = edge("a", Relation.OWNS, "b").model_copy(update={"confidence": 0.6})
    assert EvidencePolicy().weakness(e) is None
    assert EvidencePolicy(min_confidence=0.7).weakness(e) == "confidence 0.6 below 0.7"
    assert EvidencePolicy(strong_grades=frozenset({"B"})).weakness(e) is not None


def test_regime_on_weak_evidence_only_is_unknown(empty_graph: SupplyGraph) -> None:
    with empty_graph.store.writer() as w:
        w.put([org("hikvision-x", "Hik X Corp"), _brand("b-weak", "Weakcam")])
        w.put([_weak("hikvision-x", Relation.MANUFACTURES_FOR, "b-weak")])
        w.put(
            [
                edge("hikvision-x", Relation.OWNS, "b-weak").model_copy(
                    update={"relation": Relation.OWNS_BRAND, "sources": (WEAK_SRC,)}
                )
            ]
        )
    from factories import listing

    with empty_graph.store.writer() as w:
        w.put([listing("hikvision-x", "us-ndaa-889", date(2019, 8, 13))])
    found = {r.regime: r for r in evaluate(empty_graph.view, "b-weak", date(2025, 1, 1))}
    assert found["ndaa-889"].verdict == "unknown"
    assert found["ndaa-889"].missing
    assert "weak" in found["ndaa-889"].reason.lower()


def test_seed_weak_facts_are_possible_never_yes(graph: SupplyGraph) -> None:
    hiwatch = graph.resolve(brand="HiWatch")
    assert hiwatch.verdict == "possible"
    model = graph.resolve(model="DS-2CD2143G2-I")
    assert model.verdict == "possible"
    for brand in ("HiLook", "EZVIZ", "HIKMICRO"):
        assert graph.resolve(brand=brand).verdict == "yes", brand


def test_a_distributor_is_no_with_what_it_distributes(graph: SupplyGraph) -> None:
    result = graph.resolve(name="CCTV Empire Limited")
    assert result.verdict == "no"
    assert result.distributes
    assert {s.relation for s in result.distributes} == {"DISTRIBUTES"}
    assert result.distributes[0].to == "hikvision"
    assert result.distributes[0].sources
    assert "distributes" in result.explanation


def test_a_trade_distributor_from_its_buyers_announcement_is_no_with_a_strong_source(
    graph: SupplyGraph,
) -> None:
    result = graph.resolve(name="DVS Limited")
    assert result.verdict == "no"
    assert [s.to for s in result.distributes] == ["hikvision"]
    # The buyer's announcement is read in a trade-press republication: grade B, not A.
    assert any(src.grade == "B" for src in result.distributes[0].sources)
    assert result.distributes[0].strength == "strong"
    dual = graph.resolve(name="The CCTV Store", target="dahua")
    assert dual.verdict == "no" and [s.to for s in dual.distributes] == ["dahua"]


def test_huawei_device_mac_is_covered_by_889_through_common_control(graph: SupplyGraph) -> None:
    mac = "70:66:b9:00:00:01"  # an IEEE block of Huawei Device Co., Ltd.
    result = graph.resolve(mac=mac, target="huawei")
    assert result.verdict == "yes"
    regimes = (
        {r.regime: r for r in result.matched_regimes.regimes} if result.matched_regimes else {}
    )
    for regime in ("ndaa-889", "fcc-covered"):
        assert regimes[regime].verdict == "covered", regimes[regime].reason
        assert "common control" in regimes[regime].reason
        assert regimes[regime].paths


def test_an_owner_of_the_target_is_no_and_the_answer_says_why(graph: SupplyGraph) -> None:
    result = graph.resolve(name="CETHIK")
    assert result.verdict == "no"
    assert "above the target" in result.explanation
    assert "cethik" in graph.resolver.above_target("hikvision", result.as_of)
    assert "above the target" not in graph.resolve(name="Honeywell").explanation
