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

# Field descriptions said once for the many shapes that carry the same field.
HIKVISION = "Hangzhou Hikvision Digital Technology Co., Ltd."
D_ID = "The entity's stable id (use it with /v1/entities/{id})."
D_NAME = "The entity's main name."
D_KIND = "organization, person, brand, product or identifier."
D_ORG_TYPE = (
    "For organizations: company, state_body, state_owned_enterprise, research_institute or "
    "public_body; null otherwise."
)
D_COUNTRY = "ISO 3166-1 alpha-2 country code, when known."
D_ALIASES = "Other names, in any script."
D_IDENTIFIERS = "Identifiers as `{scheme, value}`: oui, fcc_grantee, lei, uscc, isin, ..."
D_PROPERTIES = "Free-form facts (a product's model pattern, an identifier's scheme and value)."
D_RELATION = (
    "OWNS, CONTROLS, OWNS_BRAND, MANUFACTURES_FOR, DISTRIBUTES, ASSIGNED, MODEL_OF, SAME_AS or "
    "UNRELATED_TO."
)
D_SHARE = "Share held, in percent, when known exactly; null when unknown (never 0)."
D_SHARE_MIN = "Lower bound of the share in percent, when only a range is known."
D_SHARE_MAX = "Upper bound of the share in percent, when only a range is known."
D_VALID_FROM = "First day the fact holds; null when not known."
D_VALID_TO = "First day the fact no longer holds (half-open); null while it holds."
D_CONFIDENCE = "How sure the sources are of the fact, 0 to 1."
D_STRENGTH = "strong (a grade A or B source and enough confidence) or weak."
D_WEAK_REASON = "Why the link is weak; null when strong."
D_SOURCES = "Where the facts come from."
D_AS_OF = "The day the answer is for."
D_EFFECTIVE = (
    "Integrated ownership in percent: the product of the shares along each path, summed over "
    "paths; null when unknown."
)


class EntityRef(BaseModel):
    """An entity by id, with its name and kind."""

    id: str = Field(description=D_ID, examples=["hikvision"])
    name: str = Field(description=D_NAME, examples=[HIKVISION])
    kind: str = Field(description=D_KIND, examples=["organization"])

    @classmethod
    def of(cls, node: Node) -> EntityRef:
        return cls(id=node.id, name=node.name, kind=node.kind.value)


class PartPairOut(BaseModel):
    """One word of the query paired with one word of the matched name."""

    query: str = Field(description="The word from the query.", examples=["hangzou"])
    name: str = Field(description="The word of the matched name.", examples=["hangzhou"])
    similarity: float = Field(description="How alike the two are, 0 to 1.", examples=[0.93])
    # exact | symbol (same rigour symbol, e.g. tech/technology) | fuzzy (typo, split)
    how: str = Field(
        description="exact; symbol (the same word in another form, e.g. tech and technology); "
        "fuzzy (a typo or a split word).",
        examples=["fuzzy"],
    )


class NameMatchDetail(BaseModel):
    """Why a name matched: which name or alias, which parts paired, which did not."""

    name: str = Field(
        description="The name or alias (or normalized key, or model pattern) that matched.",
        examples=["Hangzhou Hikvision Digital Technology Co., Ltd."],
    )
    method: str = Field(
        description="normalized key, transliterated key, name parts or model-number family.",
        examples=["name parts"],
    )
    pairs: list[PartPairOut] = Field(default=[], description="The words paired, one by one.")
    query_only: list[str] = Field(
        default=[], description="Words of the query left unpaired.", examples=[["cctv"]]
    )
    name_only: list[str] = Field(
        default=[], description="Words of the name left unpaired.", examples=[["digital"]]
    )
    features: dict[str, float] = Field(
        default={},
        description="The parts of the score, by name.",
        examples=[{"token_coverage": 0.8}],
    )

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

    id: str = Field(description=D_ID, examples=["hikvision"])
    name: str = Field(description=D_NAME, examples=[HIKVISION])
    kind: str = Field(description=D_KIND, examples=["organization"])
    score: float = Field(ge=0, le=1, description="Match quality, 0 to 1.", examples=[0.97])
    field: str = Field(
        description="Which query field matched: name, brand, model, mac or fcc_id.",
        examples=["mac"],
    )
    matched_on: str = Field(
        description="The key, identifier prefix or name variant that matched, as "
        "`scheme:value` for identifiers.",
        examples=["oui:0C75D2"],
    )
    detail: NameMatchDetail | None = Field(
        default=None, description="For name matches: which words paired and how."
    )
    # Set when the match itself is weak evidence (a model-number family): never a plain yes.
    weak: str | None = Field(
        default=None,
        description="Why the match itself is weak evidence (e.g. a model-number family); "
        "null for a firm match.",
        examples=["a model-number family, not an exact model"],
    )


