"""What the engine's terse keys mean, in words for the web UI (``oui:0C75D2``, ``prefix:...``)."""

from __future__ import annotations

SCHEMES = {
    "oui": "IEEE MAC block (MA-L)",
    "oui28": "IEEE MAC block (MA-M)",
    "oui36": "IEEE MAC block (MA-S)",
    "fcc_grantee": "FCC grantee code",
    "lei": "LEI",
    "uscc": "Chinese unified social credit code",
    "isin": "ISIN",
    "ticker": "stock ticker",
    "registry": "company registry number",
    "source_key": "record key in a source",
}
MAC_SCHEMES = ("oui", "oui28", "oui36")


def mac_block(value: str) -> str:
    """A block's hex digits as people write MAC prefixes.

    >>> mac_block("0C75D2"), mac_block("0C75D2A")
    ('0C-75-D2', '0C-75-D2-A')
    """
    return "-".join(value[i : i + 2] for i in range(0, len(value), 2))


def matched_on(key: str, field: str = "") -> str:
    """How a match or a search hit was found, in words.

    >>> matched_on("prefix:Hikvision Digital")
    'the beginning of the name “Hikvision Digital”'
    >>> matched_on("oui:0C75D2")
    'IEEE MAC block (MA-L) 0C-75-D2'
    >>> matched_on("fcc_grantee:2ADTD")
    'FCC grantee code 2ADTD'
    >>> matched_on("海康威视")
    'the name “海康威视”'
    >>> matched_on("DS-2CD*", "model")
    'the model number “DS-2CD*”'
    """
    scheme, sep, value = key.partition(":")
    if sep and scheme == "prefix":
        return f"the beginning of the name “{value}”"
    if sep and scheme in MAC_SCHEMES:
        return f"{SCHEMES[scheme]} {mac_block(value)}"
    if sep and scheme in SCHEMES:
        return f"{SCHEMES[scheme]} {value}"
    if field == "model":
        return f"the model number “{key}”"
    return f"the name “{key}”"
