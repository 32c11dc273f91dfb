"""Inventory readers: every format, header synonyms, encodings, and bad rows that do not stop."""

from __future__ import annotations

import codecs
import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from supplygraph.audit.columns import map_columns
from supplygraph.audit.readers import MISSING, detect_format, open_inventory
from supplygraph.graph.errors import InvalidRecord

NMAP = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sn 10.0.0.0/24 -oX scan.xml" version="7.94">
<host><status state="up" reason="arp-response"/>
<address addr="10.0.0.21" addrtype="ipv4"/>
<address addr="0C:75:D2:AA:BB:CC" addrtype="mac" vendor="Hangzhou Hikvision Digital Technology"/>
<hostnames><hostname name="cam-lobby.example" type="PTR"/></hostnames></host>
<host><status state="up" reason="localhost-response"/>
<address addr="10.0.0.5" addrtype="ipv4"/><hostnames/></host>
<host><status state="up" reason="arp-response"/>
<address addr="10.0.0.30" addrtype="ipv4"/>
<address addr="00:40:8C:12:34:56" addrtype="mac" vendor="Axis Communications AB"/></host>
<runstats><finished time="1700000000"/></runstats>
</nmaprun>
"""


def _rows(
    path: Path, fmt: str | None = None
) -> tuple[list[str], list[tuple[int, list[object], str | None]]]:
    inv = open_inventory(path, fmt)
    try:
        return inv.columns, list(inv.rows)
    finally:
        inv.close()


def test_header_synonyms_case_and_punctuation() -> None:
    m = map_columns(["Asset", "MAC-ADDRESS", "Manufacturer", "Model No.", "fcc_id", "Supplier"])
    assert m.describe() == {
        "mac": "MAC-ADDRESS",
        "fcc_id": "fcc_id",
        "brand": "Manufacturer",
        "model": "Model No.",
        "name": "Supplier",
    }
    # "Brand" outranks "Vendor" for the brand field wherever the columns stand.
    assert map_columns(["Vendor", "Brand", "Make"]).describe() == {"brand": "Brand"}
    assert map_columns(["Model #", "Name"]).describe() == {"model": "Model #", "name": "Name"}
    assert map_columns(["Location", "Notes"]).index == {}


def test_csv_semicolons_bom_quotes_and_bad_rows(tmp_path: Path) -> None:
    text = (
        "MAC Address;Make;Model No.;Notes\r\n"
        '0c:75:d2:11:22:33;HiLook;"IPC-B120; outdoor";"two\nlines"\r\n'
        "\r\n"
        "90-02-A9-00-00-01;Dahua\r\n"
        "aa;bb;cc;dd;ee;ff\r\n"
    )
    path = tmp_path / "inv.csv"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    columns, rows = _rows(path)
    assert columns == ["MAC Address", "Make", "Model No.", "Notes"]
    assert rows[0][1] == ["0c:75:d2:11:22:33", "HiLook", "IPC-B120; outdoor", "two\nlines"]
    assert rows[0][2] is None
    assert rows[1][1] == ["90-02-A9-00-00-01", "Dahua", "", ""]  # short row: padded, no error
    assert rows[2][2] is not None and "6 values but the header has 4" in rows[2][2]
    assert rows[2][0] == 6  # the physical line, counting the quoted newline
    assert len(rows) == 3  # the blank line is not a row


def test_csv_utf16_tabs_and_cp1252(tmp_path: Path) -> None:
    tsv = tmp_path / "excel.txt"
    tsv.write_bytes("Brand\tModel\r\nEZVIZ\tC6N\r\nHikvision\tDS-2CD\r\n".encode("utf-16"))
    columns, rows = _rows(tsv)
    assert columns == ["Brand", "Model"] and rows[1][1] == ["Hikvision", "DS-2CD"]
    old = tmp_path / "old.csv"
    old.write_bytes("Brand,Supplier\r\nHiLook,Société Générale Sécurité\r\n".encode("cp1252"))
    assert _rows(old)[1][0][1] == ["HiLook", "Société Générale Sécurité"]


def test_xlsx_streams_first_sheet(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([])
    sheet.append(["FCC ID", "Brand", "Model Number", "Qty"])
    sheet.append(["2ADTD-5604SD", "Hikvision", 5604, 3])
    sheet.append([None, "Axis", "M3045", 1.0, "stray"])
    path = tmp_path / "inv.xlsx"
    book.save(path)
    columns, rows = _rows(path)
    assert columns == ["FCC ID", "Brand", "Model Number", "Qty"]
    assert rows[0] == (3, ["2ADTD-5604SD", "Hikvision", "5604", "3"], None)
    assert rows[1][1] == ["", "Axis", "M3045", "1"] and rows[1][2] is not None


def test_json_array_with_varying_keys_and_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "inv.json"
    path.write_text(
        '[{"mac": "0c:75:d2:11:22:33", "site": "A"},\n {"brand": "HiLook", "qty": 2},\n'
        ' 7,\n {"brand": "EZVIZ"} {"brand": "x"}]',
        encoding="utf-8",
    )
    columns, rows = _rows(path)
    assert columns == ["mac", "site", "brand", "qty"]
    assert rows[0][1] == ["0c:75:d2:11:22:33", "A", MISSING, MISSING]
    assert rows[1][1] == [MISSING, MISSING, "HiLook", 2]
    assert rows[2][2] is not None and "not an object" in rows[2][2]
    assert rows[3][1][2] == "EZVIZ"
    assert rows[4][2] is not None and "expected ',' or ']'" in rows[4][2]


def test_ndjson_bad_line_does_not_stop(tmp_path: Path) -> None:
    path = tmp_path / "inv.ndjson"
    lines = [json.dumps({"FCC ID": "2ADTD-1"}), "{oops", "", json.dumps({"Brand": "Imou"})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    columns, rows = _rows(path)
    assert columns == ["FCC ID", "Brand"]
    assert [r[0] for r in rows] == [1, 2, 4]
    assert rows[1][2] is not None and rows[2][1] == [MISSING, "Imou"]


def test_nmap_hosts_mac_and_vendor(tmp_path: Path) -> None:
    path = tmp_path / "scan.xml"
    path.write_text(NMAP, encoding="utf-8")
    columns, rows = _rows(path)
    assert columns == ["Host", "Hostname", "MAC Address", "Vendor", "Status"]
    assert rows[0][1] == [
        "10.0.0.21",
        "cam-lobby.example",
        "0C:75:D2:AA:BB:CC",
        "Hangzhou Hikvision Digital Technology",
        "up",
    ]
    assert rows[1][1][2] == ""  # the scanning host itself has no MAC in the report
    assert rows[2][1][3] == "Axis Communications AB"
    broken = tmp_path / "broken.xml"
    broken.write_text(
        NMAP.split('<host><status state="up" reason="localhost')[0] + "<host><oops",
        encoding="utf-8",
    )
    _, rows = _rows(broken)
    assert rows[0][2] is None and rows[-1][2] is not None and "XML error" in rows[-1][2]


def test_mac_list_with_header_and_comments(tmp_path: Path) -> None:
    path = tmp_path / "macs.txt"
    path.write_text("MAC\n# switch port 4\n0c:75:d2:11:22:33\n\n9002.a900.0001\n", encoding="utf-8")
    assert detect_format(path.name, path.read_bytes()) == "maclist"
    columns, rows = _rows(path)
    assert columns == ["MAC Address"]
    assert [r[1] for r in rows] == [["0c:75:d2:11:22:33"], ["9002.a900.0001"]]
    assert [r[0] for r in rows] == [3, 5]


def test_detection_and_file_level_errors(tmp_path: Path) -> None:
    assert detect_format("x.dat", b"  [{}]") == "json"
    assert detect_format("x.dat", b'{"a": 1}\n') == "ndjson"
    assert detect_format("x.dat", b"<?xml version='1.0'?><nmaprun/>") == "nmap"
    assert detect_format("x.dat", b"PK\x03\x04....") == "xlsx"
    assert detect_format("x.dat", b"a,b\n1,2\n") == "csv"
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="empty"):
        open_inventory(empty)
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("Location,Notes\nlobby,x\n", encoding="utf-8")
    inv = open_inventory(nothing)
    with pytest.raises(InvalidRecord, match="no column holds a MAC address"):
        inv.mapping()
    inv.close()
    other = tmp_path / "other.xml"
    other.write_text("<inventory/>", encoding="utf-8")
    with pytest.raises(InvalidRecord, match="not an nmap XML report"):
        open_inventory(other)
    with pytest.raises(InvalidRecord, match="cannot open"):
        open_inventory(tmp_path / "missing.csv")


def _batches(
    path: Path, size: int
) -> list[tuple[list[tuple[int, list[object], str | None]], list[str | None] | None]]:
    inv = open_inventory(path)
    try:
        out = []
        while len(batch := inv.read_batch(size)):
            out.append((list(batch.rows()), batch.lines))
        return out
    finally:
        inv.close()


def test_csv_batches_keep_records_whole_across_batch_ends(tmp_path: Path) -> None:
    """A quoted field may span lines, and batches; line numbers still name physical lines."""
    lines = ["Brand,Notes\r\n"]
    for i in range(10):
        lines.append(f'B{i},"note {i}\r\nsecond line"\r\n' if i % 3 == 0 else f"B{i},plain {i}\r\n")
    path = tmp_path / "multi.csv"
    path.write_text("".join(lines), encoding="utf-8", newline="")
    _, one_by_one = _rows(path)
    for size in (1, 2, 3, 4, 7, 100):
        batches = _batches(path, size)
        assert [r for rows, _ in batches for r in rows] == one_by_one, size
    assert [r[0] for r in one_by_one] == [3, 4, 5, 7, 8, 9, 11, 12, 13, 15]
    assert one_by_one[0][1] == ["B0", "note 0\r\nsecond line"]
    # Input lines come along only where a row is exactly one line.
    for rows, kept in _batches(path, 2):
        assert kept is None or all(
            line is not None and line.rstrip("\r\n").split(",") == row[1]
            for row, line in zip(rows, kept, strict=True)
        )


def test_an_unreadable_line_mid_batch_loses_no_row(tmp_path: Path) -> None:
    huge = "x" * (csv.field_size_limit() + 1)  # over the csv module's field size limit
    text = "Brand,Notes\n" + "".join(
        f'"{huge}",too big\n' if i == 5 else f"B{i},n{i}\n" for i in range(12)
    )
    path = tmp_path / "huge.csv"
    path.write_text(text, encoding="utf-8")
    rows = [r for batch, _ in _batches(path, 8) for r in batch]
    assert [r[0] for r in rows] == list(range(2, 14))
    bad = rows[5]
    assert bad[2] is not None and bad[2].startswith("unreadable line") and bad[0] == 7
    assert [r[1][0] for r in rows if r[2] is None] == [f"B{i}" for i in range(12) if i != 5]


def test_semicolon_csv_lines_are_not_offered_for_copying(tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_text("Brand;Model\nHiLook;IPC-B120\nEZVIZ;C6N\n", encoding="utf-8")
    ((rows, kept),) = _batches(path, 10)
    assert len(rows) == 2 and kept is None
    comma = tmp_path / "comma.csv"
    comma.write_text('Brand,Model\nHiLook,"IPC-B120"\nEZVIZ,C6N,\n', encoding="utf-8")
    ((rows, kept),) = _batches(comma, 10)
    assert kept == ['HiLook,"IPC-B120"\n', None]  # the second line has a third (empty) value
