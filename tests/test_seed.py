"""The curated seed: every fact sourced, references checked, loads idempotent and atomic."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from supplygraph.graph.engine.rulebook import read_rules
from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.records import Designation, Edge, Node, Relation
from supplygraph.loaders import seed
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
        "huawei-technologies": {
            "us-bis-entity-list",
            "us-fcc-covered",
            "us-ndaa-889",
            "us-dod-1260h",
            "us-ofac-ns-cmic",
        },
        "huawei": {"us-dod-1260h", "us-ofac-ns-cmic"},
        "zte": {"us-fcc-covered", "us-ndaa-889"},
        "hytera": {"us-fcc-covered", "us-ndaa-889"},
    }
    for entity, lists in expected.items():
        assert lists <= {lst for e, lst in listed if e == entity}, entity
    nodes = {r.id: r for r in records if isinstance(r, Node)}
    assert "华为技术有限公司" in nodes["huawei-technologies"].names
    assert "中兴通讯股份有限公司" in nodes["zte"].names
    assert "海能达通信股份有限公司" in nodes["hytera"].names
    pairs = {(e.src, e.relation.value, e.dst) for e in records if isinstance(e, Edge)}
    for owner, grantee in [("huawei-technologies", "QIS"), ("zte", "SRQ"), ("hytera", "YAM")]:
        assert (owner, "ASSIGNED", f"fcc_grantee:{grantee}") in pairs


def test_honor_is_huawei_until_the_sale_and_not_after(graph: SupplyGraph) -> None:
    honor_mac = "0C:B9:83:00:00:01"  # an IEEE block of Honor Device Co., Ltd.
    before, after = date(2020, 6, 1), date(2021, 6, 1)
    assert graph.resolve(mac=honor_mac, target="huawei", as_of=before).verdict == "yes"
    assert graph.resolve(mac=honor_mac, target="huawei", as_of=after).verdict == "no"
    assert graph.resolve(brand="Honor", target="huawei-technologies", as_of=before).verdict == "yes"
    assert graph.resolve(brand="Honor", target="huawei-technologies", as_of=after).verdict == "no"
    sepura_mac = "00:1E:96:00:00:01"  # Sepura Plc, Hytera's from May 2017, sold in 2022
    assert graph.resolve(mac=sepura_mac, target="hytera", as_of=before).verdict == "yes"
    assert graph.resolve(mac=sepura_mac, target="hytera", as_of=date(2016, 1, 1)).verdict == "no"
    assert graph.resolve(mac=sepura_mac, target="hytera", as_of=date(2023, 6, 1)).verdict == "no"


def test_grade_c_alone_never_gives_high_confidence() -> None:
    for r in seed.records():
        if not isinstance(r, Edge):
            continue
        weak = all(s.grade == "C" for s in r.sources)
        if weak and r.relation.value not in {"SAME_AS", "ASSIGNED"}:
            assert r.confidence <= 0.5, r.id


# Third-party copies of manuals, filings and rules: their provenance cannot be checked there.
MIRRORS = re.compile(
    r"scribd|manuals\.plus|manualzz|documents\.pub|manuzoid|manual-pdf|manualsfile|manualspro"
    r"|manualshelf|docslib|fcc\.report|lawinsider|vdocuments|pdfslide|fdocuments"
)


def test_alleged_distribution_stays_weak() -> None:
    alleged = [
        r
        for r in seed.records()
        if isinstance(r, Edge)
        and r.relation is Relation.DISTRIBUTES
        and "ALLEGATION" in (r.note or "")
    ]
    assert alleged  # the Nebraska suit against ADI
    for r in alleged:
        assert r.confidence < 0.5, r.id


def test_every_seed_source_has_a_url_and_mirrors_are_grade_b_at_most() -> None:
    for data in seed.read_seed().files.values():
        for s in data.sources:
            assert s.url, s.id
            assert not (MIRRORS.search(s.url) and s.grade == "A"), s.id


def test_every_regime_cites_sources_with_quotes() -> None:
    book = read_rules()
    for regime in book.regimes:
        assert regime.sources, regime.id
        periods = [*regime.in_force, *regime.suspended]
        for cite in [*regime.sources, *(c for p in periods for c in p.sources)]:
            assert cite.quote, (regime.id, cite.source)
    for s in book.sources:
        assert not (s.url and MIRRORS.search(s.url) and s.grade == "A"), s.id


def _edges() -> list[Edge]:
    return [r for r in seed.records() if isinstance(r, Edge)]


def test_corrected_facts_stay_corrected() -> None:
    edges = _edges()

    def find(src: str, rel: Relation, dst: str) -> list[Edge]:
        return [e for e in edges if (e.src, e.relation, e.dst) == (src, rel, dst)]

    # No Hikvision -> Honeywell OEM link: its only Hikvision-specific source was a blog.
    assert not find("hikvision", Relation.MANUFACTURES_FOR, "brand-honeywell")
    # Honeywell stopped relabelling Dahua (IPVM, 2022-02-04).
    (honeywell,) = find("dahua", Relation.MANUFACTURES_FOR, "brand-honeywell")
    assert honeywell.valid_to == date(2022, 2, 4)
    # The Nebraska suit against Resideo/ADI is an allegation: weak, never a plain link.
    for maker in ("hikvision", "dahua"):
        (capture,) = find(maker, Relation.MANUFACTURES_FOR, "brand-capture")
        assert capture.confidence < 0.5
    # 'Indirectly owned by SASAC' is not control; Fu Liquan controls Dahua.
    assert not [e for e in edges if e.src == "sasac" and e.dst == "dahua"]
    assert find("fu-liquan", Relation.CONTROLS, "dahua")
    # Prama Hikvision India: the company name alone is no ownership evidence.
    assert not find("hikvision", Relation.OWNS, "prama-hikvision-india")
    # Dated prospectus stakes, not a rounded broker figure.
    (cethik,) = find("cethik", Relation.OWNS, "hikvision")
    assert cethik.share == 36.08 and cethik.reported_on == date(2022, 9, 30)
    (inv,) = find("cetc-investment", Relation.OWNS, "hikvision")
    (inst,) = find("cetc-52nd-institute", Relation.OWNS, "hikvision")
    assert (inv.share, inst.share) == (2.46, 1.92)
    assert round(cethik.share + inv.share + inst.share, 2) == 40.46
    # Sold 'by the end of January 2024': half-open validity ends on 1 February.
    (usa,) = find("dahua", Relation.OWNS, "dahua-usa")
    assert usa.valid_to == date(2024, 2, 1)
    # Model-number families backed by grade C only stay weak.
    for product in ("product-dahua-hac", "product-hilook-ipc-d140h"):
        (fam,) = [e for e in edges if e.src == product]
        assert fam.confidence <= 0.5 and all(s.grade == "C" for s in fam.sources)
    (hiwatch,) = find("hikvision", Relation.OWNS_BRAND, "brand-hiwatch")
    assert hiwatch.confidence <= 0.5 and all(s.grade == "C" for s in hiwatch.sources)


def test_hac_pattern_needs_the_documented_structure() -> None:
    nodes = {r.id: r for r in seed.records() if isinstance(r, Node)}
    pattern = re.compile(nodes["product-dahua-hac"].properties["pattern"])
    assert pattern.match("HAC-HFW1200T") and pattern.match("DH-HAC-HDBW1200E")
    assert not pattern.match("HAC-HUB-2") and not pattern.match("HAC-H")


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
    from supplygraph.graph.store.batches import write_records

    with pytest.raises(InvalidRecord):
        write_records(empty_graph.store, seed.records(folder))
    assert empty_graph.view.counts() == counts
