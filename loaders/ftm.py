"""FollowTheMoney entities as JSON lines, the form OpenSanctions exports (``entities.ftm.json``).

Parsed by hand rather than through the ``followthemoney`` package: we read a handful of schemata
and properties, and a plain dict walk keeps the per-line cost low on million-line exports.

- Company, Organization, LegalEntity, PublicBody -> organizations; Person -> people. Their FtM id
  is kept as a ``source_key`` identifier; leiCode, uscCode and isinCode become LEI, USCC and ISIN
  (only when well-formed), ticker a ticker.
- Ownership (owner -> asset, percentage, startDate/endDate) -> OWNS;
  Directorship (director -> organization) and Control (controller -> controlled) -> CONTROLS.
- Sanction (entity, authority, program, programId, startDate/endDate, listingDate, datasets) ->
  a designation on the list that programId or the dataset names (see ``vocabulary``).
- Every other schema (Address, Vessel, ...) is counted as skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

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

from .common import country_code, designation, parse_date, source_key, strong_identifier
from .context import LoadContext
from .format_spec import LoaderFormat, Peek
from .reading import iter_lines
from .vocabulary import ftm_list_id

ORGS = {"Company", "Organization", "LegalEntity", "PublicBody"}
STRONG = (("leiCode", IdScheme.LEI), ("uscCode", IdScheme.USCC), ("isinCode", IdScheme.ISIN))
_PERCENT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*%?\s*$")


# Relationship entities name their ends by FtM id, and a file usually describes an entity near
# the relationships that use it: recent ids come back often. An owner may be described tens of
# thousands of lines before a relationship names it; 65,536 ids are a few megabytes.
@lru_cache(maxsize=65536)
def node_id(ftm_id: str) -> str:
    return make_id("ftm", ftm_id)


@lru_cache(maxsize=1024)
def _dataset_source(dataset: str) -> SourceRef:
    return SourceRef(
        id=f"ftm:{dataset}",
        title=f"FollowTheMoney dataset {dataset}",
        url=None,
        # Published FtM datasets (OpenSanctions and the like) compile official lists and
        # registers: reputable research, grade B, unless a curator grades a dataset higher.
        grade="B",
    )


def _source(ctx: LoadContext, entity: dict[str, Any]) -> SourceRef:
    """The entity's first dataset (else the file's); the record's FtM id is kept on the node as
    its source key."""
    datasets = entity.get("datasets")
    return _dataset_source(str(datasets[0]) if datasets else ctx.dataset.removeprefix("ftm:"))


def records(path: Path, ctx: LoadContext) -> Iterator[Record]:
    ctx.dataset = ""
    for line, text in iter_lines(ctx, path):
        if text.isspace():  # iter_lines never yields "", so this is "nothing but white space"
            continue
        try:
            entity = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise ctx.error(line, None, f"JSON syntax error: {exc}") from None
        ctx.count_read()
        if not isinstance(entity, dict):
            raise ctx.error(line, None, "expected one JSON object per line")
        ftm_id, schema = entity.get("id"), entity.get("schema")
        if not isinstance(ftm_id, str) or not ftm_id:
            raise ctx.error(line, "id", "missing entity id")
        if not isinstance(schema, str):
            raise ctx.error(line, "schema", "missing schema")
        props = entity.get("properties") or {}
        if not isinstance(props, dict):
            raise ctx.error(line, "properties", "expected an object")
        if not ctx.dataset:
            # The load log's dataset: the one dataset a single-dataset export names on every
            # entity; a collection (entities of many datasets) is named by its file.
            datasets = entity.get("datasets") or []
            single = datasets[0] if len(datasets) == 1 else path.name.split(".")[0]
            ctx.dataset = f"ftm:{single}"
        party = _PARTIES.get(schema)
        if party is not None:
            node = _party(ctx, line, ftm_id, schema, party, props, entity)
            if node is not None:
                yield node
        elif schema in _ENDS:
            yield from _link(ctx, line, ftm_id, schema, props, _source(ctx, entity))
        elif schema == "Sanction":
            yield from _sanction(ctx, line, ftm_id, props, entity, _source(ctx, entity))
        else:
            ctx.skip()


def _values(props: dict[str, Any], key: str) -> list[str]:
    value = props.get(key)
    if not value:  # most properties a schema may have are absent from any one entity
        return []
    if isinstance(value, str):
        return [value]
    return [v if type(v) is str else str(v) for v in value if v is not None and v != ""]


# The schemata read as parties: their node kind and organization type.
_PARTIES: dict[str, tuple[NodeKind, OrgType | None]] = {
    **{schema: (NodeKind.ORGANIZATION, None) for schema in ORGS},
    "PublicBody": (NodeKind.ORGANIZATION, OrgType.PUBLIC_BODY),
    "Person": (NodeKind.PERSON, None),
}


def _party(
    ctx: LoadContext,
    line: int,
    ftm_id: str,
    schema: str,
    party: tuple[NodeKind, OrgType | None],
    props: dict[str, Any],
    entity: dict[str, Any],
) -> Node | None:
    names = _values(props, "name")
    caption = str(entity.get("caption") or (names[0] if names else ""))
    if not caption:
        ctx.warn(line, f"{schema} {ftm_id} has no name; skipped")
        ctx.skip()
        return None
    aliases = [n for n in dict.fromkeys(names + _values(props, "alias")) if n != caption]
    aliases += [n for n in _values(props, "previousName") if n not in aliases]
    idents: list[Identifier] = [source_key("ftm", ftm_id)]
    for key, scheme in STRONG:
        for value in _values(props, key):
            ident = strong_identifier(scheme, value, ctx, line)
            if ident is not None:
                idents.append(ident)
    idents += [Identifier(scheme=IdScheme.TICKER, value=t) for t in _values(props, "ticker")]
    country = None
    for text in _values(props, "country") + _values(props, "jurisdiction"):
        code = country_code(text)
        if code:
            country = code
            break
    extra: dict[str, object] = {}
    topics = _values(props, "topics")
    if topics:
        extra["topics"] = topics
    kind, org_type = party
    # model_validate on a dict validates exactly as Node(...) does, with less call overhead.
    return Node.model_validate(
        {
            "id": node_id(ftm_id),
            "kind": kind,
            "name": caption,
            "aliases": tuple(aliases),
            "country": country,
            "org_type": org_type,
            # Most parties carry only their source key: nothing to deduplicate, and hashing an
            # identifier is a Python-level call.
            "identifiers": (idents[0],) if len(idents) == 1 else tuple(dict.fromkeys(idents)),
            "properties": extra,
            "sources": (_source(ctx, entity),),
        }
    )


_ENDS = {
    "Ownership": ("owner", "asset", Relation.OWNS),
    "Directorship": ("director", "organization", Relation.CONTROLS),
    "Control": ("controller", "controlled", Relation.CONTROLS),
}


def _link(
    ctx: LoadContext, line: int, ftm_id: str, schema: str, props: dict[str, Any], src: SourceRef
) -> Iterator[Record]:
    src_key, dst_key, relation = _ENDS[schema]
    owners, assets = _values(props, src_key), _values(props, dst_key)
    if not owners or not assets:
        ctx.warn(line, f"{schema} {ftm_id} lacks {src_key!r} or {dst_key!r}; skipped")
        ctx.skip()
        return
    share = None
    for text in _values(props, "percentage"):
        match = _PERCENT.match(text)
        value = float(match.group(1).replace(",", ".")) if match else None
        if value is None or value > 100:
            ctx.warn(line, f"field 'percentage': {text!r} is not a percentage; share left unknown")
        else:
            share = value
            break
    role = ", ".join(_values(props, "role")) or None
    valid_from, valid_to = _first_date(props, "startDate"), _first_date(props, "endDate")
    note = f"{schema}{': ' + role if role else ''}"
    for owner in owners:
        for asset in assets:
            yield Edge.model_validate(
                {
                    "id": make_id("ftm-link", ftm_id, owner, asset),
                    "src": node_id(owner),
                    "dst": node_id(asset),
                    "relation": relation,
                    "share": share if relation is Relation.OWNS else None,
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "note": note,
                    "sources": (src,),
                }
            )


def _first_date(props: dict[str, Any], key: str) -> Any:
    for text in _values(props, key):
        day = parse_date(text)
        if day is not None:
            return day
    return None


def _sanction(
    ctx: LoadContext,
    line: int,
    ftm_id: str,
    props: dict[str, Any],
    entity: dict[str, Any],
    src: SourceRef,
) -> Iterator[Record]:
    targets = _values(props, "entity")
    if not targets:
        ctx.warn(line, f"Sanction {ftm_id} names no entity; skipped")
        ctx.skip()
        return
    program_ids = _values(props, "programId")
    authority = ", ".join(_values(props, "authority")) or None
    datasets = [str(d) for d in entity.get("datasets") or []]
    list_id = ftm_list_id(program_ids[0] if program_ids else None, datasets, authority)
    program = "; ".join(_values(props, "program") + program_ids) or None
    start = _first_date(props, "startDate") or _first_date(props, "listingDate")
    for target in targets:
        yield designation(
            node_id(target),
            list_id,
            (src,),
            program=program,
            start=start,
            end=_first_date(props, "endDate"),
            note=f"authority: {authority}" if authority else None,
        )


def _recognise(peek: Peek) -> bool:
    return peek.is_json and '"schema"' in peek.head and '"properties"' in peek.head


# The loader reads nothing from the store, so a large file may be parsed in a child process.
FORMAT = LoaderFormat(name="ftm", records=records, recognise=_recognise, second_process=True)
