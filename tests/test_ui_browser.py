"""The web UI in a real headless chromium, against a real uvicorn server over the seeded store.

Skipped, with the reason, when chromium or playwright is missing (.ci/run installs chromium).
Screenshots go to ``SUPPLYGRAPH_ARTIFACTS`` (default tests/artifacts/): artifacts to look at,
never asserted on.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import serve
from screenshots import artifacts_dir

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install '.[dev]')"
)


@pytest.fixture(scope="module")
def base_url(seeded_path: Path) -> Iterator[str]:
    with serve(seeded_path) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    # Console errors too: a blocked inline style or script shows up there as a CSP violation.
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield pg
    context.close()
    assert errors == [], f"errors on the page: {errors}"


def _shot(page: Any, name: str, full_page: bool = False) -> None:
    page.screenshot(path=str(artifacts_dir() / f"ui-{name}.png"), full_page=full_page)


def _graph_count(page: Any, what: str) -> int:
    return int(page.evaluate(f"window.supplygraphGraph.{what}().length"))


def test_search_as_you_type_leads_to_entity_page(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/")
    box = page.get_by_label("Search names, brands, MAC addresses, FCC IDs and registry numbers")
    box.press_sequentially("hikvi", delay=20)  # a word still being typed
    first = page.locator("#results a").first
    first.wait_for()
    assert "/ui/entities/hikvision" in (first.get_attribute("href") or "")
    _shot(page, "search")
    # Keyboard only: down arrow into the results, Enter to follow.
    box.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/ui/entities/hikvision")
    assert "Hikvision" in page.locator("h1").inner_text()


def test_search_finds_mac_and_fcc(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/")
    box = page.locator("#q")
    for text in ("0c:75:d2:12:34:56", "2ADTD-5604SD"):
        box.fill(text)
        # Locator waits, not wait_for_function: the UI's CSP forbids evaluating strings.
        sync_api.expect(page.locator("#result-status")).to_contain_text(text)
        assert page.locator("#results a").count() >= 1


def test_entity_graph_is_drawn_and_expands_on_click(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/entities/hikvision")
    page.locator("#graph[data-ready]").wait_for()
    assert page.locator("#graph canvas").count() >= 1
    nodes_before = int(page.evaluate("window.supplygraphGraph.nodes().not('.group').length"))
    assert nodes_before > 10 and _graph_count(page, "edges") > 10
    assert page.evaluate("window.supplygraphGraph.getElementById('sasac').length") == 0
    # The designated centre is marked, and the status line says what is drawn.
    assert page.evaluate("window.supplygraphGraph.getElementById('hikvision').data('designated')")
    assert f"{nodes_before} nodes" in page.locator("#g-status").inner_text()
    _shot(page, "entity")

    # Click CETC where it is drawn: it expands upward to SASAC, and its evidence shows.
    pos = page.evaluate(
        "(() => { const n = window.supplygraphGraph.getElementById('cetc');"
        " window.supplygraphGraph.center(n); return n.renderedPosition(); })()"
    )
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.locator('#graph[data-expanded="cetc"]').wait_for()
    assert _graph_count(page, "nodes") > nodes_before
    assert page.evaluate("window.supplygraphGraph.getElementById('sasac').length") == 1
    panel = page.locator("#evidence-body")
    assert "China Electronics Technology Group" in panel.inner_text()
    assert panel.locator("ul.sources a[href^='http']").count() >= 1
    _shot(page, "entity-expanded")


def test_edge_evidence_and_keyboard_expand(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/entities/cetc")
    page.locator("#graph[data-ready]").wait_for()
    # An edge's evidence: emitted as a tap on the edge, the same handler a click reaches.
    # `void`: the return value would be the whole collection, serialized back to Python.
    page.evaluate("void window.supplygraphGraph.edges(\"[relation = 'OWNS']\").first().emit('tap')")
    panel = page.locator("#evidence-body")
    assert "OWNS" in panel.inner_text() and panel.locator("ul.sources li").count() >= 1
    # Keyboard path: choose a node in the labelled selector, then the Expand button.
    before = _graph_count(page, "nodes")
    page.get_by_label("Node", exact=True).select_option("hikvision")
    page.get_by_role("button", name="Expand").click()
    page.locator('#graph[data-expanded="hikvision"]').wait_for()
    assert _graph_count(page, "nodes") > before


def test_resolve_page_shows_verdict_with_paths(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/resolve")
    page.get_by_label("Brand").fill("HiLook")
    page.get_by_role("button", name="Resolve").click()
    page.locator("#verdict").wait_for()
    assert page.locator("#verdict").inner_text().strip().lower() == "yes"
    assert page.locator("#paths .path-item").count() >= 1
    assert "OWNS_BRAND" in page.locator("#paths").inner_text()
    page.locator("#path-graph[data-ready]").wait_for()
    assert _graph_count(page, "edges") >= 1
    _shot(page, "resolve")


def test_resolve_page_possible_badge_and_weak_step(page: Any, base_url: str) -> None:
    # HiWatch's OWNS_BRAND rests on a grade C source only: possible, with its own badge.
    page.goto(f"{base_url}/ui/resolve")
    page.get_by_label("Brand").fill("HiWatch")
    page.get_by_role("button", name="Resolve").click()
    badge = page.locator("#verdict")
    badge.wait_for()
    sync_api.expect(badge).to_be_visible()
    assert badge.inner_text().strip().lower() == "possible"
    # Its own colour: not the yes, no or unknown badge's.
    colour = badge.evaluate("el => getComputedStyle(el).color")
    assert colour == "rgb(217, 72, 15)", colour
    weak = page.locator("#weak-links")
    sync_api.expect(weak).to_be_visible()
    assert "OWNS_BRAND" in weak.inner_text() and "only grade C sources" in weak.inner_text()
    sync_api.expect(page.locator("#paths li.step-weak .strength-weak")).to_be_visible()
    # The drawn edge is weak too, and its evidence panel says why.
    page.locator("#path-graph[data-ready]").wait_for()
    assert page.evaluate("window.supplygraphGraph.edges(\"[strength = 'weak']\").length") == 1
    page.evaluate("void window.supplygraphGraph.edges().first().emit('tap')")
    assert "weak: only grade C sources" in page.locator("#evidence-body").inner_text()
    _shot(page, "resolve-possible")


def test_resolve_page_distributor(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/resolve?name=CCTV+Empire+Limited")
    badge = page.locator("#verdict")
    # Its own badge, not the green "no": a distributor sells the target's products.
    assert badge.inner_text().strip().lower() == "distributor"
    colour = badge.evaluate("el => getComputedStyle(el).color")
    no_colour = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--ok').trim()"
    )
    assert colour == "rgb(24, 100, 171)" and no_colour != "#1864ab", colour
    section = page.locator("#distributes")
    sync_api.expect(section).to_be_visible()
    # What it distributes is drawn before the regulation tables.
    regimes = page.locator("#regimes").bounding_box()
    assert section.bounding_box()["y"] < regimes["y"]
    assert "DISTRIBUTES" in section.inner_text() and "Hangzhou Hikvision" in section.inner_text()
    _shot(page, "resolve-distributor")


def test_entity_facts_readable_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1366, "height": 768}
    )
    pg = context.new_page()
    pg.goto(f"{base_url}/ui/entities/hikvision")
    text = pg.locator("main").inner_text()
    assert "91330000733796106P" in text and "China Electronics Technology" in text
    assert "needs JavaScript" in text
    context.close()


# Node positions as drawn: {id: y} for every visible node (Cytoscape's y grows downward).
_Y = """(() => { const o = {};
  window.supplygraphGraph.nodes().filter(n => n.visible())
    .forEach(n => { o[n.id()] = n.position('y'); });
  return o; })()"""
_EDGES = """window.supplygraphGraph.edges().filter(e => e.visible()).map(e =>
  [e.data('relation'), e.source().id(), e.target().id()])"""


def _open_hikvision(page: Any, base_url: str, depth: int) -> None:
    page.goto(f"{base_url}/ui/entities/hikvision")
    page.locator("#graph[data-ready]").wait_for()
    page.get_by_label("Depth").select_option(str(depth))
    page.locator(f'#graph[data-depth="{depth}"]').wait_for()


def test_layered_view_puts_owners_above_and_holdings_below(page: Any, base_url: str) -> None:
    _open_hikvision(page, base_url, 2)
    assert page.get_by_label("Layout").input_value() == "layered"
    # Every node drawn (the subsidiaries are a group at opening), as the layering is measured.
    page.get_by_label("Group large fans").uncheck()
    assert page.evaluate("window.supplygraphGraph.nodes('.group').length") == 0
    y = page.evaluate(_Y)
    # The seed's chain: SASAC -> CETC -> CETHIK -> Hikvision -> its brands, top to bottom.
    assert y["sasac"] < y["cetc"] < y["cethik"] < y["hikvision"]
    for owner in ("cetc-investment", "cetc-52nd-institute"):
        assert y["cetc"] < y[owner] < y["hikvision"], owner
    for brand in ("brand-hikvision", "brand-hilook", "brand-hiwatch"):
        assert y["hikvision"] < y[brand], brand
    assert y["ezviz"] < y["brand-ezviz"]
    # Every drawn ownership, control and brand edge points down; a model sits below its brand.
    for relation, src, dst in page.evaluate(_EDGES):
        if relation in ("OWNS", "CONTROLS", "OWNS_BRAND"):
            assert y[src] < y[dst], (relation, src, dst)
        elif relation == "MODEL_OF":
            assert y[dst] < y[src], (relation, src, dst)
    _shot(page, "entity-layered-2-hops")


def test_identifier_leaves_are_grouped_and_open_on_click(page: Any, base_url: str) -> None:
    _open_hikvision(page, base_url, 2)
    groups = page.evaluate(
        "window.supplygraphGraph.nodes('.id-group').map(n =>"
        " [n.id(), n.data('label'), n.data('count')])"
    )
    assert len(groups) == 1, groups
    group_id, label, count = groups[0]
    # The IEEE record linked to Hikvision holds dozens of MAC blocks: one node says how many.
    assert count >= 10 and label == f"{count} MAC blocks"
    members = page.evaluate(f"window.supplygraphGraph.getElementById({group_id!r}).data('members')")
    hidden = page.evaluate("window.supplygraphGraph.nodes('.identifier.grouped').map(n => n.id())")
    assert len(members) == count and set(members) <= set(hidden)
    assert f"{count} MAC blocks" not in page.locator("#g-status").inner_text()
    _shot(page, "entity-grouped")
    # A real click on the group node draws each member.
    pos = page.evaluate(
        f"(() => {{ const n = window.supplygraphGraph.getElementById({group_id!r});"
        " window.supplygraphGraph.center(n); return n.renderedPosition(); })()"
    )
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.locator("#graph[data-opened-group]").wait_for()
    assert page.evaluate("window.supplygraphGraph.nodes('.id-group').length") == 0
    shown = page.evaluate(
        "window.supplygraphGraph.nodes('.identifier').filter(n => n.visible()).length"
    )
    assert shown >= count
    # The evidence panel listed the members before they were drawn.
    assert page.locator("#evidence-body li a").count() == count
    _shot(page, "entity-group-opened")


def test_fit_keeps_labels_readable(page: Any, base_url: str) -> None:
    _open_hikvision(page, base_url, 2)
    page.get_by_role("button", name="Fit").click()
    zoom = page.evaluate("window.supplygraphGraph.zoom()")
    assert zoom < 0.85  # the whole picture does not fit at a readable zoom...
    page.wait_for_timeout(100)  # the label sizes follow the zoom on the next frame
    size = page.evaluate(
        "parseFloat(window.supplygraphGraph.getElementById('hikvision').renderedStyle('font-size'))"
    )
    assert size >= 9, size  # ...yet the labels stay readable instead of shrinking to dots
    _shot(page, "entity-fit")


def test_export_links_follow_the_depth_drawn(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/entities/hikvision")
    page.locator("#graph[data-ready]").wait_for()
    links = page.locator("a[data-export]")
    assert links.count() == 5
    for depth in (2, 3, 1):
        page.get_by_label("Depth").select_option(str(depth))
        page.locator(f'#graph[data-depth="{depth}"]').wait_for()
        hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
        assert all(h.endswith(f"&depth={depth}") for h in hrefs), hrefs
        hops = "1 hop" if depth == 1 else f"{depth} hops"
        assert hops in page.locator("#exports-depth").inner_text()
    # The link downloads the neighbourhood it names.
    page.get_by_label("Depth").select_option("2")
    page.locator('#graph[data-depth="2"]').wait_for()
    href = links.first.get_attribute("href") or ""
    resp = page.request.get(f"{base_url}{href}")
    assert resp.status == 200 and "<graphml" in resp.text()


def test_resolve_page_shows_regimes_and_node_kinds(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/resolve?brand=HiLook")
    target = page.locator("#regimes-target")
    sync_api.expect(target).to_be_visible()
    row = target.locator('tr[data-regime="us-entity-list"]')
    assert "covered" in row.inner_text() and "2019-10-09" in row.inner_text()
    match = page.locator("#regimes-match")
    sync_api.expect(match).to_be_visible()
    assert "not covered" in match.locator('tr[data-regime="us-entity-list"]').inner_text()
    # The path graph draws each node as its kind, the target above its brand.
    page.locator("#path-graph[data-ready]").wait_for()
    cy = "window.supplygraphGraph"
    assert page.evaluate(f"{cy}.getElementById('brand-hilook').hasClass('brand')")
    assert page.evaluate(f"{cy}.getElementById('hikvision').hasClass('center')")
    # Labelled as on the entity graph: the short English name, not the cut full name.
    assert page.evaluate(f"{cy}.getElementById('hikvision').data('label')") == "Hikvision"
    y = page.evaluate(_Y)
    assert y["hikvision"] < y["brand-hilook"]
    _shot(page, "resolve-regimes", full_page=True)


def test_resolve_page_no_for_an_owner_explains_direction(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/resolve?name=CETHIK")
    assert page.locator("#verdict").inner_text().strip().lower() == "no"
    explanation = page.locator("#explanation").inner_text()
    assert "above the target" in explanation and "owns or controls" in explanation
    sync_api.expect(page.locator("#regimes-match")).to_be_visible()
    _shot(page, "resolve-owner-no", full_page=True)


# ReDoc 2.x always asks its maker's CDN for a small logo and hides it when that fails; nothing
# else may leave the server.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.mark.parametrize(("path", "drawn"), [("/docs", ".opblock"), ("/redoc", "[role=menuitem]")])
def test_api_docs_render_offline(browser: Any, base_url: str, path: str, drawn: str) -> None:
    """The docs viewers draw the API with every request outside this server refused."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{base_url}{path}")
    page.locator(drawn).first.wait_for(timeout=20_000)
    assert page.locator(drawn).count() > 5
    assert set(outside) <= {REDOC_LOGO}
    assert errors == []
    _shot(page, path.strip("/"))
    context.close()


