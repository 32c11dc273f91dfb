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
    store = f"sqlite:///{tmp_path / 'n.db'}"
    result = runner.invoke(app, ["load", "seed", "--store", store])
    assert result.exit_code == 0, result.output
    assert "dataset supplygraph-seed" in _text(result.stderr)
    # The seed goes through the ingest pipeline: its load is logged like a file's.
    listed = runner.invoke(app, ["sources", "--json", "--store", store])
    assert listed.exit_code == 0, listed.output
    datasets = [entry["dataset"] for entry in json.loads(listed.stdout)]
    assert datasets == ["supplygraph-seed"]


def _text(output: str) -> str:
    """The output with the console's line wrapping undone."""
    return " ".join(output.split())


def test_resolve_possible_names_the_weak_link(seeded_path: Path, tmp_path: Path) -> None:
    store = _store(seeded_path, tmp_path)
    # HiWatch's OWNS_BRAND rests on a grade C source only.
    result = runner.invoke(app, ["resolve", "--brand", "HiWatch", "--store", store])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("possible (confidence 0.4)")
    text = _text(result.stdout)
    assert (
        "weak link: Hangzhou Hikvision Digital Technology Co., Ltd. OWNS_BRAND HiWatch: "
        "only grade C sources" in text
    )
    assert "-OWNS_BRAND-> HiWatch (weak: only grade C sources" in text
    # A model number that only fits a model-number family: possible, the weak match named.
    model = runner.invoke(app, ["resolve", "--model", "DS-2CD2143G2-I", "--store", store])
    assert model.exit_code == 0 and model.stdout.startswith("possible")
    assert "weak link: Hikvision DS- model family: the model number only fits" in _text(
        model.stdout
    )
    body = json.loads(
        runner.invoke(app, ["resolve", "--brand", "HiWatch", "--json", "--store", store]).stdout
    )
    assert body["verdict"] == "possible" and body["weak_links"][0]["relation"] == "OWNS_BRAND"
    assert body["paths"][0][0]["strength"] == "weak"


def test_resolve_distributor_is_no_with_distributes(seeded_path: Path, tmp_path: Path) -> None:
    store = _store(seeded_path, tmp_path)
    result = runner.invoke(app, ["resolve", "--name", "CCTV Empire Limited", "--store", store])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("no (confidence")
    text = _text(result.stdout)
    assert (
        "distributes: CCTV Empire Limited -DISTRIBUTES-> "
        "Hangzhou Hikvision Digital Technology Co., Ltd." in text
    )
    assert "weak link" not in text and "path 1" not in text
    strong = runner.invoke(app, ["resolve", "--brand", "HiLook", "--store", store])
    assert strong.stdout.startswith("yes") and "weak" not in strong.stdout
