"""GLEIF: golden-copy XML (LEI-CDF entity records, RR-CDF relationship records, reporting
exceptions) streamed through defusedxml's expat reader (no entities, no external references),
and GLEIF API v1 JSON responses.

- an LEI record -> an organization with its LEI, legal name, other and transliterated names,
  legal-address country and registration status.
- IS_DIRECTLY_CONSOLIDATED_BY / IS_ULTIMATELY_CONSOLIDATED_BY -> CONTROLS from the parent (end
  node) to the child (start node); the relationship period gives the validity, the latest
  accounting period is kept in the note. Fund relations (IS_FUND-MANAGED_BY, IS_SUBFUND_OF,
  IS_FEEDER_TO) are not ownership or control and are counted as skipped.
- relationship endpoints are named by LEI only: each becomes a :class:`Ref`, resolved at ingest to
  the stored node holding that LEI (load the LEI file first).
- reporting exceptions state why a parent is not reported; they give no graph facts (skipped).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.parsers.expat import XMLParserType
from xml.sax import SAXParseException
from xml.sax.handler import feature_string_interning

from defusedxml import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

from supplygraph.graph.model.identifiers import check_identifier
from supplygraph.graph.model.ids import make_id
from supplygraph.graph.model.records import (
    Edge,
    Identifier,
    IdScheme,
    Node,
    NodeKind,
    Record,
    Relation,
    SourceRef,
)

from .common import Ref, country_code, parse_date
from .context import LoadContext
from .format_spec import Flags, LoaderFormat, Peek
from .reading import JsonLayout, check_not_empty, iter_json_items, json_completeness

CONTROL_TYPES = {"IS_DIRECTLY_CONSOLIDATED_BY", "IS_ULTIMATELY_CONSOLIDATED_BY"}
SOURCE = SourceRef(
    id="gleif",
    title="GLEIF Legal Entity Identifier data (golden copy / API)",
    url="https://www.gleif.org/en/lei-data/gleif-golden-copy",
    grade="A",
)
Item = Record | Ref


def lei_node_id(lei: str) -> str:
    return make_id("lei", lei)


def records(path: Path, ctx: LoadContext) -> Iterator[Item]:
    if path.suffix.lower() == ".json":
        yield from _api(path, ctx)
    else:
        yield from _xml(path, ctx)


# ---- XML ------------------------------------------------------------------------------------
_DATASETS = {
    "LEIData": "gleif-lei",
    "RelationshipData": "gleif-rr",
    "ReportingExceptionData": "gleif-repex",
}
_RECORD_ELEMENTS = frozenset({"LEIRecord", "RelationshipRecord"})
_HEADER_FIELDS = frozenset({"RecordCount", "FileContent"})
_CHUNK = 1 << 20  # bytes read and parsed at a time
# A record still open after this many chunks is refused: a real LEI record is a few KiB, and a
# 60 MB LegalName took 1 GB while building it (the cap of JSON records, 1 MiB, read in chunks).
MAX_OPEN_CHUNKS = 4


def _local(name: str) -> str:
    """An element's local name: expat names a namespaced element "URI local-name"."""
    return name.rpartition(" ")[2]


def _find(elem: ET.Element, *names: str) -> ET.Element | None:
    """The first descendant along local names (the record trees' tags are local names)."""
    current: ET.Element | None = elem
    for name in names:
        if current is None:
            return None
        current = current.find(name)
    return current


def _text(elem: ET.Element, *names: str) -> str:
    """The text of the first descendant along local names, stripped; "" when there is none."""
    holder = _find(elem, *names[:-1]) if len(names) > 1 else elem
    return holder.findtext(names[-1], "").strip() if holder is not None else ""


# Golden-copy dates repeat (period starts and ends, year ends): each spelling is parsed once.
_period_date = lru_cache(maxsize=4096)(parse_date)


