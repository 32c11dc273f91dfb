"""Hostile inputs (issue: Hardening II): each gets a 4xx or a per-row error, in bounded memory.

The memory-heavy repros run in a child interpreter under an address-space cap
(tests/memory_cap.py) and assert its peak RSS; the store they read must be unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from memory_cap import run_capped
from typer.testing import CliRunner

from supplygraph.api.app import create_app
from supplygraph.audit.readers import MAX_JSON_RECORD, open_inventory
from supplygraph.cli import app
from supplygraph.graph.errors import LoadRefused
from supplygraph.graph.model.records import Designation
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.loaders.ingest import load_file
from supplygraph.service import SupplyGraph
from supplygraph.settings import Settings

runner = CliRunner()

URL = "/v1/resolve/bulk"
MAC = "0c:75:d2:11:22:33"
MiB = 1 << 20

_CLIENT = """
import time
from fastapi.testclient import TestClient
from supplygraph.api.app import create_app
from supplygraph.service import SupplyGraph
graph = SupplyGraph.open("sqlite:///{store}")
client = TestClient(create_app(graph), raise_server_exceptions=False)
def post(body, media):
    started = time.monotonic()
    resp = client.post("/v1/resolve/bulk", content=body, headers={{"content-type": media}})
    rows, errors = 0, []
    for text in resp.iter_lines() if resp.status_code == 200 else ():
        line = json.loads(text)
        rows += 1
        if line.get("error"):
            errors.append(line["error"]["message"])
    return dict(
        status=resp.status_code, rows=rows, errors=errors[:5], n_errors=len(errors),
        seconds=time.monotonic() - started,
    )
"""


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _capped(store: Path, code: str) -> dict[str, Any]:
    before = _sha(store)
    out = run_capped(_CLIENT.format(store=store) + code)
    assert _sha(store) == before  # reading hostile input never writes the store
    return out


def test_ndjson_rows_with_their_own_keys_stay_bounded(seeded_path: Path) -> None:
    # Was: 2.1 MB of such lines took 57 s and 3.3 GB RSS (rows built over the union of keys).
    out = _capped(
        seeded_path,
        """
plain = "\\n".join('{"mac": "0c:75:d2:11:22:33", "k": %d}' % i for i in range(50000))
same_keys = post(plain.encode(), "application/x-ndjson")
same_keys_peak = peak_rss()
body = "\\n".join('{"mac": "%s", "k%d": 1}' % ("0c:75:d2:11:22:33", i) for i in range(50000))
report(**post(body.encode(), "application/x-ndjson"), same_keys_peak=same_keys_peak)
""",
    )
    assert out["status"] == 200 and out["rows"] == 50_000 and out["n_errors"] == 0
    # No more than the same rows with one shared key need (was 3.3 GB).
    assert out["peak_rss"] < out["same_keys_peak"] + 96 * MiB, out
    assert out["peak_rss"] < 400 * MiB, out
    assert out["seconds"] < 60, out


def test_one_huge_json_record_is_read_once_and_refused_alone(seeded_path: Path) -> None:
    # Was: re-parsed from its start after every 64 KiB read (32 MiB: 35 s, quadratic).
    out = _capped(
        seeded_path,
        """
blob = "A" * (32 << 20)
body = ('[{"mac": "0c:75:d2:11:22:33", "blob": "' + blob + '"}, {"mac": "0c:75:d2:11:22:33"}]')
del blob
report(**post(body.encode(), "application/json"))
""",
    )
    assert out["status"] == 200 and out["rows"] == 2, out
    assert out["n_errors"] == 1 and f"longer than {MAX_JSON_RECORD:,}" in out["errors"][0]
    assert out["seconds"] < 20, out
    assert out["peak_rss"] < 600 * MiB, out


def test_deep_nesting_is_that_rows_error(seeded_path: Path) -> None:
    out = _capped(
        seeded_path,
        """
deep = "[" * 200000 + "]" * 200000
rows = ['{"mac": "0c:75:d2:11:22:33"}', '{"mac": "0c:75:d2:11:22:33", "x": ' + deep + "}",
        '{"brand": "HiLook"}']
