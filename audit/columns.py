"""Which inventory column holds which query field, from the header, case-insensitively.

Headers are compared after folding case and punctuation ("Model No." and "model_no" are the
same), against synonyms listed best first: a column named "Brand" wins over one named "Vendor"
for the brand field, whatever their order in the file. Every other column passes through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from supplygraph.graph.engine.bulk_rows import FIELDS

# Best first. "Manufacturer", "Vendor" and "Make" name who made the device: they are matched as
# brands (brands and organizations). "Supplier" and "Name" name a company: matched as names.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "mac": (
        "mac",
        "mac address",
        "macaddress",
        "mac addr",
        "mac id",
        "ethernet mac",
        "wired mac",
        "lan mac",
        "hardware address",
        "hw address",
        "hwaddr",
        "physical address",
        "ethernet address",
        "bssid",
    ),
    "fcc_id": (
        "fcc id",
        "fccid",
        "fcc",
        "fcc identifier",
        "fcc grant id",
        "fcc grantee code",
        "grantee code",
    ),
    "brand": (
        "brand",
        "brand name",
        "make",
        "manufacturer",
        "manufacturer name",
        "mfr",
        "mfg",
        "maker",
        "oem",
        "vendor",
        "vendor name",
        "trade name",
    ),
    "model": (
        "model",
        "model no",
        "model number",
        "model nr",
        "model name",
        "model id",
        "device model",
        "product model",
        "part number",
        "part no",
        "sku",
    ),
    "name": (
        "name",
        "company",
        "company name",
        "organization",
        "organisation",
        "entity",
        "legal name",
        "supplier",
        "supplier name",
        "distributor",
        "reseller",
        "seller",
    ),
}

LABELS = {
    "mac": "MAC address",
    "fcc_id": "FCC ID",
    "brand": "brand/manufacturer",
    "model": "model number",
    "name": "company/supplier name",
}

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(header: str) -> str:
    """Case and punctuation folded: ``"Model No."`` -> ``"model no"``."""
    return " ".join(_NOT_WORD.sub(" ", header.casefold().replace("#", " no ")).split())


_RANK = {f: {fold(s): rank for rank, s in enumerate(names)} for f, names in SYNONYMS.items()}


@dataclass(frozen=True)
class ColumnMap:
    """Column index per query field (absent fields are missing from ``index``)."""

    columns: tuple[str, ...]
    index: dict[str, int]
    # Every column that names a field, best first (JSON records may spell a key differently).
    alternates: dict[str, tuple[int, ...]]

    def header(self, field: str) -> str:
        """The inventory's own name for a field's column (or the field name)."""
        return self.columns[self.index[field]] if field in self.index else field

    def describe(self) -> dict[str, str]:
        """field -> header, for reports."""
        return {f: self.columns[i] for f, i in self.index.items()}


def map_columns(columns: list[str] | tuple[str, ...]) -> ColumnMap:
    """Assign each query field the best-ranked column; a column serves one field at most.

    >>> map_columns(["Asset", "Vendor", "MAC Address", "Brand"]).describe()
    {'mac': 'MAC Address', 'brand': 'Brand'}
    """
    folded = [fold(str(c)) for c in columns]
    taken: set[int] = set()
    index: dict[str, int] = {}
    candidates = sorted(
        (rank[name], f_order, col)
        for f_order, f in enumerate(FIELDS)
        for col, name in enumerate(folded)
        if name in (rank := _RANK[f])
    )
    for _, f_order, col in candidates:
        f = FIELDS[f_order]
        if f in index or col in taken:
            continue
        index[f] = col
        taken.add(col)
    ordered = {f: index[f] for f in FIELDS if f in index}
    others: dict[str, list[int]] = {f: [i] for f, i in ordered.items()}
    for _, f_order, col in candidates:
        f = FIELDS[f_order]
        if f in others and col not in others[f] and col not in ordered.values():
            others[f].append(col)
    alternates = {f: tuple(cols) for f, cols in others.items()}
    return ColumnMap(tuple(str(c) for c in columns), ordered, alternates)
