"""``ingest_vs_parse``: FtM JSON lines into the embedded store, next to parsing them alone.

The file is synthetic FollowTheMoney data (companies with registration numbers and Ownership
entities linking them), written here, and ingested through the project's FtM loader
(``supplygraph.loaders.ftm``) into a SQLite store in one write transaction. The loader runs in
a second process (``supplygraph.loaders.pipeline``), as ``load_file`` runs it for large FtM
files, while this one writes.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

from supplygraph.graph.model.records import Record
from supplygraph.graph.store.backends import open_store
from supplygraph.graph.store.protocol import GraphStore
from supplygraph.graph.store.sqlite import WRITE_CACHE_KIB
from supplygraph.loaders import ftm
from supplygraph.loaders.context import LoadContext
from supplygraph.loaders.pipeline import parallel_records

from .figures import Figure

COUNTRIES = ("cn", "us", "gb", "de", "hk", "sg", "ca", "au")
WORDS = ("Vision", "Digital", "Secure", "Optic", "Smart", "Data", "Link", "Sense", "Net", "Tek")


def write_ftm(path: Path, companies: int, seed: int = 3) -> int:
    """Write ``companies`` Company entities and about as many Ownerships; returns entity count."""
    rng = random.Random(seed)
    count = 0
    with path.open("wb") as out:
        for i in range(companies):
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i} Co., Ltd."
            entity = {
                "id": f"syn-co-{i}",
                "schema": "Company",
                "properties": {
                    "name": [name],
                    "alias": [f"{name.split()[0]} {i}"],
                    "country": [rng.choice(COUNTRIES)],
                    "registrationNumber": [f"R{i:09d}"],
                },
                "datasets": ["bench-synthetic"],
                "first_seen": "2024-01-01T00:00:00",
            }
            out.write(orjson.dumps(entity) + b"\n")
            count += 1
            if i:
                owner = rng.randrange(i)
                link = {
                    "id": f"syn-own-{i}",
                    "schema": "Ownership",
                    "properties": {
                        "owner": [f"syn-co-{owner}"],
                        "asset": [f"syn-co-{i}"],
                        "percentage": [str(rng.choice((10, 25, 51, 100)))],
                    },
                    "datasets": ["bench-synthetic"],
                }
                out.write(orjson.dumps(link) + b"\n")
                count += 1
    return count


def _records(path: Path) -> Iterator[Record]:
    """The file's records, parsed in this process."""
    ctx = LoadContext(path=path, dataset="bench-synthetic")
    yield from ftm.records(path, ctx)


def _batches(path: Path) -> Iterator[list[Record]]:
    """The same records in batches, parsed in a second process."""
    ctx = LoadContext(path=path, dataset="bench-synthetic")
    yield from parallel_records(ftm.records, path, ctx)


def ingest(store: GraphStore, path: Path) -> None:
    """Write the file's records into ``store`` in one transaction, as the bench times it."""
    with store.writer() as writer:
        for batch in _batches(path):
            writer.put(batch)


def ingest_in_process(store: GraphStore, path: Path) -> None:
    """The same load with the file parsed in this process, for comparison."""
    with store.writer() as writer:
        writer.put(_records(path))


def run(workdir: Path, companies: int) -> list[Figure]:
    """Parse-only rate and ingest rate of the same synthetic file, entities per second."""
    path = workdir / "synthetic.ftm.json"
    entities = write_ftm(path, companies)
    data = path.read_bytes()
    start = time.perf_counter()
    parsed = sum(1 for line in data.splitlines() if orjson.loads(line))
    parse_rate = parsed / (time.perf_counter() - start)

    how = "supplygraph.loaders.ftm.records parsed in a second process (loaders/pipeline.py)"
    if threading.active_count() > 1:  # the pipeline then parses in process (no safe fork)
        how = "supplygraph.loaders.ftm.records parsed in process (other threads were running)"
    store = open_store(f"sqlite:///{workdir / 'ingest.db'}")
    start = time.perf_counter()
    ingest(store, path)
    ingest_rate = entities / (time.perf_counter() - start)
    stored = store.view().counts()
    store.close()
    floor_s, rows = sql_floor_seconds(workdir / "ingest.db", workdir / "floor.db")
    alone = open_store(f"sqlite:///{workdir / 'in_process.db'}")
    start = time.perf_counter()
    ingest_in_process(alone, path)
    in_process_rate = entities / (time.perf_counter() - start)
    alone.close()
    return [
        Figure(
            "ingest_vs_parse",
            ingest_rate,
            "entities/s",
            "orjson_parse_entities_per_s",
            parse_rate,
            goal="ratio >= 0.25",
            note=f"{entities:,} FtM entities ({stored['nodes']:,} nodes, {stored['edges']:,} "
            f"edges stored) via {how}",
        ),
        Figure(
            "ingest_vs_sql_floor",
            ingest_rate,
            "entities/s",
            "the same rows replayed by executemany, entities/s",
            entities / floor_s,
            goal="ratio >= 0.6",
            note="the floor is SQLite's own cost of the rows this load stored (below)",
        ),
        Figure(
            "ingest_pipelined_vs_in_process",
            ingest_rate,
            "entities/s",
            "the same load parsed in this process, entities/s",
            in_process_rate,
            goal="context: > 1 when a core is free for the parser; the pipeline spends more "
            "CPU in all (sending records), so on a busy machine it can be below 1",
            note="both one transaction into a fresh store, same stored rows",
        ),
        Figure(
            "ingest_sql_floor",
            entities / floor_s,
            "entities/s with no Python work: the stored rows replayed by executemany",
            "orjson_parse_entities_per_s",
            parse_rate,
            goal="context: SQLite's own cost of these rows, a bound on any ingest",
            note=f"{rows:,} rows ({rows / entities:.2f} per entity) into a fresh store of the "
            "same schema, one transaction, batches sorted by key as the writer does",
        ),
    ]


def sql_floor_seconds(stored: Path, fresh: Path, batch: int = 2000) -> tuple[float, int]:
    """Seconds to write the rows a load produced straight into an empty store of the same
    schema (SQLite's own cost of the load), and how many rows that is.

    Rows are read back from ``stored``, shuffled with a fixed seed (a load meets keys in no
    order) and written in batches of the writer's size, each sorted by key as the writer does.
    """
    tables = ("nodes", "edges", "names", "tokens", "idents", "props")
    with sqlite3.connect(stored) as source:
        rows = {t: source.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    rng = random.Random(7)
    for table_rows in rows.values():
        rng.shuffle(table_rows)
    open_store(f"sqlite:///{fresh}").close()  # the schema, as the store creates it
    conn = sqlite3.connect(fresh, isolation_level=None)
    try:
        conn.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
        start = time.perf_counter()
        conn.execute("BEGIN")
        longest = max(len(r) for r in rows.values())
        for at in range(0, longest, batch):
            for table, table_rows in rows.items():
                part = sorted(table_rows[at : at + batch])
                if part:
                    marks = ",".join("?" * len(part[0]))
                    conn.executemany(f"INSERT INTO {table} VALUES ({marks})", part)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - start
    finally:
        conn.close()
    return seconds, sum(len(r) for r in rows.values())
