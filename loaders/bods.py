"""Beneficial Ownership Data Standard statements: versions 0.2, 0.3 (``statementType``) and 0.4
(``recordType``/``recordDetails``/``recordId``), as a JSON array, JSON lines or a single statement.

- entity statements -> organizations (``state`` and ``stateBody`` entities are state bodies);
  person statements -> people; identifiers XI-LEI -> LEI, others -> ``registry`` "SCHEME:id".
- each interest of an ownership-or-control statement -> one edge from the interested party to the
  subject: ``shareholding`` (or an untyped interest) -> OWNS with the share as exact or min/max,
  anything else (voting rights, board appointment, influence) -> CONTROLS.
- a statement that lists its components (0.2/0.3 ``componentStatementIDs``, 0.4
  ``componentRecords``) summarises a chain the components already state: its *indirect* interests
  are dropped so the chain is not counted twice; its direct interests are kept.
- interests held by an unspecified party give no edge (counted as skipped).
- later statements of a relationship (0.4 ``recordStatus`` "updated"/"closed" on one
  ``recordId``; 0.2/0.3 ``replacesStatements``) end the edges of the version they supersede: on
  the new statement's start date for the same kind of interest, else on its statement date; a
  closed record's own interests end at their ``endDate``, else on the statement date. Each
  version keeps its own edges, so shares are right on any day. Versions are followed within one
  file: the loader keeps, per relationship, the ids and dates of its latest version's edges.

Types are checked before use: a field of the wrong JSON type (identifiers that are not a list of
objects, a publisher that is not an object, a number where a date belongs, ...) is that
statement's error, a warning naming the file, line, statement and field, and the statement is
skipped; the rest of the file loads. Other rules:

- share bounds: ``exclusiveMinimum``/``exclusiveMaximum`` are kept as the bound at the same
  number (the model holds inclusive bounds; "more than 88%" becomes "at least 88%", the nearest
  bound it can hold); a range with no share in it (minimum above maximum, or an exclusive limit
  equal to the other limit) is the statement's error, never stored.
- partial dates (``"2019"``, ``"2019-04"``) are kept as a bound with a warning: a start date as
  the first day of the period, an end date as its last day (the widest span the statement
  allows, so a link is never dropped from a day it may have held on).
- a list field given as one string (``"alternateNames": "Acme"``) is one item, with a warning,
  never one item per character.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from supplygraph.graph.ids import make_id
from supplygraph.graph.model import (
    Edge,
    Identifier,
    IdScheme,
    Node,
    NodeKind,
    OrgType,
    Record,
    Relation,
    SourceRef,
)

from .common import country_code, parse_date, source_key, strong_identifier
from .context import LoadContext
from .reading import JsonLayout, iter_json_items, json_completeness

FORMAT = "bods"
STATE_TYPES = {"state", "stateBody"}


def member_files(path: Path) -> list[Path]:
    return [path]


def node_id(ref: str) -> str:
    return make_id("bods", ref)


@dataclass(frozen=True, slots=True)
class _Made:
    """One edge a relationship statement made: enough to end it later."""

    id: str
    src: str
    dst: str
    relation: Relation
    kind: str  # the BODS interest type ("shareholding", "votingRights", ...)
    valid_from: date | None
    valid_to: date | None


class BadField(Exception):
    """A statement field of the wrong type or value: that statement's error."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"field {field!r}: {message}")
        self.field = field


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _obj(parent: dict[str, Any], key: str, field: str) -> dict[str, Any]:
    """An object member ({} when absent or null)."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadField(field, f"expected an object, got {_kind(value)}")
    return value


def _text(parent: dict[str, Any], key: str, field: str) -> str | None:
    """A string member (None when absent, null or empty)."""
    value = parent.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadField(field, f"expected a string, got {_kind(value)}")
    return value


def _items(ctx: LoadContext, line: int, parent: dict[str, Any], key: str, field: str) -> list[Any]:
    """A list member ([] when absent or null); one string is one item, never its characters."""
    value = parent.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        ctx.warn(line, f"field {field!r}: a string where a list belongs; taken as one item")
        return [value]
    if not isinstance(value, list):
        raise BadField(field, f"expected a list, got {_kind(value)}")
    return value


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def _date(
    ctx: LoadContext, line: int, parent: dict[str, Any], key: str, field: str, end: bool = False
) -> date | None:
    """A date member; a year or a month becomes its first day (its last day for an ``end``),
    with a warning; text that is no date is a warning and left unknown."""
    text = _text(parent, key, field)
    if text is None:
        return None
    found = parse_date(text)
    if found is not None:
        return found
    partial = _PARTIAL_DATE.match(text.strip())
    if partial:
        year, month = int(partial[1]), int(partial[2] or 0)
        if year >= 1 and 0 <= month <= 12:
            first, last = (month or 1), (month or 12)
            day = (
                date(year, last, calendar.monthrange(year, last)[1])
                if end
                else date(year, first, 1)
            )
            ctx.warn(
                line,
                f"field {field!r}: {text!r} is a partial date; taken as {day.isoformat()} "
                f"(the {'last' if end else 'first'} day it allows)",
            )
            return day
    ctx.warn(line, f"field {field!r}: {text!r} is not a date; left unknown")
    return None


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = f"bods:{path.stem}"
    # Relationship id (0.4 recordId, 0.2/0.3 statementID) -> the edges of its latest version.
    history: dict[str, tuple[_Made, ...]] = {}
    layout = JsonLayout()
    for line, item in iter_json_items(ctx, path, layout=layout):
        ctx.count_read()
        if not isinstance(item, dict):
            raise ctx.error(line, None, "expected a BODS statement (a JSON object)")
        try:
            # A statement is checked whole before any of its records is given out.
            made = list(statement(ctx, line, item, history))
        except BadField as exc:
            ref = item.get("recordId") or item.get("statementID") or item.get("statementId")
            named = f"statement {ref!r}" if isinstance(ref, str) else "statement"
            ctx.warn(line, f"{named}: {exc}; statement skipped")
            ctx.skip()
            continue
        yield from made
    json_completeness(ctx, layout)


def _source(ctx: LoadContext, line: int, item: dict[str, Any]) -> SourceRef:
    details = _obj(item, "publicationDetails", "publicationDetails")
    publisher = _obj(details, "publisher", "publicationDetails.publisher")
    name = _text(publisher, "name", "publicationDetails.publisher.name") or "unknown publisher"
    version = _text(details, "bodsVersion", "publicationDetails.bodsVersion") or "?"
    return SourceRef(
        id=f"bods:{name}",
        title=f"Beneficial ownership statements published by {name} (BODS {version})",
        url=_text(publisher, "url", "publicationDetails.publisher.url"),
        published=_date(
            ctx, line, details, "publicationDate", "publicationDetails.publicationDate"
        ),
        # Beneficial-ownership disclosures as a publisher states them: grade B (the register or
        # publisher is named, the declarations are the companies' own).
        grade="B",
    )


def statement(
    ctx: LoadContext,
    line: int,
    item: dict[str, Any],
    history: dict[str, tuple[_Made, ...]] | None = None,
) -> Iterator[Record]:
    """Records for one statement of any supported version; ``history`` (the file's relationship
    versions so far) lets a later statement end the edges of the one it supersedes."""
    if "recordType" in item:
        kind = item.get("recordType")
        ref = item.get("recordId")
        details = item.get("recordDetails")
        if not isinstance(details, dict):
            raise ctx.error(line, "recordDetails", "missing or not an object")
    else:
        kind = {
            "entityStatement": "entity",
            "personStatement": "person",
            "ownershipOrControlStatement": "relationship",
        }.get(str(item.get("statementType")))
        ref = item.get("statementID") or item.get("statementId")
        details = item
    if kind is None:
        raise ctx.error(
            line, "statementType", f"unknown statement type {item.get('statementType')!r}"
        )
    if not isinstance(ref, str) or not ref:
        raise ctx.error(line, "recordId" if "recordType" in item else "statementID", "missing id")
    src = _source(ctx, line, item)
    reported = _date(ctx, line, item, "statementDate", "statementDate")
    if kind == "entity":
        yield _entity(ctx, line, ref, details, src)
    elif kind == "person":
        yield _person(ctx, line, ref, details, src)
    elif kind == "relationship":
        yield from _relationship(
            ctx,
            line,
            ref,
            details,
            src,
            reported,
            _version(item),
            {} if history is None else history,
        )
    else:
        raise ctx.error(line, "recordType", f"unknown record type {kind!r}")


def _identifiers(
    ctx: LoadContext, line: int, ref: str, details: dict[str, Any]
) -> tuple[Identifier, ...]:
    found: list[Identifier] = [source_key("bods", ref)]
    for i, ident in enumerate(_items(ctx, line, details, "identifiers", "identifiers")):
        if not isinstance(ident, dict):
            raise BadField(f"identifiers[{i}]", f"expected an object, got {_kind(ident)}")
        scheme = _text(ident, "scheme", f"identifiers[{i}].scheme") or ""
        value = str(ident.get("id") or "").strip()
        if not value:
            continue
        if scheme == "XI-LEI":
            lei = strong_identifier(IdScheme.LEI, value, ctx, line)
            if lei is not None:
                found.append(lei)
        elif scheme == "CN-SAMR":
            uscc = strong_identifier(IdScheme.USCC, value, ctx, line)
            if uscc is not None:
                found.append(uscc)
        elif scheme:
            found.append(Identifier(scheme=IdScheme.REGISTRY, value=f"{scheme}:{value}"))
    return tuple(dict.fromkeys(found))


def _entity(ctx: LoadContext, line: int, ref: str, details: dict[str, Any], src: SourceRef) -> Node:
    etype = details.get("entityType")
    type_name = etype.get("type") if isinstance(etype, dict) else etype
    if type_name is not None and not isinstance(type_name, str):
        raise BadField("entityType", f"expected a string or an object, got {_kind(type_name)}")
    name = (
        _text(details, "name", "name") or ""
    ).strip() or f"unnamed {type_name or 'entity'} {ref}"
    key = "jurisdiction" if details.get("jurisdiction") else "incorporatedInJurisdiction"
    code = _text(_obj(details, key, key), "code", f"{key}.code")
    country = country_code(code)
    names = _items(ctx, line, details, "alternateNames", "alternateNames")
    aliases = [str(a) for a in names if isinstance(a, str) and a and a != name]
    return Node(
        id=node_id(ref),
        kind=NodeKind.ORGANIZATION,
        name=name,
        aliases=tuple(aliases),
        country=country,
        org_type=OrgType.STATE_BODY if type_name in STATE_TYPES else None,
        identifiers=_identifiers(ctx, line, ref, details),
        properties={"bods_entity_type": type_name} if type_name else {},
        sources=(src.model_copy(update={"quote": name}),),
    )


def _person(ctx: LoadContext, line: int, ref: str, details: dict[str, Any], src: SourceRef) -> Node:
    names = [
        str(n.get("fullName") or " ".join(filter(None, (n.get("givenName"), n.get("familyName")))))
        for n in _items(ctx, line, details, "names", "names")
        if isinstance(n, dict)
    ]
    names = [n for n in names if n.strip()]
    name = names[0] if names else f"unnamed person {ref}"
    codes = [
        _text(n, "code", f"nationalities[{i}].code") if isinstance(n, dict) else None
        for i, n in enumerate(_items(ctx, line, details, "nationalities", "nationalities"))
    ]
    nationality = next((country_code(c) for c in codes if c), None)
    return Node(
        id=node_id(ref),
        kind=NodeKind.PERSON,
        name=name,
        aliases=tuple(dict.fromkeys(n for n in names[1:] if n != name)),
        country=nationality,
        identifiers=(source_key("bods", ref),),
        sources=(src.model_copy(update={"quote": name}),),
    )


def _party(value: Any) -> str | None:
    """The referenced statement or record id, or None for an unspecified party."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, dict):
        for key in ("describedByEntityStatement", "describedByPersonStatement"):
            if value.get(key):
                return str(value[key])
    return None


