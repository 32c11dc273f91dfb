"""Curated sources and the cites that point at them, as the seed and the rule calendar write them.

Both files list their sources once and cite them by id with a short quote; :func:`source_refs`
turns cites into the :class:`~.model.SourceRef` values every answer carries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from supplygraph.graph.model.records import Grade, SourceRef


class CuratedSource(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-_.]*$")
    title: str
    url: str | None = None
    publisher: str | None = None
    published: date | None = None
    retrieved: date | None = None
    grade: Grade
    language: str | None = None
    note: str | None = None
    # What the text read is: the publisher's own document (``original``, the default), a copy or
    # republication of it on another site (``copy``: grade B at most), or a scraped directory or
    # listing (``directory``: grade C).
    form: Literal["original", "copy", "directory"] = "original"


class Cite(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    quote: str | None = None


def source_refs(
    sources: Mapping[str, CuratedSource], cites: Iterable[Cite]
) -> tuple[SourceRef, ...]:
    """The cited sources with each cite's quote; every cite must name a known source."""
    return tuple(
        SourceRef(
            id=s.id,
            title=s.title,
            url=s.url,
            published=s.published,
            retrieved=s.retrieved,
            grade=s.grade,
            quote=c.quote,
        )
        for c in cites
        for s in (sources[c.source],)
    )