class _RecordScanner:
    """Expat's callbacks for one golden-copy file. ElementTree's C ``TreeBuilder`` builds the
    elements; Python sees only the root's start and each element's end, where a finished LEI or
    relationship record is set aside (its tags made local names) to be handed on.

    ``harvest`` then drops the finished part of the tree after each chunk, so memory stays flat
    on multi-million-record files, and reads the header's RecordCount and FileContent (the
    root's grandchildren) on the way.
    """

    def __init__(self, ctx: LoadContext) -> None:
        self.ctx = ctx
        self.header: dict[str, str] = {}  # the golden copy's header: RecordCount, FileContent
        self.finished: list[tuple[str, ET.Element | None]] = []  # parsed, not yet handed on
        self._builder = ET.TreeBuilder()
        self._expat: XMLParserType | None = None
        self._root: ET.Element | None = None
        self._local_names: dict[str, str] = {}
        self._open_record: ET.Element | None = None
        self._open_chunks = 0

    def attach(self, expat_parser: XMLParserType) -> None:
        self._expat = expat_parser
        expat_parser.StartElementHandler = self._start_root
        expat_parser.EndElementHandler = self._end
        expat_parser.CharacterDataHandler = self._builder.data

    def _local(self, name: str) -> str:
        local = self._local_names.get(name)
        if local is None:
            local = self._local_names[name] = _local(name)
        return local

    def _start_root(self, name: str, attrs: dict[str, str]) -> None:
        self._root = self._builder.start(name, attrs)
        assert self._expat is not None
        self._expat.StartElementHandler = self._builder.start  # every further start: C only
        root = self._local(name)
        self.ctx.dataset = _DATASETS.get(root, "")
        if not self.ctx.dataset:
            raise self.ctx.error(1, None, f"unknown GLEIF XML root element {root!r}")

    def _end(self, name: str) -> None:
        # Called for every element: the cache is looked up inline (local names are never empty).
        elem = self._builder.end(name)
        local_names = self._local_names
        local = local_names.get(name) or self._local(name)
        if local in _RECORD_ELEMENTS:
            for part in elem.iter():
                part.tag = local_names.get(part.tag) or self._local(part.tag)
            self.finished.append((local, elem))
        elif local == "Exception" and self.ctx.dataset == "gleif-repex":
            self.finished.append((local, None))

    def harvest(self, final: bool) -> None:
        """Drop what is finished: everything once the file has ended, else all but the last
        element of each level (that one may still be open)."""
        root = self._root
        if root is None:
            return
        sections = list(root)
        for index, section in enumerate(sections):
            still_open = not final and index == len(sections) - 1
            done = section[:-1] if still_open else section[:]
            for child in done:
                local = self._local(child.tag)
                if local in _HEADER_FIELDS:
                    self.header[local] = (child.text or "").strip()
            # An open record is handed on whole once it ends; any other open section (the
            # golden copy's list of records) drops the children that have ended.
            if still_open and self._local(section.tag) not in _RECORD_ELEMENTS:
                del section[: len(done)]
                if len(section):
                    self._count_open(section[-1])
        del root[: len(sections) - 1 if not final else len(sections)]

    def _count_open(self, record: ET.Element) -> None:
        """Refuse a record that stays open across more than :data:`MAX_OPEN_CHUNKS` chunks:
        its text is held whole until it ends, so a huge field would take the memory."""
        if record is not self._open_record:
            self._open_record, self._open_chunks = record, 0
        self._open_chunks += 1
        if self._open_chunks > MAX_OPEN_CHUNKS:
            deepest = record
            while len(deepest):
                deepest = deepest[-1]
            field = self._local(deepest.tag)
            line = self._expat.CurrentLineNumber if self._expat is not None else None
            raise self.ctx.error(
                line,
                field,
                f"a record larger than {MAX_OPEN_CHUNKS * _CHUNK:,} bytes (field {field} "
                "still open): refused",
            )


