"""The API documentation pages, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), and ``GET /``.

FastAPI's own pages load their viewers from a CDN, so without internet they are blank. Here the
viewers are served from ``docs_assets/`` (vendored from npm; see its README for versions,
licences and sha256 sums), and ``GET /`` leads a newcomer's browser to the web UI.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

ASSETS_DIR = Path(__file__).parent / "docs_assets"
ASSETS = "/docs/assets"


def install(app: FastAPI) -> None:
    """Add ``/docs``, ``/redoc``, their assets and ``GET /`` to an app made with
    ``docs_url=None, redoc_url=None``."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} API"

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=title,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=title,
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon-32x32.png",
            with_google_fonts=False,
        )

    app.mount(ASSETS, StaticFiles(directory=ASSETS_DIR), name="docs-assets")
