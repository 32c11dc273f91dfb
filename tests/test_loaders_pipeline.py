"""Parsing in a second process (loaders/pipeline.py): the same records and context as parsing in
process, errors raised unchanged, no parsing process left behind, nothing half-written."""

from __future__ import annotations

import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from supplygraph.bench.ingest import ingest, write_ftm
from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.records import Record
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.batches import write_records
from supplygraph.loaders import ftm
from supplygraph.loaders import ingest as ingest_module
from supplygraph.loaders.context import LoadContext
from supplygraph.loaders.pipeline import parallel_records

DATA = Path(__file__).parent / "data"
FTM_FILE = DATA / "ftm" / "public_facts.ftm.json"

# The tests below look for the child among this process's children; a forked child is only
# started while this process runs one thread.
needs_fork = pytest.mark.skipif(
    threading.active_count() > 1, reason="the pipeline parses in process when threads run"
)


def _context_fields(ctx: LoadContext) -> dict[str, object]:
    return {k: v for k, v in vars(ctx).items() if k not in ("progress", "view")}


def _children() -> list[multiprocessing.process.BaseProcess]:
    return multiprocessing.active_children()


@needs_fork
def test_same_records_and_context_as_in_process() -> None:
    here = LoadContext(path=FTM_FILE)
    expected = list(ftm.records(FTM_FILE, here))
    there = LoadContext(path=FTM_FILE)
    progress: list[int] = []
    there.progress = progress.append
    batches = list(parallel_records(ftm.records, FTM_FILE, there, batch=2))
    assert [r for batch in batches for r in batch] == expected
    assert len(batches) == (len(expected) + 1) // 2
    assert _context_fields(there) == _context_fields(here)
    assert sum(progress) == here.read
    assert _children() == []


def _bad_file(tmp_path: Path) -> Path:
    lines = FTM_FILE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "broken.ftm.json"
    path.write_text("\n".join([*lines[:3], '{"id": "x", "schema": ', *lines[3:]]) + "\n")
    return path


@needs_fork
def test_error_names_file_and_line_and_ends_the_child(tmp_path: Path) -> None:
    path = _bad_file(tmp_path)
    with pytest.raises(InvalidRecord) as in_process:
        list(ftm.records(path, LoadContext(path=path)))
    with pytest.raises(InvalidRecord) as piped:
        list(parallel_records(ftm.records, path, LoadContext(path=path), batch=1))
    assert str(piped.value) == str(in_process.value)
    assert (piped.value.file, piped.value.line) == (str(path), 4)
    assert piped.value.details == in_process.value.details
    assert _children() == []


@needs_fork
@pytest.mark.parametrize("how", ["close", "drop"])
def test_child_ends_when_the_parent_stops_early(tmp_path: Path, how: str) -> None:
    path = tmp_path / "big.ftm.json"
    write_ftm(path, 3000)
    batches = parallel_records(ftm.records, path, LoadContext(path=path), batch=100)
    assert len(next(batches)) == 100
    (child,) = _children()
    if how == "close":
        batches.close()
    else:
        del batches  # dropped unfinished: closed by the collector
    assert not child.is_alive()
    assert _children() == []


def test_parses_in_process_while_another_thread_runs() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        batches = list(parallel_records(ftm.records, FTM_FILE, LoadContext(path=FTM_FILE)))
    finally:
        stop.set()
        other.join()
    assert [r for b in batches for r in b] == list(
        ftm.records(FTM_FILE, LoadContext(path=FTM_FILE))
    )


def _dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}


@needs_fork
def test_bench_ingest_stores_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.ftm.json"
    write_ftm(path, 3000)
    piped = open_store(f"sqlite:///{tmp_path / 'piped.db'}")
    ingest(piped, path)
    piped.close()
    here = open_store(f"sqlite:///{tmp_path / 'here.db'}")
    write_records(here, ftm.records(path, LoadContext(path=path)))
    here.close()
    piped_rows, here_rows = _dump(tmp_path / "piped.db"), _dump(tmp_path / "here.db")
    assert piped_rows["nodes"] and piped_rows["edges"]
    assert piped_rows == here_rows


def _pipelined(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make load_file pipeline every FtM file; returns the paths it pipelines."""
    started: list[Path] = []

    def counted(read: Any, path: Path, ctx: LoadContext) -> Iterator[list[Record]]:
        started.append(path)
        return parallel_records(read, path, ctx)

    monkeypatch.setattr(ingest_module, "PIPELINE_MIN_BYTES", 0)
    monkeypatch.setattr(ingest_module, "_spare_core", lambda: True)
    monkeypatch.setattr(ingest_module, "parallel_records", counted)
    return started


@needs_fork
def test_load_file_pipelined_matches_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "synthetic.ftm.json"
    write_ftm(path, 1500)
    here = open_store(f"sqlite:///{tmp_path / 'here.db'}")
    expected = ingest_module.load_file(here, path).counts
    here.close()
    started = _pipelined(monkeypatch)
    piped = open_store(f"sqlite:///{tmp_path / 'piped.db'}")
    assert ingest_module.load_file(piped, path).counts == expected
    assert started == [path]
    piped.close()
    # The load log differs only in its time and id; every graph table is the same.
    graph_tables = ("nodes", "edges", "names", "tokens", "idents", "props", "designations")
    piped_rows, here_rows = _dump(tmp_path / "piped.db"), _dump(tmp_path / "here.db")
    assert {t: piped_rows[t] for t in graph_tables} == {t: here_rows[t] for t in graph_tables}


@needs_fork
def test_failed_pipelined_load_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = _pipelined(monkeypatch)
    big = tmp_path / "big.ftm.json"
    write_ftm(big, 3000)
    # A good start (several batches written) and a broken last line.
    big.write_bytes(big.read_bytes() + b'{"id": "x", "schema": \n')
    store = open_store(f"sqlite:///{tmp_path / 'graph.db'}")
    with pytest.raises(InvalidRecord) as failed:
        ingest_module.load_file(store, big)
    assert failed.value.line == 2 * 3000
    assert store.view().counts() == {"nodes": 0, "edges": 0, "designations": 0}
    assert store.view().loads() == []
    store.close()
    assert started == [big]
    assert _children() == []


KILLED_PARENT = """
import multiprocessing, os, signal, sys
from pathlib import Path
from supplygraph.loaders import ftm
from supplygraph.loaders.context import LoadContext
from supplygraph.loaders.pipeline import parallel_records
path = Path(sys.argv[1])
batches = parallel_records(ftm.records, path, LoadContext(path=path), batch=50)
next(batches)
print(multiprocessing.active_children()[0].pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_child_ends_when_the_parent_is_killed(tmp_path: Path) -> None:
    path = tmp_path / "big.ftm.json"
    write_ftm(path, 3000)
    run = subprocess.run(
        [sys.executable, "-c", KILLED_PARENT, str(path)], capture_output=True, text=True
    )
    assert run.returncode == -signal.SIGKILL, run.stderr
    child = int(run.stdout.split()[0])
    deadline = time.monotonic() + 10
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (an orphan is reparented and reaped by init; one that
    has exited but not been reaped yet is a zombie and counts as ended)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