a = post(("[" + ",".join(rows) + "]").encode(), "application/json")
b = post("\\n".join(rows).encode(), "application/x-ndjson")
report(array=a, lines=b)
""",
    )
    for kind in ("array", "lines"):
        got = out[kind]
        assert got["status"] == 200 and got["rows"] == 3 and got["n_errors"] == 1, got
        assert "nested deeper than" in got["errors"][0]
    assert out["peak_rss"] < 450 * MiB, out


@pytest.mark.parametrize("media", ["application/json", "application/x-ndjson"])
def test_a_5000_digit_integer_is_that_rows_error(client: TestClient, media: str) -> None:
    rows = [{"mac": MAC}, {"mac": MAC, "n": 0}, {"brand": "HiLook"}]
    texts = [json.dumps(r) for r in rows]
    texts[1] = texts[1].replace('"n": 0', '"n": ' + "7" * 5000)
    body = "[" + ",".join(texts) + "]" if media == "application/json" else "\n".join(texts)
    resp = client.post(URL, content=body, headers={"content-type": media})
    assert resp.status_code == 200, resp.text
    lines = [json.loads(x) for x in resp.text.splitlines()]
    assert [x["row"] for x in lines] == [1, 2, 3]
    assert lines[0]["verdict"] == "yes" and lines[2]["error"] is None
    assert "number too large" in lines[1]["error"]["message"]


def test_a_stray_csv_quote_is_reported_at_its_line(client: TestClient, tmp_path: Path) -> None:
    # Was: ~5,240 rows swallowed into one error row that named line 5245 instead of 4.
    rows = ["MAC Address,Brand,Model"]
    rows += [f"00:11:22:33:{i // 256:02x}:{i % 256:02x},Acme,M{i}" for i in range(6000)]
    rows[3] = '00:11:22:33:44:55,"Acme,M3'
    text = "\n".join(rows) + "\n"
    resp = client.post(URL, content=text, headers={"content-type": "text/csv"})
    lines = [json.loads(x) for x in resp.text.splitlines()]
    assert len(lines) == 6000
    bad = [x for x in lines if x["error"] and x["error"]["code"] == "invalid_row"]
    assert len(bad) == 1 and "line 4" in bad[0]["error"]["message"]
    assert "quote" in bad[0]["error"]["message"]
    # The audit reader: the same row, and every row after it read again.
    path = tmp_path / "stray.csv"
    path.write_text(text)
    inventory = open_inventory(path)
    got = []
    while batch := inventory.read_batch(1000):
        got += list(batch.rows())
    inventory.close()
    assert [r[0] for r in got] == list(range(2, 6002))
    assert [r[0] for r in got if r[2]] == [4]


def test_multipart_abuse_is_4xx(client: TestClient) -> None:
    boundary = "xyz"
    parts = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{i}"\r\n\r\nv\r\n'
        for i in range(1001)
    )
    body = parts + f"--{boundary}--\r\n"
    many = client.post(
        URL, content=body, headers={"content-type": f"multipart/form-data; boundary={boundary}"}
    )
    assert many.status_code == 422 and "multipart" in many.json()["error"]["message"]
    none = client.post(URL, content=body, headers={"content-type": "multipart/form-data"})
    assert none.status_code == 422 and "boundary" in none.json()["error"]["message"]


def test_audit_json_output_keeps_each_rows_own_keys(tmp_path: Path) -> None:
    from supplygraph.audit.readers import SAMPLE_RECORDS
    from supplygraph.audit.run import RowFeeder

    lines = [{"mac": MAC, "asset": f"a{i}"} for i in range(SAMPLE_RECORDS + 5)]
    lines[-1]["late_key"] = "kept"
    lines[-2] = {"asset": "late", "MAC Address": MAC}  # a query field first seen late
    path = tmp_path / "inv.ndjson"
    path.write_text("\n".join(json.dumps(x) for x in lines))
    inventory = open_inventory(path)
    assert inventory.columns == ["mac", "asset"]
    feeder = RowFeeder(inventory, inventory.mapping())
    rows, items = [], []
    while batch := inventory.read_batch(512):
        rows += list(batch.rows())
        items += feeder.items(batch)
    inventory.close()
    assert rows[-1][1][-1] == {"late_key": "kept"}
    assert items[-2][0] == MAC  # mac
    assert all(len(r[1]) <= 3 for r in rows)


# -- a short or older list file never delists silently ------------------------------------------
def _state(store: GraphStore) -> tuple[dict[str, int], int, int]:
    view = store.view()
    ended = sum(
        1 for r in view.iter_records() if isinstance(r, Designation) and r.end_date is not None
    )
    return view.counts(), len(view.loads()), ended


def _cut(source: Path, target: Path, keep: int) -> Path:
    """The first ``keep`` lines of ``source`` (an interrupted download cut at a line end)."""
    with source.open("rb") as fh:
        target.write_bytes(b"".join(fh.readline() for _ in range(keep)))
    return target


def test_half_an_sdn_file_is_refused(test_data: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    full = test_data / "ofac-sdn-legacy"
    first = load_file(store, full)
    assert first.counts["designations"] > 6000
    cut = tmp_path / "sdn-cut"
    cut.mkdir()
    for member in full.iterdir():
        shutil.copy(member, cut / member.name)
    _cut(full / "sdn.csv", cut / "sdn.csv", 3700)  # of 7,378 lines
    before = _state(store)
    with pytest.raises(LoadRefused) as refused:
        load_file(store, cut)
    message = refused.value.message
    assert (
        "would end " in message
        and "listings" in message
        and "--allow-shrink" in message
        and "%" in message
    )
    assert _state(store) == before  # nothing written, nothing ended
    # Allowed to shrink, the cut file still shows no end-of-file mark: nothing is ended.
    report = load_file(store, cut, allow_shrink=True)
    assert len(report.delistings_withheld) > 3000 and report.designations_removed == []
    assert "delistings withheld" in report.summary() and _state(store)[2] == 0
    report = load_file(store, cut, allow_shrink=True, assume_complete=True)
    assert len(report.designations_removed) > 3000
    assert _state(store)[2] == len(report.designations_removed)


def test_a_1260h_file_cut_short_is_refused_and_the_cli_says_so(
    test_data: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'g.db'}"
    source = test_data / "us-lists" / "us_dod_1260h_sanctions.csv"
    load_file(open_store(url), source)
    cut = _cut(source, tmp_path / "us_dod_1260h_sanctions.csv", 7)
    refused = runner.invoke(app, ["load", str(cut), "--store", url])
    assert refused.exit_code == 2
    said = " ".join(refused.output.split())
    assert "refused: this file would end" in said and "--allow-shrink" in said
    # Its newest listings were cut off too: it is also older than the file loaded before.
    assert "older than the version" in said and "--allow-older" in said
    assert _state(open_store(url))[2] == 0
    allowed = runner.invoke(
        app, ["load", str(cut), "--allow-shrink", "--allow-older", "--store", url]
    )
    assert allowed.exit_code == 0, allowed.output
    # A CSV file cannot show it is whole: its delistings are withheld until told otherwise.
    assert "delistings withheld" in " ".join(allowed.output.split())
    assert _state(open_store(url))[2] == 0
    args = ["load", str(cut), "--allow-shrink", "--allow-older", "--assume-complete"]
    allowed = runner.invoke(app, [*args, "--store", url])
    assert allowed.exit_code == 0, allowed.output
    assert _state(open_store(url))[2] > 0


def test_an_older_csl_after_a_newer_one_is_refused(test_data: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(store, test_data / "csl-us" / "csl_current_format_sample.csv")
    older = test_data / "csl-us" / "csl_2019_sample.csv"
    before = _state(store)
    with pytest.raises(LoadRefused) as refused:
        load_file(store, older, allow_shrink=True)
    assert "older than the version" in refused.value.message
    assert "days before" in refused.value.message and "--allow-older" in refused.value.message
    assert _state(store) == before
    report = load_file(store, older, allow_older=True, allow_shrink=True)
    assert report.designations_added


# -- XLSX and XML bombs ------------------------------------------------------------------------
def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Devices"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _replace_part(path: Path, part: str, chunks: Any) -> None:
    """Rewrite one part of an XLSX archive, streamed from ``chunks`` (bytes)."""
    import zipfile

    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != part:
                dst.writestr(item, src.read(item.filename))
        with dst.open(part, "w") as fh:
            for chunk in chunks:
                fh.write(chunk)
    out.replace(path)


def test_an_xlsx_shared_strings_bomb_is_refused_naming_the_part(tmp_path: Path) -> None:
    # Was: 150 KB - 2.6 MB files inflating to 3.1 GB RSS (openpyxl applies no limits).
    path = _xlsx(tmp_path / "bomb.xlsx", [["MAC Address", "Brand"], [MAC, "x"]])
    entry = b"<si><t>a</t></si>" * 4096
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
    body = (entry for _ in range(1200))  # about 80 MiB inflated
    _replace_part(path, "xl/sharedStrings.xml", [head + b'2006/main">', *body, b"</sst>"])
    assert path.stat().st_size < 1 << 20
    out = run_capped(
        f"""
