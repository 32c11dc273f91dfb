"""Our own CSV for what users know about brands, OEM makers and distributors, every row sourced.

Columns (header required, order free; see ``loaders/README.md``)::

    from_name,from_id,from_country,relation,to_name,to_id,to_kind,to_country,share,
    valid_from,valid_to,confidence,source_title,source_url,source_date,source_grade,quote,note

``relation`` is one of OWNS_BRAND, MANUFACTURES_FOR, DISTRIBUTES, OWNS, CONTROLS. ``from`` is an
organization; ``to`` is a brand or an organization (``to_kind``; OWNS_BRAND targets a brand, OWNS
and CONTROLS an organization). ``from_id``/``to_id`` may name an entity already in the graph
(e.g. ``hikvision``); left empty, an id is derived from the name. Every row needs
``source_title`` and a ``source_url`` or ``quote``: a fact without a source is refused.

Distributor and OEM lists: a ``DISTRIBUTES`` row (distributor -> maker or brand) records who sells
a group's products and never makes the distributor the maker; a ``MANUFACTURES_FOR`` row (OEM
maker -> brand or organization) does lead to the maker. Point ``to_id`` at a seeded entity
(``hikvision``, ``dahua``, ``brand-ezviz``, ``brand-imou``, ...) so the row joins the curated group
instead of creating a new node; ``valid_from``/``valid_to`` (YYYY-MM-DD, ``valid_to`` exclusive)
date an agreement. A bad cell is refused with the file, line and column named.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import cast

from pydantic import ValidationError

from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import Edge, Grade, Node, NodeKind, Record, Relation, SourceRef

from .common import country_code, parse_date
from .context import LoadContext
from .format_spec import LoaderFormat, Peek
from .reading import iter_table

REQUIRED = ("from_name", "relation", "to_name", "source_title")
RELATIONS = {
    Relation.OWNS_BRAND,
    Relation.MANUFACTURES_FOR,
    Relation.DISTRIBUTES,
    Relation.OWNS,
    Relation.CONTROLS,
}
GRADES = ("A", "B", "C")


def _id(kind: NodeKind, name: str, country: str | None) -> str:
    return make_id(f"user-{kind.value}", " ".join(name.split()).casefold(), country)


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = f"brands:{path.stem}"
    for line, cells in iter_table(ctx, path, REQUIRED):
        yield from _row(ctx, line, cells)


def _row(ctx: LoadContext, line: int, cells: dict[str, str]) -> Iterator[Record]:
    def get(name: str) -> str:
        return cells.get(name, "")

    for required in ("from_name", "to_name", "source_title"):
        if not get(required):
            raise ctx.error(line, required, "empty")
    try:
        relation = Relation(get("relation").upper())
    except ValueError:
        relation = None
    if relation not in RELATIONS:
        allowed = ", ".join(r.value for r in RELATIONS)
        raise ctx.error(line, "relation", f"{get('relation')!r} is not one of {allowed}")
    assert relation is not None
    if not get("source_url") and not get("quote"):
        raise ctx.error(
            line, "source_url", "give a source_url or a quote: every fact needs a source"
        )
    grade_text = get("source_grade").upper()
    if grade_text and grade_text not in GRADES:
        raise ctx.error(line, "source_grade", f"{grade_text!r} is not A, B or C")
    grade: Grade | None = cast(Grade, grade_text) if grade_text else None
    dates: dict[str, date | None] = {}
    for name in ("valid_from", "valid_to", "source_date"):
        text = get(name)
        dates[name] = parse_date(text)
        if text and dates[name] is None:
            raise ctx.error(line, name, f"{text!r} is not a date (YYYY-MM-DD)")
    owning = relation in (Relation.OWNS, Relation.CONTROLS)
    default_kind = NodeKind.ORGANIZATION if owning else NodeKind.BRAND
    to_kind_text = get("to_kind").lower() or default_kind.value
    if to_kind_text not in (NodeKind.BRAND.value, NodeKind.ORGANIZATION.value):
        raise ctx.error(line, "to_kind", f"{to_kind_text!r} is not 'brand' or 'organization'")
    to_kind = NodeKind(to_kind_text)
    src = SourceRef(
        id=make_id("user-source", get("source_title"), get("source_url")),
        title=get("source_title"),
        url=get("source_url") or None,
        published=dates["source_date"],
        grade=grade,
        quote=get("quote") or None,
    )
    from_country = country_code(get("from_country"))
    to_country = country_code(get("to_country"))
    from_id = get("from_id") or _id(NodeKind.ORGANIZATION, get("from_name"), from_country)
    to_id = get("to_id") or _id(to_kind, get("to_name"), to_country)
    yield Node(
        id=from_id,
        kind=NodeKind.ORGANIZATION,
        name=get("from_name"),
        country=from_country,
        sources=(src,),
    )
    yield Node(id=to_id, kind=to_kind, name=get("to_name"), country=to_country, sources=(src,))
    try:
        share = float(get("share")) if get("share") else None
        confidence = float(get("confidence")) if get("confidence") else 0.8
        yield Edge(
            id=make_id("user-edge", from_id, relation.value, to_id, dates["valid_from"]),
            src=from_id,
            dst=to_id,
            relation=relation,
            share=share,
            valid_from=dates["valid_from"],
            valid_to=dates["valid_to"],
            confidence=confidence,
            note=get("note") or None,
            sources=(src,),
        )
    except ValueError as exc:
        field = "share" if "share" in str(exc) else "confidence"
        if isinstance(exc, ValidationError):
            err = exc.errors()[0]
            field = str(err["loc"][0]) if err["loc"] else field
            raise ctx.error(line, field, err["msg"]) from None
        raise ctx.error(line, field, f"not a number: {exc}") from None


def _recognise(peek: Peek) -> bool:
    return {"from_name", "relation", "to_name"} <= peek.header


FORMAT = LoaderFormat(name="brands", records=records, recognise=_recognise)
