"""`supplygraph bench --quick --json` runs and prints well-formed figures (no timing asserted)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from supplygraph.bench import http

KEYS = {"name", "value", "unit", "baseline_name", "baseline_value", "ratio"}


def test_bench_quick_json_is_well_formed() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "supplygraph.cli", "bench", "--quick", "--json"],
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    figures = orjson.loads(done.stdout)
    assert isinstance(figures, list) and figures
    names = {f["name"] for f in figures}
    for wanted in ("http_resolve_vs_noop", "ingest_vs_parse", "resolve_inprocess_mac"):
        assert wanted in names
    assert any(n.startswith("ubo_query_p99") for n in names)
    for fig in figures:
        assert set(fig) >= KEYS, fig
        assert isinstance(fig["name"], str) and isinstance(fig["unit"], str)
        assert isinstance(fig["value"], float) and math.isfinite(fig["value"])
        if fig["baseline_value"] not in (None, 0) and fig["ratio"] is not None:
            assert math.isclose(
                fig["ratio"], fig["value"] / fig["baseline_value"], rel_tol=1e-2, abs_tol=1e-3
            )
    errors = next(f for f in figures if f["name"].endswith("_errors"))
    assert errors["value"] == 0, "the bounded load test saw failed requests"


def test_httpx_load_client_is_bounded_and_loopback_only(seeded_path: Path) -> None:
    with http.server(f"sqlite:///{seeded_path}") as base:
        result = http.load(base, http.RESOLVE_PATHS, 4, 5, max_requests=120, use_wrk=False)
    assert result.errors == 0
    assert 0 < result.requests <= 120 + 4  # each connection may have one request in flight
    assert result.p99_ms >= result.p50_ms > 0
    with pytest.raises(ValueError):
        http.load("http://192.0.2.1:80", http.NOOP_PATHS, 1, 1, use_wrk=False)
