"""Cells a spreadsheet would run as formulas, for every CSV we write (exports, audit reports)."""

from __future__ import annotations

import re

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
    """Whether a comma-separated line may hold a cell :func:`formula_safe` would change (a
    quoted comma can make this say yes wrongly, never no)."""
    return _FORMULA_CELL.search(line) is not None
