"""``ingest_vs_parse``: FtM JSON lines into the embedded store, next to parsing them alone.

The file is synthetic FollowTheMoney data (companies with registration numbers and Ownership
entities linking them), written here, and ingested through the project's FtM loader
(``supplygraph.loaders.ftm``) into a SQLite store in one write transaction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
from supplygraph.graph.model import Record
from supplygraph.graph.store import open_store
from supplygraph.loaders import ftm
from supplygraph.loaders.context import LoadContext

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
    ctx = LoadContext(path=path, dataset="bench-synthetic")
    yield from ftm.records(path, ctx)


def run(workdir: Path, companies: int) -> list[Figure]:
    """Parse-only rate and ingest rate of the same synthetic file, entities per second."""
    path = workdir / "synthetic.ftm.json"
    entities = write_ftm(path, companies)
    data = path.read_bytes()
    start = time.perf_counter()
    parsed = sum(1 for line in data.splitlines() if orjson.loads(line))
    parse_rate = parsed / (time.perf_counter() - start)

    how = "supplygraph.loaders.ftm.records"
    store = open_store(f"sqlite:///{workdir / 'ingest.db'}")
    start = time.perf_counter()
    with store.writer() as writer:
        batch: list[Record] = []
        for record in _records(path):
            batch.append(record)
            if len(batch) >= 2000:
                writer.put(batch)
                batch = []
        writer.put(batch)
    ingest_rate = entities / (time.perf_counter() - start)
    stored = store.view().counts()
    store.close()
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
        )
    ]
