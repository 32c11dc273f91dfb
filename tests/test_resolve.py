"""The verdict engine on the real seeded store: MACs, FCC IDs, brands, names, traps, as_of."""

from __future__ import annotations

from datetime import date

import pytest
from netaddr import OUI
from netaddr.eui import ieee

from supplygraph.graph.errors import InvalidQuery, TargetNotFound
from supplygraph.graph.model.answers import ResolveResult
from supplygraph.service import SupplyGraph

HIKVISION_ASSIGNEE = "Hangzhou Hikvision Digital Technology Co.,Ltd."


def _blocks_of(assignee: str) -> list[str]:
    """Read straight from netaddr's registry, independently of our loader."""
    found = []
    for index in ieee.OUI_INDEX:
        oui = OUI(index)
        for i in range(oui.reg_count):
            if oui.registration(i)["org"].strip() == assignee:
                found.append(str(oui.registration(i)["oui"]))
    return sorted(set(found))


def _notations(block: str, n: int) -> str:
    """Cycle through the notations users paste: colons, dashes, Cisco dots, bare hex."""
    hexed = block.replace("-", "").lower() + f"{n % 256:02x}3456"
    forms = [
        ":".join(hexed[i : i + 2] for i in range(0, 12, 2)),
        "-".join(hexed[i : i + 2] for i in range(0, 12, 2)).upper(),
        ".".join(hexed[i : i + 4] for i in range(0, 12, 4)),
        hexed.upper(),
    ]
    return forms[n % len(forms)]


def test_every_hikvision_mac_block_is_hikvision(graph: SupplyGraph) -> None:
    blocks = _blocks_of(HIKVISION_ASSIGNEE)
    assert len(blocks) >= 60  # netaddr 1.3 ships 67
    for n, block in enumerate(blocks):
        mac = _notations(block, n)
        result = graph.resolve(mac=mac)
        assert result.verdict == "yes", (mac, result.explanation)
        assert result.matched[0].matched_on == "oui:" + block.replace("-", "")
        relations = [step.relation for step in result.paths[0]]
        assert relations == ["SAME_AS", "ASSIGNED"]
        assert all(step.sources for step in result.paths[0])


def test_dahua_mac_is_dahua_not_hikvision(graph: SupplyGraph) -> None:
    assert graph.resolve(mac="90:02:a9:00:00:01").verdict == "no"
    assert graph.resolve(mac="90:02:a9:00:00:01", target="dahua").verdict == "yes"


def test_unrelated_mac_is_no_and_unregistered_is_unknown(graph: SupplyGraph) -> None:
    xerox = graph.resolve(mac="00:00:00:11:22:33")
    assert xerox.verdict == "no"
    local = graph.resolve(mac="02:00:00:00:00:01")
    assert local.verdict == "unknown"
    assert any("locally administered" in n for n in local.notes)


def test_fcc_id_grantee_code(graph: SupplyGraph) -> None:
    result = graph.resolve(fcc_id="2ADTD-5604SD")
    assert result.verdict == "yes"
    assert result.matched[0].matched_on == "fcc_grantee:2ADTD"
    assert result.paths[0][0].relation == "ASSIGNED"


@pytest.mark.parametrize("brand", ["HiLook", "hilook", "EZVIZ", "Hikmicro", "HIKVISION"])
def test_own_brands_are_hikvision(graph: SupplyGraph, brand: str) -> None:
    result = graph.resolve(brand=brand)
    assert result.verdict == "yes", result.explanation
    assert result.paths and all(step.sources for path in result.paths for step in path)


def test_ezviz_brand_path_runs_through_the_subsidiary(graph: SupplyGraph) -> None:
    result = graph.resolve(brand="EZVIZ")
    chains = [[s.relation for s in p] for p in result.paths]
    assert ["OWNS", "OWNS_BRAND"] in chains or ["CONTROLS", "OWNS_BRAND"] in chains


@pytest.mark.parametrize(
    "name",
    [
        "杭州海康威视数字技术股份有限公司",
        "Hikvision",
        "Hangzhou Hikvision Digital Technology Co Ltd",
        "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD.",
    ],
)
def test_names_in_any_script_resolve_to_hikvision_itself(graph: SupplyGraph, name: str) -> None:
    result = graph.resolve(name=name)
    assert result.verdict == "yes"
    assert any(m.id == "hikvision" for m in result.matched)
    assert [] in [[s for s in p] for p in result.paths]  # the target itself: an empty path


