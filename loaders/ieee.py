"""The IEEE Registration Authority's CSV files: MA-L (``oui.csv``), MA-M (``mam.csv``), MA-S
(``oui36.csv``) and the frozen IAB list (``iab.csv``), all with the header
``Registry,Assignment,Organization Name,Organization Address``.

Each row is one block: the ``Registry`` column names its size (MA-L 24 bits, six hex digits;
MA-M 28 bits, seven; MA-S and IAB 36 bits, nine), the address is one line that ends with the
country code and the postcode. The records are those of the registry netaddr ships
(:mod:`.oui`: the same assignee and block ids), so a CSV loaded over the built-in registry adds
only what is new, and the assignee mapping in ``seed_data/ieee_assignees.yaml`` applies to both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from supplygraph.graph.model.records import IdScheme, Record, SourceRef

from .context import LoadContext
from .format_spec import Flags, LoaderFormat, Peek
from .oui import assignment_records
from .reading import iter_table

HEADER = ("Registry", "Assignment", "Organization Name", "Organization Address")
# Registry -> (identifier scheme, hex digits, where the public listing lives).
REGISTRIES: dict[str, tuple[IdScheme, int, str]] = {
    "MA-L": (IdScheme.OUI, 6, "https://standards-oui.ieee.org/oui/oui.csv"),
    "MA-M": (IdScheme.OUI28, 7, "https://standards-oui.ieee.org/oui28/mam.csv"),
    "MA-S": (IdScheme.OUI36, 9, "https://standards-oui.ieee.org/oui36/oui36.csv"),
    "IAB": (IdScheme.OUI36, 9, "https://standards-oui.ieee.org/iab/iab.csv"),
}
_HEX = re.compile(r"[0-9A-F]+")
_COUNTRY = re.compile(r"\b([A-Z]{2})\b")


def dataset_of(registry: str) -> str:
    """``MA-L`` -> ``ieee-ma-l``: one dataset per registry, so each is diffed on its own."""
    return f"ieee-{registry.lower()}"


def country_of(address: str) -> str | None:
    """The country code of a one-line IEEE address: the last two-capital word.

    >>> country_of("No.555 Qianmo Road Hangzhou Zhejiang CN 310052")
    'CN'
    >>> country_of("2181 Buchanan Loop Ferndale WA US 98248"), country_of("private")
    ('US', None)
    """
    found = _COUNTRY.findall(address)
    return found[-1] if found else None


def _source(registry: str, url: str, quote: str) -> SourceRef:
    return SourceRef(
        id=f"ieee-{registry.lower()}-csv",
        title=f"IEEE Registration Authority {registry} public listing (CSV)",
        url=url,
        grade="A",
        quote=quote,
    )


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    """Every block of the file with its assignee; rows of an unknown registry or with a
    malformed assignment are skipped with a warning naming the line."""
    for line, row in iter_table(ctx, path, HEADER):
        registry = row["Registry"].upper()
        known = REGISTRIES.get(registry)
        if not ctx.dataset:
            ctx.dataset = dataset_of(registry if known else "unknown")
        org = " ".join(row["Organization Name"].split())
        value = row["Assignment"].replace("-", "").replace(":", "").upper()
        if known is None:
            ctx.warn(
                line, f"unknown registry {row['Registry']!r}; expected one of MA-L, MA-M, MA-S, IAB"
            )
            ctx.skip()
            continue
        scheme, digits, url = known
        if len(value) != digits or not _HEX.fullmatch(value):
            ctx.warn(
                line, f"{registry} assignment {row['Assignment']!r} is not {digits} hex digits"
            )
            ctx.skip()
            continue
        if not org:
            ctx.skip()
            continue
        address = " ".join(row["Organization Address"].split())
        if scheme is IdScheme.OUI:
            label = f"MAC block {':'.join(value[i : i + 2] for i in range(0, 6, 2))} ({registry})"
        else:
            bits = 28 if scheme is IdScheme.OUI28 else 36
            label = f"MAC block {value} ({registry}, {bits}-bit)"
        src = _source(registry, url, f"{registry},{row['Assignment']},{org}")
        yield from assignment_records(
            org, [address] if address else [], scheme, value, label, src, country_of(address)
        )


def _recognise(peek: Peek) -> bool:
    return {"Registry", "Assignment", "Organization Name"} <= peek.header


FORMAT = LoaderFormat(
    name="ieee",
    records=records,
    recognise=_recognise,
    # Registry assignees are tied to curated entities only by the reviewed mapping in
    # seed_data/ieee_assignees.yaml, never by name, as for the built-in registry.
    flags=Flags(link_names=False),
)
