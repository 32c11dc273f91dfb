"""The web UI's HTML and the neighbourhood exports over plain HTTP, on the real seeded store."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from supplygraph.api.ui.legend import LEGEND
from supplygraph.api.ui.pages import GRAPH_DEPTH
from supplygraph.graph.engine.neighbourhood import neighbourhood
from supplygraph.graph.model.records import Edge, NodeKind, Relation
from supplygraph.service import SupplyGraph


class _Scan(HTMLParser):
    """Collects what a strict content security policy would care about, plus links."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_handlers: list[str] = []
        self.inline_scripts = 0
        self.inline_styles = 0
        self.script_srcs: list[str] = []
        self.links: list[str] = []
        self.labels_for: set[str] = set()
        self.controls: list[str] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.inline_handlers += [k for k in a if k.startswith("on")]
        if "style" in a:
            self.inline_styles += 1
        if tag == "script":
            if a.get("src"):
                self.script_srcs.append(str(a["src"]))
            elif a.get("type") != "application/json":
                self.inline_scripts += 1
        if tag == "style":
            self.inline_styles += 1
        if tag == "a" and a.get("href"):
            self.links.append(str(a["href"]))
        if tag == "label" and a.get("for"):
            self.labels_for.add(str(a["for"]))
        if tag in ("input", "select") and a.get("type") != "hidden":
            self.controls.append(str(a.get("id")))


def _scan(html: str) -> _Scan:
    scan = _Scan()
    scan.feed(html)
    return scan


def _assert_csp_friendly(html: str) -> _Scan:
    scan = _scan(html)
    assert scan.inline_handlers == [] and scan.inline_scripts == 0 and scan.inline_styles == 0
    return scan


