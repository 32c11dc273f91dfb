"""Identifiers strong enough to merge records on: USCC, LEI and ISIN, check characters included.

Record linkage merges two records that state the same USCC, LEI or ISIN, so a one-character typo
must never pass as a key. Each value is checked twice:

- its **shape**, by regular expression (length and alphabet), and
- its **check characters**: LEI, ISO 17442, two digits by ISO 7064 MOD 97-10 (here); by
  ``rigour.ids`` (python-stdnum underneath) for the others: ISIN, ISO 6166, one Luhn digit over
  the code with letters expanded to numbers; USCC, GB 32100-2015, one character from the
  31-symbol alphabet by a weighted sum modulo 31 over the first seventeen characters.

A value of the wrong shape is simply not this kind of identifier (lists put free text in
identifier fields); a value of the right shape with a wrong check character is a typo or a
corruption, and callers report it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from rigour.ids import ISIN, USCC

from supplygraph.graph.model.records import Identifier, IdScheme

# The schemes whose equal values make two records one entity.
STRONG_SCHEMES: tuple[IdScheme, ...] = (IdScheme.USCC, IdScheme.LEI, IdScheme.ISIN)

# USCC: 18 characters from digits and the upper-case letters GB 32100-2015 allows (no I, O, S, V,
# Z); the region code (characters 3 to 8) is digits.
_SHAPES: dict[IdScheme, re.Pattern[str]] = {
    IdScheme.USCC: re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"),
    IdScheme.LEI: re.compile(r"^[0-9A-Z]{18}[0-9]{2}$"),
    IdScheme.ISIN: re.compile(r"^[A-Z]{2}[0-9A-Z]{9}[0-9]$"),
}
# Letters as the numbers ISO 7064 MOD 97-10 reads them: A = 10 ... Z = 35.
_LETTERS_AS_NUMBERS = str.maketrans({chr(65 + i): str(10 + i) for i in range(26)})


def mod97_10_valid(code: str) -> bool:
    """ISO 7064 MOD 97-10 over an upper-case alphanumeric code: the LEI check (ISO 17442).

    The same test as ``rigour.ids.LEI.is_valid`` for a value of the LEI shape, without its
    per-call normalizing, which dominated the check on GLEIF-size loads.

    >>> mod97_10_valid("5493001KJTIIGC8Y1R12"), mod97_10_valid("5493001KJTIIGC8Y1R13")
    (True, False)
    """
    return int(code.translate(_LETTERS_AS_NUMBERS)) % 97 == 1


_CHECKS: dict[IdScheme, tuple[Callable[[str], bool], str]] = {
    IdScheme.USCC: (USCC.is_valid, "check character"),
    # Only ever called on a value of the LEI shape (18 alphanumerics, 2 digits).
    IdScheme.LEI: (mod97_10_valid, "check digits"),
    IdScheme.ISIN: (ISIN.is_valid, "check digit"),
}


@lru_cache(maxsize=8192)
def check_identifier(scheme: IdScheme, value: str) -> tuple[str | None, str | None]:
    """``(value, None)`` for a usable identifier, upper-cased and trimmed; ``(None, problem)``
    when it has the scheme's shape but its check characters do not agree; ``(None, None)`` when
    it does not have the shape at all (or the scheme has no check).

    >>> check_identifier(IdScheme.LEI, "5493001kjtiigc8y1r12")
    ('5493001KJTIIGC8Y1R12', None)
    >>> check_identifier(IdScheme.LEI, "5493001KJTIIGC8Y1R13")[1]
    "LEI '5493001KJTIIGC8Y1R13' fails its check digits (a typo?); not used to link records"
    >>> check_identifier(IdScheme.LEI, "not an LEI")
    (None, None)
    """
    shape = _SHAPES.get(scheme)
    text = value.strip().upper()
    if shape is None or not shape.match(text):
        return None, None
    valid, check = _CHECKS[scheme]
    if not valid(text):
        label = scheme.value.upper()
        return None, f"{label} {text!r} fails its {check} (a typo?); not used to link records"
    return text, None


def is_checked(ident: Identifier) -> bool:
    """Whether ``ident`` may serve as a merge key: a strong scheme with its check characters right.

    Records written before the check existed, or by a path that skips the loaders, may still hold
    a mistyped value; the linker asks this before it trusts one.
    """
    if ident.scheme not in _SHAPES:
        return False
    return check_identifier(ident.scheme, ident.value)[0] == ident.value