class _DefusedGleifParser(DefusedExpatParser):
    """defusedxml's expat reader, its guards on (no entity declarations, no external
    references), with the element callbacks going straight to a :class:`_RecordScanner`.

    Through SAX each element costs a further Python call and an attributes object, and
    defusedxml's ElementTree ``iterparse`` runs ElementTree's pure-Python parser: parsing was
    then most of a golden-copy load's time. The guards are the same either way.
    """

    def __init__(self, scanner: _RecordScanner) -> None:
        self._scanner = scanner
        super().__init__(namespaceHandling=1)
        # Interned names: the scanner's name lookups then hash each name once.
        self.setFeature(feature_string_interning, True)

    def reset(self) -> None:
        super().reset()  # a fresh expat parser, with defusedxml's guards installed
        # The stdlib reader keeps its expat parser in _parser (as defusedxml's reset() uses it).
        expat_parser: XMLParserType = self._parser  # type: ignore[attr-defined]  # private, untyped
        # Element names arrive as "namespace-URI local-name"; the prefix is not needed.
        expat_parser.namespace_prefixes = False
        expat_parser.buffer_text = True  # one callback per run of text, not per line
        self._scanner.attach(expat_parser)


def _xml(path: Path, ctx: LoadContext) -> Iterator[Item]:
    check_not_empty(ctx, path)
    scanner = _RecordScanner(ctx)
    parser = _DefusedGleifParser(scanner)
    failure: SAXParseException | DefusedXmlException | None = None
    with path.open("rb") as fh:
        ended = False
        while not ended and failure is None:
            chunk = fh.read(_CHUNK)
            ended = not chunk
            try:
                if ended:
                    parser.close()
                else:
                    parser.feed(chunk)
            except (SAXParseException, DefusedXmlException) as exc:
                failure = exc
            scanner.harvest(final=ended and failure is None)
            # The records that ended before a syntax error are handed on first, as the error
            # comes after them.
            yield from _hand_on(ctx, scanner.finished)
    if isinstance(failure, SAXParseException):
        # Worded as ElementTree words expat's errors: "no element found: line 9, column 0".
        line, column = failure.getLineNumber(), failure.getColumnNumber()
        message = f"{failure.getMessage()}: line {line}, column {column}"
        raise ctx.error(line, None, f"XML syntax error: {message}")
    if failure is not None:
        raise ctx.error(None, None, f"XML refused (entities or external references): {failure}")
    _xml_completeness(ctx, scanner.header)


def _hand_on(ctx: LoadContext, finished: list[tuple[str, ET.Element | None]]) -> Iterator[Item]:
    for name, elem in finished:
        ctx.count_read()
        if elem is None:  # a reporting exception: why a parent is not reported, no graph fact
            ctx.skip()
        elif name == "LEIRecord":
            yield from _lei_record(ctx, elem)
        else:
            yield from _rr_record(ctx, elem)
    finished.clear()


def _xml_completeness(ctx: LoadContext, header: dict[str, str]) -> None:
    """The golden copy states its record count in its header; a delta file is never whole."""
    stated, content = header.get("RecordCount", ""), header.get("FileContent", "")
    if not stated.isdigit():
        ctx.completeness(False, "the header states no RecordCount")
    elif int(stated) != ctx.read:
        ctx.completeness(
            False,
            f"the header states {int(stated):,} records (RecordCount), the file holds {ctx.read:,}",
        )
    elif content and "FULL" not in content:
        ctx.completeness(False, f"a {content} file holds changes, not the whole list")
    else:
        ctx.completeness(True, f"the header's RecordCount ({ctx.read:,}) matches the records")


def _record_lei(ctx: LoadContext, where: int | str, field: str, text: str) -> Identifier | None:
    """The LEI a record is keyed on. Not an LEI at all: the file is broken, an error. Right shape
    but wrong check digits: a typo that must not become a key, so the record is skipped with a
    warning and None returned."""
    value, problem = check_identifier(IdScheme.LEI, text)
    if problem is not None:
        ctx.warn(where, f"{problem}; record skipped")
        ctx.skip()
        return None
    if value is None:
        raise ctx.error(where, field, "not a valid LEI")
    return Identifier(scheme=IdScheme.LEI, value=value)


