"""Broken copies of real files fail cleanly: a message naming file, line and field, a non-zero
exit, and nothing of the broken file left in the store."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from supplygraph.cli import app
from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.loaders.ingest import load_file
from supplygraph.loaders.reading import MAX_RECORD_BYTES

runner = CliRunner()


@pytest.fixture()
def store(tmp_path: Path, test_data: Path) -> GraphStore:
    """A store that already holds one list, so 'unchanged' is a real check."""
    s = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(s, test_data / "us-lists" / "us_ndaa_section_889.csv")
    return s


def _snapshot(store: GraphStore) -> tuple[object, ...]:
    view = store.view()
    return view.version(), view.counts(), [e.id for e in view.loads()]


def _fails(store: GraphStore, path: Path, fmt: str | None = None) -> InvalidRecord:
    before = _snapshot(store)
    with pytest.raises(InvalidRecord) as info:
        load_file(store, path, fmt)
    assert _snapshot(store) == before
    assert str(path.name) in info.value.message
    return info.value


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_truncated_csv(store: GraphStore, test_data: Path, tmp_path: Path) -> None:
    text = (test_data / "csl-us" / "csl_2019_sample.csv").read_text(encoding="utf-8")
    broken = tmp_path / "csl.csv"
    broken.write_text(text[: len(text) // 2].rsplit(",", 3)[0], encoding="utf-8")
    err = _fails(store, broken)
    assert err.line is not None and err.field is not None


def test_truncated_inside_quotes(store: GraphStore, test_data: Path, tmp_path: Path) -> None:
    lines = _lines(test_data / "csl-us" / "csl_current_format_sample.csv")
    broken = tmp_path / "csl.csv"
    broken.write_text("".join(lines[:5]) + lines[5][:40], encoding="utf-8")
    err = _fails(store, broken)
    assert err.line == 6 and "quoting" in err.message


def test_wrong_encoding(store: GraphStore, test_data: Path, tmp_path: Path) -> None:
    text = (test_data / "us-lists" / "us_dod_1260h_sanctions.csv").read_text(encoding="utf-8")
    broken = tmp_path / "1260h.csv"
    broken.write_bytes(text.encode("utf-16"))
    err = _fails(store, broken, "1260h")
    assert err.line == 1 and "UTF-8" in err.message
    lines = text.splitlines(keepends=True)
    latin = tmp_path / "1260h-latin1.csv"
    latin.write_bytes("".join(lines[:10]).encode() + "Société Générale,,,,,,,,\n".encode("latin-1"))
    err = _fails(store, latin)
    assert err.line == 11 and "not UTF-8" in err.message


def test_wrong_delimiter(store: GraphStore, test_data: Path, tmp_path: Path) -> None:
    source = test_data / "csl-us" / "csl_current_format_sample.csv"
    broken = tmp_path / "csl.csv"
    with source.open(encoding="utf-8", newline="") as src, broken.open("w", newline="") as dst:
        csv.writer(dst, delimiter=";").writerows(csv.reader(src))
    err = _fails(store, broken, "csl")
    assert err.line == 1 and err.field == "source" and "delimiter" in err.message


def test_empty_and_header_only(store: GraphStore, test_data: Path, tmp_path: Path) -> None:
    empty = tmp_path / "sdn.csv"
    empty.write_bytes(b"")
    assert "empty" in _fails(store, empty).message
    header = tmp_path / "1260h.csv"
    source = test_data / "us-lists" / "us_dod_1260h_sanctions.csv"
    header.write_text(_lines(source)[0], encoding="utf-8")
    assert "no records" in _fails(store, header, "1260h").message


def test_ten_megabyte_line(store: GraphStore, test_data: Path, tmp_path: Path) -> None:
    good = (test_data / "ftm" / "public_facts.ftm.json").read_bytes()
    broken = tmp_path / "big.ftm.json"
    with broken.open("wb") as fh:
        fh.write(good if good.endswith(b"\n") else good + b"\n")
        fh.write(b'{"id": "x", "schema": "Company", "caption": "' + b"a" * (10 << 20) + b'"}\n')
    assert MAX_RECORD_BYTES < 10 << 20
    err = _fails(store, broken, "ftm")
    assert err.line == 10 and "longer than" in err.message


def test_json_syntax_errors(store: GraphStore, test_data: Path, tmp_path: Path) -> None:
    lines = _lines(test_data / "ftm" / "public_facts.ftm.json")
    broken = tmp_path / "t.ftm.json"
    broken.write_text("".join(lines[:2]) + lines[2][:-30] + "\n" + "".join(lines[3:]))
    err = _fails(store, broken, "ftm")
    assert err.line == 3 and "JSON syntax error" in err.message
    bods = (test_data / "bods-examples" / "v0.4" / "fermcat.json").read_text(encoding="utf-8")
    cut = tmp_path / "fermcat.json"
    cut.write_text(bods[: len(bods) * 2 // 3], encoding="utf-8")
    err = _fails(store, cut, "bods")
    assert isinstance(err.line, int) and err.line > 1 and "JSON" in err.message
    bad = tmp_path / "bad.json"
    bad.write_text(bods.replace('"recordId"', "'recordId'", 3), encoding="utf-8")
    assert "JSON syntax error" in _fails(store, bad, "bods").message


def test_truncated_xml(store: GraphStore, test_data: Path, tmp_path: Path) -> None:
    text = (test_data / "gleif-samples" / "golden-copy_lei-data.xml").read_text(encoding="utf-8")
    broken = tmp_path / "lei.xml"
    broken.write_text(text[: len(text) // 2], encoding="utf-8")
    err = _fails(store, broken)
    assert isinstance(err.line, int) and "XML syntax error" in err.message


def test_bad_row_late_in_a_big_file_leaves_nothing(
    store: GraphStore, test_data: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "sdn"
    shutil.copytree(test_data / "ofac-sdn-legacy", folder)
    rows = _lines(folder / "sdn.csv")
    rows[6000] = rows[6000].replace(",", ";", 5)  # one row with the wrong delimiter
    (folder / "sdn.csv").write_text("".join(rows), encoding="utf-8")
    err = _fails(store, folder / "sdn.csv")
    assert err.line == 6001 and err.field is not None and "columns" in err.message


def test_brands_row_without_source_is_refused(store: GraphStore, tmp_path: Path) -> None:
    broken = tmp_path / "brands.csv"
    broken.write_text(
        "from_name,relation,to_name,source_title,source_url,quote\n"
        "Acme Optics,MANUFACTURES_FOR,Example Cam,Acme catalogue,https://example.org/c,\n"
        "Acme Optics,DISTRIBUTES,Other Cam,Dealer note,,\n",
        encoding="utf-8",
    )
    err = _fails(store, broken)
    assert (err.line, err.field) == (3, "source_url")


def test_cli_exit_code_and_message(store: GraphStore, tmp_path: Path) -> None:
    broken = tmp_path / "t.ftm.json"
    broken.write_text(
        '{"id": "a", "schema": "Company", "properties": {"name": ["A"]}}\n{"id": "b",\n'
    )
    result = runner.invoke(app, ["load", str(broken), "--store", store.url])
    assert result.exit_code == 2
    flat = "".join(result.output.split())  # the console wraps long lines
    assert f"{broken}:2" in flat and "JSONsyntaxerror" in flat
    assert store.view().counts()["nodes"] == 5