def test_possible_without_a_path_leads_with_the_reason(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/resolve?mac=24:b1:05:00:00:01")
    assert page.locator("#verdict").inner_text().strip().lower() == "possible"
    weak = page.locator("#weak-links")
    sync_api.expect(weak).to_be_visible()
    assert weak.bounding_box()["y"] < page.locator("#explanation").bounding_box()["y"]
    reason = page.locator("#weak-links .weak-reason").first
    assert float(reason.evaluate("el => getComputedStyle(el).fontWeight")) >= 600
    assert float(reason.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 15


def test_opening_view_draws_labels_of_11_px_or_more(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/entities/hikvision")
    page.locator("#graph[data-ready]").wait_for()
    page.wait_for_timeout(150)  # the label sizes follow the zoom on the next frame
    sizes = page.evaluate(
        """() => {
        const cy = window.supplygraphGraph;
        const labelled = cy.elements(':visible').filter(e => e.data('label'));
        return labelled.map(e => [e.id(), parseFloat(e.renderedStyle('font-size'))]);
      }"""
    )
    assert len(sizes) > 10
    small = [(name, size) for name, size in sizes if size < 11 - 0.01]
    assert not small, small


# Every drawn node's box, its label included, in rendered pixels of the canvas; and the zoom.
_BOXES = """(() => { const cy = window.supplygraphGraph;
  return { width: cy.width(), height: cy.height(), zoom: cy.zoom(),
    boxes: cy.nodes().filter(n => n.visible()).map(n => {
      const b = n.renderedBoundingBox({ includeLabels: true, includeOverlays: false });
      return [n.id(), b.x1, b.y1, b.x2, b.y2]; }) }; })()"""


def _open(page: Any, base_url: str, entity: str, depth: int) -> None:
    page.goto(f"{base_url}/ui/entities/{entity}")
    page.locator("#graph[data-ready]").wait_for()
    if depth != 1:
        page.get_by_label("Depth").select_option(str(depth))
        page.locator(f'#graph[data-depth="{depth}"]').wait_for()
    page.wait_for_timeout(150)  # the label sizes follow the zoom on the next frame


@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("entity", ["hikvision", "dahua", "huawei"])
def test_opening_view_draws_every_node_on_the_canvas(
    page: Any, base_url: str, entity: str, depth: int
) -> None:
    _open(page, base_url, entity, depth)
    drawn = page.evaluate(_BOXES)
    width, height = drawn["width"], drawn["height"]
    outside = [
        (node, round(x1), round(y1), round(x2), round(y2))
        for node, x1, y1, x2, y2 in drawn["boxes"]
        if x1 < 0 or y1 < 0 or x2 > width or y2 > height
    ]
    assert len(drawn["boxes"]) >= 9 and not outside, (drawn["zoom"], outside)
    # At a zoom where the labels keep their 11 px (they grow up to four times as it zooms out).
    assert drawn["zoom"] >= 0.4, drawn["zoom"]
    sizes = page.evaluate(
        "window.supplygraphGraph.elements(':visible').filter(e => e.data('label'))"
        ".map(e => parseFloat(e.renderedStyle('font-size')))"
    )
    assert min(sizes) >= 11 - 0.01, min(sizes)
    _shot(page, f"entity-opening-{entity}-{depth}")


def test_large_fans_are_grouped_and_open_on_click(page: Any, base_url: str) -> None:
    _open(page, base_url, "hikvision", 1)
    cy = "window.supplygraphGraph"
    groups = page.evaluate(f"{cy}.nodes('.fan-group').map(n => [n.id(), n.data('label')])")
    labels = {label for _, label in groups}
    # Hikvision's distributors and subsidiaries (eleven of each in the seed) are one node each.
    assert {"11 distributors", "11 holdings"} <= labels, labels
    group_id = next(gid for gid, label in groups if label == "11 distributors")
    members = page.evaluate(f"{cy}.getElementById({group_id!r}).data('members')")
    assert len(members) == 11
    assert not any(page.evaluate(f"{cy}.getElementById({m!r}).visible()") for m in members)
    # A real click where the group is drawn (it is on the canvas at opening).
    pos = page.evaluate(f"{cy}.getElementById({group_id!r}).renderedPosition()")
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.locator("#graph[data-opened-group]").wait_for()
    assert page.evaluate(f"{cy}.getElementById({group_id!r}).length") == 0
    assert all(page.evaluate(f"{cy}.getElementById({m!r}).visible()") for m in members)
    assert page.locator("#evidence-body li a").count() == 11
    assert "CCTV Empire" in page.locator("#evidence-body").inner_text()
    _shot(page, "entity-fan-opened")


_CENTRE = """(id => { const cy = window.supplygraphGraph; const n = cy.getElementById(id);
  const p = n.renderedPosition();
  return { dx: p.x - cy.width() / 2, dy: p.y - cy.height() / 2,
           border: n.renderedStyle('border-color'),
           width: parseFloat(n.renderedStyle('border-width')),
           weight: n.renderedStyle('font-weight') }; })"""


def test_picking_a_node_highlights_and_centres_it(page: Any, base_url: str) -> None:
    _open(page, base_url, "hikvision", 1)
    before = page.evaluate(f"{_CENTRE}('cethik')")
    assert abs(before["dx"]) + abs(before["dy"]) > 40  # not already at the centre
    # With the keyboard path: the Node selector.
    page.get_by_label("Node", exact=True).select_option("cethik")
    page.locator('#graph[data-picked="cethik"]').wait_for()
    after = page.evaluate(f"{_CENTRE}('cethik')")
    assert abs(after["dx"]) <= 2 and abs(after["dy"]) <= 2, after
    assert after["border"] != before["border"] and after["border"] == "rgb(240,140,0)", after
    assert after["width"] > before["width"] and after["weight"] == "bold"
    _shot(page, "entity-picked")
    # With the mouse: CETC expands (SASAC appears), is ringed and is drawn at the centre;
    # CETHIK is no longer ringed.
    pos = page.evaluate("window.supplygraphGraph.getElementById('cetc').renderedPosition()")
    box = page.locator("#graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    page.locator('#graph[data-expanded="cetc"]').wait_for()
    page.locator('#graph[data-picked="cetc"]').wait_for()
    page.wait_for_timeout(50)
    cetc = page.evaluate(f"{_CENTRE}('cetc')")
    assert abs(cetc["dx"]) <= 2 and abs(cetc["dy"]) <= 2, cetc
    assert cetc["border"] == "rgb(240,140,0)"
    assert page.evaluate(f"{_CENTRE}('cethik')")["border"] != "rgb(240,140,0)"
    assert page.evaluate("window.supplygraphGraph.getElementById('sasac').visible()")


def test_labels_keep_what_tells_names_apart(page: Any, base_url: str) -> None:
    _open(page, base_url, "hikvision", 2)
    labels = page.evaluate(
        "(() => { const o = {}; window.supplygraphGraph.nodes().forEach(n => {"
        " o[n.id()] = n.data('label').replace(/\\s+\\+\\d+$/, ''); }); return o; })()"
    )
    cetc, cethik = labels["cetc"], labels["cethik"]
    # Both full names begin "China Electronics Technology ..."; the drawn labels do not.
    assert cetc == "CETC" and cethik == "CETHIK", (cetc, cethik)
    assert "…" not in cetc + cethik
    # CETC Investment's name in the data is Chinese; its English name is drawn.
    assert labels["cetc-investment"] == "CETC Investment"
    assert labels["hikvision"] == "Hikvision" and labels["sasac"] == "SASAC"
    # The full names stay one click away: the evidence panel and the Node selector.
    options = page.locator("#g-node option").all_inner_texts()
    assert any(o.startswith("China Electronics Technology HIK Group Co., Ltd.") for o in options)


def test_search_puts_the_entity_first_and_its_records_under_it(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/ui/")
    box = page.locator("#q")
    box.fill("海康")
    sync_api.expect(page.locator("#result-status")).to_contain_text("海康")
    names = page.locator("#results > li > a .r-name").all_inner_texts()
    assert names[0] == "Hangzhou Hikvision Digital Technology Co., Ltd."
    assert "China Electronics Technology HIK Group Co., Ltd." in names[1:]
    # The IEEE registry's record of Hikvision is drawn under Hikvision, not as a second hit
    # with a near-identical name.
    box.fill("hikvision")
    sync_api.expect(page.locator("#result-status")).to_contain_text("“hikvision”")
    first = page.locator("#results > li").first
    also = first.locator(".r-also a")
    assert also.count() == 1
    assert also.inner_text() == "Hangzhou Hikvision Digital Technology Co.,Ltd."
    assert "linked record" in first.locator(".r-also").inner_text()
    hit_names = page.locator("#results > li > a .r-name").all_inner_texts()
    assert "Hangzhou Hikvision Digital Technology Co.,Ltd." not in hit_names
    # Smaller than the hit it belongs to, yet not below the pages' 11 px small print.
    size = also.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert 11 <= size < 16, size
    _shot(page, "search-linked-records")


# Every drawn node label's box (the label alone, its background included) in rendered pixels.
_LABEL_BOXES = """(() => { const cy = window.supplygraphGraph;
  return cy.nodes().filter(n => n.visible() && n.data('label')).map(n => {
    const b = n.renderedBoundingBox({ includeNodes: false, includeEdges: false,
                                      includeLabels: true, includeOverlays: false });
    return [n.data('label'), b.x1, b.y1, b.x2, b.y2]; }); })()"""


def _overlaps(boxes: list[list[Any]]) -> list[tuple[str, str, float, float]]:
    """Pairs of labels whose boxes overlap by more than 1 px both across and down."""
    found = []
    for i, (a, ax1, ay1, ax2, ay2) in enumerate(boxes):
        for b, bx1, by1, bx2, by2 in boxes[i + 1 :]:
            across = min(ax2, bx2) - max(ax1, bx1)
            down = min(ay2, by2) - max(ay1, by1)
            if across > 1 and down > 1:
                found.append((a, b, round(across, 1), round(down, 1)))
    return found


@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("entity", ["hikvision", "dahua", "huawei"])
def test_opening_view_labels_do_not_overlap(
    page: Any, base_url: str, entity: str, depth: int
) -> None:
    _open(page, base_url, entity, depth)
    boxes = page.evaluate(_LABEL_BOXES)
    # Measured: each box has the size of a drawn label, not a point.
    assert len(boxes) >= 9 and all(x2 - x1 > 10 and y2 - y1 > 10 for _, x1, y1, x2, y2 in boxes)
    assert not _overlaps(boxes), _overlaps(boxes)
    # Not bought by pushing labels off the canvas or shrinking them below 11 px.
    drawn = page.evaluate(_BOXES)
    outside = [
        node
        for node, x1, y1, x2, y2 in drawn["boxes"]
        if x1 < 0 or y1 < 0 or x2 > drawn["width"] or y2 > drawn["height"]
    ]
    assert not outside and drawn["zoom"] >= 0.4, (drawn["zoom"], outside)
    sizes = page.evaluate(
        "window.supplygraphGraph.elements(':visible').filter(e => e.data('label'))"
        ".map(e => parseFloat(e.renderedStyle('font-size')))"
    )
    assert min(sizes) >= 11 - 0.01, min(sizes)
