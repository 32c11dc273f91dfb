"""Where the browser tests keep their screenshots: artifacts to look at, never asserted on."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT = Path(__file__).resolve().parent / "artifacts"


def artifacts_dir() -> Path:
    """``SUPPLYGRAPH_ARTIFACTS`` if set, else ``tests/artifacts/``; created on first use."""
    path = Path(os.environ.get("SUPPLYGRAPH_ARTIFACTS") or DEFAULT)
    path.mkdir(parents=True, exist_ok=True)
    return path
