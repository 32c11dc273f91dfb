"""The curated seed: every fact sourced, references checked, loads idempotent and atomic."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from supplygraph.graph.model import Designation, Edge, Node
from supplygraph.loaders import seed

from supplygraph.errors import InvalidRecord
from supplygraph.service import SupplyGraph


def test_every_seed_fact_cites_a_source_with_a_url_or_title() -> None:
    records = list(seed.records())
    assert len(records) > 100
    for r in records:
        assert r.sources, r.id
        for s in r.sources:
            assert s.title and (s.url or s.grade == "A"), (r.id, s.id)


def test_core_hikvision_facts_are_present() -> None:
    records = {r.id: r for r in seed.records()}
    hik = records["hikvision"]
    assert isinstance(hik, Node)
    assert "杭州海康威视数字技术股份有限公司" in hik.names
    assert ("uscc", "91330000733796106P") in {(i.scheme.value, i.value) for i in hik.identifiers}
    edges = [r for r in records.values() if isinstance(r, Edge)]
    pairs = {(e.src, e.relation.value, e.dst) for e in edges}
    assert ("hikvision", "ASSIGNED", "fcc_grantee:2ADTD") in pairs
    assert ("cethik", "OWNS", "hikvision") in pairs
    assert ("hikvision", "OWNS_BRAND", "brand-hilook") in pairs


def test_huawei_zte_and_hytera_load_with_their_designations() -> None:
    records = list(seed.records())
    listed = {(r.entity_id, r.list_id) for r in records if isinstance(r, Designation)}
    expected = {
        "huawei": {
            "us-bis-entity-list",
            "us-fcc-covered",
            "us-ndaa-889",
            "us-dod-1260h",
            "us-ofac-ns-cmic",
        },
        "huawei-holding": {"us-dod-1260h", "us-ofac-ns-cmic"},
        "zte": {"us-fcc-covered", "us-ndaa-889"},
        "hytera": {"us-fcc-covered", "us-ndaa-889"},
    }
    for entity, lists in expected.items():
        assert lists <= {lst for e, lst in listed if e == entity}, entity
    nodes = {r.id: r for r in records if isinstance(r, Node)}
    assert "华为技术有限公司" in nodes["huawei"].names
    assert "中兴通讯股份有限公司" in nodes["zte"].names
    assert "海能达通信股份有限公司" in nodes["hytera"].names
    pairs = {(e.src, e.relation.value, e.dst) for e in records if isinstance(e, Edge)}
    for owner, grantee in [("huawei", "QIS"), ("zte", "SRQ"), ("hytera", "YAM")]:
        assert (owner, "ASSIGNED", f"fcc_grantee:{grantee}") in pairs


def test_honor_is_huawei_until_the_sale_and_not_after(graph: SupplyGraph) -> None:
    honor_mac = "0C:B9:83:00:00:01"  # an IEEE block of Honor Device Co., Ltd.
    before, after = date(2020, 6, 1), date(2021, 6, 1)
    assert graph.resolve(mac=honor_mac, target="huawei-holding", as_of=before).verdict == "yes"
    assert graph.resolve(mac=honor_mac, target="huawei-holding", as_of=after).verdict == "no"
    assert graph.resolve(brand="Honor", target="huawei", as_of=before).verdict == "yes"
    assert graph.resolve(brand="Honor", target="huawei", as_of=after).verdict == "no"
    sepura_mac = "00:1E:96:00:00:01"  # Sepura Plc, bought by Hytera in May 2017
    assert graph.resolve(mac=sepura_mac, target="hytera").verdict == "yes"
    assert graph.resolve(mac=sepura_mac, target="hytera", as_of=date(2016, 1, 1)).verdict == "no"


def test_grade_c_alone_never_gives_high_confidence() -> None:
    for r in seed.records():
        weak = isinstance(r, Edge) and all(s.grade == "C" for s in r.sources)
        if weak and r.relation.value not in {"SAME_AS", "ASSIGNED"}:  # type: ignore[union-attr]
            assert r.confidence <= 0.5, r.id  # type: ignore[union-attr]


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "seed"
    shutil.copytree(seed.seed_dir(), folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = folder / "hikvision.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def test_unknown_reference_is_refused_naming_file_and_entry(tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path, "to: hikvision", "to: hikvisoin")
    with pytest.raises(InvalidRecord) as exc:
        list(seed.records(folder))
    assert exc.value.file.endswith("hikvision.yaml")
    assert str(exc.value.line).startswith("relations/")
    assert "hikvisoin" in exc.value.message


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    folder = _broken_copy(tmp_path, "entities:", "entities: [")
    with pytest.raises(InvalidRecord) as exc:
        list(seed.records(folder))
    assert isinstance(exc.value.line, int)


def test_reload_changes_nothing_and_a_bad_seed_leaves_the_store_intact(
    empty_graph: SupplyGraph, tmp_path: Path
) -> None:
    empty_graph.load_seed()
    counts = empty_graph.view.counts()
    empty_graph.load_seed()
    assert empty_graph.view.counts() == counts
    folder = _broken_copy(tmp_path, "to: hikvision", "to: nowhere")
    from supplygraph.service import load_records

    with pytest.raises(InvalidRecord):
        load_records(empty_graph.store, seed.records(folder))
    assert empty_graph.view.counts() == counts
