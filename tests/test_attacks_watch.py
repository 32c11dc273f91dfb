"""Watch reports against receivers that misbehave, and watches that are damaged or busy
(issue: Hardening III, M4, L1, L3-L5). Receivers are ``tests/hostile_server.py`` on 127.0.0.1.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hostile_server import Hostile, hostile_server, listener, redirect, send, trickle_body
from typer.testing import CliRunner

from supplygraph.audit import watch as watch_module
from supplygraph.audit.watch import WatchError, Watches
from supplygraph.cli import app
from supplygraph.service import SupplyGraph

runner = CliRunner()
INVENTORY = "mac,name,brand\n0C:75:D2:11:22:33,,\n,,HiLook\n"


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "WEBHOOK_BACKOFF", (0.05, 0.05), raising=False)
    monkeypatch.setattr(watch_module, "WEBHOOK_TIMEOUT", 1.5)


def _watch(
    watches: Watches, graph: SupplyGraph, tmp_path: Path, name: str, hook: str | None
) -> None:
    inventory = tmp_path / f"{name}.csv"
    inventory.write_text(INVENTORY, encoding="utf-8")
    watches.add(graph.resolver, inventory, name, hook)


def _forget_row_one(watches: Watches, name: str) -> None:
    """Make the stored verdict of row 1 differ, so that the next check reports it changed."""
    rows_file = watches.root / name / "rows.jsonl"
    rows = [json.loads(line) for line in rows_file.read_text().splitlines()]
    rows[0]["verdict"] = "unknown"
    rows_file.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _posts(server: Hostile, path: str) -> list[dict[str, object]]:
    return [json.loads(b) for m, p, b in server.received if m == "POST" and p == path]


def test_a_failing_receiver_gets_the_report_again(graph: SupplyGraph, tmp_path: Path) -> None:
    # Was: a 500 lost the report; the next check (0 changed rows) sent nothing.
    watches = Watches(tmp_path / "watches")
    with hostile_server() as server:
        server.routes["/hook"] = send(b"down", status=500)
        _watch(watches, graph, tmp_path, "site", f"{server.base}/hook")
        _forget_row_one(watches, "site")
        first = watches.check(graph.resolver, graph.view, "site")
        assert first.changed and first.webhook_error and "HTTP 500" in first.webhook_error
        assert first.webhook_pending == 1
        assert len(_posts(server, "/hook")) == watch_module.WEBHOOK_ATTEMPTS  # retried
        assert first.to_json()["webhook_error"] == first.webhook_error
        assert watches.meta("site").webhook_pending == 1  # the listing shows it
        server.routes["/hook"] = send(b"", status=204)
        server.received.clear()
        second = watches.check(graph.resolver, graph.view, "site")
        assert not second.changed and second.webhook_error is None and second.webhook_pending == 0
        (delivered,) = _posts(server, "/hook")
        assert delivered["changed_rows"] == 1 and delivered["watch"] == "site"


def test_redirects_are_not_followed(graph: SupplyGraph, tmp_path: Path) -> None:
    # Was: a 302 turned the POST into a GET without body, silently; ftp:// was followed.
    watches = Watches(tmp_path / "watches")
    with hostile_server() as server, listener() as ftp:
        server.routes["/moved"] = redirect(f"{server.base}/elsewhere")
        server.routes["/ftp"] = redirect(f"ftp://127.0.0.1:{ftp['port']}/x")
        server.routes["/elsewhere"] = send(b"", status=204)
        for name, path in (("moved", "/moved"), ("ftp", "/ftp")):
            _watch(watches, graph, tmp_path, name, f"{server.base}{path}")
            _forget_row_one(watches, name)
            report = watches.check(graph.resolver, graph.view, name)
            assert report.webhook_error and "not followed" in report.webhook_error
            assert report.webhook_pending == 1
        assert not [r for r in server.received if r[1] == "/elsewhere"]
        time.sleep(0.3)
        assert ftp["connections"] == 0


def test_a_trickling_receiver_is_cut_at_the_deadline(graph: SupplyGraph, tmp_path: Path) -> None:
    # Was: 92 s against a 15 s limit.
    watches = Watches(tmp_path / "watches")
    with hostile_server() as server:
        server.routes["/slow"] = trickle_body()
        _watch(watches, graph, tmp_path, "slow", f"{server.base}/slow")
        _forget_row_one(watches, "slow")
        started = time.monotonic()
        report = watches.check(graph.resolver, graph.view, "slow")
        elapsed = time.monotonic() - started
    assert report.webhook_error and "no answer within" in report.webhook_error
    limit = watch_module.WEBHOOK_ATTEMPTS * (watch_module.WEBHOOK_TIMEOUT + 0.1)
    assert elapsed < limit + 5  # the audit itself takes a moment too


@pytest.mark.parametrize(
    "url", ["http://", "https:///path", "http://127.0.0.1/x\r\nX-Evil: 1", "ftp://127.0.0.1/"]
)
def test_webhook_urls_are_checked_when_the_watch_is_made(
    graph: SupplyGraph, tmp_path: Path, url: str
) -> None:
    watches = Watches(tmp_path / "watches")
    with pytest.raises(WatchError, match="webhook"):
        _watch(watches, graph, tmp_path, "bad", url)
    assert watches.names() == []


def test_one_bad_watch_does_not_stop_the_others(
    graph: SupplyGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Was: one damaged watch, a CR LF webhook in watch.json, or a second check stopped them all.
    root = tmp_path / "watches"
    monkeypatch.setenv("SUPPLYGRAPH_WATCH_DIR", str(root))
    watches = Watches(root)
    for name in ("a-damaged", "b-crlf", "c-busy", "d-fine"):
        _watch(watches, graph, tmp_path, name, None)
    (root / "a-damaged" / "watch.json").write_text("{not json", encoding="utf-8")
    meta = json.loads((root / "b-crlf" / "watch.json").read_text())
    meta["webhook"] = "http://127.0.0.1:9/x\r\nX-Evil: 1"
    (root / "b-crlf" / "watch.json").write_text(json.dumps(meta), encoding="utf-8")
    with watches.locked("c-busy"):
        reports, errors = watches.check_all(graph.resolver, graph.view)
        store = f"sqlite:///{graph.store.path}" if hasattr(graph.store, "path") else None
        result = runner.invoke(
            app, ["watch", "--check", "--json", *(["--store", store] if store else [])]
        )
    assert [r.name for r in reports] == ["d-fine"]
    assert set(errors) == {"a-damaged", "b-crlf", "c-busy"}
    assert "damaged" in errors["a-damaged"] and "control" in errors["b-crlf"]
    assert "being checked" in errors["c-busy"]
    listing = runner.invoke(app, ["watch", "--json"])
    listed = {w["watch"]: w for w in json.loads(listing.stdout)}
    assert "error" in listed["a-damaged"] and listed["d-fine"]["rows"] == 2
    if store:
        assert result.exit_code == 2, result.output
        shown = {w["watch"]: w for w in json.loads(result.stdout)}
        assert "error" in shown["a-damaged"] and "changed_rows" in shown["d-fine"]


@pytest.mark.parametrize("name", ["/etc", "../outside", "a/b", ".."])
def test_a_watch_name_is_never_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    # Was: `watch --remove --name /abs/path` deleted any folder holding a watch.json.
    victim = tmp_path / "outside"
    victim.mkdir()
    (victim / "watch.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("SUPPLYGRAPH_WATCH_DIR", str(tmp_path / "watches"))
    target = str(victim) if name == "/etc" else name
    result = runner.invoke(app, ["watch", "--remove", "--name", target])
    assert result.exit_code == 2
    assert (victim / "watch.json").exists()
