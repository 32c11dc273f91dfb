"""Request and response shapes of ``POST /match/{dataset}``, the ones yente uses.

A screening system written against yente sends FtM-shaped examples and reads ``responses`` per
query; it ignores fields it does not know, so this service adds its own (``verdict`` on each
result, ``ignored`` at the top) without breaking it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat

from supplygraph.api.entity_verdicts import EntityVerdict

MAX_QUERIES = 100
FtmSchema = Literal["Company", "LegalEntity", "Organization", "Person", "PublicBody", "Thing"]


class EntityExample(BaseModel):
    """One entity to screen, as FollowTheMoney describes it (yente's ``EntityExample``)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(
        default=None,
        description="The caller's own id for the example (echoed, not matched).",
        examples=["row-17"],
    )
    schema_: FtmSchema = Field(
        alias="schema",
        description="FtM schema: Company, Organization, LegalEntity, PublicBody, Person or Thing.",
        examples=["Company"],
    )
    properties: dict[str, str | list[Any]] = Field(
        description="FtM properties; read here: name, alias, previousName, weakAlias, country, "
        "jurisdiction, mainCountry, registrationNumber, leiCode, isinCode, taxNumber, "
        "innCode, ogrnCode, swiftBic. Others are reported in `ignored`.",
        examples=[{"name": ["Hangzhou Hikvision Digital Technology"], "jurisdiction": ["cn"]}],
    )


class MatchRequest(BaseModel):
    """yente's ``EntityMatchQuery``: examples keyed by the caller's query ids."""

    queries: dict[str, EntityExample] = Field(
        max_length=MAX_QUERIES,
        description=f"Examples to match, keyed by the caller's ids (at most {MAX_QUERIES}).",
        examples=[
            {
                "q1": {
                    "schema": "Company",
                    "properties": {"name": ["Hikvision"], "country": ["cn"]},
                }
            }
        ],
    )
    weights: dict[str, StrictFloat] = Field(
        default_factory=dict,
        description="yente's per-feature weights; not used here (reported in `ignored`).",
    )
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="yente's algorithm configuration; not used here (reported in `ignored`).",
    )


class TotalSpec(BaseModel):
    value: int = Field(description="How many candidates scored at least `cutoff`.", examples=[3])
    relation: str = Field(
        default="eq", description="Always `eq`: the count is exact.", examples=["eq"]
    )


class ScoredEntity(BaseModel):
    """One candidate: yente's ``ScoredEntityResponse`` plus this service's verdict."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(description="The entity id in this service.", examples=["hikvision"])
    caption: str = Field(
        description="The entity's display name.",
        examples=["Hangzhou Hikvision Digital Technology Co., Ltd."],
    )
    schema_: str = Field(
        alias="schema", description="FtM schema of the entity.", examples=["Company"]
    )
    properties: dict[str, list[str]] = Field(
        description="FtM properties: name, alias, country, identifiers, topics, sourceUrl."
    )
    datasets: list[str] = Field(
        description="Always `supplygraph`; sources are in properties.sourceUrl.",
        examples=[["supplygraph"]],
    )
    referents: list[str] = Field(
        default_factory=list, description="Always empty here.", examples=[[]]
    )
    target: bool = Field(
        description="Whether the entity is on an active designation list.", examples=[True]
    )
    first_seen: str | None = Field(
        default=None, description="Not tracked here: null.", examples=[None]
    )
    last_seen: str | None = Field(
        default=None, description="Not tracked here: null.", examples=[None]
    )
    last_change: str | None = Field(
        default=None, description="Not tracked here: null.", examples=[None]
    )
    score: float = Field(
        ge=0, le=1, description="How well the entity fits the example.", examples=[0.92]
    )
    features: dict[str, float] = Field(
        description="The parts of the score: name_match, identifier_match, country_match, "
        "country_mismatch (see the response's `matcher`)."
    )
    match: bool = Field(description="score >= threshold.", examples=[True])
    verdict: EntityVerdict = Field(
        description="Is the candidate ultimately the target (query parameter `target`)?"
    )


class QueryMatches(BaseModel):
    """yente's ``EntityMatches`` for one query."""

    status: int = Field(
        default=200, description="Always 200: a bad query fails the request.", examples=[200]
    )
    results: list[ScoredEntity] = Field(description="Candidates, best first, at most `limit`.")
    total: TotalSpec = Field(description="How many candidates passed `cutoff`.")
    query: EntityExample = Field(description="The example as received.")


class FeatureDoc(BaseModel):
    description: str = Field(
        description="What the feature measures.",
        examples=["How well the example's names fit the entity's names and aliases."],
    )
    coefficient: float = Field(description="The feature's weight in the score.", examples=[0.85])
    url: str = Field(
        description="Where the feature is documented.", examples=["/docs#/match/match"]
    )


class Ignored(BaseModel):
    """A parameter or property that was received but does not change the answer here."""

    parameter: str = Field(
        description="The parameter, property or dataset, as received.", examples=["algorithm"]
    )
    reason: str = Field(
        description="Why it does not change the answer.",
        examples=["one matching algorithm here; the name is not used"],
    )


class MatchResponse(BaseModel):
    """yente's ``EntityMatchResponse`` plus ``ignored`` and ``dataset``."""

    responses: dict[str, QueryMatches] = Field(description="Per query id, its candidates.")
    matcher: dict[str, FeatureDoc] = Field(description="The features the score is made of.")
    limit: int = Field(description="The `limit` applied to each query.", examples=[5])
    dataset: str = Field(
        description="The dataset named in the path, as it was read.", examples=["default"]
    )
    ignored: list[Ignored] = Field(
        default_factory=list,
        description="Parameters, properties and datasets accepted but not acted on, with why.",
    )