def test_search_page_renders_results_without_javascript(client: TestClient) -> None:
    resp = client.get("/ui/", params={"q": "hikvision"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    scan = _assert_csp_friendly(resp.text)
    assert "/ui/entities/hikvision" in scan.links
    assert "/ui/static/search.js" in scan.script_srcs
    # The search box has a visible label.
    assert "q" in scan.labels_for and "q" in scan.controls


def test_ui_root_redirects_to_search(client: TestClient) -> None:
    resp = client.get("/ui", follow_redirects=False)
    assert resp.status_code in (307, 308) and resp.headers["location"] == "/ui/"


def test_entity_page_has_the_facts_in_html(client: TestClient) -> None:
    resp = client.get("/ui/entities/hikvision")
    assert resp.status_code == 200
    html = resp.text
    scan = _assert_csp_friendly(html)
    assert "Hangzhou Hikvision Digital Technology Co., Ltd." in html
    assert "海康威视" in html  # aliases in any script
    assert "91330000733796106P" in html  # identifiers
    assert "2019-10-09" in html  # the Entity List designation with its date
    assert "/ui/entities/cetc" in scan.links  # owners link upward
    assert "/ui/entities/brand-hilook" in scan.links  # brands downward
    assert "Brands" in html and "OEM customers" in html
    # Effective shares from the owners engine, and sources as real links.
    owners = html[html.index('id="owners-h"') : html.index('id="hold-h"')]
    assert "36.08%" in owners  # CETHIK, as of 2022-09-30 (seed source)
    assert any(link.startswith("https://") for link in scan.links)
    # Every control is labelled.
    assert set(scan.controls) <= scan.labels_for
    # Export buttons for every format, at the depth the graph opens with (the script keeps
    # them at the depth drawn; tests/test_ui_browser.py checks that).
    for fmt in ("graphml", "gexf", "ftm", "bods", "csv"):
        assert f"/v1/entities/hikvision/export?format={fmt}&depth={GRAPH_DEPTH}" in scan.links
    assert f'<option value="{GRAPH_DEPTH}" selected>' in html


def test_legend_explains_every_node_kind_and_relation(client: TestClient) -> None:
    assert {k.value for k in NodeKind} <= {key for key, _ in LEGEND.nodes}
    assert {r.value for r in Relation} == {key for key, _ in LEGEND.edges}
    html = client.get("/ui/entities/hikvision").text
    legend = html[html.index('aria-label="Legend"') :]
    for _key, text in LEGEND.nodes + LEGEND.edges + LEGEND.marks:
        assert text in legend
    for rel in Relation:
        assert f"sw-e-{rel.value.lower()}" in legend
    # Each swatch has its rule in the stylesheet.
    css = client.get("/ui/static/app.css").text
    for key, _ in LEGEND.nodes + LEGEND.marks:
        assert f".sw-{key} " in css, key
    for rel in Relation:
        assert f".sw-e-{rel.value.lower()} " in css, rel


def test_entity_page_unknown_is_404_html(client: TestClient) -> None:
    resp = client.get("/ui/entities/no-such-entity")
    assert resp.status_code == 404 and "text/html" in resp.headers["content-type"]
    assert "no-such-entity" in resp.text


def test_resolve_page_shows_verdict_and_paths(client: TestClient) -> None:
    resp = client.get("/ui/resolve", params={"brand": "HiLook"})
    assert resp.status_code == 200
    html = resp.text
    _assert_csp_friendly(html)
    assert re.search(r'<span id="verdict" class="verdict">yes</span>', html)
    assert 'class="path-item"' in html and "OWNS_BRAND" in html
    data = re.search(r'<script type="application/json" id="path-data">(.*?)</script>', html, re.S)
    assert data is not None
    graph = json.loads(data.group(1))
    assert {"hikvision", "brand-hilook"} <= {n["id"] for n in graph["nodes"]}
    assert all(e["sources"] for e in graph["edges"])
    # Each node carries its kind, so the drawing shows a brand as a brand.
    kinds = {n["id"]: n["kind"] for n in graph["nodes"]}
    assert kinds["hikvision"] == "organization" and kinds["brand-hilook"] == "brand"
    assert graph["target"] == "hikvision"


def test_resolve_page_shows_regimes_of_target_and_match(client: TestClient) -> None:
    html = client.get("/ui/resolve", params={"brand": "HiLook"}).text
    target = html[html.index('id="regimes-target"') : html.index('id="regimes-match"')]
    match = html[html.index('id="regimes-match"') :]
    # Hikvision is on the Entity List; the brand is not listed itself (a direct listing).
    row = re.search(r'data-regime="us-entity-list">(.*?)</tr>', target, re.S)
    assert row is not None and "covered" in row.group(1) and "2019-10-09" in row.group(1)
    row = re.search(r'data-regime="us-entity-list">(.*?)</tr>', match, re.S)
    assert row is not None and "not covered" in row.group(1)
    assert "HiLook" in html[html.index('id="reg-h"') : html.index('id="regimes-match"')]


def test_resolve_page_no_for_an_owner_says_it_is_above(client: TestClient) -> None:
    html = client.get("/ui/resolve", params={"name": "CETHIK"}).text
    explanation = re.search(r'<p id="explanation">(.*?)</p>', html, re.S)
    assert explanation is not None and "above the target" in explanation.group(1)
    # Its own regimes are shown too: not on the Entity List itself.
    assert 'id="regimes-match"' in html and "China Electronics Technology HIK" in html


def test_resolve_page_no_and_errors(client: TestClient) -> None:
    resp = client.get("/ui/resolve", params={"name": "CETHIK"})
    assert resp.status_code == 200 and '<span id="verdict" class="verdict">no</span>' in resp.text
    bad = client.get("/ui/resolve", params={"mac": "zz:zz"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text and "zz:zz" in bad.text
    bad_date = client.get("/ui/resolve", params={"brand": "HiLook", "as_of": "soon"})
    assert bad_date.status_code == 422 and "as_of" in bad_date.text
    missing = client.get("/ui/resolve", params={"brand": "HiLook", "target": "qqqq zzzz"})
    assert missing.status_code == 404
    empty = client.get("/ui/resolve")
    assert empty.status_code == 200 and 'id="verdict"' not in empty.text


def test_static_assets_are_served_locally(client: TestClient) -> None:
    lib = client.get("/ui/static/vendor/cytoscape.min.js")
    assert lib.status_code == 200 and "cytoscape" in lib.text[:2000].lower()
    assert client.get("/ui/static/vendor/cytoscape.LICENSE").status_code == 200
    for name in ("app.css", "graphview.js", "entity.js", "resolve.js", "search.js"):
        assert client.get(f"/ui/static/{name}").status_code == 200, name
    # No page pulls anything from another host.
    for page in ("/ui/", "/ui/entities/hikvision", "/ui/resolve?brand=HiLook"):
        html = client.get(page).text
        assert not re.search(r'(src|href)="(https?:)?//(?!127\.0\.0\.1)[^"]*\.(js|css)"', html)


def test_graph_api_neighbourhood(client: TestClient) -> None:
    body = client.get("/v1/entities/hikvision/graph", params={"depth": 1}).json()
    nodes = {n["id"]: n for n in body["nodes"]}
    assert nodes["hikvision"]["depth"] == 0 and nodes["hikvision"]["designated"]
    assert nodes["cethik"]["depth"] == 1
    # SASAC is above CETC, two hops away: not in a one-hop neighbourhood, but CETC says it has more.
    assert "sasac" not in nodes and nodes["cetc"]["hidden_edges"] > 0
    owns = [
        e
        for e in body["edges"]
        if e["source"] == "cethik" and e["target"] == "hikvision" and e["relation"] == "OWNS"
    ]
    assert owns and owns[0]["label"] == "OWNS 36.08%" and owns[0]["sources"]
    deeper = client.get("/v1/entities/hikvision/graph", params={"depth": 2}).json()
    assert "sasac" in {n["id"] for n in deeper["nodes"]}


def test_graph_api_as_of_drops_facts_not_valid_then(client: TestClient) -> None:
    everything = client.get("/v1/entities/dahua/graph").json()
    ended = [e for e in everything["edges"] if not e["current"]]
    assert ended, "the seed data has facts that ended (Lorex was sold in 2022)"
    today = client.get("/v1/entities/dahua/graph", params={"as_of": "2026-01-01"}).json()
    assert {e["id"] for e in ended}.isdisjoint({e["id"] for e in today["edges"]})


def test_graph_api_errors(client: TestClient) -> None:
    assert client.get("/v1/entities/hikvision/graph", params={"depth": 9}).status_code == 422
    missing = client.get("/v1/entities/no-such-entity/graph")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "entity_not_found"


def _export(client: TestClient, fmt: str, depth: int = 2) -> bytes:
    resp = client.get("/v1/entities/hikvision/export", params={"format": fmt, "depth": depth})
    assert resp.status_code == 200, resp.text
    assert "attachment" in resp.headers["content-disposition"]
    return resp.content


def test_export_graphml_and_gexf_read_back(client: TestClient, tmp_path: Path) -> None:
    for fmt, reader in (("graphml", nx.read_graphml), ("gexf", nx.read_gexf)):
        path = tmp_path / f"hood.{fmt}"
        path.write_bytes(_export(client, fmt))
        g = reader(path)
        assert "hikvision" in g and "sasac" in g and g.number_of_nodes() > 50
        relations = {d.get("relation") for _, _, d in g.edges(data=True)}
        assert {"OWNS", "CONTROLS", "OWNS_BRAND"} <= relations
        shares = [
            d.get("share")
            for u, v, d in g.edges(data=True)
            if u == "cethik" and v == "hikvision" and d.get("relation") == "OWNS"
        ]
        assert shares == [36.08]


def test_export_csv_edges(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(client, "csv").decode())))
    row = next(
        r
        for r in rows
        if r["source_id"] == "cethik" and r["target_id"] == "hikvision" and r["relation"] == "OWNS"
    )
    assert row["share"] == "36.08" and row["source_urls"]
    assert all(r["source_titles"] for r in rows)


def test_export_ftm_lines(client: TestClient) -> None:
    lines = [json.loads(x) for x in _export(client, "ftm").decode().splitlines()]
    by_id = {x["id"]: x for x in lines}
    assert by_id["hikvision"]["schema"] == "Company"
    ownership = [
        x for x in lines if x["schema"] == "Ownership" and x["properties"]["owner"] == ["cethik"]
    ]
    assert ownership and ownership[0]["properties"]["percentage"] == ["36.08"]
    assert any(x["schema"] == "Sanction" for x in lines)
    assert any(x["schema"] == "Identification" for x in lines)
    # Every link points at an entity in the same file.
    refs = {"owner", "asset", "controller", "controlled", "subject", "object", "holder", "entity"}
    for x in lines:
        for prop in refs & set(x["properties"]):
            assert set(x["properties"][prop]) <= set(by_id), (x["schema"], prop)


def test_export_ftm_is_valid_followthemoney(client: TestClient) -> None:
    import followthemoney as ftm

    for line in _export(client, "ftm").decode().splitlines():
        data = json.loads(line)
        schema = ftm.model.get(data["schema"])
        assert schema is not None and not schema.abstract, data["schema"]
        for prop in data["properties"]:
            assert prop in schema.properties, (data["schema"], prop)


def test_export_bods_statements(client: TestClient) -> None:
    statements = json.loads(_export(client, "bods"))
    assert all(s["publicationDetails"]["bodsVersion"] == "0.4" for s in statements)
    assert all(32 <= len(s["statementId"]) <= 64 for s in statements)
    records = {s["recordId"]: s for s in statements}
    assert records["hikvision"]["recordType"] == "entity"
    assert records["sasac"]["recordDetails"]["entityType"]["type"] == "stateBody"
    rel = [
        s
        for s in statements
        if s["recordType"] == "relationship"
        and s["recordDetails"]["interestedParty"] == "cethik"
        and s["recordDetails"]["subject"] == "hikvision"
    ]
    shares = [i["share"] for r in rel for i in r["recordDetails"]["interests"] if "share" in i]
    assert shares == [{"exact": 36.08}]
    # Relationships only between parties that have their own statement.
    for s in statements:
        if s["recordType"] == "relationship":
            d = s["recordDetails"]
            assert d["subject"] in records and d["interestedParty"] in records


def test_export_bad_format_is_422(client: TestClient) -> None:
    resp = client.get("/v1/entities/hikvision/export", params={"format": "xlsx"})
    assert resp.status_code == 422 and "format" in resp.json()["error"]["message"]
    assert client.get("/v1/entities/nobody/export").status_code == 404


@pytest.mark.parametrize("fmt", ["ftm", "bods"])
def test_export_loads_back_with_our_importers(
    client: TestClient, empty_graph: SupplyGraph, tmp_path: Path, fmt: str
) -> None:
    """What we write, our own FtM and BODS loaders read: CETHIK's 36.08% of Hikvision survives."""
    from supplygraph.loaders import ingest

    path = tmp_path / ("hood.jsonl" if fmt == "ftm" else "hood.json")
    path.write_bytes(_export(client, fmt))
    ingest.load_file(empty_graph.store, path, fmt)
    view = empty_graph.store.view()
    owns = [r for r in view.iter_records() if isinstance(r, Edge) and r.relation == Relation.OWNS]
    names = {n.id: n.name for n in view.nodes({x for e in owns for x in (e.src, e.dst)}).values()}
    assert any(
        e.share == 36.08
        and names[e.dst] == "Hangzhou Hikvision Digital Technology Co., Ltd."
        and names[e.src] == "China Electronics Technology HIK Group Co., Ltd."
        for e in owns
    )


def test_neighbourhood_cap_keeps_ownership_before_identifiers(graph: SupplyGraph) -> None:
    hood = neighbourhood(graph.view, "hikvision", depth=2, max_nodes=30)
    assert hood.truncated and len(hood.nodes) <= 30
    ids = {n.id for n in hood.nodes}
    # Ownership and control survive the cap (owners two hops up included); record links and
    # identifier leaves are what gets dropped first.
    assert {"cethik", "cetc", "sasac"} <= ids
    full = graph.neighbourhood("hikvision", depth=2)
    assert not full.truncated
    control = {e.id for e in full.edges if e.relation in ("OWNS", "CONTROLS")}
    assert control <= {e.id for e in hood.edges}
    dropped = {n.kind for n in full.nodes if n.id not in ids}
    assert "identifier" in dropped


# -- evidence strength and distributors --------------------------------------------------------


def _path_data(html: str) -> dict[str, object]:
    data = re.search(r'<script type="application/json" id="path-data">(.*?)</script>', html, re.S)
    assert data is not None
    parsed: dict[str, object] = json.loads(data.group(1))
    return parsed


def test_resolve_page_possible_names_the_weak_link(client: TestClient) -> None:
    # HiWatch's OWNS_BRAND rests on a grade C source only: possible, never yes.
    resp = client.get("/ui/resolve", params={"brand": "HiWatch"})
    assert resp.status_code == 200
    html = resp.text
    _assert_csp_friendly(html)
    assert '<span id="verdict" class="verdict">possible</span>' in html
    assert "verdict-card verdict-possible" in html
    weak = html[html.index('id="weak-links"') : html.index("</div>", html.index('id="weak-links"'))]
    assert "/ui/entities/brand-hiwatch" in weak and "OWNS_BRAND" in weak
    assert "only grade C sources" in weak
    # The step itself is marked weak, with the reason, in the list and in the drawing's data.
    assert '<li class="step step-weak">' in html
    assert '<span class="badge strength-weak"' in html
    edges = _path_data(html)["edges"]
    assert isinstance(edges, list)
    assert [e["strength"] for e in edges] == ["weak"]
    assert "grade C" in edges[0]["weak_reason"]


def test_resolve_page_possible_on_a_model_family_and_strong_steps(client: TestClient) -> None:
    html = client.get("/ui/resolve", params={"model": "DS-2CD2143G2-I"}).text
    assert '<span id="verdict" class="verdict">possible</span>' in html
    weak = html[html.index('id="weak-links"') :]
    assert "the match" in weak and "model-number family" in weak
    assert "weak match" in html  # the match itself is badged in the matched table
    # A strong path shows its steps as strong, and no weak-link box.
    strong = client.get("/ui/resolve", params={"brand": "HiLook"}).text
    assert 'id="weak-links"' not in strong
    assert '<li class="step step-strong">' in strong and 'class="badge strength-strong"' in strong


def test_resolve_page_distributor_is_no_with_what_it_distributes(client: TestClient) -> None:
    resp = client.get("/ui/resolve", params={"name": "CCTV Empire Limited"})
    html = resp.text
    _assert_csp_friendly(html)
    # Its own badge, not a green "no" with a confidence; what it distributes comes first.
    assert '<span id="verdict" class="verdict">distributor</span>' in html
    assert "verdict-card verdict-distributor" in html and "not the maker (verdict: no)" in html
    card = html[html.index('id="verdict-h"') : html.index("</h2>", html.index('id="verdict-h"'))]
    assert "confidence" not in card
    assert html.index('id="distributes"') < html.index('id="regimes"')
    section = html[
        html.index('id="distributes"') : html.index("</section>", html.index('id="distributes"'))
    ]
    scan = _scan(section)
    assert "/ui/entities/cctv-empire" in scan.links and "/ui/entities/hikvision" in scan.links
    assert "DISTRIBUTES" in section and "not the maker" in section
    assert any(link.startswith("http") and "cctvempire" in link for link in scan.links)
    # Not a distributor of the target: no such section.
    other = client.get("/ui/resolve", params={"name": "CETHIK"}).text
    assert 'id="distributes"' not in other


def test_entity_pages_show_distributes_and_distributed_by(client: TestClient) -> None:
    dealer = client.get("/ui/entities/cctv-empire").text
    _assert_csp_friendly(dealer)
    assert re.search(r'<h2 id="grp-\d+">Distributes <span class="count">1</span>', dealer)
    assert "/ui/entities/hikvision" in _scan(dealer).links
    maker = client.get("/ui/entities/hikvision").text
    heading = re.search(r'<h2 id="grp-\d+">Distributed by <span class="count">(\d+)</span>', maker)
    assert heading is not None and int(heading.group(1)) >= 3
    section = maker[heading.start() : maker.index("</section>", heading.start())]
    assert "/ui/entities/cctv-empire" in _scan(section).links
    assert "strength-strong" in section and "source" in section
    # Weak relations are marked on the entity page too (HiWatch rests on grade C only).
    assert "strength-weak" in maker


def test_exports_carry_strength_and_distributors(client: TestClient, tmp_path: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(_export(client, "csv", depth=1).decode())))
    by_pair = {(r["source_id"], r["relation"], r["target_id"]): r for r in rows}
    hiwatch = by_pair[("hikvision", "OWNS_BRAND", "brand-hiwatch")]
    assert hiwatch["strength"] == "weak" and "grade C" in hiwatch["weak_reason"]
    empire = by_pair[("cctv-empire", "DISTRIBUTES", "hikvision")]
    assert empire["strength"] == "strong" and empire["weak_reason"] == "" and empire["source_urls"]
    path = tmp_path / "hood.graphml"
    path.write_bytes(_export(client, "graphml", depth=1))
    g = nx.read_graphml(path)
    found = [d for u, v, d in g.edges(data=True) if (u, v) == ("hikvision", "brand-hiwatch")]
    assert found and found[0]["strength"] == "weak" and "grade C" in found[0]["weak_reason"]
    assert any(d.get("relation") == "DISTRIBUTES" for _, _, d in g.edges(data=True))
    lines = [json.loads(x) for x in _export(client, "ftm", depth=1).decode().splitlines()]
    links = [x for x in lines if x["properties"].get("role") == ["DISTRIBUTES"]]
    assert links and {"cctv-empire"} <= {x["properties"]["subject"][0] for x in links}


def test_holdings_carry_distribution_edges(client: TestClient) -> None:
    body = client.get("/v1/entities/hikvision/holdings").json()
    sellers = {s["from"] for s in body["distributed_by"]}
    assert "cctv-empire" in sellers
    assert all(s["relation"] == "DISTRIBUTES" and s["sources"] for s in body["distributed_by"])
    assert body["distributes"] == []
    dealer = client.get("/v1/entities/cctv-empire/holdings").json()
    assert [(s["from"], s["to"]) for s in dealer["distributes"]] == [("cctv-empire", "hikvision")]
    # Best Buy Canada stopped selling Hikvision products on 1 July 2025 (valid_to is exclusive).
    before = client.get("/v1/entities/hikvision/holdings", params={"as_of": "2025-06-30"}).json()
    after = client.get("/v1/entities/hikvision/holdings", params={"as_of": "2025-07-01"}).json()
    assert "best-buy-canada" in {s["from"] for s in before["distributed_by"]}
    assert "best-buy-canada" not in {s["from"] for s in after["distributed_by"]}
    # Owners (upstream) leave the downstream fields null.
    assert client.get("/v1/entities/hikvision/owners").json()["distributed_by"] is None


# -- wording: names in headings, matches in words, evidence before regulations -------------------


def test_resolve_page_heading_names_the_target(client: TestClient) -> None:
    html = client.get("/ui/resolve", params={"brand": "Lorex", "target": "dahua"}).text
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert heading is not None
    assert "Dahua" in heading.group(1) and "ultimately dahua?" not in heading.group(1)


def test_resolve_page_says_what_matched_in_words(client: TestClient) -> None:
    html = client.get("/ui/resolve", params={"mac": "0C-75-D2-AB-CD-EF"}).text
    matched = html[
        html.index("<h3>Matched</h3>") : html.index("</table>", html.index("<h3>Matched"))
    ]
    assert "IEEE MAC block (MA-L) 0C-75-D2" in matched and "oui:" not in matched
    # The evidence paths and listings come before the regulation tables.
    assert html.index('id="paths-h"') < html.index('id="regimes"')


def test_search_page_says_what_matched_in_words(client: TestClient) -> None:
    html = client.get("/ui/", params={"q": "hikvision"}).text
    found = re.findall(r'<span class="r-match">(.*?)</span>', html)
    assert found and all(w.startswith(("the name", "the beginning", "IEEE", "FCC")) for w in found)
    assert "prefix:" not in html


def test_resolve_page_possible_without_a_path_leads_with_the_reason(client: TestClient) -> None:
    # Prama Hikvision India's block: no source gives its shareholding, the name carries the word.
    html = client.get("/ui/resolve", params={"mac": "24:b1:05:00:00:01"}).text
    assert '<span id="verdict" class="verdict">possible</span>' in html
    assert 'class="weak-links no-path"' in html and 'id="paths-h"' not in html
    weak = html[html.index('id="weak-links"') : html.index("</div>", html.index('id="weak-links"'))]
    assert "no ownership path" in weak and "hikvision" in weak.lower()
    assert html.index('id="weak-links"') < html.index('id="explanation"')


def test_a_mac_block_page_says_who_holds_it(client: TestClient) -> None:
    html = client.get("/ui/entities/oui:0C75D2").text
    held = html[html.index('id="held-by"') : html.index("</p>", html.index('id="held-by"'))]
    assert "Held by" in held and "/ui/entities/" in held and "hikvision" in held.lower()
    ids = html[html.index('id="ids-h"') : html.index("</section>", html.index('id="ids-h"'))]
    assert "<td>scheme</td>" not in ids and "<td>value</td>" not in ids
