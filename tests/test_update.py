"""`supplygraph update`, `changes` and `watch` against a local HTTP mirror of the official sources.

The mirror (http.server on 127.0.0.1, in a thread) serves real files from tests/data at the
paths of the shipped sources' URLs (``--mirror`` maps ``https://host/path`` to
``MIRROR/host/path``), with ETag and Last-Modified, and then changed versions of them: a
delisting, an addition, unchanged files (304, and the same bytes without validators), a
truncated body and a stalled one.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from supplygraph.api.app import create_app
from supplygraph.cli import app
from supplygraph.graph.errors import FetchFailed
from supplygraph.loaders.fetch import fetch
from supplygraph.loaders.update import read_sources, update
from supplygraph.service import SupplyGraph

runner = CliRunner()
DATA = Path(__file__).resolve().parent / "data"
CSL = "/data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.json"
OFAC = "/sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
MA_L = "/standards-oui.ieee.org/oui/oui.csv"
MA_M = "/standards-oui.ieee.org/oui28/mam.csv"
MA_S = "/standards-oui.ieee.org/oui36/oui36.csv"
GLEIF_LEI = "/goldencopy.gleif.org/api/v2/golden-copies/publishes/lei2/latest.xml"
IEEE_HEADER = b"Registry,Assignment,Organization Name,Organization Address\n"
# The registries' other layouts, with test rows (no such assignments are claimed to exist).
MAM_ROWS = IEEE_HEADER + b"MA-M,AABBCC1,Example Test Assignee,1 Test Street Testville ZZ 00000\n"
MAS_ROWS = IEEE_HEADER + b"MA-S,AABBCC2AB,Example Test Assignee,1 Test Street Testville ZZ 00000\n"


@dataclass
class Mirror:
    """What the server serves: bytes per path, and how to misbehave on some paths."""

    files: dict[str, bytes] = field(default_factory=dict)
    validators: bool = True  # send ETag / Last-Modified (and answer 304 to them)
    no_validators: set[str] = field(default_factory=set)
    truncate: set[str] = field(default_factory=set)  # announce the length, send half, close
    stall: set[str] = field(default_factory=set)  # wait before the body
    hits: dict[str, list[int]] = field(default_factory=dict)  # path -> statuses sent
    hooks: list[dict[str, Any]] = field(default_factory=list)  # webhook bodies received
    base: str = ""


def _handler(mirror: Mirror) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _sent(self, status: int) -> None:
            mirror.hits.setdefault(self.path, []).append(status)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            mirror.hooks.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            body = mirror.files.get(self.path)
            if body is None:
                self._sent(404)
                self.send_error(404)
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            modified = "Mon, 02 Mar 2026 10:00:00 GMT"
            validators = mirror.validators and self.path not in mirror.no_validators
            if validators and self.headers.get("If-None-Match") == etag:
                self._sent(304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self._sent(200)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            if validators:
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", modified)
            self.end_headers()
            if self.path in mirror.stall:
                time.sleep(3)
            if self.path in mirror.truncate:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture()
def mirror() -> Iterator[Mirror]:
    served = Mirror()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    served.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served
    server.shutdown()
    server.server_close()


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _csl(without: tuple[str, ...] = ()) -> bytes:
    """The CSL sample as the JSON export lays it out (``{"results": [...]}``), rows left out."""
    import csv

    path = DATA / "csl-us/csl_current_format_sample.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    kept = [r for r in rows if not any(w in r["name"] for w in without)]
    return json.dumps({"results": kept}, indent=1).encode()


def _oui(without: tuple[str, ...] = ()) -> bytes:
    rows = _lines(DATA / "ieee-csv/oui.csv")
    return b"".join(r for r in rows if not any(r.startswith(f"MA-L,{w}".encode()) for w in without))


def _fill(mirror: Mirror) -> None:
    mirror.files[CSL] = _csl()
    for name in ("sdn", "add", "alt", "sdn_comments"):
        mirror.files[f"{OFAC}{name.upper()}.CSV"] = (
            DATA / f"ofac-sdn-legacy/{name}.csv"
        ).read_bytes()
    for name in ("cons_prim", "cons_add", "cons_alt", "cons_comments"):
        path = DATA / f"ofac-nonsdn-cmic/{name}.csv"
        mirror.files[f"{OFAC}{name.upper()}.CSV"] = path.read_bytes()
        # The consolidated files come without validators: unchanged means the same SHA-256.
        mirror.no_validators.add(f"{OFAC}{name.upper()}.CSV")
    mirror.files[MA_L] = _oui(without=("BCAD28",))
    mirror.files[MA_M] = MAM_ROWS
    mirror.files[MA_S] = MAS_ROWS


@pytest.fixture()
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("SUPPLYGRAPH_WATCH_DIR", str(tmp_path / "watches"))
    url = f"sqlite:///{tmp_path / 'update.db'}"
    graph = SupplyGraph.open(url)
    graph.load_seed()  # the built-in IEEE registry is not loaded: the mirror's CSV is the one
    graph.close()
    return url


INVENTORY = (
    "mac,name,brand\n"
    "0C:75:D2:11:22:33,,\n"  # row 1: a Hikvision block in both versions: yes, unchanged
    "BC:AD:28:11:22:33,,\n"  # row 2: a Hikvision block the second version adds: unknown -> yes
    ',"RIM, Ryong Nam",\n'  # row 3: on the SDN part of the CSL, delisted in the second version
    ",SME BANK,\n"  # row 4: SSI-listed, no regime covers it either way: unchanged
    ",,HiLook\n"  # row 5: a Hikvision brand from the seed: yes, unchanged
    "90:02:A9:00:00:01,,\n"  # row 6: a Dahua block: no, unchanged
    ",China Electronics Technology Group Corporation 13th Research Institute (CETC 13),\n"  # row 7
)


def _update(mirror: Mirror, store_url: str, *extra: str) -> Any:
    result = runner.invoke(
        app, ["update", "--mirror", mirror.base, "--json", "--store", store_url, *extra]
    )
    body = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result, body


def _statuses(body: dict[str, Any]) -> dict[str, str]:
    return {o["source"]: o["status"] for o in body["sources"]}


def test_update_loads_changes_and_reports_watched_rows(
    mirror: Mirror, store_url: str, tmp_path: Path
) -> None:
    _fill(mirror)
    first, body = _update(mirror, store_url)
    assert first.exit_code == 0, first.output
    assert _statuses(body) == {
        "us-csl": "loaded",
        "us-ofac-sdn": "loaded",
        "us-ofac-cons": "loaded",
        "ieee-ma-l": "loaded",
        "ieee-ma-m": "loaded",
        "ieee-ma-s": "loaded",
    }
    assert GLEIF_LEI not in mirror.hits  # disabled by default

    inventory = tmp_path / "cameras.csv"
    inventory.write_text(INVENTORY, encoding="utf-8")
    hook = f"{mirror.base}/hook"
    added = runner.invoke(
        app, ["watch", str(inventory), "--name", "cams", "--webhook", hook, "--store", store_url]
    )
    assert added.exit_code == 0, added.output
    quiet = runner.invoke(app, ["watch", "--check", "--store", store_url])
    assert quiet.exit_code == 0 and "0 of 7 rows changed" in quiet.stdout

    # The second version: RIM Ryong Nam delisted from the CSL, a Hikvision block added to MA-L;
    # everything else unchanged.
    mirror.files[CSL] = _csl(without=("RIM, Ryong Nam",))
    mirror.files[MA_L] = _oui()
    mirror.hits.clear()
    second, body = _update(mirror, store_url)
    assert second.exit_code == 3, second.output  # watched rows changed
    assert _statuses(body) == {
        "us-csl": "loaded",
        "us-ofac-sdn": "unchanged",
        "us-ofac-cons": "unchanged",
        "ieee-ma-l": "loaded",
        "ieee-ma-m": "unchanged",
        "ieee-ma-s": "unchanged",
    }
    reasons = {o["source"]: o["reason"] for o in body["sources"]}
    assert reasons["us-ofac-sdn"] == "not modified (HTTP 304)"
    assert reasons["us-ofac-cons"].startswith("same SHA-256")
    assert mirror.hits[f"{OFAC}SDN.CSV"] == [304]
    assert mirror.hits[f"{OFAC}CONS_PRIM.CSV"] == [200]

    # The watched inventory: exactly rows 2 (verdict) and 3 (regimes) changed, with reasons.
    (watched,) = body["watches"]
    changed = {c["row"]: c for c in watched["changes"]}
    assert sorted(changed) == [2, 3]
    assert (changed[2]["before"]["verdict"], changed[2]["after"]["verdict"]) == ("unknown", "yes")
    assert any("MAC block BC:AD:28" in r and "ieee-ma-l" in r for r in changed[2]["reasons"])
    assert changed[3]["before"]["regimes"] and not changed[3]["after"]["regimes"]
    assert any("delisted from" in r and "us-csl" in r for r in changed[3]["reasons"])
    assert any(r.startswith("no longer covered by ofac-50") for r in changed[3]["reasons"])
    (sent,) = mirror.hooks
    assert sent["watch"] == "cams" and sent["changed_rows"] == 2
    assert [c["row"] for c in sent["changes"]] == [2, 3]

    # The next check has nothing new to say.
    again = runner.invoke(app, ["watch", "--check", "--store", store_url])
    assert again.exit_code == 0, again.output

    # /v1/changes and `supplygraph changes` show the delisting and the addition.
    graph = SupplyGraph.open(store_url)
    client = TestClient(create_app(graph))
    today = time.strftime("%Y-%m-%d", time.gmtime())
    sets = client.get("/v1/changes", params={"since": today}).json()
    latest = {c["dataset"]: c for c in reversed(sets)}  # the newest per dataset
    csl = latest["us-csl"]
    assert csl["counts"]["designations_removed"] == 1 and csl["counts"]["designations_ended"] == 1
    removed = [i for i in csl["items"] if i["kind"] == "designation"]
    assert [(i["change"], i["name"]) for i in removed] == [("removed", "RIM, Ryong Nam")]
    ieee = latest["ieee-ma-l"]
    assert ieee["counts"]["entities_added"] == 1
    assert [i["name"] for i in ieee["items"] if i["change"] == "added"] == [
        "MAC block BC:AD:28 (MA-L)"
    ]
    assert csl["file"] == "consolidated.json" and csl["source"] == "us-csl"
    graph.close()
    text = runner.invoke(app, ["changes", "--since", today, "--store", store_url])
    assert text.exit_code == 0 and "removed designation RIM, Ryong Nam" in text.stdout

    # The HTML diff report of a check lists the changed rows: row 7 leaves the Entity List.
    report = tmp_path / "diff.html"
    mirror.files[CSL] = _csl(without=("RIM, Ryong Nam", "(CETC 13)"))
    third, body = _update(mirror, store_url, "--no-watch")
    assert third.exit_code == 0 and _statuses(body)["us-csl"] == "loaded"
    assert body["watches"] == []
    checked = runner.invoke(
        app, ["watch", "--check", "--report", str(report), "--store", store_url]
    )
    assert checked.exit_code == 3, checked.output
    html = report.read_text(encoding="utf-8")
    assert "cams: 1 of 7 rows changed" in html and "(CETC 13)" in html
    assert "delisted from (end-dated) Entity List" in html


def test_failed_downloads_change_nothing(mirror: Mirror, store_url: str, tmp_path: Path) -> None:
    _fill(mirror)
    first, _ = _update(mirror, store_url, "--only", "us-csl", "--only", "ieee-ma-l")
    assert first.exit_code == 0, first.output
    graph = SupplyGraph.open(store_url)
    before = (graph.view.counts(), len(graph.view.loads()), len(graph.view.changes()))

    # A truncated body (fewer bytes than Content-Length announced).
    mirror.files[CSL] = _csl(without=("RIM, Ryong Nam",))
    mirror.truncate.add(CSL)
    cut, body = _update(mirror, store_url, "--only", "us-csl")
    assert cut.exit_code == 2
    (outcome,) = body["sources"]
    assert outcome["status"] == "failed" and "truncated" in outcome["reason"]
    assert outcome["error"] == "fetch_failed"
    mirror.truncate.clear()

    # A body that does not come within the source's time limit.
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        "sources:\n  - name: slow-oui\n    url: https://standards-oui.ieee.org/oui/oui.csv\n"
        "    format: ieee\n    timeout: 1\n",
        encoding="utf-8",
    )
    mirror.files[MA_L] = _oui()
    mirror.stall.add(MA_L)
    slow, body = _update(mirror, store_url, "--sources", str(sources))
    assert slow.exit_code == 2
    assert "timed out" in body["sources"][0]["reason"]
    mirror.stall.clear()

    # A list that ends too many listings (a cut-off file reads as a shorter one) is refused...
    many = ("RIM, Ryong Nam", "SME BANK", "ROSNEFT", "TNK Trading", "Evren", "Atlas Sanatgaran")
    mirror.files[CSL] = _csl(without=many)
    shrunk, body = _update(mirror, store_url, "--only", "us-csl")
    assert shrunk.exit_code == 2
    assert body["sources"][0]["error"] == "load_refused"
    after = (graph.view.counts(), len(graph.view.loads()), len(graph.view.changes()))
    assert after == before  # none of the failures wrote anything

    # ... unless the list really shrank.
    allowed, body = _update(mirror, store_url, "--only", "us-csl", "--allow-shrink")
    assert allowed.exit_code == 0, allowed.output
    assert body["sources"][0]["changes"]["designations_ended"] == len(many)
    graph.close()


def test_fetch_unpacks_a_zip_and_refuses_oversize(mirror: Mirror, tmp_path: Path) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(DATA / "gleif-samples/golden-copy_lei-data.xml", "lei2-golden-copy.xml")
    mirror.files[GLEIF_LEI] = packed.getvalue()
    url = f"{mirror.base}{GLEIF_LEI}"
    got = fetch(url, tmp_path / "latest.xml")
    assert got.path is not None and got.path.name == "lei2-golden-copy.xml"
    assert got.path.read_bytes() == (DATA / "gleif-samples/golden-copy_lei-data.xml").read_bytes()
    assert got.fetched is not None and got.fetched.etag
    assert not list(tmp_path.glob("*.part"))
    again = fetch(url, tmp_path / "again.xml", got.fetched)
    assert again.not_modified
    with pytest.raises(FetchFailed, match="over the limit"):
        fetch(url, tmp_path / "small.xml", max_bytes=100)
    assert not (tmp_path / "small.xml").exists() and not list(tmp_path.glob("small*"))


def test_gleif_golden_copy_loads_when_named(mirror: Mirror, store_url: str) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.write(DATA / "gleif-samples/golden-copy_lei-data.xml", "lei2.xml")
    mirror.files[GLEIF_LEI] = packed.getvalue()
    graph = SupplyGraph.open(store_url)
    report = update(graph.store, read_sources(), only=["gleif-lei"], mirror=mirror.base)
    (outcome,) = report.outcomes
    assert outcome.status == "loaded", outcome.reason
    assert outcome.report is not None and outcome.report.dataset.startswith("gleif")
    graph.close()


def test_sources_file_is_checked(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - name: x\n    url: ftp://example.org/a.csv\n", encoding="utf-8")
    result = runner.invoke(app, ["update", "--sources", str(bad), "--store", "sqlite:///:memory:"])
    assert result.exit_code == 2 and "only http and https" in result.stderr
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "include_defaults: true\nsources:\n  - name: my-list\n"
        "    url: https://example.org/list.ftm.json\n    format: ftm\n    max_bytes: 20 MB\n",
        encoding="utf-8",
    )
    specs = read_sources(mine)
    assert specs[0].name == "us-csl" and specs[-1].name == "my-list"
    assert specs[-1].max_bytes == 20_000_000
    # serve refuses a refresh interval it cannot keep before it starts.
    store = f"sqlite:///{tmp_path / 's.db'}"
    refused = runner.invoke(app, ["serve", "--refresh-every", "10s", "--store", store])
    assert refused.exit_code == 2 and "at most once a minute" in refused.stderr


def test_refresh_runs_in_the_background_and_drops_cached_answers(
    mirror: Mirror, store_url: str
) -> None:
    import doctest

    from supplygraph.loaders import update as update_module
    from supplygraph.loaders.update import Refresher, parse_interval

    assert doctest.testmod(update_module).failed == 0
    assert parse_interval("24h") == 86_400 and parse_interval("1d") == 86_400
    with pytest.raises(Exception, match="at most once a minute"):
        parse_interval("10s")

    _fill(mirror)
    mirror.files[MA_L] = _oui(without=("BCAD28",))
    graph = SupplyGraph.open(store_url)
    before = graph.resolve(mac="BC:AD:28:11:22:33")
    assert before.verdict == "unknown"
    assert len(graph.resolver.answers) == 1
    mirror.files[MA_L] = _oui()
    logged: list[str] = []
    done = threading.Event()

    def job() -> str:
        report = graph.update(only=["ieee-ma-l"], mirror=mirror.base)
        done.set()
        return "; ".join(f"{o.name} {o.status}" for o in report.outcomes)

    refresher = Refresher(0.05, job, logged.append)
    refresher.start()
    assert done.wait(30)
    refresher.stop(30)
    assert logged and logged[0] == "ieee-ma-l loaded"
    assert len(graph.resolver.answers) == 0  # dropped after the refresh
    assert graph.resolve(mac="BC:AD:28:11:22:33").verdict == "yes"
    graph.close()


def test_a_csv_not_shown_complete_withholds_its_delistings(
    mirror: Mirror, store_url: str, tmp_path: Path
) -> None:
    rows = _lines(DATA / "csl-us/csl_current_format_sample.csv")
    sources = tmp_path / "csv.yaml"
    sources.write_text(
        "sources:\n  - name: csl-csv\n    url: https://lists.example.org/csl.csv\n"
        "    format: csl\n",
        encoding="utf-8",
    )
    mirror.files["/lists.example.org/csl.csv"] = b"".join(rows)
    first, _ = _update(mirror, store_url, "--sources", str(sources))
    assert first.exit_code == 0, first.output
    mirror.files["/lists.example.org/csl.csv"] = b"".join(r for r in rows if b"SME BANK" not in r)
    held, body = _update(mirror, store_url, "--sources", str(sources))
    assert held.exit_code == 0, held.output
    (outcome,) = body["sources"]
    assert "1 delistings withheld" in outcome["reason"]
    assert outcome["changes"]["delistings_withheld"] == 1
    assert outcome["changes"]["designations_ended"] == 0
    mirror.files["/lists.example.org/csl.csv"] = b"".join(
        r for r in rows if b"SME BANK" not in r and b"Evren KAYAKIRAN" not in r
    )
    ended, body = _update(mirror, store_url, "--sources", str(sources), "--assume-complete")
    assert ended.exit_code == 0, ended.output
    assert body["sources"][0]["changes"]["designations_ended"] == 2, json.dumps(body)
