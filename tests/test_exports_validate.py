"""The exports checked by tools other people wrote: libcovebods (Open Ownership's BODS
validator, offline), networkx and igraph (GraphML), networkx (GEXF), and a BOM for Excel.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from supplygraph.api.exports import UTF8_BOM, direct_or_indirect, export
from supplygraph.graph.engine.neighbourhood import GraphEdge, Neighbourhood
from supplygraph.graph.model.records import SourceRef
from supplygraph.service import SupplyGraph

GROUPS = ("hikvision", "dahua", "huawei", "zte", "hytera")
# The identifier schemes the export writes, both codes of org-id.guide's list (IATI's
# OrganisationRegistrationAgency codes): GLEIF's LEI and China's SAIC (USCC) register.
ORG_ID_SCHEMES = ["XI-LEI", "CN-SAIC"]


def _libcovebods(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[object], list[object]]:
    """Schema errors and additional-check findings, run offline.

    libcovebods downloads org-id.guide's list of identifier schemes; the test hands it the
    schemes the export uses instead, so the run needs no network.
    """
    import libcovebods.config
    import libcovebods.data_reader
    import libcovebods.jsonschemavalidate
    import libcovebods.run_tasks
    import libcovebods.schema
    import libcovebods.tasks.checks.legacy_checks as legacy
    import libcovebods.tasks.checks.record_based_checks as record_based

    monkeypatch.setattr(record_based, "get_orgids_prefixes", lambda *a: ORG_ID_SCHEMES)
    monkeypatch.setattr(legacy, "get_orgids_prefixes", lambda *a: ORG_ID_SCHEMES)
    reader = libcovebods.data_reader.DataReader(str(path))
    config = libcovebods.config.LibCoveBODSConfig()
    schema = libcovebods.schema.SchemaBODS(reader, config)
    assert schema.schema_version == "0.4"
    errors = [
        e.json()
        for e in libcovebods.jsonschemavalidate.JSONSchemaValidator(schema).validate(reader)
    ]
    checks = libcovebods.run_tasks.process_additional_checks(
        reader, config, schema, libcovebods.run_tasks.TASK_CLASSES
    )["additional_checks"]
    return errors, checks


@pytest.mark.parametrize("group", GROUPS)
def test_bods_export_passes_libcovebods(
    graph: SupplyGraph, group: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"{group}.json"
    path.write_bytes(export(graph.neighbourhood(group, 2, None), "bods").content)
    errors, checks = _libcovebods(path, monkeypatch)
    assert errors == [] and checks == []
    statements = json.loads(path.read_text())
    assert any(s["recordType"] == "relationship" for s in statements)
    for s in statements:
        for name in s["recordDetails"].get("names", []):
            assert name.get("type") != "individual"


def test_libcovebods_would_catch_a_bad_statement(
    graph: SupplyGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The validator run is not vacuous: the old person name type is an error."""
    statements = json.loads(export(graph.neighbourhood("dahua", 2, None), "bods").content)
    person = next(s for s in statements if s["recordType"] == "person")
    person["recordDetails"]["names"][0]["type"] = "individual"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(statements))
    errors, _ = _libcovebods(path, monkeypatch)
    assert errors


def test_bods_interests_direct_or_indirect_and_all_sources(graph: SupplyGraph) -> None:
    statements = json.loads(export(graph.neighbourhood("hikvision", 2, None), "bods").content)
    held = {
        (s["recordDetails"]["interestedParty"], s["recordDetails"]["subject"], i["type"]): i[
            "directOrIndirect"
        ]
        for s in statements
        if s["recordType"] == "relationship"
        for i in s["recordDetails"]["interests"]
    }
    # CETC controls Hikvision through CETHIK, CETC Investment and the 52nd Institute.
    assert held[("cetc", "hikvision", "otherInfluenceOrControl")] == "indirect"
    assert held[("cethik", "hikvision", "shareholding")] == "direct"
    cetc = next(
        s
        for s in statements
        if s["recordType"] == "relationship"
        and s["recordDetails"]["interestedParty"] == "cetc"
        and s["recordDetails"]["subject"] == "hikvision"
    )
    edge = next(
        e
        for e in graph.neighbourhood("hikvision", 2, None).edges
        if (e.source, e.target, e.relation) == ("cetc", "hikvision", "CONTROLS")
    )
    urls = {s.url for s in edge.sources if s.url}
    assert {a["url"] for a in cetc["annotations"]} == urls and len(urls) > 1
    # Each source's grade decides its BODS source type (A: a register, else a third party).
    graded = {"A": "officialRegister", "B": "thirdParty", "C": "thirdParty"}
    assert set(cetc["source"]["type"]) == {graded[s.grade or "C"] for s in edge.sources}
    press_only = [
        s
        for s in statements
        if s["recordType"] == "relationship"
        and s["recordDetails"]["interestedParty"] == "cetc-investment"
    ]
    assert press_only and press_only[0]["source"]["type"] == ["thirdParty"]