def _share(
    ctx: LoadContext, line: int, share: Any, field: str = "share"
) -> tuple[float | None, float | None, float | None]:
    """(exact, minimum, maximum); exclusive limits kept as the bound at the same number (see the
    module docstring); an empty range raises :class:`BadField`."""
    if share is None:
        return None, None, None
    if not isinstance(share, dict):
        raise BadField(field, f"expected an object, got {_kind(share)}")

    def num(key: str) -> float | None:
        value = share.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            ctx.warn(line, f"field '{field}.{key}': {value!r} is not a percentage; left unknown")
            return None
        return float(value)

    exact = num("exact")
    if exact is not None:
        return exact, None, None
    low, low_x = num("minimum"), num("exclusiveMinimum")
    high, high_x = num("maximum"), num("exclusiveMaximum")
    # Two lower (or upper) limits: the tighter one holds.
    lows = [v for v in (low, low_x) if v is not None]
    highs = [v for v in (high, high_x) if v is not None]
    lo, hi = (max(lows) if lows else None), (min(highs) if highs else None)
    if lo is not None and hi is not None:
        open_end = (lo == low_x and low_x is not None) or (hi == high_x and high_x is not None)
        if lo > hi or (lo == hi and open_end):
            raise BadField(field, f"no share lies in this range: {share!r}")
    return None, lo, hi


