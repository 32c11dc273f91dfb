"""Synthetic FollowTheMoney files for scale tests and the ingest benchmark.

The data is made up and deterministic (same arguments, same bytes); it has the shape of an
OpenSanctions export: companies with names, countries and some LEI codes, ownerships between them
and a few sanctions.

>>> import tempfile, pathlib
>>> path = write_ftm(pathlib.Path(tempfile.mkdtemp()) / "s.ftm.json", 10)
>>> sum(1 for _ in path.open())
13
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import orjson

COUNTRIES = ("cn", "us", "gb", "de", "fr", "jp", "kr", "in", "br", "za")
DATASET = "synthetic_ftm"


def _lei(i: int) -> str:
    """A well-formed (not check-digit valid) LEI, unique per ``i``."""
    body = hashlib.sha1(f"lei{i}".encode(), usedforsecurity=False).hexdigest().upper()[:18]
    return f"{body}{i % 97:02d}"


def ftm_lines(
    entities: int,
    ownership_every: int = 4,
    sanction_every: int = 1000,
    name_pool: int | None = None,
) -> Iterator[bytes]:
    """``entities`` Company lines, plus an Ownership line for every ``ownership_every``-th
    company (owned by the company before it) and a Sanction for every ``sanction_every``-th.

    ``name_pool`` repeats names from a pool of that size, so that memory tests measure the loader
    rather than the (bounded) name-normalization caches filling up.
    """
    for i in range(entities):
        label = i if name_pool is None else i % name_pool
        props: dict[str, list[str]] = {
            "name": [f"Synthetic Holding {label:07d} Limited"],
            "country": [COUNTRIES[i % len(COUNTRIES)]],
        }
        if i % 10 == 0:
            props["leiCode"] = [_lei(i)]
        yield orjson.dumps(
            {
                "id": f"syn-{i}",
                "schema": "Company",
                "caption": props["name"][0],
                "properties": props,
                "datasets": [DATASET],
            }
        )
        if i and ownership_every and i % ownership_every == 0:
            yield orjson.dumps(
                {
                    "id": f"syn-own-{i}",
                    "schema": "Ownership",
                    "properties": {
                        "owner": [f"syn-{i - 1}"],
                        "asset": [f"syn-{i}"],
                        "percentage": [str(10 + i % 90)],
                        "startDate": ["2020-01-01"],
                    },
                    "datasets": [DATASET],
                }
            )
        if sanction_every and i % sanction_every == 0:
            yield orjson.dumps(
                {
                    "id": f"syn-san-{i}",
                    "schema": "Sanction",
                    "properties": {
                        "entity": [f"syn-{i}"],
                        "authority": ["Synthetic Authority"],
                        "program": ["Synthetic program"],
                        "startDate": ["2021-01-01"],
                    },
                    "datasets": [DATASET],
                }
            )


def write_ftm(
    path: Path,
    entities: int,
    ownership_every: int = 4,
    sanction_every: int = 1000,
    name_pool: int | None = None,
) -> Path:
    """Write :func:`ftm_lines` to ``path`` (streamed, so 1M entities need no memory)."""
    with path.open("wb") as fh:
        for line in ftm_lines(entities, ownership_every, sanction_every, name_pool):
            fh.write(line + b"\n")
    return path
