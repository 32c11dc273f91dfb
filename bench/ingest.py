"""``ingest_vs_parse``: FtM JSON lines into the embedded store, next to parsing them alone.

The file is synthetic FollowTheMoney data (companies with registration numbers and Ownership
entities linking them), written here. Ingest goes through the project's FtM loader when it is
installed (``supplygraph.loaders.ftm``); otherwise through :func:`records`, a minimal mapping of
the same two schemata kept here so the figure exists. The report says which one ran.
"""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from supplygraph.graph.model import (
    Edge,
    Identifier,
    IdScheme,
    Node,
    NodeKind,
    Record,
    Relation,
    SourceRef,
)
from supplygraph.graph.store import open_store

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


SOURCE = SourceRef(id="bench-ftm", title="synthetic FollowTheMoney file", grade="C")


def records(path: Path) -> Iterator[Record]:
    """Companies and Ownerships of an FtM file as records (the fallback mapping)."""
    with path.open("rb") as lines:
        for line in lines:
            entity: dict[str, Any] = orjson.loads(line)
            props: dict[str, list[str]] = entity.get("properties", {})
            if entity["schema"] == "Ownership":
                share = props.get("percentage", [None])[0]
                owner, asset = props["owner"][0], props["asset"][0]
                yield Edge(
                    id=entity["id"],
                    src=owner,
                    dst=asset,
                    relation=Relation.OWNS,
                    share=float(share) if share else None,
                    sources=(SOURCE,),
                )
                continue
            names = props.get("name", [entity["id"]])
            idents = tuple(
                Identifier(scheme=IdScheme.REGISTRY, value=f"{c.upper()}:{r}")
                for c in props.get("country", ["xx"])[:1]
                for r in props.get("registrationNumber", [])
            )
            yield Node(
                id=entity["id"],
                kind=NodeKind.ORGANIZATION,
                name=names[0],
                aliases=tuple(names[1:]) + tuple(props.get("alias", [])),
                country=next(iter(props.get("country", [])), None),
                identifiers=idents,
                sources=(SOURCE,),
            )


def _loader() -> tuple[str, Callable[[Path], Iterator[Record]]]:
    """The project's FtM loader if present, else the fallback mapping above."""
    try:
        module = importlib.import_module("supplygraph.loaders.ftm")
    except ImportError:
        return "bench fallback mapping (no supplygraph.loaders.ftm)", records
    fn = getattr(module, "records", None)
    if fn is None:
        return "bench fallback mapping (loaders.ftm has no records())", records
    context = importlib.import_module("supplygraph.loaders.context")

    def project_loader(path: Path) -> Iterator[Record]:
        ctx = context.LoadContext(path=path, dataset="bench-synthetic")
        yield from fn(path, ctx)

    return "supplygraph.loaders.ftm.records", project_loader


def run(workdir: Path, companies: int) -> list[Figure]:
    """Parse-only rate and ingest rate of the same synthetic file, entities per second."""
    path = workdir / "synthetic.ftm.json"
    entities = write_ftm(path, companies)
    data = path.read_bytes()
    start = time.perf_counter()
    parsed = sum(1 for line in data.splitlines() if orjson.loads(line))
    parse_rate = parsed / (time.perf_counter() - start)

    how, loader = _loader()
    store = open_store(f"sqlite:///{workdir / 'ingest.db'}")
    start = time.perf_counter()
    with store.writer() as writer:
        batch: list[Record] = []
        for record in loader(path):
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
