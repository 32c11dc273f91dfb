"""Dedup and linkage across sources, idempotent reloads, list versions, and the load log."""

from __future__ import annotations

import shutil
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from factories import ident, org, owns
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from supplygraph.api.app import create_app
from supplygraph.bench.gleif import lei_of
from supplygraph.cli import app
from supplygraph.graph.model.records import Edge, Identifier, IdScheme, Node, Relation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import Direction, GraphView
from supplygraph.loaders import fcc, ofac
from supplygraph.loaders.common import Ref, designation_id
from supplygraph.loaders.context import LoadContext
from supplygraph.loaders.gleif import lei_node_id
from supplygraph.loaders.ingest import load_file
from supplygraph.loaders.linker import Linker
from supplygraph.service import SupplyGraph

runner = CliRunner()
USCC = Identifier(scheme=IdScheme.USCC, value="91330000733796106P")
CSL_HEADER = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,"
    "vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,"
    "source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,"
    "source_information_url,ids\n"
)
# A CMIC listing as the trade.gov export writes it (hand-made in that shape; the CSL
# samples hold no CMIC rows).
CSL_CMIC_ROW = (
    '"c0ffee","Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury '
    'Department","30946","Entity","CMIC-EO13959","HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., '
    'LTD.","","555, Qianmo Road, Binjiang District, Hangzhou, 310051, CN","","","","","","","",'
    '"","","","","","","https://ofac.treasury.gov/","HIKVISION; HANGZHOU HIKVISION DIGITAL '
    'TECHNOLOGY","","","","","","Equity Ticker, 002415 CN; ISIN, CNE100000PM8; Unified Social '
    'Credit Code (USCC), 91330000733796106P, CN; Effective Date (CMIC), 02 Aug 2021"\n'
)


@pytest.fixture()
def seeded(seeded_path: Path, tmp_path: Path) -> SupplyGraph:
    """A writable copy of the session's seeded store (seed data and IEEE registry)."""
    copy = tmp_path / "seeded.db"
    shutil.copy(seeded_path, copy)
    return SupplyGraph.open(f"sqlite:///{copy}")


def _cmic_sources(graph: SupplyGraph) -> set[str]:
    des = graph.view.designations(["hikvision"])["hikvision"]
    [cmic] = [d for d in des if d.list_id == "us-ofac-ns-cmic"]
    assert cmic.start_date == date(2021, 8, 2)
    return {s.id for s in cmic.sources}


def test_csl_after_seed_attaches_cmic_to_the_seed_hikvision(
    seeded: SupplyGraph, tmp_path: Path
) -> None:
    nodes_before = seeded.view.counts()["nodes"]
    path = tmp_path / "csl.csv"
    path.write_text(CSL_HEADER + CSL_CMIC_ROW, encoding="utf-8")
    report = load_file(seeded.store, path)
    assert report.counts["linked"] == 1
    assert seeded.view.find_by_identifier([USCC]) == {USCC: ["hikvision"]}
    assert seeded.view.counts()["nodes"] == nodes_before  # no second Hikvision
    assert "us-csl" in _cmic_sources(seeded)
    hik = seeded.view.nodes(["hikvision"])["hikvision"]
    assert Identifier(scheme=IdScheme.SOURCE_KEY, value="us-csl:c0ffee") in hik.identifiers
    assert seeded.search("Hikvision")[0].id == "hikvision"


def test_ofac_after_seed_attaches_cmic_to_the_seed_hikvision(
    seeded: SupplyGraph, test_data: Path
) -> None:
    report = load_file(seeded.store, test_data / "ofac-nonsdn-cmic" / "cons_prim.csv")
    assert report.counts["linked"] >= 1
    assert seeded.view.find_by_identifier([USCC]) == {USCC: ["hikvision"]}
    assert seeded.view.nodes([ofac.node_id("30946")]) == {}
    assert "us-ofac-cons" in _cmic_sources(seeded)
    # The SDN list's "Dahua Hotel" addresses must not link anything to Zhejiang Dahua.
    load_file(seeded.store, test_data / "ofac-sdn-legacy" / "sdn.csv")
    same = seeded.view.edges(["dahua"], Direction.BOTH, [Relation.SAME_AS])
    assert not [e for e in same if "ofac" in (e.src + e.dst)]