def _edge(note: str | None = None, relation: str = "OWNS", quote: str | None = None) -> GraphEdge:
    return GraphEdge(
        id="e",
        source="a",
        target="b",
        relation=relation,
        share=None,
        share_min=10.0,
        share_max=20.0,
        valid_from=None,
        valid_to=None,
        current=True,
        confidence=1.0,
        reason=None,
        note=note,
        label=relation,
        sources=[SourceRef(id="s", title="T", url="https://example.org/t", quote=quote)],
    )


@pytest.mark.parametrize(
    ("note", "relation", "chained", "expected"),
    [
        (
            "Indirectly wholly owned; the intermediate company is not named.",
            "OWNS",
            False,
            "indirect",
        ),
        ("Direct stake as of 30 Sep 2022", "OWNS", False, "direct"),
        ("100% per UDN, direct or indirect not stated.", "OWNS", True, "unknown"),
        (None, "CONTROLS", True, "indirect"),
        (None, "CONTROLS", False, "unknown"),
        (None, "OWNS", True, "unknown"),
    ],
)
def test_direct_or_indirect_rule(
    note: str | None, relation: str, chained: bool, expected: str
) -> None:
    assert direct_or_indirect(_edge(note, relation), chained) == expected


def _ranged() -> Neighbourhood:
    node = {
        "kind": "organization",
        "org_type": None,
        "country": "CN",
        "aliases": [],
        "identifiers": [],
        "properties": {},
        "designations": [],
        "hidden_edges": 0,
        "sources": [],
        "depth": 0,
    }
    return Neighbourhood.model_validate(
        {
            "center": {"id": "a", "name": "A 公司", "kind": "organization"},
            "depth": 1,
            "as_of": None,
            "truncated": False,
            "nodes": [
                {"id": "a", "name": "A 公司", **node, "designated": True},
                {"id": "b", "name": "B", **node, "designated": False},
            ],
            "edges": [_edge().model_dump(), _edge(relation="CONTROLS").model_dump() | {"id": "f"}],
        }
    )


def test_graphml_reads_back_typed_in_networkx_and_igraph(
    graph: SupplyGraph, tmp_path: Path
) -> None:
    igraph = pytest.importorskip("igraph")
    for hood in (graph.neighbourhood("hikvision", 2, None), _ranged()):
        data = export(hood, "graphml").content
        assert b">True<" not in data and b">False<" not in data
        assert b'attr.name="id"' not in data and b"networkx_key" not in data
        g = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
        assert g.number_of_nodes() == len(hood.nodes)
        assert g.number_of_edges() == len(hood.edges)
        center = g.nodes[hood.center.id]
        assert isinstance(center["designated"], bool)
        path = tmp_path / "g.graphml"
        path.write_bytes(data)
        ig = igraph.Graph.Read_GraphML(str(path))
        assert (ig.vcount(), ig.ecount()) == (len(hood.nodes), len(hood.edges))
        assert set(ig.vs["designated"]) <= {True, False}
    ranged = nx.read_graphml(
        io.BytesIO(export(_ranged(), "graphml").content), force_multigraph=True
    )
    shares = {(d["share_min"], d["share_max"]) for _, _, d in ranged.edges(data=True)}
    assert shares == {(10.0, 20.0)}
    assert ranged.nodes["a"]["label"] == "A 公司"