class Step(BaseModel):
    """One edge of an evidence path. ``from``/``to`` keep the edge's own direction."""

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    from_: str = Field(
        alias="from", description="The edge's start (an entity id).", examples=["cethik"]
    )
    to: str = Field(description="The edge's end (an entity id).", examples=["hikvision"])
    from_name: str = Field(description="Name of `from`.", examples=["CETHIK Group"])
    to_name: str = Field(description="Name of `to`.", examples=[HIKVISION])
    relation: str = Field(description=D_RELATION, examples=["OWNS"])
    share: float | None = Field(default=None, description=D_SHARE, examples=[36.35])
    share_min: float | None = Field(default=None, description=D_SHARE_MIN, examples=[30.0])
    share_max: float | None = Field(default=None, description=D_SHARE_MAX, examples=[40.0])
    valid_from: date | None = Field(default=None, description=D_VALID_FROM, examples=["2001-11-30"])
    valid_to: date | None = Field(default=None, description=D_VALID_TO, examples=["2023-01-01"])
    confidence: float = Field(description=D_CONFIDENCE, examples=[0.95])
    # strong: a grade A/B source and confidence >= the threshold; weak otherwise (weak_reason).
    strength: Strength = Field(default="strong", description=D_STRENGTH, examples=["strong"])
    weak_reason: str | None = Field(
        default=None, description=D_WEAK_REASON, examples=["only grade C sources"]
    )
    reason: str | None = Field(
        default=None,
        description="Why the data holds this link, in words (e.g. how an OEM tie is known).",
        examples=["IEEE assignment of the 0C-75-D2 block"],
    )
    note: str | None = Field(
        default=None, description="A remark on the fact.", examples=["share from 2024 report"]
    )
    sources: list[SourceRef] = Field(description=D_SOURCES)

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

    from_: str | None = Field(
        default=None,
        alias="from",
        description="Start of the weak edge; null when the weakness is the match itself.",
        examples=["hikvision"],
    )
    to: str | None = Field(
        default=None, description="End of the weak edge, or null.", examples=["lorex"]
    )
    relation: str | None = Field(
        default=None, description=D_RELATION, examples=["MANUFACTURES_FOR"]
    )
    reason: str = Field(
        description="Why this link is weak, in words.", examples=["only grade C sources"]
    )

    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)


class DesignationOut(BaseModel):
    model_config = ConfigDict(validate_by_name=True, validate_by_alias=True)

    entity_id: str = Field(description="The listed entity's id.", examples=["hikvision"])
    entity_name: str = Field(description="The listed entity's name.", examples=[HIKVISION])
    list_: str = Field(alias="list", description="The list's id.", examples=["us-bis-entity-list"])
    list_name: str | None = Field(description="The list's name.", examples=["BIS Entity List"])
    authority: str | None = Field(
        description="Who keeps the list.", examples=["US Department of Commerce, BIS"]
    )
    program: str | None = Field(
        description="The program or measure under the list.", examples=["EAR Part 744"]
    )
    citation: str | None = Field(
        description="The legal citation of the listing.", examples=["84 FR 54002"]
    )
    start_date: date | None = Field(
        description="First day the listing applies.", examples=["2019-10-09"]
    )
    end_date: date | None = Field(
        description="First day it no longer applies; null while in force.", examples=[None]
    )
    active: bool = Field(description="Whether it applies on the answer's day.", examples=[True])
    note: str | None = Field(
        default=None, description="A remark on the listing.", examples=["and subsidiaries"]
    )
    sources: list[SourceRef] = Field(description=D_SOURCES)

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

    regime: str = Field(description="The regime's id.", examples=["ndaa889"])
    name: str = Field(description="The regime's name.", examples=["NDAA FY2019 section 889"])
    verdict: RegimeVerdict = Field(
        description="covered (on strong evidence), not_covered or unknown.", examples=["covered"]
    )
    reason: str = Field(description="Why, in words.", examples=["named in section 889(f)(3)(A)"])
    # What data would settle an `unknown` (e.g. "share of A in B not known"); empty otherwise.
    missing: list[str] = Field(
        default=[],
        description="What data would settle an `unknown`; empty otherwise.",
        examples=[["share of CETHIK in Hikvision not known"]],
    )
    paths: list[list[Step]] = Field(default=[], description="The evidence paths.")
    sources: list[SourceRef] = Field(default=[], description=D_SOURCES)


