"""Which IEEE block decides a MAC address: the one rule single lookups and bulk runs share.

The registry assigns blocks, not devices: 24-bit MA-L blocks, some of them subdivided into 28-bit
MA-M or 36-bit MA-S / IAB blocks assigned to other companies. A MAC belongs to the most specific
assigned block among its prefixes.
"""

from __future__ import annotations

from collections.abc import Sequence

# As mac_prefixes gives a MAC's prefixes: least specific first.
BLOCK_SCHEMES = ("oui", "oui28", "oui36")


def mac_digits(mac: str) -> str:
    r"""A MAC as typed with its separators dropped, upper case (not validated).

    >>> mac_digits(" 0c:75:d2-aa.bb cc\n")
    '0C75D2AABBCC'
    """
    # Chained replaces: a third of the cost of str.translate on strings this short, and this
    # runs for every row of a bulk audit.
    return mac.replace(":", "").replace("-", "").replace(".", "").replace(" ", "").strip().upper()


def deciding_block(
    blocks: Sequence[str], assigned: Sequence[bool | None]
) -> tuple[str, str] | None:
    """The block that decides a MAC whose prefixes are ``blocks`` (24-, 28-, 36-bit, or just the
    24-bit one): the most specific that the registry assigned, or ``("none", 24-bit prefix)``
    when none is. ``assigned[i]`` is None when not known yet; the answer is None when it could
    depend on such a block.

    >>> deciding_block(["0C75D2", "0C75D2A", "0C75D2AAB"], [True, False, False])
    ('oui', '0C75D2')
    >>> deciding_block(["0C75D2", "0C75D2A", "0C75D2AAB"], [True, None, False]) is None
    True
    """
    for scheme, value, known in reversed(list(zip(BLOCK_SCHEMES, blocks, assigned, strict=False))):
        if known is None:
            return None
        if known:
            return scheme, value
    return "none", blocks[0]
