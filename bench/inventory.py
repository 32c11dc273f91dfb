"""A synthetic installed-device inventory built from real identifiers, for tests and the bench.

MAC addresses fall in real IEEE blocks (the registry shipped in ``netaddr``): the blocks of the
assignees the seed ties to curated entities, plus a few hundred other registered blocks, drawn
with a skewed (Zipf-like) distribution as real sites buy from a handful of makers. Brands, FCC
grantee codes and assignee names come from the seed data and the registry; model numbers are
typical catalogue strings. A small share of rows is deliberately bad (malformed MAC or FCC ID,
nothing to resolve) so that error handling is exercised at scale.

Nothing here is an answer: tests compare the bulk engine with single lookups on these rows.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from netaddr import OUI
from netaddr.eui import ieee

from supplygraph.graph.model.records import IdScheme, NodeKind
from supplygraph.loaders.seed import read_seed

COLUMNS = [
    "Asset Tag",
    "MAC Address",
    "Manufacturer",
    "Model No.",
    "FCC ID",
    "Supplier",
    "Location",
]

# Catalogue-style model numbers of several makers; some fall in seed model families, most not.
MODELS = [
    "DS-2CD2143G2-I",
    "DS-7608NI-K2",
    "DS-2DE4425IW-DE",
    "IPC-D140H",
    "DH-IPC-HFW2431S-S-S2",
    "DHI-NVR4108HS-4KS2",
    "HAC-HFW1200T",
    "IPC-F42FP",
    "IPC-HDW1230S",
    "M3045-V",
    "P3265-LVE",
    "XNV-6080R",
    "QNV-6012R",
    "AXIS Q6135-LE",
    "UVC-G4-PRO",
    "CD62",
]
SUPPLIERS = [
    "ADI Global Distribution",
    "Anixter Canada Inc.",
    "Wesco Distribution",
    "Hikvision Canada Inc.",
    "Provincial Security Supply Ltd.",
    "",
]
LOCATIONS = ["Bldg 1 lobby", "Parking P2", "Server room", "Dock 4", "Floor 3, east", ""]
# Grantee codes used as decoys: well-formed, but not in the seed (so unknown, or no).
DECOY_GRANTEES = ["BBQ", "A3L", "2AB8T", "QDS", "2A4RQ"]


@dataclass(frozen=True)
class Pools:
    """Real values the rows draw from."""

    seed_blocks: list[str]  # MA-L blocks of assignees the seed ties to entities
    other_blocks: list[tuple[str, str]]  # (block, assignee) of other registered blocks
    brands: list[str]  # seed brand names and aliases
    grantees: list[str]  # seed FCC grantee codes
    assignees: dict[str, str]  # block -> registered assignee


def _registry() -> dict[str, str]:
    out: dict[str, str] = {}
    for index in ieee.OUI_INDEX:
        oui = OUI(index)
        out[f"{index:06X}"] = " ".join(str(oui.registration(0)["org"]).split())
    return out


def pools(rng: random.Random, others: int = 400) -> Pools:
    """Collect the real blocks, brands and grantee codes the rows are drawn from."""
    seed = read_seed()
    assignees = {
        " ".join(a.assignee.split()).casefold()
        for data in seed.files.values()
        for a in data.ieee_assignees
    }
    registry = _registry()
    seed_blocks = sorted(b for b, org in registry.items() if org.casefold() in assignees)
    rest = sorted(b for b in registry if b not in set(seed_blocks))
    picked = rng.sample(rest, min(others, len(rest)))
    brands: list[str] = []
    grantees: list[str] = []
    for entity in seed.entities.values():
        if entity.kind is NodeKind.BRAND:
            brands += [entity.name, *entity.aliases]
        grantees += [i.value for i in entity.identifiers if i.scheme is IdScheme.FCC_GRANTEE]
    return Pools(
        seed_blocks=seed_blocks,
        other_blocks=[(b, registry[b]) for b in picked],
        brands=sorted(set(brands)),
        grantees=sorted(set(grantees)),
        assignees=registry,
    )


def _notation(hexed: str, n: int) -> str:
    """The notations people paste: colons, dashes, Cisco dots, bare hex."""
    style = n % 4
    if style == 0:
        return ":".join(hexed[i : i + 2] for i in range(0, 12, 2)).lower()
    if style == 1:
        return "-".join(hexed[i : i + 2] for i in range(0, 12, 2))
    if style == 2:
        return ".".join(hexed[i : i + 4] for i in range(0, 12, 4)).lower()
    return hexed


def rows(n: int, seed: int = 6) -> Iterator[list[str]]:
    """``n`` inventory rows (without the header), reproducible for a given ``seed``."""
    rng = random.Random(seed)
    p = pools(rng)
    blocks = [(b, "") for b in p.seed_blocks] + p.other_blocks
    rng.shuffle(blocks)
    # Zipf-like weights: a few makers dominate a site, a long tail appears once or twice.
    weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(blocks))]
    picks = rng.choices(range(len(blocks)), weights=weights, k=min(n, 200_000))
    for i in range(n):
        r = rng.random()
        block, assignee = blocks[picks[i % len(picks)]]
        seeded = block in p.seed_blocks
        mac = ""
        if r < 0.85:
            if rng.random() < 0.01:
                # Locally administered (randomized) addresses: the registry cannot tell the maker.
                hexed = f"{(rng.getrandbits(48) | (1 << 41)) & ~(1 << 40):012X}"
            else:
                hexed = block + f"{rng.getrandbits(24):06X}"
            mac = _notation(hexed, i)
        maker = ""
        q = rng.random()
        if q < 0.35:
            maker = rng.choice(p.brands) if seeded or q < 0.1 else (assignee or p.assignees[block])
        elif q < 0.5:
            maker = p.assignees[block]
        model = rng.choice(MODELS) if rng.random() < 0.4 else ""
        fcc = ""
        if rng.random() < 0.25:
            code = rng.choice(p.grantees if rng.random() < 0.5 else DECOY_GRANTEES)
            fcc = f"{code}-{rng.choice(MODELS)[:8].replace(' ', '')}"
        bad = rng.random()
        if bad < 0.002:
            mac = "not-a-mac"
        elif bad < 0.003:
            fcc = "??"
        elif bad < 0.004:
            mac = maker = model = fcc = ""
        supplier = rng.choice(SUPPLIERS) if rng.random() < 0.3 else ""
        if not (mac or maker or model or fcc) and bad >= 0.004:
            supplier = supplier or SUPPLIERS[0]
        yield [f"A{i + 1:08d}", mac, maker, model, fcc, supplier, rng.choice(LOCATIONS)]


def write_csv(path: Path, n: int, seed: int = 6) -> Path:
    """Write a synthetic inventory of ``n`` rows as CSV (with header) and return its path."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows(n, seed))
    return path
