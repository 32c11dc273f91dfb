"""Which reader an inventory needs, from its name and first kilobytes."""

from __future__ import annotations

import re
from pathlib import Path

from .text import guess_encoding

# -- detection --------------------------------------------------------------------------------
MACISH = re.compile(
    r"^\s*(?:[0-9A-Fa-f]{2}(?:[:\-][0-9A-Fa-f]{2}){5}|[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2}"
    r"|[0-9A-Fa-f]{12})\s*$"
)


def _text_lines(head: bytes, limit: int = 20) -> list[str]:
    text = head.decode(guess_encoding(head), errors="replace").lstrip("\ufeff")
    lines = [ln.strip() for ln in text.splitlines()[:-1] or text.splitlines()]
    return [ln for ln in lines if ln and not ln.startswith("#")][:limit]


def _looks_like_maclist(head: bytes) -> bool:
    lines = _text_lines(head)
    if lines and not MACISH.match(lines[0]) and fold_header(lines[0]) in MAC_HEADERS:
        lines = lines[1:]
    return bool(lines) and all(MACISH.match(ln) for ln in lines)


def fold_header(text: str) -> str:
    from ..columns import fold

    return fold(text)


MAC_HEADERS = {"mac", "mac address", "macaddress", "mac addr"}


def detect_format(name: str, head: bytes) -> str:
    """The format of an inventory from its name and first bytes."""
    suffix = Path(name).suffix.lower()
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        return "xlsx"
    if suffix in (".ndjson", ".jsonl"):
        return "ndjson"
    if start.startswith(b"["):
        return "json"
    if start.startswith(b"{"):
        return "ndjson"
    if start.startswith(b"<") or suffix == ".xml":
        return "nmap"
    if suffix == ".json":
        return "json"
    if _looks_like_maclist(head):
        return "maclist"
    return "csv"
