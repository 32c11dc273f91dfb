"""What the engines answer with. The API serves these shapes as they are (README: "REST API")."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from supplygraph.graph.model.evidence import Strength, policy
from supplygraph.graph.model.records import Designation, Edge, Node, SourceRef

if TYPE_CHECKING:  # the scorer's result type only; model/ never imports match/ at run time
    from supplygraph.graph.match.name_scoring import NameScore

# yes: a path strong end to end; possible: the best path has a weak link; no: resolved, not
# reached from the target; unknown: nothing known matched (README: "Verdicts").
Verdict = Literal["yes", "possible", "no", "unknown"]
VERDICTS: tuple[Verdict, ...] = ("yes", "possible", "no", "unknown")
RegimeVerdict = Literal["covered", "not_covered", "unknown"]


class EntityRef(BaseModel):
    id: str
    name: str
    kind: str

    @classmethod
    def of(cls, node: Node) -> EntityRef:
        return cls(id=node.id, name=node.name, kind=node.kind.value)


class PartPairOut(BaseModel):
    query: str
    name: str
    similarity: float
    how: str  # exact | symbol (same rigour symbol, e.g. tech/technology) | fuzzy (typo, split)


class NameMatchDetail(BaseModel):
    """Why a name matched: which name or alias, which parts paired, which did not."""

    name: str  # the name or alias (or normalized key, or pattern) that matched
    method: str  # normalized key | transliterated key | name parts | model-number family
    pairs: list[PartPairOut] = []
    query_only: list[str] = []
    name_only: list[str] = []
    features: dict[str, float] = {}

    @classmethod
    def of(cls, scored: NameScore) -> NameMatchDetail:
        return cls(
            name=scored.name,
            method="name parts",
            pairs=[PartPairOut(**vars(p)) for p in scored.pairs],
            query_only=scored.query_only,
            name_only=scored.name_only,
            features=scored.features,
        )


class Match(BaseModel):
    """What (part of) the query resolved to, and how well."""

    id: str
    name: str
    kind: str
    score: float = Field(ge=0, le=1)
    field: str  # which query field matched: name, brand, model, mac, fcc_id
    matched_on: str  # the key, prefix or name variant that matched
    detail: NameMatchDetail | None = None
    # Set when the match itself is weak evidence (a model-number family): never a plain yes.
    weak: str | None = None


class Step(BaseModel):
    """One edge of an evidence path. ``from``/``to`` keep the edge's own direction."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    from_name: str
    to_name: str
    relation: str
    share: float | None = None
    share_min: float | None = None
    share_max: float | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    confidence: float
    # strong: a grade A/B source and confidence >= the threshold; weak otherwise (weak_reason).
    strength: Strength = "strong"
    weak_reason: str | None = None
    reason: str | None = None
    note: str | None = None
    sources: list[SourceRef]

    @classmethod
    def of(cls, edge: Edge, names: dict[str, str]) -> Step:
        weak = policy().weakness(edge)
        return cls(
            from_=edge.src,
            to=edge.dst,
            from_name=names.get(edge.src, edge.src),
            to_name=names.get(edge.dst, edge.dst),
            relation=edge.relation.value,
            share=edge.share,
            share_min=edge.share_min,
            share_max=edge.share_max,
            valid_from=edge.valid_from,
            valid_to=edge.valid_to,
            confidence=edge.confidence,
            strength="weak" if weak else "strong",
            weak_reason=weak,
            reason=edge.reason,
            note=edge.note,
            sources=list(edge.sources),
        )


class WeakLink(BaseModel):
    """The link that keeps a verdict at ``possible``, and why it is weak."""

    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    relation: str | None = None
    reason: str

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)


class DesignationOut(BaseModel):
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    entity_id: str
    entity_name: str
    list_: str = Field(alias="list")
    list_name: str | None
    authority: str | None
    program: str | None
    citation: str | None
    start_date: date | None
    end_date: date | None
    active: bool
    note: str | None = None
    sources: list[SourceRef]

    @classmethod
    def of(cls, d: Designation, entity_name: str, as_of: date | None) -> DesignationOut:
        return cls(
            entity_id=d.entity_id,
            entity_name=entity_name,
            list_=d.list_id,
            list_name=d.list_name,
            authority=d.authority,
            program=d.program,
            citation=d.citation,
            start_date=d.start_date,
            end_date=d.end_date,
            active=d.active_on(as_of),
            note=d.note,
            sources=list(d.sources),
        )


