"""A `no` is earned: stakes, name affinity and denials decide before silence does.

On the seed and the IEEE registry (the real store a new user has), and on small hand-written
graphs for the rules' edges (thresholds, ordinary words, denials, distributors). Single and bulk
lookups give the same verdict for each case.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from factories import SRC, edge, org, owns
from fastapi.testclient import TestClient

from supplygraph.graph.engine.bulk import BulkResolver
from supplygraph.graph.engine.relatedness import DEFAULT_STAKE_THRESHOLD
from supplygraph.graph.engine.resolve import Resolver
from supplygraph.graph.model.records import JOINT_VENTURE, Node, NodeKind, Relation
from supplygraph.service import SupplyGraph


def _bulk_verdict(sg: SupplyGraph, target: str, **fields: str) -> str | None:
    run = BulkResolver(Resolver(sg.view)).prepare(target)
    row = tuple(fields.get(f, "") for f in ("mac", "fcc_id", "brand", "model", "name"))
    (result,) = list(run.resolve([row]))  # type: ignore[list-item]  # a row of five strings
    return result.verdict


# -- on the real store ----------------------------------------------------------------------


def test_a_block_held_under_the_groups_name_is_possible_not_no(graph: SupplyGraph) -> None:
    """24:B1:05 is assigned to Prama Hikvision India; nothing else ties it to Hikvision."""
    result = graph.resolve(mac="24:b1:05:00:00:01")
    assert result.verdict == "possible", result.explanation
    assert result.paths == []
    assert result.weak_links
    for link in result.weak_links:
        assert "'hikvision'" in link.reason and "nothing else is known" in link.reason
    assert "not a plain no" in result.explanation
    assert 0 < result.confidence < 0.5
    assert _bulk_verdict(graph, "hikvision", mac="24:b1:05:00:00:01") == "possible"


def test_a_minority_stake_of_the_group_is_possible_with_its_share(graph: SupplyGraph) -> None:
    """ZTE holds 49.9% of Nubia: below control, above the significance threshold."""
    result = graph.resolve(name="Nubia Technology", target="zte")
    assert result.verdict == "possible", result.explanation
    assert any("49.9%" in w.reason and w.relation == "OWNS" for w in result.weak_links)
    # The path shows the stake itself, from the group down to Nubia.
    assert any(p[-1].relation == "OWNS" and p[-1].share == 49.9 for p in result.paths)
    assert _bulk_verdict(graph, "zte", name="Nubia Technology") == "possible"


def test_the_huawei_symantec_block_is_huaweis(graph: SupplyGraph) -> None:
    result = graph.resolve(mac="00:22:A1:00:00:01", target="huawei")
    assert result.verdict == "yes", result.explanation
    assert any(s.to == "huawei-symantec" for p in result.paths for s in p)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("Futurewei Technologies", "huawei"),
        ("Huawei Technologies Japan K.K.", "huawei"),
        ("Huawei Technologies Deutschland GmbH", "huawei"),
        ("ZTE Microelectronics", "zte"),
    ],
)
def test_subsidiaries_met_in_the_world_are_not_unknown(
    graph: SupplyGraph, name: str, target: str
) -> None:
    result = graph.resolve(name=name, target=target)
    assert result.verdict in ("yes", "possible"), (name, result.explanation)


@pytest.mark.parametrize(
    ("typed", "target"),
    [
        ("\u041dikvision", "hikvision"),  # a Cyrillic capital En first
        ("\u0397ikvisi\u03bfn", "hikvision"),  # a Greek capital Eta and a Greek omicron
        ("\u041diLook", "hikvision"),
        ("\u0397\u0399\u039aV\u0399S\u0399\u039fN", "hikvision"),  # Greek capitals among Latin
        ("\u041d\u0456\u043av\u0456s\u0456\u043en", "hikvision"),  # Cyrillic small letters
        ("Hik\u200bvision", "hikvision"),  # a zero-width space inside
        ("hikvision.com", "hikvision"),
        ("https://www.hikvision.com/en/", "hikvision"),
        ("huawei.com.cn", "huawei"),
        ("Zhejiang Dahua Technology Co.,Ltd", "dahua"),
    ],
)
def test_names_as_pasted_resolve(graph: SupplyGraph, typed: str, target: str) -> None:
    result = graph.resolve(name=typed, target=target)
    assert result.verdict == "yes", (typed, result.explanation)
    assert _bulk_verdict(graph, target, name=typed) == "yes"


def test_an_owner_of_the_target_stays_a_no(graph: SupplyGraph) -> None:
    """CETHIK carries no group word of its own and is above the target: still a plain no."""
    result = graph.resolve(name="CETHIK")
    assert result.verdict == "no"
    assert result.weak_links == []


def test_an_oem_customers_name_is_no_group_word(graph: SupplyGraph) -> None:
    """Hikvision made products for Honeywell: Honeywell's name is not Hikvision's."""
    result = graph.resolve(name="Honeywell", target="hikvision")
    assert result.verdict in ("no", "unknown")


# -- the rule's edges, on hand-written graphs -------------------------------------------------


@pytest.fixture()
def zq(empty_graph: SupplyGraph) -> Iterator[SupplyGraph]:
    """Target "Zqvision" with a brand; outsiders carrying its word or other words."""
    brand = Node(id="brand-zqlook", kind=NodeKind.BRAND, name="ZqLook", sources=(SRC,))
    records = [
        org("zqvision", "Hangzhou Zqvision Digital Technology Co., Ltd."),
        brand,
        edge("zqvision", Relation.OWNS_BRAND, "brand-zqlook"),
        org("zqvision-india", "Prima Zqvision India Private Limited"),
        org("minor", "Minor Holding Co."),
        org("quarter", "Quarter Holding Co."),
        org("venture", "Venture Partners Ltd."),
        org("denied", "Zqvision Trading Company"),
        org("seller", "Zqvision Cameras Direct Ltd."),
        owns("zqvision", "minor", 10.0),
        owns("zqvision", "quarter", DEFAULT_STAKE_THRESHOLD),
        owns("zqvision", "venture", 5.0, reason=JOINT_VENTURE),
        edge("denied", Relation.UNRELATED_TO, "zqvision"),
        edge("seller", Relation.DISTRIBUTES, "brand-zqlook"),
    ]
    with empty_graph.store.writer() as w:
        w.put(records)
    yield empty_graph


@pytest.mark.parametrize(
    ("name", "verdict", "said"),
    [
        ("Prima Zqvision India Private Limited", "possible", "'zqvision'"),
        ("Quarter Holding Co.", "possible", "25%"),
        ("Venture Partners Ltd.", "possible", "a joint venture"),
        ("Minor Holding Co.", "no", "10%"),
        ("Zqvision Trading Company", "no", "not part of"),
        ("Zqvision Cameras Direct Ltd.", "no", "distributes"),
    ],
)
def test_the_rule_on_a_small_graph(zq: SupplyGraph, name: str, verdict: str, said: str) -> None:
    result = zq.resolve(name=name, target="zqvision")
    assert result.verdict == verdict, result.explanation
    text = result.explanation + " ".join(w.reason for w in result.weak_links)
    assert said in text, text
    assert _bulk_verdict(zq, "zqvision", name=name) == verdict


def test_a_word_many_outsiders_carry_is_an_ordinary_name(zq: SupplyGraph) -> None:
    """Once several unrelated companies carry "Zqvision", it no longer marks the group."""
    with zq.store.writer() as w:
        w.put([org(f"other-{i}", f"Zqvision Hotel {i} Ltd.") for i in range(5)])
    result = zq.resolve(name="Prima Zqvision India Private Limited", target="zqvision")
    assert result.verdict == "no", result.explanation


def test_a_stake_that_ended_is_no_stake(zq: SupplyGraph) -> None:
    from datetime import date

    with zq.store.writer() as w:
        w.put(
            [
                org("past", "Past Holding Co."),
                owns("zqvision", "past", 40.0, valid_to=date(2020, 1, 1)),
            ]
        )
    assert zq.resolve(name="Past Holding Co.", target="zqvision").verdict == "no"
    then = zq.resolve(name="Past Holding Co.", target="zqvision", as_of=date(2019, 6, 1))
    assert then.verdict == "possible"


@pytest.mark.parametrize(
    "typed",
    ["\u041dikvision", "\u0397ikvisi\u03bfn", "\u041d\u0456\u043av\u0456s\u0456\u043en"],
)
def test_look_alike_letters_are_found_by_search_and_over_http(
    client: TestClient, typed: str
) -> None:
    """The attack form of the same: look-alike spellings through the API's search and resolve."""
    hits = client.get("/v1/search", params={"q": typed}).json()
    assert hits and hits[0]["id"] in {"hikvision", "brand-hikvision"}, hits[:3]
    answer = client.get("/v1/resolve", params={"name": typed}).json()
    assert answer["verdict"] == "yes"
