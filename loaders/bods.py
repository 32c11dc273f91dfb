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
"""

from __future__ import annotations

from collections.abc import Iterator
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


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = f"bods:{path.stem}"
    for line, item in iter_json_items(ctx, path):
        ctx.count_read()
        if not isinstance(item, dict):
            raise ctx.error(line, None, "expected a BODS statement (a JSON object)")
        yield from statement(ctx, line, item)


def _source(item: dict[str, Any]) -> SourceRef:
    details = item.get("publicationDetails") or {}
    publisher = (details.get("publisher") or {}).get("name") or "unknown publisher"
    version = details.get("bodsVersion") or "?"
    return SourceRef(
        id=f"bods:{publisher}",
        title=f"Beneficial ownership statements published by {publisher} (BODS {version})",
        url=(details.get("publisher") or {}).get("url"),
        published=parse_date(details.get("publicationDate")),
    )


def statement(ctx: LoadContext, line: int, item: dict[str, Any]) -> Iterator[Record]:
    """Records for one statement of any supported version."""
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
        yield _entity(ref, details, src)
    elif kind == "person":
        yield _person(ref, details, src)
    elif kind == "relationship":
        yield from _relationship(ctx, line, ref, details, src, reported)
    else:
        raise ctx.error(line, "recordType", f"unknown record type {kind!r}")


def _identifiers(ref: str, details: dict[str, Any]) -> tuple[Identifier, ...]:
    found: list[Identifier] = [source_key("bods", ref)]
    for ident in details.get("identifiers") or []:
        scheme, value = str(ident.get("scheme") or ""), str(ident.get("id") or "").strip()
        if not value:
            continue
        if scheme == "XI-LEI":
            lei = strong_identifier(IdScheme.LEI, value)
            if lei is not None:
                found.append(lei)
        elif scheme == "CN-SAMR":
            uscc = strong_identifier(IdScheme.USCC, value)
            if uscc is not None:
                found.append(uscc)
        elif scheme:
            found.append(Identifier(scheme=IdScheme.REGISTRY, value=f"{scheme}:{value}"))
    return tuple(dict.fromkeys(found))


def _entity(ref: str, details: dict[str, Any], src: SourceRef) -> Node:
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
        identifiers=_identifiers(ref, details),
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


def _relationship(
    ctx: LoadContext,
    line: int,
    ref: str,
    details: dict[str, Any],
    src: SourceRef,
    reported: date | None,
) -> Iterator[Record]:
    subject = _party(details.get("subject"))
    party = _party(details.get("interestedParty"))
    if subject is None:
        raise ctx.error(line, "subject", "the relationship names no subject")
    if party is None:
        ctx.skip()  # an unspecified or unknown interested party: nothing to link
        return
    summary = bool(details.get("componentStatementIDs") or details.get("componentRecords"))
    interests = details.get("interests") or [{}]
    for i, interest in enumerate(interests):
        if not isinstance(interest, dict):
            raise ctx.error(line, f"interests[{i}]", "expected an object")
        level = interest.get("directOrIndirect") or interest.get("interestLevel")
        if summary and level == "indirect":
            continue  # the component chain states this already
        itype = interest.get("type")
        share, low, high = _share(ctx, line, interest.get("share"))
        relation = Relation.OWNS if itype in (None, "shareholding") else Relation.CONTROLS
        note = f"BODS interest: {itype or 'unspecified'}" + (f", {level}" if level else "")
        yield Edge(
            id=make_id("bods-interest", ref, i),
            src=node_id(party),
            dst=node_id(subject),
            relation=relation,
            share=share if relation is Relation.OWNS else None,
            share_min=low if relation is Relation.OWNS else None,
            share_max=high if relation is Relation.OWNS else None,
            valid_from=parse_date(interest.get("startDate")),
            valid_to=parse_date(interest.get("endDate")),
            reported_on=reported,
            note=note,
            sources=(src,),
        )
