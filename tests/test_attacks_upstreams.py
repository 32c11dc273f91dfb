"""Upstreams that misbehave (issue: Hardening III, M1-M3, L1, L2, L8, L11).

Every server here is ``tests/hostile_server.py`` on 127.0.0.1; slow routes are bounded loops.
The bounds on elapsed time below are the deadlines under test (a few seconds), not speed claims.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hostile_server import (
    Hostile,
    hostile_server,
    listener,
    redirect,
    send,
    trickle_body,
    trickle_headers,
)
from typer.testing import CliRunner

from supplygraph.cli import app
from supplygraph.graph.errors import FetchFailed, InvalidSources
from supplygraph.loaders.fetch import fetch
from supplygraph.loaders.update import FOLDER_PREFIX, read_sources, update
from supplygraph.service import SupplyGraph

runner = CliRunner()
DATA = Path(__file__).resolve().parent / "data"
OUI = (DATA / "ieee-csv/oui.csv").read_bytes()


# -- M2: one deadline per file ---------------------------------------------------------------
@pytest.mark.parametrize("route", [trickle_body(), trickle_headers()], ids=["body", "headers"])
def test_a_trickling_server_is_cut_at_the_deadline(route: Any, tmp_path: Path) -> None:
    # Was: one byte a second kept each read inside its socket timeout; `timeout: 5` ran 60 s+.
    with hostile_server() as server:
        server.routes["/slow.csv"] = route
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="timed out"):
            fetch(f"{server.base}/slow.csv", tmp_path / "slow.csv", timeout=1.5)
        assert time.monotonic() - started < 6
    assert not list(tmp_path.iterdir())  # nothing half-written is left


# -- L1: redirects stay on http(s) -----------------------------------------------------------
def test_a_redirect_to_ftp_is_refused_without_connecting(tmp_path: Path) -> None:
    with hostile_server() as server, listener() as ftp:
        server.routes["/list.csv"] = redirect(f"ftp://127.0.0.1:{ftp['port']}/list.csv")
        with pytest.raises(FetchFailed, match="redirect"):
            fetch(f"{server.base}/list.csv", tmp_path / "list.csv", timeout=5)
        time.sleep(0.3)
        assert ftp["connections"] == 0


def test_an_http_redirect_is_still_followed(tmp_path: Path) -> None:
    with hostile_server() as server:
        server.routes["/old.csv"] = redirect(f"{server.base}/new.csv", 301)
        server.routes["/new.csv"] = send(OUI)
        got = fetch(f"{server.base}/old.csv", tmp_path / "oui.csv", timeout=5)
        assert got.path is not None and got.path.read_bytes() == OUI


# -- M3: broken archives are that source's error ---------------------------------------------
def _zip(name: str = "oui.csv", data: bytes = OUI) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _patch_headers(blob: bytes, local_at: int, central_at: int, value: int) -> bytes:
    """Set a 2-byte field of the (only) member in its local and central headers."""
    raw = bytearray(blob)
    raw[local_at : local_at + 2] = value.to_bytes(2, "little")
    central = raw.index(b"PK\x01\x02")
    raw[central + central_at : central + central_at + 2] = value.to_bytes(2, "little")
    return bytes(raw)


def _corrupt(blob: bytes) -> bytes:
    raw = bytearray(blob)
    start = 30 + len("oui.csv")
    for i in range(start + 10, start + 60):
        raw[i] ^= 0x5A
    return bytes(raw)


BROKEN_ZIPS: dict[str, Callable[[], bytes]] = {
    "corrupt-data": lambda: _corrupt(_zip()),
    "encrypted-flag": lambda: _patch_headers(_zip(), 6, 8, 0x1),
    "unknown-method": lambda: _patch_headers(_zip(), 8, 10, 99),
    "dotdot-name": lambda: _zip(".."),
    "long-name": lambda: _zip("n" * 300 + ".csv"),
}


def _sources(tmp_path: Path, server: Hostile, entries: dict[str, str]) -> Path:
    path = tmp_path / "sources.yaml"
    lines = ["sources:"]
    for name, route in entries.items():
        lines += [f"  - name: {name}", f"    url: {server.base}{route}", "    format: ieee"]
        lines += ["    timeout: 5"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_broken_archives_fail_their_source_and_the_next_still_loads(tmp_path: Path) -> None:
    # Was: a traceback from the first broken archive; the sources after it were never tried.
    store = f"sqlite:///{tmp_path / 'g.db'}"
    with hostile_server() as server:
        entries = {}
        for kind, make in BROKEN_ZIPS.items():
            server.routes[f"/{kind}.zip"] = send(make())
            entries[kind] = f"/{kind}.zip"
        server.routes["/good/oui.csv"] = send(OUI)
        entries["good"] = "/good/oui.csv"
        sources = _sources(tmp_path, server, entries)
        result = runner.invoke(
            app, ["update", "--sources", str(sources), "--json", "--store", store, "--no-watch"]
        )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    body = json.loads(result.stdout)
    outcomes = {o["source"]: o for o in body["sources"]}
    for kind in ("corrupt-data", "encrypted-flag", "unknown-method"):
        assert outcomes[kind]["status"] == "failed", kind
        assert outcomes[kind]["error"] == "fetch_failed", outcomes[kind]
    assert "encrypted" in outcomes["encrypted-flag"]["reason"]
    assert "compression method 99" in outcomes["unknown-method"]["reason"]
    # A member named ".." or with a too-long name is unpacked under the download's own name.
    for kind in ("dotdot-name", "long-name"):
        assert outcomes[kind]["status"] == "loaded", outcomes[kind]
    assert outcomes["good"]["status"] == "loaded"


def test_a_zip_that_unpacks_past_its_header_is_stopped(tmp_path: Path) -> None:
    blob = bytearray(_zip(data=b"x" * 50_000))
    # Understate the size in both headers: the copy must count what really comes out.
    for offset, at in ((0, 22), (bytes(blob).index(b"PK\x01\x02"), 24)):
        blob[offset + at : offset + at + 4] = (10).to_bytes(4, "little")
    with hostile_server() as server:
        server.routes["/lie.zip"] = send(bytes(blob))
        with pytest.raises(FetchFailed):
            fetch(f"{server.base}/lie.zip", tmp_path / "lie.csv", max_bytes=100, timeout=5)
    assert not list(tmp_path.iterdir())


# -- L2: sources files that used to crash ----------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        'sources:\n  - name: a\n    format: ofac\n    files:\n      "sd\\0n.csv": http://127.0.0.1:9/x\n',
        "sources: " + "[" * 20_000 + "]" * 20_000 + "\n",
    ],
    ids=["nul-in-file-name", "nested-20000"],
)
def test_bad_sources_files_are_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidSources, match="sources.yaml"):
        read_sources(path)
    result = runner.invoke(
        app, ["update", "--sources", str(path), "--store", f"sqlite:///{tmp_path / 'g.db'}"]
    )
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_url_file_name_over_255_bytes_loads(tmp_path: Path) -> None:
    with hostile_server() as server:
        route = "/" + "o" * 300 + ".csv"
        server.routes[route] = send(OUI)
        sources = _sources(tmp_path, server, {"long-url": route})
        graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'g.db'}")
        report = update(graph.store, read_sources(sources), workdir=tmp_path)
        graph.close()
    assert [o.status for o in report.outcomes] == ["loaded"], report.outcomes[0].reason


# -- M1: a stale mirror's older list is refused by its own evidence ---------------------------
def test_an_older_last_modified_is_refused(tmp_path: Path) -> None:
    rows = OUI.splitlines(keepends=True)
    newer, older = b"".join(rows), b"".join(rows[:-3])
    with hostile_server() as server:
        server.routes["/oui.csv"] = send(
            newer, headers={"Last-Modified": "Tue, 03 Mar 2026 10:00:00 GMT"}
        )
        sources = _sources(tmp_path, server, {"oui": "/oui.csv"})
        graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'g.db'}")
        first = update(graph.store, read_sources(sources), workdir=tmp_path)
        assert first.outcomes[0].status == "loaded"
        server.routes["/oui.csv"] = send(
            older, headers={"Last-Modified": "Mon, 16 Feb 2026 10:00:00 GMT"}
        )
        stale = update(graph.store, read_sources(sources), workdir=tmp_path)
        (outcome,) = stale.outcomes
        assert outcome.status == "failed" and outcome.error_code == "load_refused"
        assert "last modified" in outcome.reason and "--allow-older" in outcome.reason
        forced = update(graph.store, read_sources(sources), allow_older=True, workdir=tmp_path)
        assert forced.outcomes[0].status == "loaded"
        graph.close()


# -- L8: download folders of a killed update are removed at the next start --------------------
def test_folders_left_by_a_killed_update_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f"{FOLDER_PREFIX}{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "oui.csv.part").write_bytes(b"x" * 1000)
    import os

    live = tmp_path / f"{FOLDER_PREFIX}{os.getppid()}-def"  # a running process: kept
    live.mkdir()
    graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'g.db'}")
    update(graph.store, [], workdir=tmp_path)
    graph.close()
    assert not stale.exists() and live.exists()


# -- M2: the refresher says what each source did --------------------------------------------
def test_update_tells_each_sources_start_and_end(tmp_path: Path) -> None:
    told: list[str] = []
    with hostile_server() as server:
        server.routes["/oui.csv"] = send(OUI)
        server.routes["/slow.csv"] = trickle_body()
        sources = _sources(tmp_path, server, {"oui": "/oui.csv", "slow": "/slow.csv"})
        specs = [s.model_copy(update={"timeout": 1.0}) for s in read_sources(sources)]
        graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'g.db'}")
        graph.store.close()
        graph = SupplyGraph.open(f"sqlite:///{tmp_path / 'g.db'}")
        update(
            graph.store,
            specs,
            workdir=tmp_path,
            on_start=lambda name: told.append(f"start {name}"),
            on_outcome=lambda o: told.append(f"{o.status} {o.name}"),
        )
        graph.close()
    assert told == ["start oui", "loaded oui", "start slow", "failed slow"]


# -- M1, L11: an older list by its listings' dates; shrinks add up ---------------------------
CSL_HEADER = (DATA / "csl-us/csl_current_format_sample.csv").read_text().splitlines()[0]


def _csl_file(path: Path, count: int, skip: tuple[int, ...] = ()) -> Path:
    """A CSL-layout CSV of ``count`` Entity List rows, one started each day from 2026-01-01."""
    import csv
    from datetime import date, timedelta

    columns = CSL_HEADER.split(",")
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, columns)
        out.writeheader()
        for i in range(count):
            if i in skip:
                continue
            row = dict.fromkeys(columns, "")
            row |= {
                "_id": f"test-{i:04d}",
                "source": "Entity List (EL) - Bureau of Industry and Security",
                "name": f"Example Test Trading Company {i:04d}",
                "start_date": (date(2026, 1, 1) + timedelta(days=i)).isoformat(),
                "addresses": "1 Test Street, Testville, ZZ",
            }
            out.writerow(row)
    return path


def test_a_csl_16_days_older_is_refused_by_its_newest_listings(tmp_path: Path) -> None:
    from supplygraph.graph.errors import LoadRefused
    from supplygraph.graph.store.backends import open_store
    from supplygraph.loaders.ingest import load_file

    # Was: the stale copy's dates were within the 31-day slack, so it was loaded and ended
    # the newest listings.
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(store, _csl_file(tmp_path / "new.csv", 210), assume_complete=True)
    stale = _csl_file(tmp_path / "stale.csv", 210, skip=tuple(range(194, 210)))
    with pytest.raises(LoadRefused, match="older version") as refused:
        load_file(store, stale, assume_complete=True)
    assert refused.value.details["newer_listings_missing"] == 16
    assert len(store.view().loads()) == 1  # nothing of the stale file was written
    # A withdrawn newest listing alone is an ordinary delisting.
    one = load_file(store, _csl_file(tmp_path / "one.csv", 210, skip=(209,)), assume_complete=True)
    assert one.counts["designations_ended"] == 1
    store.close()


def test_shrinks_under_the_limit_add_up(tmp_path: Path) -> None:
    from supplygraph.graph.errors import LoadRefused
    from supplygraph.graph.store.backends import open_store
    from supplygraph.loaders.ingest import load_file

    # Was: 210 -> 157 in three loads, each under 10%, each accepted.
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    load_file(store, _csl_file(tmp_path / "v1.csv", 210), assume_complete=True)
    # Listings leave from the oldest end (no newer listing is missing: not a replay).
    step1 = _csl_file(tmp_path / "v2.csv", 210, skip=tuple(range(0, 19)))
    load_file(store, step1, assume_complete=True)
    step2 = _csl_file(tmp_path / "v3.csv", 210, skip=tuple(range(0, 38)))
    with pytest.raises(LoadRefused, match="last full version") as refused:
        load_file(store, step2, assume_complete=True)
    assert refused.value.details["shrink_base"] == 210
    load_file(store, step2, assume_complete=True, allow_shrink=True)  # the operator says so
    step3 = _csl_file(tmp_path / "v4.csv", 210, skip=tuple(range(0, 50)))
    load_file(store, step3, assume_complete=True)  # 172 -> 160 against the new base: 7%
    store.close()


# -- L10: a size cap per GLEIF XML field -----------------------------------------------------
def test_a_huge_gleif_field_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    from memory_cap import run_capped

    # Was: a 60 MB LegalName took 1 GB at peak and came back as a 126 MB answer.
    sample = (DATA / "gleif-samples/golden-copy_lei-data.xml").read_text(encoding="utf-8")
    name = "Fidelity Advisor Leveraged Company Stock Fund"
    assert name in sample
    path = tmp_path / "huge-name.xml"
    path.write_text(sample.replace(name, "A" * (40 << 20), 1), encoding="utf-8")
    out = run_capped(
        f"""
