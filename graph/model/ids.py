"""Content-derived ids: the same fact from the same source always gets the same id."""

from __future__ import annotations

import hashlib
import re

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


# Ids made by make_id end in a 20-hex digest; curated seed ids are words ("hikvision").
_DERIVED = re.compile(r"-[0-9a-f]{20}$")


def is_curated(node_id: str) -> bool:
    """Whether an id was given by a curator (seed data) rather than derived from a record.

    >>> is_curated("hikvision"), is_curated(make_id("csl", "x"))
    (True, False)
    """
    return not _DERIVED.search(node_id) and ":" not in node_id
