"""Names as people type them, on the real seeded store (seed data + IEEE registry), and the
part-by-part scorer on its own."""

from __future__ import annotations

import pytest
from factories import org
from fastapi.testclient import TestClient

from supplygraph.graph.match.matcher import CandidateCache, match_name
from supplygraph.graph.match.name_scoring import analyze, compare
from supplygraph.service import SupplyGraph


@pytest.mark.parametrize(
    ("typed", "target"),
    [
        ("Hangzhou Hikvision", "hikvision"),
        ("hikvision digital", "hikvision"),
        ("Hikvision Digital Technology Co", "hikvision"),
        ("HIKVISION DIGITAL TECHNOLOGY CO., LIMITED", "hikvision"),
        ("Technology Hikvision Hangzhou", "hikvision"),  # word order
        ("Hikvsion Digital", "hikvision"),  # one typo in a long word
        # A city the known name does not state costs little (rigour knows provinces, not these)
        ("Hikvision Digital Technology (Hangzhou) Co Ltd", "hikvision"),
        ("Zhejiang Dahua Technology Hangzhou", "dahua"),
        ("海康威视", "hikvision"),
        ("杭州海康威视数字技术股份有限公司", "hikvision"),
        ("Zhejiang Dahua", "dahua"),
        ("zhejiang dahua technology company limited", "dahua"),
        ("浙江大华技术股份有限公司", "dahua"),
        ("Huawei Device", "huawei"),
        ("华为技术有限公司", "huawei"),
        ("ZTE Corporation", "zte"),
        ("Hytera Communications", "hytera"),
    ],
)
def test_partial_and_variant_names_resolve_to_the_group(
    graph: SupplyGraph, typed: str, target: str
) -> None:
    result = graph.resolve(name=typed, target=target)
    assert result.verdict == "yes", (typed, result.explanation)
    assert result.target.id == target


@pytest.mark.parametrize(
    ("typed", "target"),
    [
        ("Hikari", "hikvision"),
        ("Hikma Pharmaceuticals", "hikvision"),
        ("Dahua Electronics Corporation", "dahua"),
        ("Dahua Hotel", "dahua"),
        ("Zhejiang Uniview Technologies", "dahua"),
        ("Honeywell", "hikvision"),
        ("Hangzhou Digital Technology Co", "hikvision"),  # a city and trade words only
        ("Shenzhen Technology Co Ltd", "huawei"),
        ("CETHIK", "hikvision"),  # an owner of the target is not the target
    ],
)
def test_traps_stay_traps(graph: SupplyGraph, typed: str, target: str) -> None:
    result = graph.resolve(name=typed, target=target)
    assert result.verdict in ("no", "unknown"), (typed, result.explanation)
    assert all(m.id != target for m in result.matched)


@pytest.mark.parametrize(
    ("short", "group"),
    [
        ("huawei", "huawei"),
        ("zte", "zte"),
        ("hytera", "hytera"),
        ("dahua", "dahua"),
        ("Hikvision", "hikvision"),
        ("HUAWEI TECHNOLOGIES CO.,LTD", "huawei-technologies"),
    ],
)
def test_short_names_as_target_pick_the_curated_group(
    graph: SupplyGraph, short: str, group: str
) -> None:
    assert graph.find_entity(short).id == group


def test_every_match_explains_itself(graph: SupplyGraph) -> None:
    match = graph.resolve(name="Hangzhou Hikvision Digital").matched[0]
    assert match.id == "hikvision"
    assert match.detail is not None
    assert match.detail.method == "name parts"
    paired = {(p.query, p.name) for p in match.detail.pairs}
    assert ("hikvision", "hikvision") in paired and ("hangzhou", "hangzhou") in paired
    assert "technology" in match.detail.name_only
    assert match.detail.features["query_coverage"] == 1.0
    exact = graph.resolve(name="Hikvision").matched[0]
    assert exact.score == 1.0 and exact.detail is not None
    assert exact.detail.method == "normalized key"


def test_partial_name_of_a_synthetic_holding(empty_graph: SupplyGraph) -> None:
    with empty_graph.store.writer() as w:
        w.put(
            [
                org("h9", "Synthetic Holding 0099999 Limited"),
                org("h8", "Synthetic Holding 0099998 Limited"),
            ]
        )
    found = match_name(empty_graph.view, "Holding 0099999")
    assert [m.id for m in found] == ["h9"]  # digits never match fuzzily


def test_the_candidate_cache_sees_a_later_load(empty_graph: SupplyGraph) -> None:
    """Profiles and typo vocabularies are kept per store version: a load that adds an alias or
    a word is seen by the next question asked with the same cache."""
    cache = CandidateCache()
    with empty_graph.store.writer() as w:
        w.put([org("k1", "Korvalent Industries Limited")])
    # Reordered, so found through the candidate's profile rather than an exact key.
    assert match_name(empty_graph.view, "Zemblaxo Korvalent", cache=cache) == []
    assert match_name(empty_graph.view, "Quintavro", cache=cache) == []
    with empty_graph.store.writer() as w:
        w.put([org("k1", "Korvalent Industries Limited", "Korvalent Zemblaxo Limited")])
        w.put([org("k2", "Quintavor Shipping")])
    found = match_name(empty_graph.view, "Zemblaxo Korvalent", cache=cache)
    assert [(m.id, m.matched_on) for m in found] == [("k1", "Korvalent Zemblaxo Limited")]
    # A word one letter off a word that only the later load stored.
    assert [m.id for m in match_name(empty_graph.view, "Quintavro", cache=cache)] == ["k2"]


def test_search_finds_two_character_cjk_words(client: TestClient) -> None:
    for word, expected in (("海康", "hikvision"), ("大华", "dahua")):
        hits = client.get("/v1/search", params={"q": word}).json()
        assert expected in [h["id"] for h in hits], word


def test_every_entity_endpoint_reads_a_reference_the_same_way(client: TestClient) -> None:
    for ref in ("hikvision", "Hikvision", "Hangzhou Hikvision"):
        assert client.get(f"/v1/entities/{ref}").json()["id"] == "hikvision"
        assert client.get(f"/v1/entities/{ref}/owners").json()["entity"]["id"] == "hikvision"
        assert client.get(f"/v1/entities/{ref}/regimes").json()["entity"]["id"] == "hikvision"
        graph = client.get(f"/v1/entities/{ref}/graph").json()
        assert "hikvision" in {n["id"] for n in graph["nodes"]}
        assert client.get(f"/v1/entities/{ref}/export", params={"format": "csv"}).status_code == 200
    assert client.get("/v1/entities/no such company anywhere").status_code == 404


def test_scorer_features() -> None:
    score = compare(analyze("Hikvision Intl Tech"), analyze("Hikvision International Technology"))
    assert score.score >= 0.95
    assert {p.how for p in score.pairs} == {"exact", "symbol"}
    typo = compare(analyze("Chegnxing Trading"), analyze("Beijing Chengxing Trading Co. Ltd."))
    assert any(p.how == "typo" for p in typo.pairs) and typo.score >= 0.8
    merged = compare(analyze("Sberbank"), analyze("Is Bank"))
    assert merged.score < 0.8  # "bank" inside "sberbank" is not the same word
    reordered = compare(analyze("Joint Stock Company Genbank"), analyze("Genbank JSC"))
    assert reordered.score >= 0.9
