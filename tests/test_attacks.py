"""Hostile inputs (issue: Hardening II): each gets a 4xx or a per-row error, in bounded memory.

The memory-heavy repros run in a child interpreter under an address-space cap
(tests/memory_cap.py) and assert its peak RSS; the store they read must be unchanged.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from memory_cap import run_capped
from supplygraph.graph.model import Designation
from supplygraph.graph.store import GraphStore, open_store
from supplygraph.loaders.ingest import load_file
from typer.testing import CliRunner

from supplygraph.audit.readers import MAX_JSON_RECORD, open_inventory
from supplygraph.cli import app
from supplygraph.errors import LoadRefused

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
    lines = [json.loads(x) for x in resp.text.splitlines() if x] if resp.status_code == 200 else []
    errors = [x["error"]["message"] for x in lines if x.get("error")]
    return dict(
        status=resp.status_code, rows=len(lines), errors=errors[:5], n_errors=len(errors),
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
body = "\\n".join('{"mac": "%s", "k%d": 1}' % ("0c:75:d2:11:22:33", i) for i in range(50000))
report(**post(body.encode(), "application/x-ndjson"))
""",
    )
    assert out["status"] == 200 and out["rows"] == 50_000 and out["n_errors"] == 0
    assert out["peak_rss"] < 450 * MiB, out
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
    report = load_file(store, cut, allow_shrink=True)
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