class RegimesResult(BaseModel):
    """``GET /v1/entities/{id}/regimes``: every regime's verdict for one entity."""

    entity: EntityRef = Field(description="The entity the verdicts are about.")
    as_of: date = Field(description=D_AS_OF, examples=["2025-06-30"])
    regimes: list[RegimeOut] = Field(description="One verdict per regime.")


class ResolveResult(BaseModel):
    """Is what the query names ultimately the target? The verdict and its evidence."""

    verdict: Verdict = Field(
        description="yes: a path from the target, every link strong; possible: the best path "
        "has a weak link (see weak_links); no: resolved but not reached from the target; "
        "unknown: nothing known matched",
        examples=["yes"],
    )
    target: EntityRef = Field(description="The group asked about.")
    matched: list[Match] = Field(description="What the query resolved to, best first.")
    paths: list[list[Step]] = Field(
        description="Evidence paths from the target down to what matched; each a list of steps."
    )
    designations: list[DesignationOut] = Field(
        description="Listings of the target and of the entities on the paths."
    )
    confidence: float = Field(
        ge=0, le=1, description="Match quality and evidence strength, 0 to 1.", examples=[0.95]
    )
    as_of: date = Field(description=D_AS_OF, examples=["2025-06-30"])
    explanation: str = Field(
        description="The answer in one or two sentences.",
        examples=["0C-75-D2 is an IEEE block assigned to Hikvision."],
    )
    notes: list[str] = Field(
        default=[],
        description="Remarks a reader should see (e.g. a locally administered MAC).",
        examples=[["the MAC is locally administered"]],
    )
    # Regime verdicts for the target, and for the best match (what the buyer is buying).
    regimes: list[RegimeOut] = Field(default=[], description="Regime verdicts for the target.")
    matched_regimes: RegimesResult | None = Field(
        default=None, description="Regime verdicts for the best match (what is being bought)."
    )
    # For `possible`: the weak links on the best path (or the weak match), and why.
    weak_links: list[WeakLink] = Field(
        default=[], description="For `possible`: the links that keep it from `yes`, and why."
    )
    # When a match distributes the target group's products: what it sells, with sources. A
    # distributor is not the maker, so this never makes the verdict yes or possible.
    distributes: list[Step] = Field(
        default=[],
        description="When a match distributes the target group's products: what it sells "
        "(never makes the verdict yes or possible).",
    )


class OwnerOut(BaseModel):
    """One owner (or holding) with integrated ownership; shares in percent, unknown is null."""

    id: str = Field(description=D_ID, examples=["cetc"])
    name: str = Field(description=D_NAME, examples=["China Electronics Technology Group"])
    kind: str = Field(description=D_KIND, examples=["organization"])
    org_type: str | None = Field(description=D_ORG_TYPE, examples=["state_owned_enterprise"])
    depth: int = Field(description="Hops from the entity.", examples=[2])
    direct_share: float | None = Field(
        description="Share held directly, in percent; null when none or unknown.", examples=[None]
    )
    effective_share: float | None = Field(description=D_EFFECTIVE, examples=[41.88])
    effective_share_min: float | None = Field(
        description="Lower bound of the effective share.", examples=[41.88]
    )
    effective_share_max: float | None = Field(
        description="Upper bound of the effective share.", examples=[41.88]
    )
    controls: bool = Field(description="Whether it controls (not only owns).", examples=[True])
    ultimate: bool = Field(description="Whether nobody is above it in the data.", examples=[False])
    paths: list[list[Step]] = Field(description="The chains that connect the two.")
    partial: bool = Field(
        default=False,
        description="The walk stopped at its budget: the shares are a range over what was read.",
        examples=[False],
    )


class UltimateOwner(BaseModel):
    """The top of an ownership/control chain: nobody above it in the data."""

    id: str = Field(description=D_ID, examples=["sasac"])
    name: str = Field(description=D_NAME, examples=["SASAC"])
    kind: str = Field(description=D_KIND, examples=["organization"])
    org_type: str | None = Field(description=D_ORG_TYPE, examples=["state_body"])
    state: bool = Field(description="Whether it is a state or state body.", examples=[True])
    effective_share: float | None = Field(description=D_EFFECTIVE, examples=[41.88])
    effective_share_min: float | None = Field(
        description="Lower bound of the effective share.", examples=[41.88]
    )
    effective_share_max: float | None = Field(
        description="Upper bound of the effective share.", examples=[41.88]
    )
    controls: bool = Field(description="Whether it controls the entity.", examples=[True])


