"""Every setting is documented in the README's configuration table."""

from __future__ import annotations

from pathlib import Path

from supplygraph.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`SUPPLYGRAPH_{name.upper()}`" in text, name
