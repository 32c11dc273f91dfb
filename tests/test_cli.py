"""The command line, run in-process on a real store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from supplygraph.cli import app

runner = CliRunner()


def _store(seeded_path: Path, tmp_path: Path) -> str:
    copy = tmp_path / "cli.db"
    shutil.copy(seeded_path, copy)
    return f"sqlite:///{copy}"


def test_resolve_json(seeded_path: Path, tmp_path: Path) -> None:
    store = _store(seeded_path, tmp_path)
    result = runner.invoke(app, ["resolve", "--brand", "HiLook", "--json", "--store", store])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["verdict"] == "yes" and body["paths"][0][0]["from"] == "hikvision"


def test_resolve_text_and_owners(seeded_path: Path, tmp_path: Path) -> None:
    store = _store(seeded_path, tmp_path)
    result = runner.invoke(app, ["resolve", "--mac", "0c:75:d2:00:00:01", "--store", store])
    assert result.exit_code == 0 and result.stdout.startswith("yes")
    result = runner.invoke(app, ["owners", "hikvision", "--store", store])
    assert result.exit_code == 0
    assert "[cethik]" in result.stdout and "[sasac]" in result.stdout


def test_bad_input_exits_non_zero_with_message(seeded_path: Path, tmp_path: Path) -> None:
    store = _store(seeded_path, tmp_path)
    result = runner.invoke(app, ["resolve", "--mac", "nonsense", "--store", store])
    assert result.exit_code == 2
    assert "nonsense" in result.stderr
    result = runner.invoke(
        app, ["resolve", "--brand", "x", "--as-of", "2020-13-01", "--store", store]
    )
    assert result.exit_code == 2 and "as_of" not in result.stdout


def test_load_seed_into_new_store(tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", "seed", "--store", f"sqlite:///{tmp_path / 'n.db'}"])
    assert result.exit_code == 0, result.output
    assert "records written" in result.stderr
