"""`supplygraph bench --quick --json` runs and prints well-formed figures (no timing asserted)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from supplygraph.bench import gleif, http
from supplygraph.bench.names import find_data
from supplygraph.bench.run import SERVER_VARIABLES
from supplygraph.service import SupplyGraph

KEYS = {"name", "value", "unit", "baseline_name", "baseline_value", "ratio"}


def test_bench_quick_json_is_well_formed() -> None:
    done = subprocess.run(
        # The servers' graph kept small here: the size changes the figures, not their form.
        [
            sys.executable,
            "-m",
            "supplygraph.cli",
            "bench",
            "--quick",
            "--json",
            "--server-companies",
            "2000",
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    figures = orjson.loads(done.stdout)
    assert isinstance(figures, list) and figures
    names = {f["name"] for f in figures}
    wanted = {
        "http_resolve_vs_noop",
        "http_resolve_cold_vs_noop",
        "http_resolve_2w_vs_1w",
        "resolve_cold_name_p99",
        "ingest_vs_parse",
        "ingest_vs_sql_floor",
        "resolve_inprocess_mac",
        "gleif_load",
        "gleif_load_peak_rss",
        "gleif_owners_p99",
    }
    # Every server the run was given (.ci/run exports both) gives its figures, never a skip.
    for backend, variable in SERVER_VARIABLES.items():
        if os.environ.get(variable):
            wanted |= {
                f"{backend}_{name}"
                for name in (
                    "load",
                    "load_vs_write_floor",
                    "owners_p99",
                    "resolve_p99",
                    "search_prefix_p99",
                    "gleif_load",
                    "gleif_load_peak_rss",
                )
            }
    if find_data("ofac-sdn-legacy") is not None:  # the name figures' real list is here
        wanted |= {"name_recall_at_1", "name_false_match_rate", "name_score_us"}
    assert wanted <= names, wanted - names
    # The matcher's scorer gave the reference's score on every candidate (else not measured).
    scoring = [f for f in figures if f["name"] == "name_score_us"]
    assert all(f["value"] is not None for f in scoring), scoring
    assert any(n.startswith("ubo_query_p99") for n in names)
    assert "dense_owners_p50" in names
    for fig in figures:
        assert set(fig) >= KEYS, fig
        assert isinstance(fig["name"], str) and isinstance(fig["unit"], str)
        if fig["value"] is None:  # allowed only as "not measured", never with a ratio
            assert fig["ratio"] is None and fig["note"].startswith("not measured"), fig
            continue
        assert isinstance(fig["value"], float) and math.isfinite(fig["value"])
        if fig["baseline_value"] not in (None, 0) and fig["ratio"] is not None:
            assert math.isclose(
                fig["ratio"], fig["value"] / fig["baseline_value"], rel_tol=1e-2, abs_tol=1e-3
            )
    errors = next(f for f in figures if f["name"].endswith("_errors"))
    assert errors["value"] in (0, None), "the bounded load test saw failed requests"


def test_wrk_load_is_bounded_and_loopback_only(seeded_path: Path) -> None:
    with pytest.raises(ValueError):
        http.load("http://192.0.2.1:80", http.NOOP_PATHS, 1, 1)
    if http.wrk_path() is None:
        pytest.skip("wrk is not installed")
    with http.server(f"sqlite:///{seeded_path}") as base:
        result = http.load(base, http.RESOLVE_PATHS, 4, 1)
    assert result.errors == 0
    assert result.requests > 0
    assert result.p99_ms >= result.p50_ms > 0


def test_http_figures_are_not_measured_without_wrk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "wrk_path", lambda: None)
    figures = http.run("sqlite:///unused.db", "sqlite:///unused.db", ["a name"], 1, 1)
    assert {f.name for f in figures} >= {"http_resolve_vs_noop", "http_resolve_cold_vs_noop"}
    for fig in figures:
        assert fig.value is None and fig.ratio is None
        assert fig.note.startswith("not measured")


BENCH_MODULES = ("run", "http", "names", "gleif", "ingest", "inprocess", "ubo", "bulk")


def test_bench_imports_no_httpx() -> None:
    """httpx is a dev-only dependency: the bench must run on a plain install."""
    imports = "; ".join(f"import supplygraph.bench.{m}" for m in BENCH_MODULES)
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; {imports}; print('httpx' in sys.modules)"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_gleif_load_peak_is_the_loaders_own(tmp_path: Path) -> None:
    # The bench holds its synthetic records (GBs at full size) when it starts the loader; the
    # figure must be the loader's memory, not the bench's (ru_maxrss would be the bench's).
    held = bytearray(1024 * 1024 * 1024)
    held[::4096] = b"\x01" * len(held[::4096])  # touched: resident
    lei = gleif.write_lei_file(tmp_path / "lei.xml", 50)
    run = gleif.load_in_child(f"sqlite:///{tmp_path / 'g.db'}", [lei])
    assert run.returncode == 0
    assert 20 < run.peak_rss_mib < 700, run
    loaded = SupplyGraph.open(f"sqlite:///{tmp_path / 'g.db'}")
    assert loaded.view.counts()["nodes"] == 50
    loaded.close()
    del held
