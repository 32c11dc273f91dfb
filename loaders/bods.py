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
- an unspecified subject or interested party (0.4: an object with ``reason``/``description``
  in place of a record id; 0.2/0.3: ``{"unspecified": {...}}``), as the standard allows: the
  relationship gives no edge and no placeholder node (one could be linked or resolved like a
  real party); it is a warning naming the statement, the side and the reason, and a count in
  the load report (``bods_unspecified_subjects``, ``bods_unspecified_parties``). The rest of
  the file loads.
- later statements of a relationship (0.4 ``recordStatus`` "updated"/"closed" on one
  ``recordId``; 0.2/0.3 ``replacesStatements``) end the edges of the version they supersede: on
  the new statement's start date for the same kind of interest, else on its statement date; a
  closed record's own interests end at their ``endDate``, else on the statement date. Each
  version keeps its own edges, so shares are right on any day. Versions are followed across the
  whole load: within a file the loader keeps, per relationship, its latest version's edge ids
  and dates; a version stated by an earlier file or load is found in the store, among the
  subject's edges, by the relationship id every interest edge's note ends with
  (``; relationship ID``). Edges stored before notes carried that id are not found.
- a 0.2/0.3 entity or person statement that ``replacesStatements`` another describes the same
  entity or person: it is written onto the node of the statement it replaces (from this file
  or an earlier load) and keeps its own id as an identifier, so a relationship naming either id
  reaches the one node.