def _lei_record(ctx: LoadContext, elem: ET.Element) -> Iterator[Item]:
    lei_text = _text(elem, "LEI")
    lei = _record_lei(ctx, f"LEI record {lei_text or '?'}", "LEI", lei_text)
    if lei is None:
        return
    entity = _find(elem, "Entity")
    if entity is None:
        raise ctx.error(f"LEI record {lei.value}", "Entity", "missing")
    name = _text(entity, "LegalName")
    if not name:
        raise ctx.error(f"LEI record {lei.value}", "LegalName", "missing")
    aliases: list[str] = []
    for group in ("OtherEntityNames", "TransliteratedOtherEntityNames"):
        holder = _find(entity, group)
        if holder is not None:
            aliases += [(c.text or "").strip() for c in holder if (c.text or "").strip()]
    props: dict[str, Any] = {
        key: value
        for key, value in (
            ("lei_entity_status", _text(entity, "EntityStatus")),
            ("lei_registration_status", _text(elem, "Registration", "RegistrationStatus")),
            ("lei_category", _text(entity, "EntityCategory")),
            ("lei_jurisdiction", _text(entity, "LegalJurisdiction")),
        )
        if value
    }
    yield _lei_node(lei, name, aliases, _text(entity, "LegalAddress", "Country"), props)


def _lei_node(
    lei: Identifier, name: str, aliases: list[str], country: str, props: dict[str, Any]
) -> Node:
    return Node(
        id=lei_node_id(lei.value),
        kind=NodeKind.ORGANIZATION,
        name=name,
        aliases=tuple(dict.fromkeys(a for a in aliases if a != name)),
        country=country_code(country),
        identifiers=(lei,),
        properties=props,
        sources=(SOURCE.model_copy(update={"quote": f"{lei.value} {name}"}),),
    )


def _rr_record(ctx: LoadContext, elem: ET.Element) -> Iterator[Item]:
    rel = _find(elem, "Relationship")
    if rel is None:
        raise ctx.error(ctx.read, "Relationship", "missing")
    child, parent = _text(rel, "StartNode", "NodeID"), _text(rel, "EndNode", "NodeID")
    rtype = _text(rel, "RelationshipType")
    periods = []
    holder = _find(rel, "RelationshipPeriods")
    for period in holder if holder is not None else []:
        periods.append(
            (
                _text(period, "PeriodType"),
                _period_date(_text(period, "StartDate")),
                _period_date(_text(period, "EndDate")),
            )
        )
    yield from _relationship(ctx, child, parent, rtype, _text(rel, "RelationshipStatus"), periods)


def _relationship(
    ctx: LoadContext,
    child: str,
    parent: str,
    rtype: str,
    status: str,
    periods: list[tuple[str, date | None, date | None]],
) -> Iterator[Item]:
    where = f"relationship {child} {rtype} {parent}"
    if rtype not in CONTROL_TYPES:
        ctx.skip()
        return
    child_lei = _record_lei(ctx, where, "NodeID", child)
    parent_lei = None if child_lei is None else _record_lei(ctx, where, "NodeID", parent)
    if child_lei is None or parent_lei is None:
        return
    valid_from = valid_to = None
    accounting: tuple[date | None, date | None] | None = None
    for ptype, start, end in periods:
        if ptype == "RELATIONSHIP_PERIOD":
            valid_from, valid_to = start, end
        elif ptype == "ACCOUNTING_PERIOD" and (
            # Keep the latest accounting period: it is the one the relationship now rests on.
            accounting is None or (start or date.min) > (accounting[0] or date.min)
        ):
            accounting = (start, end)
    note = rtype.lower().replace("_", " ")
    if accounting is not None:
        note += f"; accounting period {accounting[0]} to {accounting[1]}"
    if status and status != "ACTIVE":
        note += f"; relationship status {status}"
    src_id, dst_id = lei_node_id(parent_lei.value), lei_node_id(child_lei.value)
    yield Ref(src_id, parent_lei)
    yield Ref(dst_id, child_lei)
    yield Edge(
        id=make_id("gleif-rr", child_lei.value, rtype, parent_lei.value),
        src=src_id,
        dst=dst_id,
        relation=Relation.CONTROLS,
        valid_from=valid_from,
        valid_to=valid_to,
        reported_on=accounting[1] if accounting else None,
        note=note,
        sources=(SOURCE.model_copy(update={"quote": f"{child} {rtype} {parent}"}),),
    )