from supplygraph.audit.readers import open_inventory
from supplygraph.graph.errors import InvalidRecord
try:
    open_inventory(__import__("pathlib").Path({str(path)!r}))
    report(error=None)
except InvalidRecord as exc:
    report(error=exc.message)
""",
        cap_mb=1024,
    )
    assert "xl/sharedStrings.xml" in out["error"] and "bomb" in out["error"], out
    assert out["peak_rss"] < 200 * MiB, out


def test_xlsx_row_and_cell_limits_name_the_sheet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from supplygraph.audit.readers import xlsx as readers
    from supplygraph.graph.errors import InvalidRecord

    rows = [["MAC Address", "Brand"]] + [[MAC, f"b{i}"] for i in range(30)]
    path = _xlsx(tmp_path / "inv.xlsx", rows)
    monkeypatch.setattr(readers, "XLSX_MAX_ROWS", 10)
    with pytest.raises(InvalidRecord) as declared:
        open_inventory(path)
    assert "'Devices'" in declared.value.message and "rows" in declared.value.message
    monkeypatch.setattr(readers, "XLSX_MAX_ROWS", 1_000)
    monkeypatch.setattr(readers, "XLSX_MAX_CELLS", 40)
    inventory = open_inventory(path)
    with pytest.raises(InvalidRecord) as cells:
        while inventory.read_batch(5):
            pass
    inventory.close()
    assert "'Devices'" in cells.value.message and "cells" in cells.value.message


def test_nmap_xml_keeps_only_what_it_reads(tmp_path: Path) -> None:
    # Was: every non-<host> element kept (39 MB body -> 1.1 GB).
    path = tmp_path / "scan.xml"
    host = (
        '<host><status state="up"/><address addr="10.0.0.{i}" addrtype="ipv4"/>'
        '<address addr="{mac}" addrtype="mac" vendor="Hikvision"/>'
        "<ports>"
        + '<port protocol="tcp" portid="1"><state state="open"/></port>'
        * 200
        + "</ports>"
        "</host>"
    )
    junk = "<junk>" + '<x a="1"><y b="2"/></x>' * 20_000 + "</junk>"
    with path.open("w") as fh:
        fh.write('<?xml version="1.0"?><nmaprun scanner="nmap">')
        for i in range(100):
            fh.write(junk if i % 10 == 0 else host.format(i=i, mac=MAC))
        fh.write("</nmaprun>")
    assert path.stat().st_size > 4 * MiB
    out = run_capped(
        f"""
