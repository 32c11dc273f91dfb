"""Audit outputs (CSV, JSON, XLSX, HTML) and the `supplygraph audit` command, on the real store."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from supplygraph.audit import audit_file
from supplygraph.cli import app
from supplygraph.errors import TargetNotFound
from supplygraph.service import SupplyGraph

INVENTORY = (
    "Asset Tag,MAC Address,Manufacturer,Model No.,FCC ID,Location\n"
    "A1,0c:75:d2:11:22:33,,,,lobby\n"
    "A2,,HiLook,,,<script>alert(1)</script>\n"
    "A3,00:00:00:11:22:33,Xerox,,,dock\n"
    "A4,zz:zz,,,,roof\n"
    "A5,,,,2ADTD-5604SD,gate\n"
    "A6,,Unheard-of Optics GmbH,,,hall\n"
    "A7,,,,,empty\n"
)


@pytest.fixture()
def inventory(tmp_path: Path) -> Path:
    path = tmp_path / "cameras.csv"
    path.write_text(INVENTORY, encoding="utf-8")
    return path


def test_csv_output_keeps_rows_and_columns(
    graph: SupplyGraph, inventory: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    summary = audit_file(graph.resolver, inventory, out)
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    header = list(rows[0])
    assert header[:6] == [
        "Asset Tag",
        "MAC Address",
        "Manufacturer",
        "Model No.",
        "FCC ID",
        "Location",
    ]
    assert header[6:9] == ["verdict", "confidence", "evidence"] and header[-1] == "error"
    assert [r["Asset Tag"] for r in rows] == [f"A{i}" for i in range(1, 8)]
    assert [r["verdict"] for r in rows] == ["yes", "yes", "no", "", "yes", "unknown", ""]
    assert rows[1]["Location"] == "<script>alert(1)</script>"  # passed through unchanged
    assert "ASSIGNED" in rows[0]["evidence"] and rows[0]["confidence"] == "1.0"
    assert rows[3]["error"].startswith("line 5: MAC Address: 'zz:zz' is not a MAC address")
    assert "nothing to resolve" in rows[6]["error"]
    assert summary.verdicts == {"yes": 3, "no": 1, "unknown": 1, "error": 2}


def test_json_report_has_the_html_content(
    graph: SupplyGraph, inventory: Path, tmp_path: Path
) -> None:
    audit_file(graph.resolver, inventory, tmp_path / "r.json")
    audit_file(graph.resolver, inventory, tmp_path / "r.html")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    report, rows = data["report"], data["rows"]
    assert report["verdicts"] == {"yes": 3, "no": 1, "unknown": 1, "error": 2}
    assert report["target"]["id"] == "hikvision"
    assert len(rows) == 7 and rows[1]["Manufacturer"] == "HiLook"
    assert [y["input"] for y in report["yes_rows"]][1] == {"Manufacturer": "HiLook"}
    assert all(
        y["sources"] and set(y["sources"]) <= set(report["sources"]) for y in report["yes_rows"]
    )
    assert rows[0]["sources"] == report["yes_rows"][0]["sources"]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    # Same numbers, same yes rows, every source listed.
    for verdict, n in report["verdicts"].items():
        assert f">{n:,}<" in html, verdict
    for y in report["yes_rows"]:
        assert y["evidence"].replace(">", "&gt;").replace("<", "&lt;") in html
    for source in report["sources"].values():
        assert source["title"].replace("&", "&amp;") in html or source["title"] in html
    # Offline and safe: no external scripts or styles, inventory text escaped.
    assert not re.search(r"<(script|link)[^>]+(src|href)=", html)
    assert "<script>alert(1)" not in html
    assert "<svg" in html and 'id="yes-rows"' in html


def test_xlsx_output(graph: SupplyGraph, inventory: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    audit_file(graph.resolver, inventory, out)
    book = load_workbook(out, read_only=True)
    assert book.sheetnames == ["Summary", "Audit"]
    rows = list(book["Audit"].iter_rows(values_only=True))
    assert rows[0][:2] == ("Asset Tag", "MAC Address") and rows[0][6] == "verdict"
    assert [r[6] for r in rows[1:]] == ["yes", "yes", "no", None, "yes", "unknown", None]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r}
    assert summary["Rows"] == 7 and summary["yes"] == 3


def test_nothing_half_written(graph: SupplyGraph, inventory: Path, tmp_path: Path) -> None:
    out = tmp_path / "never.csv"
    with pytest.raises(TargetNotFound):
        audit_file(graph.resolver, inventory, out, target="no such company anywhere")
    assert list(tmp_path.iterdir()) == [inventory]


def test_cli_audit(graph: SupplyGraph, seeded_path: Path, inventory: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    store = f"sqlite:///{seeded_path}"
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["audit", str(inventory), "-o", str(out), "--store", store])
    assert result.exit_code == 0, result.output
    assert "7 rows" in result.output and "yes 3" in result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
    as_dahua = runner.invoke(
        app,
        [
            "audit",
            str(inventory),
            "-o",
            "-",
            "--format",
            "json",
            "--target",
            "dahua",
            "--as-of",
            "2025-01-01",
            "--store",
            store,
        ],
    )
    assert as_dahua.exit_code == 0, as_dahua.output
    assert '"id": "dahua"' in as_dahua.output
    missing = runner.invoke(app, ["audit", str(tmp_path / "nope.csv"), "--store", store])
    assert missing.exit_code == 2 and "cannot open" in missing.output
    bad_target = runner.invoke(
        app,
        [
            "audit",
            str(inventory),
            "-o",
            str(tmp_path / "x.csv"),
            "--target",
            "zzqqxx",
            "--store",
            store,
        ],
    )
    assert bad_target.exit_code == 2 and not (tmp_path / "x.csv").exists()
