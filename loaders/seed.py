"""The curated seed data (``seed_data/*.yaml``) as records.

The whole seed is validated before anything is yielded: every source, entity and list reference
must resolve, so a typo refuses the seed with the file and entry named instead of loading half.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from supplygraph.graph.errors import InvalidRecord
from supplygraph.graph.model.citations import Cite, CuratedSource, source_refs
from supplygraph.graph.model.identifiers import check_identifier
from supplygraph.graph.model.ids import identifier_node_id, make_id
from supplygraph.graph.model.mac_blocks import mac_digits
from supplygraph.graph.model.records import (
    ASSIGNABLE,
    JOINT_VENTURE,
    Designation,
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

from .oui import ieee_org_id

SEED_DATASET = "supplygraph-seed"
# Files in the seed folder that are not graph records: the rule calendar read by
# graph/engine/regimes.py.
NOT_GRAPH_DATA = frozenset({"rules.yaml"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeedIdentifier(_Strict):
    scheme: IdScheme
    value: str
    sources: list[Cite] = Field(min_length=1)
    note: str | None = None


class SeedEntity(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]*$")
    kind: NodeKind
    org_type: OrgType | None = None
    name: str
    aliases: list[str] = []
    country: str | None = None
    identifiers: list[SeedIdentifier] = []
    pattern: str | None = None
    note: str | None = None
    sources: list[Cite] = Field(min_length=1)


class SeedRelation(_Strict):
    from_: str = Field(alias="from")
    to: str
    relation: Relation
    share: float | None = Field(default=None, ge=0, le=100)
    share_min: float | None = Field(default=None, ge=0, le=100)
    share_max: float | None = Field(default=None, ge=0, le=100)
    valid_from: date | None = None
    valid_to: date | None = None
    reported_on: date | None = None
    confidence: float = Field(ge=0, le=1)
    # OWNS only: the stake is a joint venture's (a `possible` for the group whatever the share).
    joint_venture: bool = False
    sources: list[Cite] = Field(min_length=1)
    note: str | None = None


class SeedDesignation(_Strict):
    entity: str
    list_: str = Field(alias="list")
    start_date: date | None = None
    end_date: date | None = None
    citation: str | None = None
    program: str | None = None
    sources: list[Cite] = Field(min_length=1)
    note: str | None = None


class SeedList(_Strict):
    id: str
    name: str
    authority: str
    program: str | None = None
    citation: str | None = None
    url: str | None = None


class SeedAssignee(_Strict):
    assignee: str
    entity: str
    confidence: float = Field(default=1.0, ge=0, le=1)
    sources: list[Cite] = Field(min_length=1)
    note: str | None = None


class SeedFile(_Strict):
    sources: list[CuratedSource] = []
    entities: list[SeedEntity] = []
    relations: list[SeedRelation] = []
    designations: list[SeedDesignation] = []
    lists: list[SeedList] = []
    ieee_assignees: list[SeedAssignee] = []


@dataclass
class Seed:
    files: dict[str, SeedFile] = field(default_factory=dict)
    sources: dict[str, CuratedSource] = field(default_factory=dict)
    entities: dict[str, SeedEntity] = field(default_factory=dict)
    lists: dict[str, SeedList] = field(default_factory=dict)


def seed_dir() -> Path:
    return Path(str(resources.files("supplygraph.seed_data")))


def _read(path: Path) -> SeedFile:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InvalidRecord(str(path), line, None, f"not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InvalidRecord(str(path), None, None, f"not UTF-8: {exc}") from exc
    try:
        return SeedFile.model_validate(raw or {})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        entry = "/".join(loc[:2]) if len(loc) >= 2 else (loc[0] if loc else None)
        fieldname = ".".join(loc[2:]) or None
        raise InvalidRecord(str(path), entry, fieldname, err["msg"]) from exc


def read_seed(directory: Path | None = None) -> Seed:
    """Parse and cross-check every ``*.yaml`` file in the seed folder."""
    folder = directory or seed_dir()
    seed = Seed()
    for path in sorted(folder.glob("*.yaml")):
        if path.name in NOT_GRAPH_DATA:
            continue
        data = _read(path)
        seed.files[str(path)] = data
        for s in data.sources:
            if s.id in seed.sources:
                raise InvalidRecord(str(path), f"sources/{s.id}", "id", "source id used twice")
            seed.sources[s.id] = s
        for e in data.entities:
            if e.id in seed.entities:
                raise InvalidRecord(str(path), f"entities/{e.id}", "id", "entity id used twice")
            seed.entities[e.id] = e
        for lst in data.lists:
            seed.lists[lst.id] = lst
    _check(seed)
    return seed


def _check(seed: Seed) -> None:
    def cites(path: str, entry: str, cs: list[Cite]) -> None:
        for c in cs:
            if c.source not in seed.sources:
                raise InvalidRecord(path, entry, "sources", f"unknown source {c.source!r}")

    def entity(path: str, entry: str, fieldname: str, eid: str) -> None:
        if eid not in seed.entities:
            raise InvalidRecord(path, entry, fieldname, f"unknown entity {eid!r}")

    for path, data in seed.files.items():
        for i, e in enumerate(data.entities):
            cites(path, f"entities/{i}", e.sources)
            for ident in e.identifiers:
                cites(path, f"entities/{i}", ident.sources)
                # Seed identifiers are merge keys for every later load: a typo is an error here.
                problem = check_identifier(ident.scheme, ident.value)[1]
                if problem is not None:
                    raise InvalidRecord(path, f"entities/{i}", "identifiers", problem)
        for i, r in enumerate(data.relations):
            entity(path, f"relations/{i}", "from", r.from_)
            entity(path, f"relations/{i}", "to", r.to)
            cites(path, f"relations/{i}", r.sources)
        for i, d in enumerate(data.designations):
            entity(path, f"designations/{i}", "entity", d.entity)
            if d.list_ not in seed.lists:
                raise InvalidRecord(path, f"designations/{i}", "list", f"unknown list {d.list_!r}")
            cites(path, f"designations/{i}", d.sources)
        for i, a in enumerate(data.ieee_assignees):
            entity(path, f"ieee_assignees/{i}", "entity", a.entity)
            cites(path, f"ieee_assignees/{i}", a.sources)


def _refs(seed: Seed, cs: list[Cite]) -> tuple[SourceRef, ...]:
    return source_refs(seed.sources, cs)


def records(directory: Path | None = None) -> Iterator[Record]:
    """Every seed fact as a record, after the whole seed has been checked."""
    seed = read_seed(directory)
    for data in seed.files.values():
        for e in data.entities:
            yield from _entity_records(seed, e)
        for r in data.relations:
            yield Edge(
                id=make_id(
                    "seed", r.from_, r.relation.value, r.to, r.valid_from, r.valid_to, r.reported_on
                ),
                src=r.from_,
                dst=r.to,
                relation=r.relation,
                share=r.share,
                share_min=r.share_min,
                share_max=r.share_max,
                valid_from=r.valid_from,
                valid_to=r.valid_to,
                reported_on=r.reported_on,
                confidence=r.confidence,
                reason=JOINT_VENTURE if r.joint_venture else None,
                note=r.note,
                sources=_refs(seed, r.sources),
            )
        for d in data.designations:
            lst = seed.lists[d.list_]
            yield Designation(
                id=make_id("des", d.entity, d.list_, d.start_date),
                entity_id=d.entity,
                list_id=d.list_,
                list_name=lst.name,
                authority=lst.authority,
                program=d.program or lst.program,
                citation=d.citation or lst.citation,
                start_date=d.start_date,
                end_date=d.end_date,
                note=d.note,
                sources=_refs(seed, d.sources),
            )
        for a in data.ieee_assignees:
            org = ieee_org_id(a.assignee)
            # The assignee as the mapping names it, so that the mapping holds whether or not
            # the registry is loaded yet (the registry's record merges into it by id).
            yield Node(
                id=org,
                kind=NodeKind.ORGANIZATION,
                name=a.assignee,
                sources=_refs(seed, a.sources),
            )
            yield Edge(
                id=make_id("same", a.entity, org),
                src=a.entity,
                dst=org,
                relation=Relation.SAME_AS,
                confidence=a.confidence,
                reason=f"reviewed mapping: IEEE assignee {a.assignee!r} is this entity",
                note=a.note,
                sources=_refs(seed, a.sources),
            )


def _entity_records(seed: Seed, e: SeedEntity) -> Iterator[Record]:
    plain = tuple(
        Identifier(scheme=i.scheme, value=i.value)
        for i in e.identifiers
        if i.scheme not in ASSIGNABLE
    )
    props: dict[str, Any] = {}
    if e.pattern:
        props["pattern"] = e.pattern
    if e.note:
        props["note"] = e.note
    yield Node(
        id=e.id,
        kind=e.kind,
        name=e.name,
        aliases=tuple(e.aliases),
        country=e.country,
        org_type=e.org_type,
        identifiers=plain,
        properties=props,
        sources=_refs(seed, e.sources),
    )
    for i in e.identifiers:
        if i.scheme not in ASSIGNABLE:
            continue
        value = mac_digits(i.value)
        ident_id = identifier_node_id(i.scheme.value, value)
        refs = _refs(seed, i.sources)
        yield Node(
            id=ident_id,
            kind=NodeKind.IDENTIFIER,
            name=f"{i.scheme.value} {value}",
            identifiers=(Identifier(scheme=i.scheme, value=value),),
            properties={"scheme": i.scheme.value, "value": value},
            sources=refs,
        )
        yield Edge(
            id=make_id("assigned", e.id, ident_id),
            src=e.id,
            dst=ident_id,
            relation=Relation.ASSIGNED,
            confidence=1.0,
            note=i.note,
            sources=refs,
        )
