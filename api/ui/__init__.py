"""The investigator web UI under ``/ui/``: server-rendered pages plus a local graph library.

Entity facts are plain HTML (readable without JavaScript); the interactive graph, the
results-as-you-type search and the evidence panel are progressive enhancements served from
``static/``. Nothing is fetched from outside the server.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from .pages import router

STATIC_DIR = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount the UI pages and their static files on ``app``."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