def test_name_and_country_links_are_same_as_with_reason(
    seeded: SupplyGraph, test_data: Path
) -> None:
    load_file(seeded.store, test_data / "us-lists" / "us_fcc_covered_list_table.csv")
    fcc_hik = fcc.entity_id("Hangzhou Hikvision Digital Technology Company")
    [link] = seeded.view.edges([fcc_hik], Direction.OUT, [Relation.SAME_AS])
    assert link.dst == "hikvision" and link.confidence == 0.7
    assert "hangzhou hikvision digital technology company" in (link.reason or "")
    # "Dahua Technology Company" is not a name the seed gives Zhejiang Dahua: no link at all is
    # better than a guess.
    dahua = fcc.entity_id("Dahua Technology Company")
    links = seeded.view.edges([dahua], Direction.OUT, [Relation.SAME_AS])
    assert all(e.confidence <= 0.9 and e.reason for e in links)


def test_repeated_loads_change_nothing(test_data: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    # The FtM file comes before the 1260H list on purpose. Name links are made from the side of
    # the record being loaded: an FtM CETC with a country links only to the OFAC CETC that states
    # the same country, while a 1260H CETC without one links to every same-named candidate. In
    # the other order the second round would add the 1260H-FtM link the first round could not.
    files = [
        test_data / "ofac-nonsdn-cmic" / "cons_prim.csv",
        test_data / "ftm" / "public_facts.ftm.json",
        test_data / "us-lists" / "us_dod_1260h_sanctions.csv",
        test_data / "us-lists" / "us_fcc_covered_list_table.csv",
        test_data / "bods-examples" / "v0.4" / "tecido.json",
        test_data / "gleif-samples" / "golden-copy_lei-data.xml",
        test_data / "csl-us" / "csl_current_format_sample.csv",
    ]
    for path in files:
        load_file(store, path)
    before = list(store.view().iter_records())
    for path in files:
        report = load_file(store, path)
        assert (report.counts["added"], report.counts["updated"]) == (0, 0), path.name
        assert report.designations_added == report.designations_removed == []
    assert list(store.view().iter_records()) == before
    assert len(store.view().loads()) == 2 * len(files)


def _ndaa(tmp_path: Path, test_data: Path, name: str, drop: str | None, end: str = "") -> Path:
    lines = (
        (test_data / "us-lists" / "us_ndaa_section_889.csv")
        .read_text(encoding="utf-8")
        .splitlines(keepends=True)
    )
    kept = [line for line in lines if drop is None or drop not in line]
    if end:
        # Give ZTE an end date: column 9 of the 13 is end-date.
        kept = [
            line.replace(",,,,,,,", ",,,," + end + ",,,", 1) if "ZTE" in line else line
            for line in kept
        ]
    path = tmp_path / name
    path.write_text("".join(kept), encoding="utf-8")
    return path


def test_newer_version_reports_difference_and_ends_missing_listings(
    test_data: Path, tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    first = load_file(store, _ndaa(tmp_path, test_data, "v1.csv", None))
    assert first.previous_load is None and first.counts["designations"] == 5
    today = date(2026, 3, 1)
    # A CSV file states no count or trailer: its delistings apply only when it is assumed whole.
    second = load_file(
        store,
        _ndaa(tmp_path, test_data, "v2.csv", "Hytera", "2026-02-01"),
        today=today,
        assume_complete=True,
    )
    assert second.previous_load is not None and "-1" in second.summary()
    hytera = store.view().find_by_name_key(["hytera communications corporation"])
    [hytera_id] = hytera["hytera communications corporation"]
    [listing] = store.view().designations([hytera_id])[hytera_id]
    assert second.designations_removed == [listing.id]
    assert listing.end_date == today  # ended on the load date, not deleted
    assert second.designations_added == [] and len(second.designations_changed) == 1
    zte = store.view().find_by_name_key(["zte corporation"])["zte corporation"]
    [zte_listing] = store.view().designations(zte)[zte[0]]
    assert zte_listing.end_date == date(2026, 2, 1)
    assert second.designations_changed == [zte_listing.id]
    # Loading the older version again does not revive or re-date the ended listing.
    load_file(store, _ndaa(tmp_path, test_data, "v2.csv", "Hytera", "2026-02-01"))
    [again] = store.view().designations([hytera_id])[hytera_id]
    assert again.end_date == today
    # A later version lists Hytera again: the end date was inferred from its absence, so the
    # listing is open again, with its sources; ZTE's end date, stated by the list, stays.
    third = load_file(store, _ndaa(tmp_path, test_data, "v3.csv", None, "2026-02-01"))
    [relisted] = store.view().designations([hytera_id])[hytera_id]
    assert relisted.end_date is None and relisted.sources == listing.sources
    assert third.designations_added == [listing.id]
    [zte_again] = store.view().designations(zte)[zte[0]]
    assert zte_again.end_date == date(2026, 2, 1)


def test_sources_in_cli_and_api_and_search_finds_loaded(test_data: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    result = runner.invoke(
        app, ["load", str(test_data / "ofac-nonsdn-cmic" / "cons_add.csv"), "--store", url]
    )
    assert result.exit_code == 0, result.output
    assert "read 442" in " ".join(result.output.split())
    result = runner.invoke(app, ["sources", "--store", url])
    assert result.exit_code == 0 and "us-ofac-cons [ofac]" in result.stdout
    graph = SupplyGraph.open(url)
    client = TestClient(create_app(graph), raise_server_exceptions=False)
    body = client.get("/v1/sources").json()
    assert [e["dataset"] for e in body] == ["us-ofac-cons"]
    assert body[0]["counts"]["read"] == 442 and body[0]["designations"] == 529
    assert client.get("/v1/sources", params={"dataset": "nope"}).json() == []
    # Found by primary name and by alias (CETC is only an a.k.a. in the remarks).
    cetc = ofac.node_id("30936")
    hits = client.get(
        "/v1/search", params={"q": "China Electronics Technology Group Corporation"}
    ).json()
    assert cetc in [h["id"] for h in hits]
    hits = client.get("/v1/search", params={"q": "CETC"}).json()
    assert cetc in [h["id"] for h in hits]
    hits = client.get("/v1/search", params={"q": "CNE100000PM8"}).json()
    assert hits[0]["id"] == ofac.node_id("30946")
    graph.close()


def test_designation_ids_are_shared_with_the_seed() -> None:
    # The seed and every loader derive a listing's id from entity, list and start date.
    from supplygraph.graph.model.ids import make_id

    day = date(2021, 8, 2)
    assert designation_id("hikvision", "us-ofac-ns-cmic", day) == make_id(
        "des", "hikvision", "us-ofac-ns-cmic", day
    )


class _CountingView:
    """A store view that records which node documents the linker reads."""

    def __init__(self, view: GraphView) -> None:
        self.view = view
        self.documents_read: list[str] = []

    def nodes(self, ids: Collection[str]) -> dict[str, Node]:
        self.documents_read += sorted(ids)
        return self.view.nodes(ids)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.view, name)


def test_relationship_ends_named_by_lei_resolve_by_identifier_then_by_id(tmp_path: Path) -> None:
    """A ref (an LEI named by a relationship record) goes to the node holding that LEI, to a
    node stored under the ref's own id when none holds it, and is dropped when neither exists;
    only that second case reads a node document."""
    held, elsewhere, bare, unknown = (lei_of(i) for i in range(4))
    store = open_store(f"sqlite:///{tmp_path / 'refs.db'}")
    with store.writer() as w:
        w.put(
            [
                org(lei_node_id(held), "Held Ltd", identifiers=(ident(IdScheme.LEI, held),)),
                org("acme", "Acme Holdings", identifiers=(ident(IdScheme.LEI, elsewhere),)),
                org(lei_node_id(bare), "Bare Ltd"),  # stored under the id, without the LEI
            ]
        )
    view = _CountingView(store.view())
    linker = Linker(view, LoadContext(path=tmp_path / "rr.xml"), frozenset())  # type: ignore[arg-type]
    refs = [Ref(lei_node_id(v), ident(IdScheme.LEI, v)) for v in (held, elsewhere, bare, unknown)]
    edges = [
        owns(lei_node_id(elsewhere), lei_node_id(held), 100.0),
        owns(lei_node_id(bare), lei_node_id(held), 50.0),
        owns(lei_node_id(unknown), lei_node_id(held), 10.0),
    ]
    out = linker.link([*refs, *edges])
    # Held and elsewhere were found by their LEI, so their documents were not read; acme's was
    # (an edge end the batch did not write), and those of the two refs no node holds the LEI of.
    assert set(view.documents_read) == {"acme", lei_node_id(bare), lei_node_id(unknown)}
    out += linker.finish()
    assert sorted((e.src, e.dst) for e in out if isinstance(e, Edge)) == [
        ("acme", lei_node_id(held)),
        (lei_node_id(bare), lei_node_id(held)),
    ]
    assert linker.redirect == {lei_node_id(elsewhere): "acme"}
    assert linker.missing == {lei_node_id(unknown)}
    store.close()