@pytest.mark.parametrize("name", ["Hikari", "Hikma", "Hikma Pharmaceuticals"])
def test_lookalike_names_are_not_hikvision(graph: SupplyGraph, name: str) -> None:
    result = graph.resolve(name=name)
    assert result.verdict != "yes"
    assert all(m.id != "hikvision" for m in result.matched)


def test_owner_of_the_target_is_not_the_target(graph: SupplyGraph) -> None:
    for owner in ["CETHIK", "China Electronics Technology Group Corporation"]:
        result = graph.resolve(name=owner)
        assert result.verdict == "no", owner
        assert result.matched  # it resolved to a known entity, just not downstream


def test_dahua_electronics_corporation_is_not_zhejiang_dahua(graph: SupplyGraph) -> None:
    result = graph.resolve(name="Dahua Electronics Corporation", target="dahua")
    assert result.verdict != "yes"
    assert all(m.id != "dahua" for m in result.matched)
    assert (
        graph.resolve(name="Zhejiang Dahua Technology Co., Ltd.", target="dahua").verdict == "yes"
    )


def test_model_pattern_is_weak_evidence_never_yes(graph: SupplyGraph) -> None:
    result = graph.resolve(model="DS-2CD2143G2-I")
    assert result.verdict == "possible"
    assert result.confidence < 0.5
    assert result.matched[0].kind == "product"
    assert result.matched[0].weak is not None
    assert any("model-number family" in w.reason for w in result.weak_links)
    assert "weak link" in result.explanation


def test_bare_ipc_prefix_does_not_mean_dahua(graph: SupplyGraph) -> None:
    result = graph.resolve(model="IPC-B140H", target="dahua")
    assert result.verdict != "yes"


def test_as_of_follows_lorex_sale(graph: SupplyGraph) -> None:
    """Dahua owned Lorex from 2018 to 24 Nov 2022: ownership paths exist only inside that window."""

    def owned(result: ResolveResult) -> bool:
        return any(s.relation in {"OWNS", "OWNS_BRAND"} for p in result.paths for s in p)

    during = graph.resolve(brand="Lorex", target="dahua", as_of=date(2020, 6, 1))
    assert during.verdict == "yes" and owned(during)
    assert any(s.valid_to == date(2022, 11, 24) for p in during.paths for s in p)
    for day in (date(2015, 1, 1), date(2025, 6, 1)):
        outside = graph.resolve(brand="Lorex", target="dahua", as_of=day)
        # Outside the window only weaker supply (OEM) evidence may remain, never ownership.
        assert not owned(outside), day
        assert outside.confidence < during.confidence


def test_target_by_name_and_designations(graph: SupplyGraph) -> None:
    result = graph.resolve(brand="HiLook", target="Hikvision")
    assert result.target.id == "hikvision"
    lists = {d.list_ for d in result.designations if d.entity_id == "hikvision"}
    assert {"us-bis-entity-list", "us-ofac-ns-cmic", "us-fcc-covered"} <= lists
    entity_list = next(d for d in result.designations if d.list_ == "us-bis-entity-list")
    assert entity_list.start_date == date(2019, 10, 9)


def test_bad_inputs_raise_clear_errors(graph: SupplyGraph) -> None:
    with pytest.raises(InvalidQuery) as exc:
        graph.resolve(mac="not-a-mac")
    assert exc.value.field == "mac"
    with pytest.raises(InvalidQuery) as exc:
        graph.resolve()
    assert exc.value.field == "query"
    with pytest.raises(InvalidQuery):
        graph.resolve(fcc_id="2AD")
    with pytest.raises(TargetNotFound):
        graph.resolve(brand="HiLook", target="no such company anywhere")


def test_answers_are_shared_per_ieee_block_but_never_across_blocks(graph: SupplyGraph) -> None:
    """MACs of one block share an answer; a 36-bit IAB block inside a 24-bit one stays apart."""
    a = graph.resolve(mac="0c:75:d2:00:00:01")
    b = graph.resolve(mac="0C-75-D2-FF-FF-FE")
    assert a.model_dump() == b.model_dump()
    iab = graph.resolve(mac="40:d8:55:0d:70:01", target="dahua")  # IAB 40-D8-55-0D-70-00
    other = graph.resolve(mac="40:d8:55:0d:80:01", target="dahua")  # the next IAB block
    assert iab.matched[0].matched_on == "oui36:40D8550D7"
    assert other.matched[0].matched_on == "oui36:40D8550D8"
    assert iab.matched[0].name != other.matched[0].name
