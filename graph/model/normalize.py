"""Normalizers for what users type: company names in any script, MAC addresses, FCC IDs.

Name handling leans on ``normality`` (case, punctuation, transliteration via ICU) and ``rigour``
(legal-form removal) rather than hand-rolled rules; the only local data is the short list of
Chinese legal-form suffixes, which rigour leaves in place.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from netaddr import EUI, AddrFormatError
from normality import UNICODE_CATEGORIES, ascii_text, normalize
from rigour.names import remove_org_types

from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.mac_blocks import mac_digits

# Longest first: "股份有限公司" must go before "有限公司" would leave "股份".
_CJK_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "集团有限公司",
    "集團有限公司",
    "有限公司",
    "集团公司",
    "集團公司",
    "公司",
)

# Tokens too common to select fuzzy candidates with; they still count when scoring.
STOP_TOKENS = frozenset(
    [
        "co",
        "ltd",
        "inc",
        "corp",
        "corporation",
        "company",
        "limited",
        "llc",
        "plc",
        "gmbh",
        "sa",
        "ag",
        "bv",
        "group",
        "holding",
        "holdings",
        "the",
        "of",
        "and",
        "for",
        "de",
        "la",
        "international",
        "intl",
        "technology",
        "technologies",
        "tech",
        "electronics",
        "electronic",
        "digital",
        "network",
        "networks",
        "systems",
        "system",
        "industries",
        "industry",
        "science",
        "trading",
        "hangzhou",
        "zhejiang",
        "china",
        "chinese",
        "shenzhen",
        "beijing",
        "shanghai",
    ]
)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _is_cjk(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED", "CJK COMPATIBILITY"))


# Every CJK ideograph block starts at or above U+2E80; below it a character needs no lookup.
_CJK_FLOOR = 0x2E80


def has_cjk(text: str) -> bool:
    if text.isascii():  # the common case on a load: skip the per-character name lookups
        return False
    return any(_is_cjk(ch) for ch in text if ord(ch) >= _CJK_FLOOR)


def _strip_cjk_legal(text: str) -> str:
    if text.isascii():  # every suffix is CJK, so ASCII text cannot end with one
        return text
    for suffix in _CJK_LEGAL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


def _ascii_tables() -> tuple[bytes, bytes]:
    """What ``normalize`` then ``lower`` do to each ASCII character, from normality's own
    category table: a byte translation table and the bytes it deletes."""
    table = bytearray(range(256))
    delete = bytearray()
    for code in range(128):
        char = chr(code)
        category = unicodedata.category(char)
        replacement = UNICODE_CATEGORIES.get(category)
        if category not in UNICODE_CATEGORIES:
            table[code] = ord(char.lower())
        elif replacement:
            table[code] = ord(replacement[0])
        else:
            delete.append(code)
    return bytes(table), bytes(delete)


_ASCII_TABLE, _ASCII_DELETE = _ascii_tables()


def _base_full(name: str) -> str:
    # Compatibility folding can turn a caseless character into a capital (U+1D2C is "A").
    return (normalize(name) or "").lower()


def _base(name: str) -> str:
    """``normalize(name)`` lower-cased, "" for nothing left.

    ASCII text, most of any load, takes a shortcut with the same result: NFKD leaves it as it
    is, so normalizing is lower-casing, the category table and collapsing white space, here
    one byte translation (the equivalence is a property test).
    """
    if name.isascii():
        folded = name.encode("ascii").translate(_ASCII_TABLE, _ASCII_DELETE).decode("ascii")
        return " ".join(folded.split())
    return _base_full(name)


@lru_cache(maxsize=65536)
def name_keys(name: str) -> tuple[str, ...]:
    """Exact-match keys for a name: script-preserving, legal form removed, and transliterated.

    >>> name_keys("Hangzhou Hikvision Digital Technology Co.,Ltd.")
    ('hangzhou hikvision digital technology co ltd', 'hangzhou hikvision digital technology')
    """
    base = _base(name)
    return _keys(base, _collapse(remove_org_types(base)))


def _keys(base: str, without_org: str) -> tuple[str, ...]:
    keys: list[str] = []
    for candidate in (base, without_org, _strip_cjk_legal(base)):
        if candidate and candidate not in keys:
            keys.append(candidate)
    if has_cjk(base) or not base.isascii():
        for key in list(keys):
            latin = _collapse((ascii_text(key) or "").lower())
            if latin and latin not in keys and not has_cjk(key):
                keys.append(latin)
    return tuple(keys)


@lru_cache(maxsize=65536)
def fuzzy_key(name: str) -> str:
    """The form names are compared in: normalized, legal form removed, Latin script kept.

    CJK text keeps its characters (transliterated pinyin syllables would make unrelated names
    look alike); other scripts are transliterated.
    """
    base = _base(name)
    return _fuzzy(base, _collapse(remove_org_types(base)))


def _fuzzy(base: str, without_org: str) -> str:
    stripped = _strip_cjk_legal(without_org or base)
    if has_cjk(stripped) or stripped.isascii():
        return stripped
    return _collapse((ascii_text(stripped) or "").lower())


def name_tokens(name: str) -> set[str]:
    """Tokens that select fuzzy-match candidates: words, or character bigrams for CJK."""
    return _tokens(fuzzy_key(name))


def _tokens(key: str) -> set[str]:
    if has_cjk(key):
        chars = [ch for ch in key if not ch.isspace()]
        return {"cjk:" + a + b for a, b in zip(chars, chars[1:], strict=False)}
    return {t for t in key.split() if len(t) > 1 and t not in STOP_TOKENS}


def index_terms(name: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """``name_keys(name)`` and ``name_tokens(name)`` together, as the store indexes a name.

    One pass: both start from the same normalized form with the legal form removed. Not
    cached: a load sees most names once, and a large cache of them only makes every garbage
    collection pass longer.
    """
    base = _base(name)
    without_org = _collapse(remove_org_types(base))
    return _keys(base, without_org), frozenset(_tokens(_fuzzy(base, without_org)))


_HEX = re.compile(r"[0-9A-F]+")
_UNPADDED = re.compile(r"[0-9A-Fa-f]{1,2}(?:[:-][0-9A-Fa-f]{1,2}){5}")


def mac_prefixes(mac: str) -> dict[str, str]:
    """The IEEE assignment keys a MAC address (or a bare 24-bit prefix) falls under.

    Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff, bare hex, and a 6-digit prefix.

    >>> mac_prefixes("0c75.d2aa.bbcc")
    {'oui': '0C75D2', 'oui28': '0C75D2A', 'oui36': '0C75D2AAB'}
    """
    raw = mac.strip()
    digits = mac_digits(raw)
    if len(digits) == 6 and _HEX.fullmatch(digits):
        return {"oui": digits}
    if len(digits) == 12 and _HEX.fullmatch(digits):
        # Twelve hex digits is what every accepted notation reduces to; netaddr's parser (below)
        # would return the same digits, but costs more than the rest of a cached lookup.
        return {"oui": digits[:6], "oui28": digits[:7], "oui36": digits[:9]}
    try:
        # Only six groups with leading zeros left out (0:c:75:...) still need netaddr: its other
        # readings (a bare integer such as "0") are not MAC addresses anyone types.
        if not _UNPADDED.fullmatch(raw):
            raise ValueError(raw)
        eui = EUI(raw)
    except (AddrFormatError, ValueError, TypeError):
        raise InvalidQuery(
            "mac",
            f"{mac!r} is not a MAC address (expected 12 hex digits, e.g. 0c:75:d2:11:22:33, "
            "or a 6-digit prefix)",
        ) from None
    if eui.version != 48:
        raise InvalidQuery("mac", f"{mac!r} is a 64-bit EUI; give a 48-bit MAC address")
    hexed = f"{int(eui):012X}"
    return {"oui": hexed[:6], "oui28": hexed[:7], "oui36": hexed[:9]}


def is_locally_administered(mac: str) -> bool:
    """A set U/L bit means the address was not assigned by the IEEE (randomized, virtual)."""
    digits = mac_digits(mac)
    return len(digits) >= 2 and bool(int(digits[:2], 16) & 0x02)


_FCC_ID = re.compile(r"[A-Z0-9][A-Z0-9\-]*")


def fcc_grantee_code(fcc_id: str) -> str:
    """The grantee code of an FCC ID: 5 characters when it starts with "2", otherwise 3.

    >>> fcc_grantee_code("2ADTD-5604SD")
    '2ADTD'
    >>> fcc_grantee_code("bbq ipc123")
    'BBQ'
    """
    text = re.sub(r"\s", "", fcc_id).upper()
    if not _FCC_ID.fullmatch(text):
        raise InvalidQuery("fcc_id", f"{fcc_id!r} is not an FCC ID (letters, digits and '-')")
    size = 5 if text.startswith("2") else 3
    if len(text) < size:
        raise InvalidQuery(
            "fcc_id", f"{fcc_id!r} is too short: the grantee code alone has {size} characters"
        )
    code = text[:size]
    if "-" in code:
        raise InvalidQuery("fcc_id", f"{fcc_id!r}: the grantee code {code!r} cannot contain '-'")
    return code


def model_key(model: str) -> str:
    """Model numbers are compared upper-cased with inner white space removed."""
    return re.sub(r"\s+", "", model).upper()


ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_ISO_DATE = re.compile(ISO_DATE_PATTERN)


def iso_date(text: str, field: str = "as_of") -> date:
    """A calendar day written exactly ``YYYY-MM-DD``; anything else is an :class:`InvalidQuery`.

    Strict on purpose: a lenient parser reads ``0`` as 1970-01-01 and ``1590969600`` as a Unix
    time, so a typo would silently answer for another day.

    >>> iso_date("2020-06-01")
    datetime.date(2020, 6, 1)
    >>> iso_date("20200601")
    Traceback (most recent call last):
    ...
    supplygraph.graph.errors.InvalidQuery: as_of: '20200601' is not a date (YYYY-MM-DD)
    """
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise InvalidQuery(field, f"{field}: {text!r} is not a date (YYYY-MM-DD)")
