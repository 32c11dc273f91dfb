"""Which IEEE block decides a MAC address: the one rule single lookups and bulk runs share.

The registry assigns blocks, not devices: 24-bit MA-L blocks, some of them subdivided into 28-bit
MA-M or 36-bit MA-S / IAB blocks assigned to other companies. A MAC belongs to the most specific
assigned block among its prefixes.
"""

from __future__ import annotations

import re
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


# A line holding twelve hex digits in a usual notation (colons or dashes between pairs, Cisco
# dots, bare): its 24-bit block as typed; any other line: the whole line. One group, so that
# findall gives one string per line.
_HEX = "[0-9A-Fa-f]"
_BLOCK_TEXT = re.compile(
    rf"^({_HEX}{{2}}[:-]{_HEX}{{2}}[:-]{_HEX}{{2}}(?=[:-]{_HEX}{{2}}[:-]{_HEX}{{2}}[:-]{_HEX}{{2}}$)"
    rf"|{_HEX}{{4}}\.{_HEX}{{2}}(?={_HEX}{{2}}\.{_HEX}{{4}}$)"
    rf"|{_HEX}{{6}}(?={_HEX}{{6}}$)"
    r"|.*)",
    re.MULTILINE,
)


def mac_block_texts(macs: Sequence[str]) -> list[str]:
    """Each MAC as typed -> its 24-bit block as typed when it is twelve hex digits in a usual
    notation (``"b0:c7:87"`` of ``"b0:c7:87:8c:d4:19"``), else the MAC itself: the key under
    which a bulk run remembers what a MAC resolved to when its 24-bit block decides that.

    One regex pass over the lot: this runs for every row of a bulk audit.

    >>> mac_block_texts(["b0:c7:87:8c:d4:19", "044a.6cc9.27af", "B0C78739E4C3", "", "not-a-mac"])
    ['b0:c7:87', '044a.6c', 'B0C787', '', 'not-a-mac']
    """
    text = "\n".join(macs)
    if text.count("\n") == len(macs) - 1:
        found: list[str] = _BLOCK_TEXT.findall(text)
        if len(found) == len(macs):
            return found
    # Some MAC holds a line break (no valid one does): one by one, such a MAC keeps its text.
    return [m if "\n" in m else _BLOCK_TEXT.match(m)[1] for m in macs]  # type: ignore[index]  # the pattern matches any text