@dataclass(frozen=True, slots=True)
class _Version:
    """Where a relationship statement stands among the statements of its relationship."""

    statement_id: str | None
    status: str | None  # 0.4 recordStatus: "new", "updated", "closed"
    replaces: tuple[str, ...]  # 0.2/0.3 replacesStatements


def _version(item: dict[str, Any]) -> _Version:
    replaces = item.get("replacesStatements") or ()
    status = item.get("recordStatus")
    return _Version(
        statement_id=str(item.get("statementId") or "") or None,
        status=str(status) if status else None,
        replaces=tuple(str(r) for r in replaces if r) if isinstance(replaces, list) else (),
    )


def _relationship(
    ctx: LoadContext,
    line: int,
    ref: str,
    details: dict[str, Any],
    src: SourceRef,
    reported: date | None,
    version: _Version,
    history: dict[str, tuple[_Made, ...]],
) -> Iterator[Record]:
    subject = _party(details.get("subject"))
    party = _party(details.get("interestedParty"))
    if subject is None:
        raise ctx.error(line, "subject", "the relationship names no subject")
    interests = _items(ctx, line, details, "interests", "interests") or [{}]
    for i, interest in enumerate(interests):
        if not isinstance(interest, dict):
            raise ctx.error(line, f"interests[{i}]", "expected an object")
    # Earlier versions this statement supersedes end, whoever holds the interest now. A new
    # start date later than the old one says when the change happened; otherwise (the interest
    # runs on, at another share) the change is known from the statement's date. A closure ends
    # them on the interest's end date, else on the statement's date.
    closed = version.status == "closed"
    superseded = [ref] if version.status in ("updated", "closed") else list(version.replaces)
    dates = {
        str(x.get("type")): (
            _date(ctx, line, x, "startDate", f"interests[{i}].startDate"),
            _date(ctx, line, x, "endDate", f"interests[{i}].endDate", end=True),
        )
        for i, x in enumerate(interests)
    }
    changed: dict[str, date | None] = {}  # interest type -> when the superseding version begins
    ended = False
    for old in superseded:
        for made in history.pop(old, ()):
            start, end = dates.get(made.kind, (None, None))
            if closed:
                point = end or reported
            elif start is not None and (made.valid_from is None or start > made.valid_from):
                point = start
            else:
                point = reported
            changed.setdefault(made.kind, point)
            ended = True
            yield _ended(made, point, src)
    if closed and ended:
        return  # the versions it closes are ended; its interests restate them
    if party is None:
        ctx.skip()  # an unspecified or unknown interested party: nothing to link
        return
    summary = bool(details.get("componentStatementIDs") or details.get("componentRecords"))
    # A first statement keeps the ids earlier releases gave it; later versions get their own.
    key = (ref,) if version.status in (None, "new") else (ref, version.statement_id or "")
    made_now: list[_Made] = []
    for i, interest in enumerate(interests):
        level = interest.get("directOrIndirect") or interest.get("interestLevel")
        if summary and level == "indirect":
            continue  # the component chain states this already
        itype = interest.get("type")
        share, low, high = _share(ctx, line, interest.get("share"), f"interests[{i}].share")
        relation = Relation.OWNS if itype in (None, "shareholding") else Relation.CONTROLS
        note = f"BODS interest: {itype or 'unspecified'}" + (f", {level}" if level else "")
        start = _latest(dates[str(itype)][0], changed.get(str(itype)))
        end = dates[str(itype)][1]
        if closed and end is None:
            end = reported  # a record closed here first: its interests end on its date
        edge = Edge(
            id=make_id("bods-interest", *key, i),
            src=node_id(party),
            dst=node_id(subject),
            relation=relation,
            share=share if relation is Relation.OWNS else None,
            share_min=low if relation is Relation.OWNS else None,
            share_max=high if relation is Relation.OWNS else None,
            valid_from=start,
            valid_to=_not_before(end, start),
            reported_on=reported,
            note=note,
            sources=(src,),
        )
        made_now.append(
            _Made(edge.id, edge.src, edge.dst, relation, str(itype), start, edge.valid_to)
        )
        yield edge
    if not closed:
        history[ref] = tuple(made_now)


def _latest(a: date | None, b: date | None) -> date | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


def _not_before(end: date | None, start: date | None) -> date | None:
    """An end never before the start (an empty span rather than a negative one)."""
    if end is not None and start is not None and end < start:
        return start
    return end


def _ended(made: _Made, end: date | None, src: SourceRef) -> Edge:
    """The edge of a superseded version again, with its end: merged into the stored edge."""
    if end is None or (made.valid_to is not None and made.valid_to <= end):
        end = made.valid_to
    return Edge(
        id=made.id,
        src=made.src,
        dst=made.dst,
        relation=made.relation,
        valid_from=made.valid_from,
        valid_to=_not_before(end, made.valid_from),
        sources=(src,),
    )
