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
"""

from __future__ import annotations

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
from .reading import iter_json_items

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


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = f"bods:{path.stem}"
    # Relationship id (0.4 recordId, 0.2/0.3 statementID) -> the edges of its latest version.
    history: dict[str, tuple[_Made, ...]] = {}
    for line, item in iter_json_items(ctx, path):
        ctx.count_read()
        if not isinstance(item, dict):
            raise ctx.error(line, None, "expected a BODS statement (a JSON object)")
        yield from statement(ctx, line, item, history)


def _source(item: dict[str, Any]) -> SourceRef:
    details = item.get("publicationDetails") or {}
    publisher = (details.get("publisher") or {}).get("name") or "unknown publisher"
    version = details.get("bodsVersion") or "?"
    return SourceRef(
        id=f"bods:{publisher}",
        title=f"Beneficial ownership statements published by {publisher} (BODS {version})",
        url=(details.get("publisher") or {}).get("url"),
        published=parse_date(details.get("publicationDate")),
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
    src = _source(item)
    reported = parse_date(item.get("statementDate"))
    if kind == "entity":
        yield _entity(ctx, line, ref, details, src)
    elif kind == "person":
        yield _person(ref, details, src)
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
    for ident in details.get("identifiers") or []:
        scheme, value = str(ident.get("scheme") or ""), str(ident.get("id") or "").strip()
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
    name = str(details.get("name") or "").strip() or f"unnamed {type_name or 'entity'} {ref}"
    jurisdiction = details.get("jurisdiction") or details.get("incorporatedInJurisdiction") or {}
    country = country_code(jurisdiction.get("code")) if isinstance(jurisdiction, dict) else None
    aliases = [str(a) for a in details.get("alternateNames") or [] if a and a != name]
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


def _person(ref: str, details: dict[str, Any], src: SourceRef) -> Node:
    names = [
        str(n.get("fullName") or " ".join(filter(None, (n.get("givenName"), n.get("familyName")))))
        for n in details.get("names") or []
        if isinstance(n, dict)
    ]
    names = [n for n in names if n.strip()]
    name = names[0] if names else f"unnamed person {ref}"
    nationality = next(
        (country_code(n.get("code")) for n in details.get("nationalities") or [] if n.get("code")),
        None,
    )
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
    ctx: LoadContext, line: int, share: Any
) -> tuple[float | None, float | None, float | None]:
    if not isinstance(share, dict):
        return None, None, None

    def num(key: str) -> float | None:
        value = share.get(key)
        if value is None:
            return None
        if not isinstance(value, int | float) or not 0 <= value <= 100:
            ctx.warn(line, f"field 'share.{key}': {value!r} is not a percentage; left unknown")
            return None
        return float(value)

    exact = num("exact")
    if exact is not None:
        return exact, None, None
    return None, num("minimum"), num("maximum")


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
    interests = details.get("interests") or [{}]
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
        str(x.get("type")): (parse_date(x.get("startDate")), parse_date(x.get("endDate")))
        for x in interests
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
        share, low, high = _share(ctx, line, interest.get("share"))
        relation = Relation.OWNS if itype in (None, "shareholding") else Relation.CONTROLS
        note = f"BODS interest: {itype or 'unspecified'}" + (f", {level}" if level else "")
        start = _latest(parse_date(interest.get("startDate")), changed.get(str(itype)))
        end = parse_date(interest.get("endDate"))
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