# ---- API JSON -------------------------------------------------------------------------------
def _api(path: Path, ctx: LoadContext) -> Iterator[Item]:
    ctx.dataset = "gleif-api"
    layout = JsonLayout(keep=("meta",))
    items = iter_json_items(ctx, path, keys=("data",), allow_empty=True, layout=layout)
    yield from _api_items(ctx, items)
    meta = layout.members.get("meta")
    paging = meta.get("pagination") if isinstance(meta, dict) else None
    total = paging.get("total") if isinstance(paging, dict) else None
    if isinstance(total, int) and not isinstance(total, bool):
        layout.members["total"] = total  # a page of a collection: its stated total counts
    json_completeness(ctx, layout, "total")


def _api_items(ctx: LoadContext, items: Iterator[tuple[int, Any]]) -> Iterator[Item]:
    for line, item in items:
        ctx.count_read()
        if not isinstance(item, dict) or "attributes" not in item:
            raise ctx.error(line, "data", "expected a GLEIF API resource with 'attributes'")
        attrs = item["attributes"]
        if item.get("type") == "lei-records":
            yield from _api_lei(ctx, line, attrs)
        elif item.get("type") == "relationship-records":
            rel = attrs.get("relationship") or {}
            periods = [
                (p.get("type", ""), parse_date(p.get("startDate")), parse_date(p.get("endDate")))
                for p in rel.get("periods") or []
            ]
            yield from _relationship(
                ctx,
                str((rel.get("startNode") or {}).get("id") or ""),
                str((rel.get("endNode") or {}).get("id") or ""),
                str(rel.get("type") or ""),
                str(rel.get("status") or ""),
                periods,
            )
        else:
            ctx.skip()


def _api_lei(ctx: LoadContext, line: int, attrs: dict[str, Any]) -> Iterator[Item]:
    lei = _record_lei(ctx, line, "lei", str(attrs.get("lei") or ""))
    if lei is None:
        return
    entity = attrs.get("entity") or {}
    name = str((entity.get("legalName") or {}).get("name") or "").strip()
    if not name:
        raise ctx.error(line, "entity.legalName", "missing")
    aliases = [
        str(n.get("name"))
        for key in ("otherNames", "transliteratedOtherNames")
        for n in entity.get(key) or []
        if isinstance(n, dict) and n.get("name")
    ]
    props = {
        k: v
        for k, v in (
            ("lei_entity_status", entity.get("status")),
            ("lei_registration_status", (attrs.get("registration") or {}).get("status")),
            ("lei_category", entity.get("category")),
            ("lei_jurisdiction", entity.get("jurisdiction")),
        )
        if v
    }
    country = str((entity.get("legalAddress") or {}).get("country") or "")
    yield _lei_node(lei, name, aliases, country, props)


_XML_MARKS = ("gleif.org", "LEIData", "RelationshipData")


def _recognise(peek: Peek) -> bool:
    if peek.is_xml and any(mark in peek.text[:4096] for mark in _XML_MARKS):
        return True
    head = peek.head
    return peek.is_json and (
        '"lei-records"' in head or '"relationship-records"' in head or "api.gleif.org" in head
    )


def load_phase(path: Path) -> int:
    """Relationship files name their endpoints by LEI, found in the store: they load after the
    LEI records of the same ``load`` call."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    compact = head.replace(b" ", b"")
    names_relationships = b"RelationshipData" in head or b'"type":"relationship-records"' in compact
    return 1 if names_relationships else 0


FORMAT = LoaderFormat(
    name="gleif",
    records=records,
    recognise=_recognise,
    # An API list of children may be empty: that is an answer, not a broken file.
    flags=Flags(allow_empty=True),
    load_phase=load_phase,
)
