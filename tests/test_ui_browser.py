"""The web UI in a real headless chromium, against a real uvicorn server over the seeded store.

Skipped, with the reason, when chromium or playwright is missing (.ci/run installs chromium).
Screenshots go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import serve

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
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

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


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"ui-{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000


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
    nodes_before = _graph_count(page, "nodes")
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
    assert page.locator("#verdict").inner_text().strip().lower() == "no"
    section = page.locator("#distributes")
    sync_api.expect(section).to_be_visible()
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