- record ids are typed: an entity and a person stated under one id (0.4 ``recordId``, 0.2/0.3
  ``statementID``) would merge into one node, so the later statement is refused (a warning,
  the statement skipped), also when the earlier one came in an earlier load; a 0.2/0.3
  reference ``describedByPersonStatement`` to an entity statement (or the reverse) is that
  relationship's error.

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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import (
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
from supplygraph.graph.store.protocol import Direction, GraphView

from .common import country_code, parse_date, source_key, strong_identifier
from .context import LoadContext
from .format_spec import LoaderFormat, Peek
from .reading import JsonLayout, iter_json_items, json_completeness

STATE_TYPES = {"state", "stateBody"}


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


@dataclass
class _Load:
    """What one load knows of the statements it has read, and where to look for the rest.

    Memory: a few dozen bytes per statement id (its kind, an alias when it replaces another) and
    the edge ids and dates of each relationship's latest version.
    """

    view: GraphView | None = None  # the store: versions and ids stated by earlier loads
    # Relationship id (0.4 recordId, 0.2/0.3 statementID) -> the edges of its latest version.
    history: dict[str, tuple[_Made, ...]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # statement/record id -> entity|person
    alias: dict[str, str] = field(default_factory=dict)  # statement id -> node id it replaces
    followed: set[str] = field(default_factory=set)  # relationships whose versions we hold
    # Stored edges into a subject node, by the relationship id their note names: read once per
    # subject, so statements that replace many relationships of one subject (a hub) cost one
    # store call, not one each (a 0.5 MB file took 30 s).
    stored_by_ref: dict[str, dict[str, list[_Made]]] = field(default_factory=dict)
    _stored_ids: dict[str, list[str]] = field(default_factory=dict)

    def stored_nodes(self, ref: str) -> list[str]:
        """The stored nodes an earlier load wrote for statement or record ``ref``."""
        if self.view is None:
            return []
        if ref not in self._stored_ids:
            key = source_key("bods", ref)
            self._stored_ids[ref] = sorted(self.view.find_by_identifier([key]).get(key, []))
        return self._stored_ids[ref]

    def stored_versions(self, targets: list[str], old: str) -> tuple[_Made, ...]:
        """The stored edges into ``targets`` that relationship ``old`` stated."""
        assert self.view is not None
        out: list[_Made] = []
        for target in targets:
            if target not in self.stored_by_ref:
                index: dict[str, list[_Made]] = {}
                edges = self.view.edges([target], Direction.IN, [Relation.OWNS, Relation.CONTROLS])
                for e in edges:
                    if e.note and _MARK in e.note and e.dst == target:
                        made = _Made(
                            e.id,
                            e.src,
                            e.dst,
                            e.relation,
                            _interest_type(e.note),
                            e.valid_from,
                            e.valid_to,
                        )
                        index.setdefault(e.note.rsplit(_MARK, 1)[1], []).append(made)
                self.stored_by_ref[target] = index
            out += self.stored_by_ref[target].get(old, [])
        return tuple(out)

    def node(self, ref: str) -> str:
        """The node a reference to ``ref`` means: the node of the statement it replaced, the
        node an earlier load wrote for it (under whatever id linking gave it), or its own."""
        if ref in self.alias:
            return self.alias[ref]
        if ref not in self.kinds:
            stored = self.stored_nodes(ref)
            if stored:
                self.alias[ref] = stored[0]
                return stored[0]
        return node_id(ref)


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = f"bods:{path.stem}"
    state = _Load(view=ctx.view)
    layout = JsonLayout()
    for line, item in iter_json_items(ctx, path, layout=layout):
        ctx.count_read()
        if not isinstance(item, dict):
            raise ctx.error(line, None, "expected a BODS statement (a JSON object)")
        try:
            # A statement is checked whole before any of its records is given out.
            made = list(statement(ctx, line, item, state))
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
    ctx: LoadContext, line: int, item: dict[str, Any], state: _Load | None = None
) -> Iterator[Record]:
    """Records for one statement of any supported version; ``state`` (what the load has read
    so far, and the store) lets a later statement end the edges of the one it supersedes and
    find the node of a statement it replaces."""
    state = _Load() if state is None else state
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
    if kind in ("entity", "person"):
        version = _version(item)
        if kind == "entity":
            node = _entity(ctx, line, ref, details, src)
        else:
            node = _person(ctx, line, ref, details, src)
        yield _typed(ctx, state, ref, kind, version, node, "recordType" in item)
    elif kind == "relationship":
        yield from _relationship(ctx, line, ref, details, src, reported, _version(item), state)
    else:
        raise ctx.error(line, "recordType", f"unknown record type {kind!r}")


_NODE_KINDS = {"entity": NodeKind.ORGANIZATION, "person": NodeKind.PERSON}


def _typed(
    ctx: LoadContext,
    state: _Load,
    ref: str,
    kind: str,
    version: _Version,
    node: Node,
    v04: bool,
) -> Node:
    """``node`` under the id its statement's place gives it, once its id is shown not to name
    a record of the other kind.

    Record ids are typed: an entity and a person stated under one id would merge into one
    node, so the later statement is that statement's error (BODS 0.4 references name a record
    by its id alone; a reference could not tell them apart). A 0.2/0.3 statement that
    ``replacesStatements`` another describes the same entity or person: it takes the node of
    the statement it replaces, in this file or an earlier load, and keeps its own id as an
    identifier so later references to it find that node.
    """
    field_name = "recordType" if v04 else "statementType"
    seen = state.kinds.get(ref)
    if seen is not None and seen != kind:
        raise BadField(field_name, f"id {ref!r} is already a {seen} record; ids are typed")
    target = node.id
    for old in version.replaces:
        old_kind = state.kinds.get(old)
        if old_kind is not None and old_kind != kind:
            raise BadField("replacesStatements", f"{old!r} is a {old_kind} statement")
        if old_kind is not None or old in state.alias:
            target = state.node(old)
            break
        stored = state.stored_nodes(old)
        if stored:
            target = state.alias[old] = stored[0]
            break
    if state.view is not None and seen is None:
        held = state.view.nodes([target]).get(target)
        if held is not None and held.kind is not _NODE_KINDS[kind]:
            raise BadField(
                field_name,
                f"id {ref!r} names a {held.kind.value} stored by an earlier load; ids are typed",
            )
    state.kinds[ref] = kind
    if target != node.id:
        state.alias[ref] = target
        return node.model_copy(update={"id": target})
    return node


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


@dataclass(frozen=True, slots=True)
class _Party:
    """One side of a relationship: the statement or record it names, or why it names none."""

    ref: str | None
    kind: str | None  # "entity"/"person" when a 0.2/0.3 reference says which
    unspecified: str | None  # the reason given for an unspecified party, or "no reason given"


_REFERENCES = {"describedByEntityStatement": "entity", "describedByPersonStatement": "person"}


def _party(details: dict[str, Any], key: str) -> _Party:
    """A 0.4 record id, a 0.2/0.3 ``describedBy...`` reference, or an unspecified party (0.4:
    an object with ``reason``/``description``; 0.2/0.3: ``{"unspecified": {...}}``)."""
    value = details.get(key)
    if isinstance(value, str) and value:
        return _Party(value, None, None)
    if not isinstance(value, dict):
        raise BadField(key, "names no statement or record" if value is None else "not a reference")
    for name, kind in _REFERENCES.items():
        ref = value.get(name)
        if isinstance(ref, str) and ref:
            return _Party(ref, kind, None)
        if ref is not None and ref != "":
            raise BadField(f"{key}.{name}", f"expected a string, got {_kind(ref)}")
    inner = value.get("unspecified", value)
    if not isinstance(inner, dict):
        inner = {}
    reason = inner.get("reason")
    text = inner.get("description")
    said = ", ".join(str(x) for x in (reason, text) if isinstance(x, str) and x)
    return _Party(None, None, said or "no reason given")


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
    state: _Load,
) -> Iterator[Record]:
    subject = _party(details, "subject")
    party = _party(details, "interestedParty")
    for side, name in ((subject, "subject"), (party, "interestedParty")):
        seen = state.kinds.get(side.ref or "")
        if side.kind is not None and seen is not None and seen != side.kind:
            raise BadField(name, f"{side.ref!r} is a {seen} statement, not a {side.kind}")
    interests = _items(ctx, line, details, "interests", "interests") or [{}]
    for i, interest in enumerate(interests):
        if not isinstance(interest, dict):
            raise BadField(f"interests[{i}]", f"expected an object, got {_kind(interest)}")
    summary = bool(details.get("componentStatementIDs") or details.get("componentRecords"))
    # Checked before anything is superseded: a statement refused here changes nothing.
    stated = [
        (i, x, _share(ctx, line, x.get("share"), f"interests[{i}].share"))
        for i, x in enumerate(interests)
        if not (summary and (x.get("directOrIndirect") or x.get("interestLevel")) == "indirect")
    ]
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
        for made in _versions(state, old, subject):
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
    state.followed.add(ref)
    if closed and ended:
        return  # the versions it closes are ended; its interests restate them
    for side, name in ((subject, "subject"), (party, "interested party")):
        if side.unspecified is not None:
            # The standard lets a publisher say a party is unknown or withheld: kept as a count
            # and a warning, never as a node that could be linked or resolved.
            ctx.tally(f"bods_unspecified_{'subjects' if name == 'subject' else 'parties'}")
            ctx.warn(
                line,
                f"relationship {ref!r}: {name} unspecified ({side.unspecified}); no edge",
            )
            ctx.skip()
            return
    assert subject.ref is not None and party.ref is not None
    src_id, dst_id = state.node(party.ref), state.node(subject.ref)
    # A first statement keeps the ids earlier releases gave it; later versions get their own.
    key = (ref,) if version.status in (None, "new") else (ref, version.statement_id or "")
    made_now: list[_Made] = []
    for i, interest, (share, low, high) in stated:
        level = interest.get("directOrIndirect") or interest.get("interestLevel")
        itype = interest.get("type")
        relation = Relation.OWNS if itype in (None, "shareholding") else Relation.CONTROLS
        note = f"BODS interest: {itype or 'unspecified'}" + (f", {level}" if level else "")
        start = _latest(dates[str(itype)][0], changed.get(str(itype)))
        end = dates[str(itype)][1]
        if closed and end is None:
            end = reported  # a record closed here first: its interests end on its date
        edge = Edge(
            id=make_id("bods-interest", *key, i),
            src=src_id,
            dst=dst_id,
            relation=relation,
            share=share if relation is Relation.OWNS else None,
            share_min=low if relation is Relation.OWNS else None,
            share_max=high if relation is Relation.OWNS else None,
            valid_from=start,
            valid_to=_not_before(end, start),
            reported_on=reported,
            note=note + _MARK + ref,
            sources=(src,),
        )
        made_now.append(
            _Made(edge.id, edge.src, edge.dst, relation, str(itype), start, edge.valid_to)
        )
        yield edge
    if not closed:
        state.history[ref] = tuple(made_now)


# Every interest edge names its relationship (0.4 recordId, 0.2/0.3 statementID) at the end of
# its note, so a later load can find the versions an update or replacement supersedes.
_MARK = "; relationship "


def _versions(state: _Load, old: str, subject: _Party) -> tuple[_Made, ...]:
    """The edges of relationship ``old``'s latest version: from this load, else every edge an
    earlier load stored for it (their ends are kept where they come earlier)."""
    if old in state.history:
        return state.history.pop(old)
    if old in state.followed or state.view is None or subject.ref is None:
        return ()
    state.followed.add(old)
    targets = state.stored_nodes(subject.ref) or [state.node(subject.ref)]
    return state.stored_versions(targets, old)


def _interest_type(note: str) -> str:
    """The BODS interest type an edge's note names ("None" for an untyped interest)."""
    text = note.removeprefix("BODS interest: ").split(_MARK)[0].split(",")[0].strip()
    return "None" if text == "unspecified" else text


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


def _recognise(peek: Peek) -> bool:
    marks = ('"recordType"', '"statementType"', '"statementID"')
    return peek.is_json and any(mark in peek.head for mark in marks)


FORMAT = LoaderFormat(name="bods", records=records, recognise=_recognise)