class RegimeOut(BaseModel):
    """One regulation's verdict for one entity on one day, with the reason and the evidence."""

    regime: str
    name: str
    verdict: RegimeVerdict
    reason: str
    # What data would settle an `unknown` (e.g. "share of A in B not known"); empty otherwise.
    missing: list[str] = []
    paths: list[list[Step]] = []
    sources: list[SourceRef] = []


class RegimesResult(BaseModel):
    """``GET /v1/entities/{id}/regimes``: every regime's verdict for one entity."""

    entity: EntityRef
    as_of: date
    regimes: list[RegimeOut]


class ResolveResult(BaseModel):
    verdict: Verdict = Field(
        description="yes: a path from the target, every link strong; possible: the best path "
        "has a weak link (see weak_links); no: resolved but not reached from the target; "
        "unknown: nothing known matched"
    )
    target: EntityRef
    matched: list[Match]
    paths: list[list[Step]]
    designations: list[DesignationOut]
    confidence: float = Field(ge=0, le=1)
    as_of: date
    explanation: str
    notes: list[str] = []
    # Regime verdicts for the target, and for the best match (what the buyer is buying).
    regimes: list[RegimeOut] = []
    matched_regimes: RegimesResult | None = None
    # For `possible`: the weak links on the best path (or the weak match), and why.
    weak_links: list[WeakLink] = []
    # When a match distributes the target group's products: what it sells, with sources. A
    # distributor is not the maker, so this never makes the verdict yes or possible.
    distributes: list[Step] = []


class OwnerOut(BaseModel):
    """One owner (or holding) with integrated ownership; shares in percent, unknown is null."""

    id: str
    name: str
    kind: str
    org_type: str | None
    depth: int
    direct_share: float | None
    effective_share: float | None
    effective_share_min: float | None
    effective_share_max: float | None
    controls: bool
    ultimate: bool
    paths: list[list[Step]]
    # The walk ran out of its budget (nodes, edges, path steps, time): the shares are a range
    # over what was read (min: the paths read; max: a bound over every walk), never exact.
    partial: bool = False


class UltimateOwner(BaseModel):
    """The top of an ownership/control chain: nobody above it in the data."""

    id: str
    name: str
    kind: str
    org_type: str | None
    state: bool
    effective_share: float | None
    effective_share_min: float | None
    effective_share_max: float | None
    controls: bool


class StateOwnedFinding(BaseModel):
    """Whether a state, a state body or a state-owned enterprise sits above the entity."""

    state_owned: bool
    # The highest state-type owners on the chains (a state body at the top, else the top SOE).
    by: list[EntityRef] = []
    # Integrated share those owners hold together, in percent; unknown stays null.
    effective_share: float | None = None
    effective_share_min: float | None = None
    effective_share_max: float | None = None
    controls: bool = False
    reason: str
    paths: list[list[Step]] = []


class OwnersResult(BaseModel):
    entity: EntityRef
    as_of: date
    owners: list[OwnerOut] = []
    holdings: list[OwnerOut] = []
    # Upstream only (null for holdings): the tops of the chains and the state-ownership finding.
    ultimate_owners: list[UltimateOwner] | None = None
    state_owned: StateOwnedFinding | None = None
    # Downstream only (null for owners): DISTRIBUTES edges out of the entity, and into it, its
    # holdings and their brands. A distributor is not the maker: never part of a chain.
    distributes: list[Step] | None = None
    distributed_by: list[Step] | None = None
    # True when the graph walk stopped at its budget; the reason names the limit reached.
    partial: bool = False
    partial_reason: str | None = None


class EntityDetail(BaseModel):
    id: str
    kind: str
    name: str
    aliases: list[str]
    country: str | None
    org_type: str | None
    identifiers: list[dict[str, str]]
    properties: dict[str, object]
    designations: list[DesignationOut]
    relations: list[Step]
    sources: list[SourceRef]


class SearchHit(BaseModel):
    id: str
    name: str
    kind: str
    score: float
    matched_on: str
