"""Names as people paste them, made comparable before they are matched.

What arrives from a spreadsheet, a web form or a scraped page is not always what a list writes:

- **Look-alike letters from other scripts.** A Cyrillic ``Н`` or a Greek ``ο`` inside a Latin word
  ("Нikvision", "Ηikvisiοn") reads as Latin but transliterates to something else. Each such
  letter is replaced by its Latin prototype from Unicode's confusables data (UTS #39 skeletons,
  through ICU's spoof checker, which PyICU already brings for ``normality``), but only inside a
  word that mixes scripts or is spelt entirely in look-alikes: "Хиквижн" is a real Cyrillic
  spelling and is left to transliteration.
- **Invisible characters** (zero-width spaces and joiners, soft hyphens, byte-order marks) go.
- **Common abbreviations** ("Intl", "Mfg", "Elec") are written out, so that they pair with the
  words the registers spell in full. Legal forms with dots ("K.K.", "S.A.", "G.m.b.H.") are
  already joined by the name analysis, which then reads them as legal forms.
- **A web domain** ("hikvision.com", "https://www.dahuasecurity.com/") is read as the name it
  spells: its registrable label.

Both the exact keys and the fuzzy candidates are computed from the result, so a pasted name
takes the same path as a typed one.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import icu

# Abbreviations people type for words that registers write in full. Only unambiguous ones:
# "Co" (company or county) and "Corp" are legal forms the name analysis already knows.
ABBREVIATIONS = {
    "intl": "international",
    "int'l": "international",
    "natl": "national",
    "mfg": "manufacturing",
    "mfr": "manufacturer",
    "elec": "electronics",
    "electr": "electronics",
    "eng": "engineering",
    "engg": "engineering",
    "svcs": "services",
    "svc": "service",
    "sys": "systems",
    "grp": "group",
    "hldgs": "holdings",
    "hldg": "holding",
    "inds": "industries",
    "indus": "industries",
    "invt": "investment",
    "inv": "investment",
    "mgmt": "management",
    "telecomm": "telecommunications",
    "comms": "communications",
    "commun": "communications",
    "univ": "university",
    "inst": "institute",
    "acad": "academy",
    "dept": "department",
    "govt": "government",
    "assn": "association",
    "bros": "brothers",
    "dev": "development",
    "devt": "development",
    "tech": "technology",
}
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)
_DOMAIN = re.compile(
    r"^(?:https?://)?(?:www\d?\.)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})(?::\d+)?(?:/\S*)?$",
    re.IGNORECASE,
)
# Second-level labels under a country code: "com.cn", "co.uk", "com.hk".
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "ltd"})
_READ_AS = {"\u0138": "k"}  # Latin small kra, the skeleton of Cyrillic and Greek small ka
_SCRIPTS_WITH_LOOKALIKES = ("CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC", "LISU")


def as_typed(text: str) -> str:
    """``text`` made comparable: look-alikes folded, invisibles dropped, abbreviations and
    domains written out. Text with nothing of these comes back unchanged.

    >>> as_typed("\\u041dikvision")  # a Cyrillic capital En first
    'Hikvision'
    >>> as_typed("Foo Intl Trading")
    'Foo international Trading'
    >>> as_typed("https://www.hikvision.com/en/")
    'hikvision'
    >>> as_typed("Хиквижн")  # a real Cyrillic spelling stays for transliteration
    'Хиквижн'
    """
    if not text.isascii():
        text = _drop_invisible(text)
        text = _WORD.sub(lambda m: _fold_word(m.group(0)), text)
    domain = _domain_name(text.strip())
    if domain is not None:
        return domain
    return _WORD.sub(lambda m: ABBREVIATIONS.get(m.group(0).lower(), m.group(0)), text)


def _drop_invisible(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def _fold_word(word: str) -> str:
    """A word whose every letter is Latin or has a Latin look-alike, folded to Latin.

    A letter with no look-alike (Cyrillic "и", "ж"; any CJK) marks a real word of its script,
    which transliteration reads better.
    """
    if word.isascii():
        return word
    lookalikes = [_latin_lookalike(ch) for ch in word]
    if any(x is None for x in lookalikes):
        return word
    return "".join(x for x in lookalikes if x is not None)


@lru_cache(maxsize=4096)
def _latin_lookalike(ch: str) -> str | None:
    """The ASCII letter or digit ``ch`` is confusable with, if any (ASCII stays itself)."""
    if ch.isascii():
        return ch
    if not unicodedata.name(ch, "").startswith(_SCRIPTS_WITH_LOOKALIKES):
        return None
    skeleton = str(_checker().getSkeleton(0, ch))
    # Skeletons are for comparing, not reading: a capital I and a small l share "l", and a
    # small kappa or ka becomes the Latin kra. Read them as the letter a reader sees.
    if skeleton == "l" and ch.isupper():
        return "I"
    skeleton = _READ_AS.get(skeleton, skeleton)
    if len(skeleton) == 1 and skeleton.isascii() and skeleton.isalnum():
        return skeleton
    return None


@lru_cache(maxsize=1)
def _checker() -> icu.SpoofChecker:
    return icu.SpoofChecker()


def _domain_name(text: str) -> str | None:
    """The registrable label of a web domain or URL, None for anything else."""
    if " " in text or "." not in text:
        return None
    found = _DOMAIN.match(text)
    if found is None:
        return None
    labels = found.group(1).lower().split(".")[:-1]  # the top-level domain goes
    if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
        labels = labels[:-1]
    return labels[-1] if labels else None
