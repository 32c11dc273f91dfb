"""Cells a spreadsheet would run as formulas, for every CSV we write (exports, audit reports)."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula
# (OWASP "CSV injection"): such cells get a leading single quote, unless raw text is asked for.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CELL = re.compile(r'(?:^|,)"?[=+\-@\t\r]')


def formula_safe(cell: str) -> str:
    """``cell`` as a spreadsheet shows it rather than runs it.

    >>> formula_safe("=cmd|' /C calc'!A0"), formula_safe("HiLook")
    ("'=cmd|' /C calc'!A0", 'HiLook')
    """
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def may_hold_formula(line: str) -> bool:
    """Whether a comma-separated line (without its line end) may hold a cell
    :func:`formula_safe` would change (a quoted comma can make this say yes wrongly, never no)."""
    return _FORMULA_CELL.search(line) is not None


# The characters that start a formula cell but are rare in inventories, so that a scan for each
# one (memchr speed) is cheaper than the regex; "-" is common (MAC notations, model numbers).
_RARE_STARTS = "=+@\t\r"


def any_may_hold_formula(lines: Sequence[str]) -> bool:
    """Whether any of ``lines`` (as for :func:`may_hold_formula`) may hold such a cell.

    One pass of a few substring scans over the lines joined by commas (every cell then follows
    a comma), instead of a regex per line: a million-row audit spends most of a second on the
    regex otherwise, and nearly every batch holds no formula at all.

    >>> any_may_hold_formula(["a,b-1,c", "d,,"]), any_may_hold_formula(["a,b", 'c,"-1"'])
    (False, True)
    """
    text = "," + ",".join(lines)
    if any(c in text for c in _RARE_STARTS):
        return _FORMULA_CELL.search(text) is not None
    return ",-" in text or ('"' in text and ',"-' in text)