from pathlib import Path
from supplygraph.graph.errors import InvalidRecord
from supplygraph.loaders import gleif
from supplygraph.loaders.context import LoadContext
path = Path({str(path)!r})
try:
    list(gleif.records(path, LoadContext(path=path)))
    report(refused=False)
except InvalidRecord as exc:
    report(refused=True, message=exc.message, field=exc.details.get("field"))
""",
        cap_mb=1024,
    )
    assert out["refused"] and out["field"] == "LegalName", out
    assert "larger than" in out["message"]
    assert out["peak_rss"] < 400 << 20


# -- L9: BODS replacement look-ups are indexed -----------------------------------------------
def _bods_pair(folder: Path, count: int) -> tuple[Path, Path]:
    """A hub company owned by ``count`` companies (file 1), then ``count`` statements that
    each replace one of those stakes (file 2), in BODS 0.3."""
    publication = {
        "publicationDate": "2018-11-18",
        "bodsVersion": "0.3",
        "publisher": {"name": "Example Test Registry"},
    }

    def entity(ref: str, name: str) -> dict[str, Any]:
        return {
            "statementID": ref,
            "statementType": "entityStatement",
            "statementDate": "2017-11-18",
            "entityType": "registeredEntity",
            "name": name,
            "publicationDetails": publication,
        }

    def stake(ref: str, owner: int, share: float, replaces: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "statementID": ref,
            "statementType": "ownershipOrControlStatement",
            "statementDate": "2018-01-05",
            "subject": {"describedByEntityStatement": "ent-hub"},
            "interestedParty": {"describedByEntityStatement": f"ent-{owner}"},
            "interests": [{"type": "shareholding", "share": {"exact": share}}],
            "publicationDetails": publication,
        }
        if replaces:
            out["replacesStatements"] = [replaces]
        return out

    owners = range(1, count + 1)
    first = [entity("ent-hub", "Example Test Hub")]
    first += [entity(f"ent-{i}", f"Example Test Owner {i}") for i in owners]
    first += [stake(f"r{i}", i, 0.01, None) for i in owners]
    second = [stake(f"s{i}", i, 0.02, f"r{i}") for i in owners]
    paths = folder / "first.json", folder / "second.json"
    for path, body in zip(paths, (first, second), strict=True):
        path.write_text(json.dumps(body), encoding="utf-8")
    return paths


def test_bods_replacements_of_one_hub_load_in_bounded_time(tmp_path: Path) -> None:
    from memory_cap import run_capped

    # Was: each replacing statement read every stored edge of the subject again: 1,500 of them
    # (a 0.76 MB file) took 238 s; now 3 s. 600 took about 40 s before.
    first, second = _bods_pair(tmp_path, 600)
    out = run_capped(
        f"""
import time
from pathlib import Path
from supplygraph.graph.store.backends import open_store
from supplygraph.loaders.ingest import load_file
store = open_store("sqlite:///{tmp_path / "g.db"}")
load_file(store, Path({str(first)!r}), "bods")
started = time.monotonic()
loaded = load_file(store, Path({str(second)!r}), "bods")
report(seconds=time.monotonic() - started, read=loaded.counts["read"])
""",
        timeout=120,
    )
    assert out["read"] == 600
    assert out["seconds"] < 20, out
