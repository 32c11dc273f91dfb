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
from supplygraph.graph.errors import TargetNotFound
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
# Weak evidence and a distributor: HiWatch's OWNS_BRAND rests on grade C only, the DS- model
# only fits a model-number family, CCTV Empire Limited is a Hikvision reseller (not the maker).
WEAK_AND_DISTRIBUTORS = (
    "Tag,Brand,Model,Supplier\n"
    "W1,HiWatch,,\n"
    "W2,,DS-2CD2143G2-I,\n"
    "W3,,,CCTV Empire Limited\n"
    "W4,HiLook,,\n"
    "W5,,,CCTV Empire Limited\n"
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
    assert header[6:11] == ["verdict", "confidence", "evidence", "weak_link", "distributes"]
    assert header[-1] == "error"
    assert [r["Asset Tag"] for r in rows] == [f"A{i}" for i in range(1, 8)]
    assert [r["verdict"] for r in rows] == ["yes", "yes", "no", "", "yes", "unknown", ""]
    assert rows[1]["Location"] == "<script>alert(1)</script>"  # passed through unchanged
    assert "ASSIGNED" in rows[0]["evidence"] and rows[0]["confidence"] == "1.0"
    assert rows[3]["error"].startswith("line 5: MAC Address: 'zz:zz' is not a MAC address")
    assert "nothing to resolve" in rows[6]["error"]
    assert summary.verdicts == {"yes": 3, "no": 1, "unknown": 1, "error": 2}
    assert all(r["weak_link"] == "" and r["distributes"] == "" for r in rows)


def test_json_report_has_the_html_content(
    graph: SupplyGraph, inventory: Path, tmp_path: Path
) -> None:
    audit_file(graph.resolver, inventory, tmp_path / "r.json")
    audit_file(graph.resolver, inventory, tmp_path / "r.html")
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    report, rows = data["report"], data["rows"]
    assert report["verdicts"] == {"yes": 3, "possible": 0, "no": 1, "unknown": 1, "error": 2}
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
    assert "<svg" in html and 'id="target-rows"' in html


@pytest.fixture()
def weak_inventory(tmp_path: Path) -> Path:
    path = tmp_path / "weak.csv"
    path.write_text(WEAK_AND_DISTRIBUTORS, encoding="utf-8")
    return path


def test_possible_and_distributors_in_every_output(
    graph: SupplyGraph, weak_inventory: Path, tmp_path: Path
) -> None:
    summary = audit_file(graph.resolver, weak_inventory, tmp_path / "w.csv")
    assert summary.verdicts == {"yes": 1, "possible": 2, "no": 2}
    with (tmp_path / "w.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["verdict"] for r in rows] == ["possible", "possible", "no", "yes", "no"]
    # The weak link is named with why it is weak; strong rows leave the column empty.
    assert "OWNS_BRAND HiWatch: only grade C sources" in rows[0]["weak_link"]
    assert "Hikvision DS- model family: the model number only fits" in rows[1]["weak_link"]
    assert rows[3]["weak_link"] == ""
    # The distributor is `no`, with what it distributes of the target group.
    assert rows[2]["distributes"] == (
        "CCTV Empire Limited -DISTRIBUTES-> Hangzhou Hikvision Digital Technology Co., Ltd."
    )
    assert rows[0]["distributes"] == rows[3]["distributes"] == ""

    audit_file(graph.resolver, weak_inventory, tmp_path / "w.json")
    data = json.loads((tmp_path / "w.json").read_text(encoding="utf-8"))
    report, out = data["report"], data["rows"]
    assert report["verdicts"]["possible"] == 2
    assert [r["row"] for r in report["possible_rows"]] == [1, 2]
    assert report["possible_rows"][0]["weak_link"] == rows[0]["weak_link"]
    assert [r["row"] for r in report["yes_rows"]] == [4]
    assert report["distributor_rows"] == 2
    [empire] = report["distributors"]
    assert empire["name"] == "CCTV Empire Limited" and empire["rows"] == 2
    assert empire["distributes"] == ["Hangzhou Hikvision Digital Technology Co., Ltd."]
    assert empire["sources"] and set(empire["sources"]) <= set(report["sources"])
    assert out[2]["distributes"] == rows[2]["distributes"] and out[2]["sources"]
    assert out[0]["weak_link"] == rows[0]["weak_link"] and out[3]["weak_link"] is None

    audit_file(graph.resolver, weak_inventory, tmp_path / "w.xlsx")
    book = load_workbook(tmp_path / "w.xlsx", read_only=True)
    sheet = list(book["Audit"].iter_rows(values_only=True))
    header = list(sheet[0])
    verdicts = [r[header.index("verdict")] for r in sheet[1:]]
    assert verdicts == ["possible", "possible", "no", "yes", "no"]
    assert sheet[3][header.index("distributes")] == rows[2]["distributes"]
    facts = [r for r in book["Summary"].iter_rows(values_only=True) if r]
    assert ("possible", 2) in [tuple(r[:2]) for r in facts]
    assert any(r[0] == "CCTV Empire Limited" and r[2] == 2 for r in facts)

    audit_file(graph.resolver, weak_inventory, tmp_path / "w.html")
    html = (tmp_path / "w.html").read_text(encoding="utf-8")
    # Its own filter, badge and colour; the distributor section with its sources.
    assert '<select id="verdict">' in html and '<option value="possible">' in html
    assert html.count('data-verdict="possible"') == 2 and html.count('data-verdict="yes"') == 1
    assert '<span class="pill v-possible">possible</span>' in html
    assert "#d9480f" in html  # the possible colour, in the cards and the charts
    assert 'id="distributor-rows"' in html and "CCTV Empire Limited" in html
    assert "only grade C sources" in html


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
    assert "7 rows" in result.output and "yes 3, possible 0" in result.output
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


def test_a_possible_without_a_path_is_listed_with_its_reason(
    graph: SupplyGraph, tmp_path: Path
) -> None:
    """Prama Hikvision's block: possible with no path from the target to the row's match (only
    the group's name is known), listed with its reason in the CSV and the JSON report."""
    path = tmp_path / "no-path.csv"
    path.write_text("mac,name\n24:B1:05:00:00:01,\n,Hangzhou Hikvision Digital\n", "utf-8")
    summary = audit_file(graph.resolver, path, tmp_path / "p.csv")
    assert summary.verdicts == {"possible": 1, "yes": 1}
    with (tmp_path / "p.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert "'hikvision'" in rows[0]["weak_link"]
    audit_file(graph.resolver, path, tmp_path / "p.json")
    report = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))["report"]
    (listed,) = report["possible_rows"]
    assert listed["field"] == "mac" and "24:B1:05" in listed["matched"]
    assert listed["weak_link"] == rows[0]["weak_link"]
