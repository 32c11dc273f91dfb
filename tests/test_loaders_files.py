"""Every file in tests/data loads, with the counts checked by hand against the files.

The US lists and the FtM file are our own, written in the OpenSanctions layouts from public
government facts; the rest are real public files (tests/data/PROVENANCE.md).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from supplygraph.graph.model.records import Identifier, IdScheme, Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import Direction, GraphStore
from supplygraph.loaders import dod1260h, fcc, ofac
from supplygraph.loaders.detect import detect_format
from supplygraph.loaders.ingest import load_file, plan

# (file, format, rows read, rows skipped, designations stated, nodes, edges) in a fresh store.
# OFAC: the README says 443 consolidated entries; cons_prim.csv holds 442 (checked with the csv
# module: 442 rows, 442 distinct ent_num). SDN: 7,379 entries of which 540 vessels/aircraft.
EXPECTED = [
    ("csl-us/csl_current_format_sample.csv", "csl", 13, 0, 13, 13, 0),
    ("csl-us/csl_2019_sample.csv", "csl", 115, 2, 111, 108, 0),
    ("ofac-nonsdn-cmic/cons_prim.csv", "ofac", 442, 0, 529, 442, 0),
    ("ofac-sdn-legacy/sdn.csv", "ofac", 7379, 540, 6839, 6839, 0),
    # Our own files: the last FCC row is two entries run together (one of them again).
    ("us-lists/us_fcc_covered_list_table.csv", "fcc", 12, 0, 12, 12, 1),
    ("us-lists/us_fcc_covered_list_data_2024-04.csv", "fcc", 10, 0, 11, 11, 1),
    ("us-lists/us_ndaa_section_889.csv", "ndaa889", 5, 0, 5, 5, 0),
    ("us-lists/us_dod_1260h_sanctions.csv", "1260h", 13, 0, 13, 6, 4),
    ("ftm/public_facts.ftm.json", "ftm", 9, 1, 1, 5, 2),
    ("gleif-samples/golden-copy_lei-data.xml", "gleif", 13, 0, 0, 13, 0),
    ("gleif-samples/golden-copy_repex-data.xml", "gleif", 10, 10, 0, 0, 0),
    ("bods-examples/v0.2/indirect-ownership__os-06-dr-03.json", "bods", 9, 0, 0, 4, 4),
    ("bods-examples/v0.2/2-single-update.json", "bods", 4, 1, 0, 2, 1),
    ("bods-examples/v0.3/3-joint-ownership.json", "bods", 7, 0, 0, 4, 2),
    ("bods-examples/v0.3/flat-serialisation__gb-coh-entity-statement.json", "bods", 1, 0, 0, 1, 0),
    # Every version of a relationship keeps its own edges (14 over three relationships).
    ("bods-examples/v0.4/fermcat.json", "bods", 23, 0, 0, 4, 14),
    ("bods-examples/v0.4/mixed-direct-and-indirect-ownership.json", "bods", 6, 0, 0, 3, 3),
    ("bods-examples/v0.4/listed-company-exempt-from-disclosure.json", "bods", 2, 1, 0, 1, 0),
]


@pytest.fixture()
def store(tmp_path: Path) -> GraphStore:
    return open_store(f"sqlite:///{tmp_path / 'g.db'}")


@pytest.mark.parametrize(("rel", "fmt", "read", "skipped", "des", "nodes", "edges"), EXPECTED)
def test_file_loads_with_counts(
    test_data: Path,
    store: GraphStore,
    rel: str,
    fmt: str,
    read: int,
    skipped: int,
    des: int,
    nodes: int,
    edges: int,
) -> None:
    path = test_data / rel
    assert detect_format(path) == fmt
    report = load_file(store, path)
    assert (report.counts["read"], report.counts["skipped"]) == (read, skipped)
    assert report.counts["designations"] == des
    assert store.view().counts() == {"nodes": nodes, "edges": edges, "designations": des}
    [entry] = store.view().loads(report.dataset)
    assert entry.format == fmt and len(entry.sha256) == 64 and entry.counts == report.counts


def data_files(root: Path) -> list[Path]:
    """The loadable files under ``root``, leaving out PROVENANCE.md and the licence texts."""
    return sorted(p for p in root.rglob("*") if p.suffix in (".csv", ".json", ".xml"))


def test_provenance_lists_every_data_file_with_its_hash(test_data: Path) -> None:
    import hashlib
    import re

    text = (test_data / "PROVENANCE.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", text, re.MULTILINE))
    files = {p.relative_to(test_data).as_posix(): p for p in data_files(test_data)}
    assert sorted(listed) == sorted(files)
    for rel, path in files.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[rel], rel


def test_every_data_file_loads(test_data: Path, store: GraphStore) -> None:
    files = data_files(test_data)
    planned = plan(files)
    # The OFAC side files stand for their sets: two sets, loaded once each.
    assert sum(1 for _, fmt in planned if fmt == "ofac") == 2
    assert len(planned) == len(files) - 6
    # The two CSL files are samples of different vintages and sizes, not one list's versions.
    reports = [
        load_file(store, path, fmt, allow_shrink=True, allow_older=True) for path, fmt in planned
    ]
    assert sum(r.counts["read"] for r in reports) == 8325  # 8315, and 10 IEEE CSV rows
    # The API relationship records come after the LEI records they name, so they resolve.
    api = [r for r in reports if "parent-relationship" in r.file]
    assert [r.counts["skipped"] for r in api] == [0, 0]
    edges = store.view().edges(
        [n for n in _lei_nodes(store, "5493001KJTIIGC8Y1R12")], Direction.IN, [Relation.CONTROLS]
    )
    assert len(edges) == 2 and all(e.valid_from == date(2007, 6, 5) for e in edges)


def _lei_nodes(store: GraphStore, lei: str) -> list[str]:
    found = store.view().find_by_identifier([Identifier(scheme=IdScheme.LEI, value=lei)])
    return found[Identifier(scheme=IdScheme.LEI, value=lei)]


def test_ofac_remarks_give_identifiers_and_dates(test_data: Path, store: GraphStore) -> None:
    load_file(store, test_data / "ofac-nonsdn-cmic" / "cons_prim.csv")
    view = store.view()
    hik_id = ofac.node_id("30946")
    hik = view.nodes([hik_id])[hik_id]
    assert hik.name == "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."
    assert {(i.scheme, i.value) for i in hik.identifiers} >= {
        (IdScheme.USCC, "91330000733796106P"),
        (IdScheme.ISIN, "CNE100000PM8"),
        (IdScheme.TICKER, "002415"),
    }
    assert hik.country == "CN" and "HIKVISION" in hik.aliases
    [cmic] = view.designations([hik_id])[hik_id]
    assert (cmic.list_id, cmic.start_date) == ("us-ofac-ns-cmic", date(2021, 8, 2))
    assert cmic.program == "CMIC-EO13959" and "2021-06-03" in (cmic.note or "")
    cetc_id = ofac.node_id("30936")
    cetc = view.nodes([cetc_id])[cetc_id]
    assert "CETC" in cetc.aliases and cetc.org_type == "state_owned_enterprise"


def test_1260h_parent_edges_per_vintage(test_data: Path, store: GraphStore) -> None:
    load_file(store, test_data / "us-lists" / "us_dod_1260h_sanctions.csv")
    view = store.view()
    hik = dod1260h.entity_id("Hangzhou Hikvision Digital Technology Co., Ltd.")
    cetc = dod1260h.entity_id("China Electronics Technology Group Corporation")
    owners = view.edges([hik], Direction.IN, [Relation.OWNS])
    # The 2025 list names CETC as Hikvision's parent; the 2026 list names none.
    assert {(e.src, e.reported_on) for e in owners} == {(cetc, date(2025, 1, 7))}
    starts = sorted(d.start_date or date.min for d in view.designations([hik])[hik])
    assert starts == [date(2025, 1, 7), date(2026, 6, 8)]
    notes = [d.note for d in view.designations([hik])[hik] if d.note]
    assert any("indirectly owned by SASAC" in n for n in notes)
    # A parent named on two vintages gives one edge per vintage.
    dahua = dod1260h.entity_id("Zhejiang Dahua Technology Co., Ltd.")
    wisdom = dod1260h.entity_id("Chengdu Dahua Wisdom Information Technology Co., Ltd.")
    parents = view.edges([wisdom], Direction.IN, [Relation.OWNS])
    assert sorted((e.src, e.reported_on) for e in parents) == [
        (dahua, date(2025, 1, 7)),
        (dahua, date(2026, 6, 8)),
    ]


def test_fcc_malformed_row_is_a_warning_naming_the_row(test_data: Path, store: GraphStore) -> None:
    report = load_file(store, test_data / "us-lists" / "us_fcc_covered_list_table.csv")
    assert report.counts["warnings"] == 2
    assert all(w.startswith("us_fcc_covered_list_table.csv:13:") for w in report.warnings)
    hytera = fcc.entity_id("Hytera Communications Corporation")
    [listing] = store.view().designations([hytera])[hytera]
    assert (listing.list_id, listing.start_date) == ("us-fcc-covered", date(2021, 3, 12))
    comnet = fcc.entity_id("ComNet (USA) LLC")
    [sub] = store.view().edges([comnet], Direction.IN, [Relation.OWNS])
    assert sub.src == fcc.entity_id("Pacific Networks Corp") and sub.share == 100.0


def test_both_fcc_layouts_give_the_same_entities(test_data: Path, store: GraphStore) -> None:
    folder = test_data / "us-lists"
    load_file(store, folder / "us_fcc_covered_list_data_2024-04.csv")
    second = load_file(store, folder / "us_fcc_covered_list_table.csv")
    # The newer table adds the 2024 Kaspersky Lab, Inc. entry and lists the older ten again.
    assert len(second.designations_added) == 1 and second.designations_removed == []


def test_gleif_rr_needs_the_lei_records(test_data: Path, store: GraphStore) -> None:
    report = load_file(store, test_data / "gleif-samples" / "golden-copy_rr-data.xml")
    # 8 fund relations skipped, 2 consolidation relations naming LEIs not in the store.
    assert report.counts["skipped"] == 10 and report.counts["warnings"] == 2
    assert "load the LEI records first" in report.warnings[0]
    assert store.view().counts()["edges"] == 0


def test_csl_json_export_matches_the_csv(
    test_data: Path, store: GraphStore, tmp_path: Path
) -> None:
    """The JSON export shape (lists and objects instead of ';'-joined cells) gives the same
    listings as the CSV: loading it after the CSV adds and removes nothing."""
    import csv
    import json

    source = test_data / "csl-us" / "csl_current_format_sample.csv"
    first = load_file(store, source)
    results = []
    with source.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            item: dict[str, object] = {k: v for k, v in row.items() if v and k != "_id"}
            item["id"] = row["_id"]
            item["alt_names"] = [a.strip() for a in row["alt_names"].split(";") if a.strip()]
            item["programs"] = [p.strip() for p in row["programs"].split(";") if p.strip()]
            item["addresses"] = [
                {"address": a.strip().rsplit(",", 1)[0], "country": a.strip().rsplit(",", 1)[-1]}
                for a in row["addresses"].split(";")
                if a.strip()
            ]
            item["ids"] = [
                # Entries have two or three parts; zip stops at the shorter on purpose.
                dict(zip(("type", "number", "country"), map(str.strip, i.split(",")), strict=False))
                for i in row["ids"].split(";")
                if i.strip()
            ]
            results.append(item)
    path = tmp_path / "csl.json"
    path.write_text(json.dumps({"total": len(results), "results": results}), encoding="utf-8")
    assert detect_format(path) == "csl"
    second = load_file(store, path)
    assert second.counts["read"] == first.counts["read"] == 13
    assert second.designations_added == second.designations_removed == []
    assert store.view().counts()["nodes"] == 13


def test_brands_csv_feeds_the_engine(tmp_path: Path) -> None:
    from supplygraph.service import SupplyGraph

    path = tmp_path / "brands.csv"
    path.write_text(
        "from_name,from_country,relation,to_name,to_kind,share,valid_from,source_title,"
        "source_url,quote,source_grade\n"
        "Acme Optics Ltd,CN,OWNS_BRAND,Acmecam,brand,,,Acme annual report,"
        "https://example.org/ar,,A\n"
        "Acme Optics Ltd,CN,MANUFACTURES_FOR,Example Cam,brand,,2020-01-01,Example Cam "
        'datasheet,,"Manufactured by Acme Optics Ltd",B\n',
        encoding="utf-8",
    )
    assert detect_format(path) == "brands"
    graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'g.db'}")
    report = load_file(graph.store, path)
    assert report.counts["read"] == 2 and report.dataset == "brands:brands"
    acme = graph.search("Acme Optics")[0]
    assert acme.kind == "organization"
    result = graph.resolve(brand="Example Cam", target=acme.id)
    assert result.verdict == "yes"
    assert [s.relation for s in result.paths[0]] == ["MANUFACTURES_FOR"]
    graph.close()