class StateOwnedFinding(BaseModel):
    """Whether a state, a state body or a state-owned enterprise sits above the entity."""

    state_owned: bool = Field(description="Whether the state sits above.", examples=[True])
    # The highest state-type owners on the chains (a state body at the top, else the top SOE).
    by: list[EntityRef] = Field(
        default=[], description="The highest state-type owners on the chains."
    )
    # Integrated share those owners hold together, in percent; unknown stays null.
    effective_share: float | None = Field(
        default=None, description="Share those owners hold together, in percent.", examples=[41.88]
    )
    effective_share_min: float | None = Field(
        default=None, description="Lower bound of that share.", examples=[41.88]
    )
    effective_share_max: float | None = Field(
        default=None, description="Upper bound of that share.", examples=[41.88]
    )
    controls: bool = Field(default=False, description="Whether they control it.", examples=[True])
    reason: str = Field(
        description="Why, in words.", examples=["SASAC controls CETC, which controls it"]
    )
    paths: list[list[Step]] = Field(default=[], description="The chains from those owners.")


class OwnersResult(BaseModel):
    """Owners (upstream) or holdings (downstream) of one entity, with integrated shares."""

    entity: EntityRef = Field(description="The entity asked about.")
    as_of: date = Field(description=D_AS_OF, examples=["2025-06-30"])
    owners: list[OwnerOut] = Field(default=[], description="Upstream: who owns or controls it.")
    holdings: list[OwnerOut] = Field(default=[], description="Downstream: what it owns.")
    # Upstream only (null for holdings): the tops of the chains and the state-ownership finding.
    ultimate_owners: list[UltimateOwner] | None = Field(
        default=None, description="Upstream only: the tops of the chains."
    )
    state_owned: StateOwnedFinding | None = Field(
        default=None, description="Upstream only: whether the state sits above."
    )
    # Downstream only (null for owners): DISTRIBUTES edges out of the entity, and into it, its
    # holdings and their brands. A distributor is not the maker: never part of a chain.
    distributes: list[Step] | None = Field(
        default=None, description="Downstream only: what the entity distributes."
    )
    distributed_by: list[Step] | None = Field(
        default=None, description="Downstream only: who distributes it, its holdings or brands."
    )
    partial: bool = Field(
        default=False, description="Whether the graph walk stopped at its budget.", examples=[False]
    )
    partial_reason: str | None = Field(
        default=None, description="Which limit of the walk was reached.", examples=[None]
    )


class EntityDetail(BaseModel):
    """One entity with everything known about it."""

    id: str = Field(description=D_ID, examples=["hikvision"])
    kind: str = Field(description=D_KIND, examples=["organization"])
    name: str = Field(description=D_NAME, examples=[HIKVISION])
    aliases: list[str] = Field(description=D_ALIASES, examples=[["Hikvision", "海康威视"]])
    country: str | None = Field(description=D_COUNTRY, examples=["CN"])
    org_type: str | None = Field(description=D_ORG_TYPE, examples=["company"])
    identifiers: list[dict[str, str]] = Field(
        description=D_IDENTIFIERS, examples=[[{"scheme": "oui", "value": "0C75D2"}]]
    )
    properties: dict[str, object] = Field(description=D_PROPERTIES, examples=[{}])
    designations: list[DesignationOut] = Field(description="Its listings.")
    relations: list[Step] = Field(description="Every edge into or out of it.")
    sources: list[SourceRef] = Field(description=D_SOURCES)


class SearchRecord(BaseModel):
    """One entity found by a search: a hit, or a registry record listed under one."""

    id: str = Field(description=D_ID, examples=["hikvision"])
    name: str = Field(description=D_NAME, examples=[HIKVISION])
    kind: str = Field(description=D_KIND, examples=["organization"])
    score: float = Field(description="How well it fits the search, 0 to 1.", examples=[1.0])
    matched_on: str = Field(
        description="The name, alias or identifier (as `scheme:value`) that matched.",
        examples=["海康威视"],
    )


class SearchHit(SearchRecord):
    """One search result."""

    also: list[SearchRecord] = Field(
        default_factory=list,
        description="Registry records (an IEEE MAC registry assignee, ...) linked as the same "
        "entity (SAME_AS) that the search found too: listed under the curated entity instead "
        "of as hits of their own. Empty when the search is asked not to merge them.",
    )
