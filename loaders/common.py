"""Small helpers the format loaders share: dates, countries, identifiers, records."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from rigour.territories import lookup_territory
from supplygraph.graph.ids import make_id
from supplygraph.graph.model import Designation, Identifier, IdScheme, SourceRef

from .vocabulary import list_entry

_DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %b %Y", "%d %B %Y", "%m/%d/%Y")


def parse_date(text: str | None) -> date | None:
    """ISO dates and the spellings the lists use ("March 12, 2021", "02 Aug 2021", "08/08/2023").

    Returns None for text that is not one date; callers decide whether that deserves a warning.
    """
    if not text:
        return None
    value = text.strip()
    if len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


@lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """An ISO 3166 alpha-2 code (upper case) for a country name or code, else None."""
    if not text or not text.strip():
        return None
    territory = lookup_territory(text.strip())
    if territory is None:
        return None
    code = territory.code
    return code.upper() if len(code) == 2 else None


# A Chinese unified social credit code: 18 characters, digits and upper-case letters.
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")
_ISIN = re.compile(r"^[A-Z]{2}[0-9A-Z]{9}[0-9]$")


def strong_identifier(scheme: IdScheme, value: str) -> Identifier | None:
    """A USCC, LEI or ISIN if ``value`` has the right shape (so a typo never merges entities)."""
    text = value.strip().upper()
    pattern = {IdScheme.USCC: _USCC, IdScheme.LEI: _LEI, IdScheme.ISIN: _ISIN}.get(scheme)
    if pattern is None or not pattern.match(text):
        return None
    return Identifier(scheme=scheme, value=text)


def source_key(dataset: str, key: object) -> Identifier:
    """The record's key in its source dataset, kept so a listing can be traced back."""
    return Identifier(scheme=IdScheme.SOURCE_KEY, value=f"{dataset}:{key}")


def designation(
    entity_id: str,
    list_id: str,
    sources: tuple[SourceRef, ...],
    *,
    program: str | None = None,
    start: date | None = None,
    end: date | None = None,
    citation: str | None = None,
    note: str | None = None,
) -> Designation:
    """A designation on a vocabulary list; the id is recomputed after entity linking."""
    entry = list_entry(list_id)
    return Designation(
        id=designation_id(entity_id, list_id, start),
        entity_id=entity_id,
        list_id=list_id,
        list_name=entry.name,
        authority=entry.authority,
        program=program or entry.program,
        citation=citation or entry.citation,
        start_date=start,
        end_date=end,
        note=note,
        sources=sources,
    )


def designation_id(entity_id: str, list_id: str, start: date | None) -> str:
    """The same listing of the same entity from any source (or the seed) gets the same id."""
    return make_id("des", entity_id, list_id, start)


def split_multi(text: str | None, sep: str = ";") -> list[str]:
    if not text:
        return []
    return [part.strip() for part in text.split(sep) if part.strip()]


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


class Ref:
    """A hint, not a record: the node ``node_id`` is also known by ``identifier``.

    Relationship files (GLEIF RR-CDF, API relationship records) name their endpoints by LEI only.
    The ingest step resolves the hint to whichever stored node holds that LEI; when none does, the
    edges that use ``node_id`` are dropped with a warning instead of pointing at nothing.
    """

    __slots__ = ("identifier", "node_id")

    def __init__(self, node_id: str, identifier: Identifier) -> None:
        self.node_id = node_id
        self.identifier = identifier

    def __repr__(self) -> str:
        return f"Ref({self.node_id!r}, {self.identifier!r})"
