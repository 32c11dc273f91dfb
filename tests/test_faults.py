"""Faults: a load killed with SIGKILL at random moments leaves the previous graph intact."""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from supplygraph.service import SupplyGraph

KILLS = 20


def _snapshot(path: Path) -> tuple[dict[str, int], str, list[str], list[str]]:
    graph = SupplyGraph.open(f"sqlite:///{path}")
    try:
        counts = graph.view.counts()
        mac = graph.resolve(mac="0c:75:d2:12:34:56")
        brand = graph.resolve(brand="HiLook")
        return (
            counts,
            mac.verdict + "/" + brand.verdict,
            sorted(m.id for m in mac.matched),
            sorted(m.id for m in brand.matched),
        )
    finally:
        graph.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")
def test_kill_during_load_keeps_previous_data(seeded_path: Path, tmp_path: Path) -> None:
    store = tmp_path / "copy.db"
    # The backup API copies a consistent image even while the session's store is open.
    with sqlite3.connect(seeded_path) as src, sqlite3.connect(store) as dst:
        src.backup(dst)
    before = _snapshot(store)
    assert before[1] == "yes/yes"
    rng = random.Random(20)
    killed_mid_load = 0
    for i in range(KILLS):
        what = "oui" if i % 2 else "seed"
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "supplygraph.cli",
                "load",
                what,
                "--store",
                f"sqlite:///{store}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 4.0))
        if proc.poll() is None:
            killed_mid_load += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        with sqlite3.connect(store) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert _snapshot(store) == before, f"kill {i + 1} ({what}) changed the graph"
    # The test means something only if most kills landed while a load was running.
    assert killed_mid_load >= KILLS // 2
