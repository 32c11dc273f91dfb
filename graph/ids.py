"""Content-derived ids: the same fact from the same source always gets the same id."""

from __future__ import annotations

import hashlib


def make_id(prefix: str, *parts: object) -> str:
    """A short stable id from ``parts``.

    >>> make_id("e", "hikvision", "OWNS", "ezviz") == make_id("e", "hikvision", "OWNS", "ezviz")
    True
    """
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    digest = hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:20]
    return f"{prefix}-{digest}"


def identifier_node_id(scheme: str, value: str) -> str:
    """Identifier nodes (OUI blocks, FCC grantee codes) are keyed by scheme and value."""
    return f"{scheme}:{value}"
