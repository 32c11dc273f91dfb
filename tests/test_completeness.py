"""Delistings come only from a file that shows by its own evidence that it is whole.

Each format reports what it carries (a trailer, a record count, a closed JSON document, a
checksum file beside it); a file that cannot show it still adds and updates, but the listings
it leaves out stay open and are reported as withheld. The cut files are copies of real files
from tests/data, cut at a line end as an interrupted download is.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from supplygraph.cli import app
from supplygraph.graph.model.records import Designation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.loaders.context import LoadContext
from supplygraph.loaders.formats import FORMATS
from supplygraph.loaders.ingest import load_file

runner = CliRunner()


def _ended(store: GraphStore) -> int:
    return sum(
        1
        for r in store.view().iter_records()
        if isinstance(r, Designation) and r.end_date is not None
    )


def _cmic_copy(test_data: Path, folder: Path, drop_last: int = 0) -> Path:
    """The OFAC consolidated (CMIC) set, its main file cut ``drop_last`` rows before the end."""
    folder.mkdir()
    for member in (test_data / "ofac-nonsdn-cmic").iterdir():
        shutil.copy(member, folder / member.name)
    if drop_last:
        prim = folder / "cons_prim.csv"
        lines = prim.read_bytes().splitlines(keepends=True)
        prim.write_bytes(b"".join(lines[: -drop_last - 1]))  # the last line is the 0x1A mark
    return folder


def test_an_ofac_set_is_complete_by_its_end_of_file_mark(test_data: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    full = load_file(store, test_data / "ofac-nonsdn-cmic")
    assert full.complete and "end-of-file mark" in full.evidence
    [entry] = store.view().loads()
    assert entry.complete is True and entry.evidence == full.evidence
    # Two rows short, cut at a line end: too few to be refused as a shrink, and no mark.
    cut = load_file(store, _cmic_copy(test_data, tmp_path / "cut", drop_last=2))
    assert not cut.complete and "does not end with the end-of-file mark" in cut.evidence
    assert len(cut.delistings_withheld) == 2 and cut.designations_removed == []
    assert "delistings withheld (2): file not shown complete (cons_prim.csv" in cut.summary()
    assert cut.counts["delistings_withheld"] == 2 and _ended(store) == 0
    # The withheld listings stay among those the next version is compared with: the same cut
    # file with a checksum beside it is shown complete, and ends them.
    prim = tmp_path / "cut" / "cons_prim.csv"
    digest = hashlib.sha256(prim.read_bytes()).hexdigest()
    (tmp_path / "cut" / "cons_prim.csv.sha256").write_text(f"{digest}  cons_prim.csv\n")
    for side in ("cons_add.csv", "cons_alt.csv", "cons_comments.csv"):
        data = (tmp_path / "cut" / side).read_bytes()
        (tmp_path / "cut" / f"{side}.sha256").write_text(hashlib.sha256(data).hexdigest())
    checked = load_file(store, tmp_path / "cut")
    assert checked.complete and "matches its sha256 checksum" in checked.evidence
    assert sorted(checked.designations_removed) == sorted(cut.delistings_withheld)
    assert _ended(store) == 2


def test_a_checksum_that_does_not_match_is_never_complete(test_data: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(store, test_data / "ofac-nonsdn-cmic")
    folder = _cmic_copy(test_data, tmp_path / "cut", drop_last=2)
    # Cut after the checksum was taken: the mark is gone and the digest disagrees.
    whole = (test_data / "ofac-nonsdn-cmic" / "cons_prim.csv").read_bytes()
    (folder / "cons_prim.csv.sha256").write_text(hashlib.sha256(whole).hexdigest())
    report = load_file(store, folder)
    assert not report.complete and "does not match its sha256 checksum" in report.evidence
    assert len(report.delistings_withheld) == 2 and _ended(store) == 0
    forced = load_file(store, folder, assume_complete=True)
    assert forced.complete and forced.evidence.startswith("assumed complete (--assume-complete)")
    assert len(forced.designations_removed) == 2 and _ended(store) == 2


def test_a_csv_list_cut_at_a_line_end_withholds_its_delistings_in_the_cli(
    test_data: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    source = test_data / "us-lists" / "us_ndaa_section_889.csv"
    assert runner.invoke(app, ["load", str(source), "--store", url]).exit_code == 0
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    cut = tmp_path / source.name
    cut.write_text("".join(lines[:-1]), encoding="utf-8")  # the last listing cut off
    result = runner.invoke(app, ["load", str(cut), "--store", url])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert "delistings withheld (1): file not shown complete (the format states no record" in said
    assert "--assume-complete" in said and _ended(open_store(url)) == 0
    forced = runner.invoke(app, ["load", str(cut), "--assume-complete", "--store", url])
    assert forced.exit_code == 0 and _ended(open_store(url)) == 1


def _evidence(path: Path, fmt: str) -> tuple[bool, str]:
    ctx = LoadContext(path=path)
    for _ in FORMATS[fmt].records(path, ctx):
        pass
    return ctx.complete, ctx.evidence


def test_gleif_golden_copy_counts_its_records_against_the_header(
    test_data: Path, tmp_path: Path
) -> None:
    # The sample is an excerpt whose header still states the full file's count.
    sample = test_data / "gleif-samples" / "golden-copy_lei-data.xml"
    complete, evidence = _evidence(sample, "gleif")
    assert not complete and "header states 2,394,586 records (RecordCount)" in evidence
    text = sample.read_text(encoding="utf-8")
    held = text.count("<lei:LEIRecord ")
    fixed = tmp_path / "lei.xml"
    fixed.write_text(text.replace(">2394586<", f">{held}<"), encoding="utf-8")
    assert _evidence(fixed, "gleif") == (
        True,
        f"the header's RecordCount ({held:,}) matches the records",
    )
    delta = tmp_path / "delta.xml"
    delta.write_text(
        fixed.read_text(encoding="utf-8").replace("GLEIF_FULL_PUBLISHED", "GLEIF_DELTA_PUBLISHED"),
        encoding="utf-8",
    )
    assert _evidence(delta, "gleif")[0] is False


def test_json_files_show_completeness_by_their_closing_bracket_or_stated_total(
    test_data: Path, tmp_path: Path
) -> None:
    bods_file = test_data / "bods-examples" / "v0.4" / "tecido.json"
    assert _evidence(bods_file, "bods") == (
        True,
        "the JSON document parsed to its closing bracket (a cut file does not parse)",
    )
    statements = json.loads(bods_file.read_text(encoding="utf-8"))
    lines = tmp_path / "tecido.jsonl"
    lines.write_text("".join(json.dumps(s) + "\n" for s in statements), encoding="utf-8")
    complete, evidence = _evidence(lines, "bods")
    assert not complete and "JSON lines" in evidence
    # The CSL API states the search's total: a page of it is not the whole list.
    listing = {"name": "Example Trading Co", "source": "Entity List (EL) - Bureau of Industry"}
    page = tmp_path / "csl.json"
    page.write_text(json.dumps({"total": 3, "results": [listing, listing]}), encoding="utf-8")
    assert _evidence(page, "csl") == (False, "the file states 3 records ('total') and holds 2")
    page.write_text(json.dumps({"total": 2, "results": [listing, listing]}), encoding="utf-8")
    assert _evidence(page, "csl")[0] is True
    # FollowTheMoney JSON lines and the CSV lists carry nothing to show it.
    ftm = test_data / "ftm" / "public_facts.ftm.json"
    assert _evidence(ftm, "ftm")[0] is False
    assert _evidence(test_data / "csl-us" / "csl_current_format_sample.csv", "csl")[0] is False