from pathlib import Path
from supplygraph.audit.readers import open_inventory
inventory = open_inventory(Path({str(path)!r}))
rows = [r for r in inventory.rows]
report(rows=len(rows), problems=[r[2] for r in rows if r[2]], mac=rows[0][1][2])
""",
        cap_mb=1024,
    )
    assert out["rows"] == 90 and out["problems"] == [] and out["mac"] == MAC
    assert out["peak_rss"] < 120 * MiB, out


def test_xml_entities_are_refused(tmp_path: Path) -> None:
    from supplygraph.graph.errors import InvalidRecord

    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    scan = tmp_path / "scan.xml"
    scan.write_text(laughs + '<nmaprun><host><hostname name="&lol2;"/></host></nmaprun>')
    with pytest.raises(InvalidRecord):
        inventory = open_inventory(scan)
        list(inventory.rows)
    gleif = tmp_path / "lei.xml"
    gleif.write_text(laughs + "<LEIData><x>&lol2;</x></LEIData>")
    with pytest.raises(InvalidRecord) as refused:
        load_file(open_store(f"sqlite:///{tmp_path / 'g.db'}"), gleif, "gleif")
    assert "XML refused" in refused.value.message


# -- CSV outputs, the load log over HTTP, failed keys ------------------------------------------
FORMULA = "=cmd|' /C calc'!A0"


def test_audit_csv_output_neutralises_formula_cells(graph: SupplyGraph, tmp_path: Path) -> None:
    from supplygraph.audit import audit_file

    inventory = tmp_path / "inv.csv"
    inventory.write_text(f"MAC Address,Asset\n{MAC},{FORMULA}\n{MAC},@SUM(A1)\n{MAC},desk\n")
    for raw in (False, True):
        out = tmp_path / f"out-{raw}.csv"
        audit_file(graph.resolver, inventory, out, raw_csv=raw)
        cells = [row[1] for row in csv.reader(out.open())][1:]
        expected = [FORMULA, "@SUM(A1)", "desk"]
        assert cells == (expected if raw else ["'" + FORMULA, "'@SUM(A1)", "desk"])
    records = tmp_path / "inv.ndjson"
    records.write_text(json.dumps({"mac": MAC, "asset": "+1 555 0100"}) + "\n")
    audit_file(graph.resolver, records, tmp_path / "j.csv")
    assert list(csv.reader((tmp_path / "j.csv").open()))[1][1] == "'+1 555 0100"


def _formula_graph(tmp_path: Path) -> SupplyGraph:
    brands = tmp_path / "brands.csv"
    brands.write_text(
        "from_name,from_country,relation,to_name,to_kind,share,valid_from,source_title,"
        "source_url,quote,source_grade\n"
        f'"{FORMULA}",CN,OWNS_BRAND,Acmecam,brand,,,Acme annual report,'
        "https://example.org/ar,,A\n",
        encoding="utf-8",
    )
    graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(graph.store, brands)
    return graph


def test_csv_export_neutralises_formulas_and_sources_show_file_names(tmp_path: Path) -> None:
    graph = _formula_graph(tmp_path)
    client = TestClient(create_app(graph), raise_server_exceptions=False)
    [entity] = client.get("/v1/search", params={"q": "Acmecam"}).json()[:1]
    url = f"/v1/entities/{entity['id']}/export"
    safe = client.get(url, params={"format": "csv", "depth": 1})
    assert safe.status_code == 200 and "'" + FORMULA in safe.text
    raw = client.get(url, params={"format": "csv", "depth": 1, "raw": "true"})
    assert f",{FORMULA}," in raw.text.replace('"', "") and "'" + FORMULA not in raw.text
    [load] = client.get("/v1/sources").json()
    assert load["file"] == "brands.csv"  # not the server's path
    graph.close()


def test_failed_keys_are_rate_limited_per_address(graph: SupplyGraph) -> None:
    settings = Settings(api_keys="right-key", auth_failure_burst=5, auth_failure_rate=0.01)
    client = TestClient(create_app(graph, settings), raise_server_exceptions=False)
    codes = [
        client.get("/v1/resolve", params={"brand": "HiLook"}, headers={"X-API-Key": f"g{i}"})
        for i in range(8)
    ]
    assert [r.status_code for r in codes] == [401] * 5 + [429] * 3
    assert int(codes[-1].headers["retry-after"]) >= 1
    # Blocked before any key is checked: a right guess cannot be told from a wrong one.
    right = client.get(
        "/v1/resolve", params={"brand": "HiLook"}, headers={"X-API-Key": "right-key"}
    )
    assert right.status_code == 429
    # Another address is not affected.
    other = TestClient(
        create_app(graph, settings), raise_server_exceptions=False, client=("10.0.0.9", 5000)
    )
    ok = other.get("/v1/resolve", params={"brand": "HiLook"}, headers={"X-API-Key": "right-key"})
    assert ok.status_code == 200
