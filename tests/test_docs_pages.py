"""``/docs``, ``/redoc`` and ``GET /`` work without internet: every asset is served by the app
and is the file its README records (sha256)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from fastapi.testclient import TestClient

README = Path(__file__).resolve().parents[1] / "api" / "docs_assets" / "README.md"


def _recorded() -> dict[str, str]:
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", README.read_text(), re.M)
    return dict(rows)


def test_root_leads_to_the_ui(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/ui/"


def test_docs_pages_load_only_local_assets(client: TestClient) -> None:
    recorded = _recorded()
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"} <= set(recorded)
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
        assert urls, page
        for url in urls:
            assert url.startswith("/docs/assets/"), (page, url)
            body = client.get(url)
            assert body.status_code == 200, url
            name = url.rsplit("/", 1)[1]
            assert hashlib.sha256(body.content).hexdigest() == recorded[name], name
        assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html
    assert "/openapi.json" in client.get("/docs").text
