"""Content-derived ids: the same fact from the same source always gets the same id."""

from __future__ import annotations

import hashlib

_sha1 = hashlib.sha1


def make_id(prefix: str, *parts: object) -> str:
    """A short stable id from ``parts``.

    >>> make_id("e", "hikvision", "OWNS", "ezviz") == make_id("e", "hikvision", "OWNS", "ezviz")
    True
    """
    # Called a few times per loaded record: a list (not a generator) into join, and no str()
    # call for what is already a plain str.
    text = "\x1f".join([p if type(p) is str else "" if p is None else str(p) for p in parts])
    return prefix + "-" + _sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]


def identifier_node_id(scheme: str, value: str) -> str:
    """Identifier nodes (OUI blocks, FCC grantee codes) are keyed by scheme and value."""
    return f"{scheme}:{value}"
