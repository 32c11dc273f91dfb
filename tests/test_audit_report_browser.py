"""The HTML audit report in a real headless chromium, opened from disk with the network cut off.

Skipped, with the reason, when chromium or playwright is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from screenshots import artifacts_dir

from supplygraph.audit import audit_file
from supplygraph.service import SupplyGraph

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install '.[dev]')"
)

INVENTORY = (
    "Tag,MAC Address,Brand,Model No.,FCC ID\n"
    "T1,0c:75:d2:11:22:33,,,\n"
    "T2,,EZVIZ,,\n"
    "T3,,HiLook,,\n"
    "T4,,,DS-2CD2143G2-I,\n"
    "T5,,,,2ADTD-5604SD\n"
    "T6,00:00:00:11:22:33,,,\n"
)


@pytest.fixture(scope="module")
def page(graph: SupplyGraph, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder = tmp_path_factory.mktemp("report")
    inventory = folder / "inventory.csv"
    inventory.write_text(INVENTORY, encoding="utf-8")
    report = folder / "report.html"
    audit_file(graph.resolver, inventory, report)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(offline=True, viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        pg = context.new_page()
        pg.on("request", lambda r: requests.append(r.url))
        pg.goto(report.as_uri())
        yield pg
        # Nothing but the file itself was requested: the report works offline.
        assert all(url.startswith("file://") for url in requests), requests
        browser.close()


def _visible(page: Any) -> int:
    return int(page.locator("#target-rows tbody tr:visible").count())


def test_report_renders_and_filters(page: Any) -> None:
    assert page.title().startswith("Installation audit")
    assert page.locator("svg").count() >= 4
    assert _visible(page) == 5
    assert page.locator("#shown").inner_text() == "showing 5 of 5"
    page.fill("#q", "ezviz")
    assert _visible(page) == 1
    page.fill("#q", "")
    page.select_option("#field", "mac")
    assert _visible(page) == 1
    page.select_option("#field", "")
    # The model number only fits a model-number family: possible, with its own badge.
    page.select_option("#verdict", "possible")
    assert _visible(page) == 1
    assert page.locator("#target-rows tbody tr:visible .v-possible").inner_text() == "possible"
    page.screenshot(path=str(artifacts_dir() / "audit-report-possible.png"), full_page=True)
    page.select_option("#verdict", "yes")
    assert _visible(page) == 4
    page.select_option("#verdict", "")
    page.select_option("#conf", "0.75")
    assert _visible(page) == 3  # MAC block, EZVIZ (0.75), FCC grantee; HiLook 0.7, model 0.24
    # Every source reference points at a listed source.
    for href in page.locator("td.refs a").evaluate_all("els => els.map(e => e.hash)"):
        assert page.locator(href).count() == 1
