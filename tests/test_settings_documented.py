"""Every setting is documented in the configuration table of docs/operations.md."""

from __future__ import annotations

from pathlib import Path

from supplygraph.settings import Settings

OPERATIONS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"


def test_every_setting_is_documented() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`SUPPLYGRAPH_{name.upper()}`" in text, name
