"""``resolve_inprocess``: microseconds per single resolve, next to a bare dict lookup.

Keys rotate over many distinct MAC addresses (all spellings, several IEEE blocks), brands and
FCC IDs, so the figure includes normalizing what was typed; answers are cached per normalized
key and store version, which is the steady state of a service answering procurement lookups.
The uncached path (cache cleared before every call) is reported as its own figure.
"""

from __future__ import annotations

import itertools
import random

from supplygraph.graph.engine.resolve import Query
from supplygraph.service import SupplyGraph

from .figures import Figure, per_call_us

BLOCKS = ("0C75D2", "C056E3", "4419B6", "BCAD28", "E0CA3C", "3C1BF8")
BRANDS = ("HiLook", "EZVIZ", "HiWatch", "HIKMICRO", "Lorex", "Pyronix")
FCC_IDS = ("2ADTD-5604SD", "2ADTD-DS2CD", "2AVYF-C6N", "2APXY-ABC")


def _macs(n: int, rng: random.Random) -> list[str]:
    out = []
    for i in range(n):
        hexed = rng.choice(BLOCKS) + f"{rng.getrandbits(24):06X}"
        forms = (
            ":".join(hexed[j : j + 2] for j in range(0, 12, 2)).lower(),
            "-".join(hexed[j : j + 2] for j in range(0, 12, 2)),
            ".".join(hexed[j : j + 4] for j in range(0, 12, 4)).lower(),
        )
        out.append(forms[i % 3])
    return out


def run(graph: SupplyGraph, calls: int) -> list[Figure]:
    """Per-key-kind figures (MAC, brand, FCC ID), plus the uncached MAC path."""
    rng = random.Random(5)
    kinds = {
        "mac": [Query(mac=m) for m in _macs(2000, rng)],
        "brand": [Query(brand=b) for b in BRANDS],
        "fcc_id": [Query(fcc_id=f) for f in FCC_IDS],
    }
    table = {f"k{i}": i for i in range(100_000)}
    keys = [f"k{rng.randrange(100_000)}" for _ in range(2000)]
    figures = []
    resolver = graph.resolver
    key_cycle = itertools.cycle(keys)
    dict_us = per_call_us(lambda: table.get(next(key_cycle)), calls)
    for kind, queries in kinds.items():
        for q in queries:  # warm: first answers are computed and cached
            resolver.resolve(q)
        query_cycle = itertools.cycle(queries)
        us = per_call_us(lambda: resolver.resolve(next(query_cycle)), calls)  # noqa: B023  # called at once
        figures.append(
            Figure(
                f"resolve_inprocess_{kind}",
                us,
                "us/call",
                "dict_lookup_us",
                dict_us,
                goal="value < 50 us",
                note=f"{len(queries)} distinct keys rotating; answers cached per key and version",
            )
        )
    mac_cycle = itertools.cycle(kinds["mac"][:200])

    def cold() -> object:
        resolver.answers.clear()
        return resolver.resolve(next(mac_cycle))

    figures.append(
        Figure(
            "resolve_inprocess_mac_uncached",
            per_call_us(cold, max(20, calls // 50)),
            "us/call",
            "dict_lookup_us",
            dict_us,
            goal="reported",
            note="answer cache cleared before each call (closures stay cached)",
        )
    )
    return figures