def test_gexf_reads_back_with_ids_and_ranges(graph: SupplyGraph) -> None:
    for hood in (graph.neighbourhood("dahua", 2, None), _ranged()):
        data = export(hood, "gexf").content
        assert b"networkx_key" not in data
        g = nx.read_gexf(io.BytesIO(data))
        assert g.number_of_edges() == len(hood.edges)
        assert {k for _, _, k in g.edges(keys=True)} == {e.id for e in hood.edges}
    ranged = nx.read_gexf(io.BytesIO(export(_ranged(), "gexf").content))
    assert {(d["share_min"], d["share_max"]) for *_, d in ranged.edges(data=True)} == {(10.0, 20.0)}
    assert isinstance(ranged.nodes["a"]["designated"], bool)


def test_csv_bom_for_excel(client: TestClient) -> None:
    plain = client.get("/v1/entities/hikvision/export", params={"format": "csv", "depth": 1})
    excel = client.get(
        "/v1/entities/hikvision/export", params={"format": "csv", "depth": 1, "bom": "true"}
    )
    assert plain.status_code == excel.status_code == 200
    assert not plain.content.startswith(UTF8_BOM)
    assert excel.content == UTF8_BOM + plain.content
    assert excel.content.decode("utf-8-sig").startswith("edge_id,")


# A brand, a product, a MAC block and an FCC grantee code: pages whose own entity is no BODS party.
NON_PARTIES = ("brand-hilook", "product-hilook-ipc-d140h", "fcc_grantee:2ADTD")


@pytest.mark.parametrize("entity", NON_PARTIES)
@pytest.mark.parametrize("depth", [1, 2])
def test_bods_from_any_page_names_a_subject_in_the_file(
    graph: SupplyGraph, entity: str, depth: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = json.loads(export(graph.neighbourhood(entity, depth, None), "bods").content)
    if not statements:
        return  # no company or person within reach: the page offers no BODS button (test_ui)
    records = {s["recordId"] for s in statements}
    assert {s["declarationSubject"] for s in statements} <= records
    path = tmp_path / "page.json"
    path.write_text(json.dumps(statements))
    errors, checks = _libcovebods(path, monkeypatch)
    assert errors == [] and checks == []


def test_a_mac_block_page_exports_its_holder(graph: SupplyGraph) -> None:
    block = graph.search("BC:AD:28:11:22:33", 1)[0].id
    hood = graph.neighbourhood(block, 1, None)
    holders = {e.source for e in hood.edges if e.relation == "ASSIGNED" and e.target == block}
    statements = json.loads(export(hood, "bods").content)
    assert holders and {s["declarationSubject"] for s in statements} <= holders


def test_cut_exports_say_so(graph: SupplyGraph, client: TestClient) -> None:
    hood = graph.neighbourhood("huawei", 4, None)
    assert hood.truncated
    graphml = nx.read_graphml(io.BytesIO(export(hood, "graphml").content))
    assert graphml.graph["truncated"] is True
    gexf = export(hood, "gexf").content.decode()
    assert "<description>truncated:" in gexf
    assert export(hood, "csv").content.decode().startswith("# truncated:")
    bods = json.loads(export(hood, "bods").content)
    subject = next(s for s in bods if s["recordId"] == "huawei")
    assert any(a["motivation"] == "commenting" for a in subject["annotations"])
    ftm = [json.loads(line) for line in export(hood, "ftm").content.splitlines()]
    center = next(e for e in ftm if e["id"] == "huawei")
    assert center["properties"]["notes"][0].startswith("truncated:")
    response = client.get("/v1/entities/huawei/export", params={"format": "csv", "depth": 4})
    assert response.headers["x-truncated"] == "true"
    # A whole graph carries no such marks.
    whole = graph.neighbourhood("hytera", 1, None)
    assert not whole.truncated
    assert nx.read_graphml(io.BytesIO(export(whole, "graphml").content)).graph["truncated"] is False
    assert export(whole, "csv").content.decode().startswith("edge_id,")


def test_csv_cells_list_each_source_once(graph: SupplyGraph) -> None:
    import csv

    rows = csv.DictReader(
        io.StringIO(export(graph.neighbourhood("hikvision", 1, None), "csv").content.decode())
    )
    for row in rows:
        for cell in (row["source_titles"], row["source_urls"]):
            parts = [p for p in cell.split(" | ") if p]
            assert len(parts) == len(set(parts)), cell
