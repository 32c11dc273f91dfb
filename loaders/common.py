"""Small helpers the format loaders share: dates, countries, identifiers, records."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

from rigour.territories import lookup_territory

from supplygraph.graph.model.identifiers import check_identifier
from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import Designation, Identifier, IdScheme, SourceRef

from .context import LoadContext
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


def strong_identifier(
    scheme: IdScheme, value: str, ctx: LoadContext, where: int | str | None
) -> Identifier | None:
    """A USCC, LEI or ISIN if ``value`` has the scheme's shape and its check characters agree.

    A value of the right shape whose check characters disagree is dropped with a warning naming
    the file and ``where`` (line or record), so a typo can never merge two entities.
    """
    text, problem = check_identifier(scheme, value)
    if problem is not None:
        ctx.warn(where, problem)
    return None if text is None else Identifier(scheme=scheme, value=text)


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
