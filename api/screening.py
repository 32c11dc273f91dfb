"""Screening FtM-shaped examples against the graph, as ``POST /match/{dataset}`` answers them.

A candidate is found by the example's names (the same search as ``/v1/search``) or by its
identifiers (registration numbers, LEI, ISIN). Its score is the best of its name score and 1.0
for a shared identifier; a country that contradicts the example's takes a fifth off. Every
feature is reported, so the score can be checked by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from supplygraph.api.entity_verdicts import entity_verdict
from supplygraph.api.exports import ftm_properties, ftm_schema
from supplygraph.api.routes.match_models import (
    EntityExample,
    FeatureDoc,
    QueryMatches,
    ScoredEntity,
    TotalSpec,
)
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.records import Node, NodeKind
from supplygraph.service import SupplyGraph

NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
COUNTRY_PROPS = ("country", "jurisdiction", "mainCountry")
ID_PROPS = (
    "registrationNumber",
    "leiCode",
    "isinCode",
    "taxNumber",
    "innCode",
    "ogrnCode",
    "swiftBic",
    "idNumber",
)
READ_PROPS = frozenset((*NAME_PROPS, *COUNTRY_PROPS, *ID_PROPS))
COUNTRY_MISMATCH_FACTOR = 0.8
# Candidates taken from the search for each name (before cutoff and limit).
CANDIDATES_PER_NAME = 25
MAX_VALUES = 20
MAX_VALUE_CHARS = 500

# Which kinds of entity an FtM schema can stand for. FtM has no brand or product schema (the
# FtM export writes them as Organization), so the general schemas take them too.
_GENERAL = frozenset({NodeKind.ORGANIZATION, NodeKind.BRAND, NodeKind.PRODUCT, NodeKind.PERSON})
SCHEMA_KINDS: dict[str, frozenset[NodeKind]] = {
    "Person": frozenset({NodeKind.PERSON}),
    "Company": frozenset({NodeKind.ORGANIZATION}),
    "PublicBody": frozenset({NodeKind.ORGANIZATION}),
    "Organization": frozenset({NodeKind.ORGANIZATION, NodeKind.BRAND, NodeKind.PRODUCT}),
    "LegalEntity": _GENERAL,
    "Thing": _GENERAL,
}

MATCHER: dict[str, FeatureDoc] = {
    "name_match": FeatureDoc(
        description="Best name score of the candidate for any of the example's names (the "
        "/v1/search scorer: script-aware name parts, legal forms, transliteration).",
        coefficient=1.0,
        url="/docs#/entities/search",
    ),
    "identifier_match": FeatureDoc(
        description="1 when the candidate holds one of the example's identifiers "
        "(registrationNumber as USCC, leiCode, isinCode).",
        coefficient=1.0,
        url="/docs#/match/match",
    ),
    "country_match": FeatureDoc(
        description="1 when the candidate's country is one of the example's countries.",
        coefficient=0.0,
        url="/docs#/match/match",
    ),
    "country_mismatch": FeatureDoc(
        description="1 when both name a country and they differ; the score is multiplied by "
        f"{COUNTRY_MISMATCH_FACTOR}.",
        coefficient=-(1 - COUNTRY_MISMATCH_FACTOR),
        url="/docs#/match/match",
    ),
}


@dataclass
class Screening:
    """What one request asks besides its examples."""

    threshold: float
    cutoff: float
    limit: int
    target: str | None
    as_of: date | None
    exclude_schema: frozenset[str] = frozenset()
    exclude_ids: frozenset[str] = frozenset()
    unread: set[str] = field(default_factory=set)


def _values(example: EntityExample, names: Iterable[str], query_id: str) -> list[str]:
    out: list[str] = []
    for prop in names:
        raw = example.properties.get(prop)
        items = raw if isinstance(raw, list) else [] if raw is None else [raw]
        for item in items:
            text = str(item).strip() if isinstance(item, str | int | float) else ""
            if len(text) > MAX_VALUE_CHARS:
                raise InvalidQuery(
                    f"queries.{query_id}.properties.{prop}",
                    f"queries.{query_id}.properties.{prop}: at most {MAX_VALUE_CHARS} characters",
                )
            if text and text not in out:
                out.append(text)
    if len(out) > MAX_VALUES:
        where = f"queries.{query_id}"
        raise InvalidQuery(where, f"{where}: at most {MAX_VALUES} values")
    return out


def screen(
    graph: SupplyGraph, query_id: str, example: EntityExample, ask: Screening
) -> QueryMatches:
    """The candidates for one example, scored, cut at ``ask.cutoff``, best first."""
    kinds = SCHEMA_KINDS.get(example.schema_)
    if kinds is None:
        raise InvalidQuery(
            f"queries.{query_id}.schema",
            f"queries.{query_id}.schema: {example.schema_!r} is not one of "
            f"{', '.join(sorted(SCHEMA_KINDS))}",
        )
    ask.unread.update(p for p in example.properties if p not in READ_PROPS)
    names = _values(example, NAME_PROPS, query_id)
    countries = {c.lower() for c in _values(example, COUNTRY_PROPS, query_id)}
    idents = _values(example, ID_PROPS, query_id)
    if not names and not idents:
        raise InvalidQuery(
            f"queries.{query_id}.properties",
            f"queries.{query_id}.properties: give a name or an identifier",
        )

    name_scores: dict[str, float] = {}
    ident_hits: set[str] = set()
    for text in names:
        for hit in graph.search(text, CANDIDATES_PER_NAME):
            if not hit.matched_on.startswith("prefix:"):  # a word still being typed is no match
                name_scores[hit.id] = max(name_scores.get(hit.id, 0.0), hit.score)
    for text in idents:
        for hit in graph.search(text, CANDIDATES_PER_NAME):
            if hit.score >= 1.0 and ":" in hit.matched_on and hit.matched_on[0] != "p":
                ident_hits.add(hit.id)

    nodes = graph.view.nodes((set(name_scores) | ident_hits) - ask.exclude_ids)
    scored: list[tuple[float, dict[str, float], Node]] = []
    for node in nodes.values():
        schema = ftm_schema(node.kind.value, node.org_type.value if node.org_type else None)
        if node.kind not in kinds or schema in ask.exclude_schema:
            continue
        features = {"name_match": round(name_scores.get(node.id, 0.0), 3)}
        if node.id in ident_hits:
            features["identifier_match"] = 1.0
        score = max(features.values())
        if countries and node.country:
            if node.country.lower() in countries:
                features["country_match"] = 1.0
            else:
                features["country_mismatch"] = 1.0
                score *= COUNTRY_MISMATCH_FACTOR
        score = round(score, 3)
        if score >= ask.cutoff:
            scored.append((score, features, node))
    scored.sort(key=lambda s: (-s[0], s[2].kind != NodeKind.ORGANIZATION, s[2].name, s[2].id))

    designated = graph.view.designations([n.id for _, _, n in scored[: ask.limit]])
    today = ask.as_of or date.today()
    results = [
        _result(graph, node, score, features, ask, designated.get(node.id, []), today)
        for score, features, node in scored[: ask.limit]
    ]
    return QueryMatches(results=results, total=TotalSpec(value=len(scored)), query=example)


def _result(
    graph: SupplyGraph,
    node: Node,
    score: float,
    features: dict[str, float],
    ask: Screening,
    designations: list[Any],
    today: date,
) -> ScoredEntity:
    schema = ftm_schema(node.kind.value, node.org_type.value if node.org_type else None)
    return ScoredEntity(
        id=node.id,
        caption=node.name,
        schema_=schema,
        properties=ftm_properties(
            schema,
            kind=node.kind.value,
            name=node.name,
            aliases=node.aliases,
            country=node.country,
            identifiers=[(i.scheme.value, i.value) for i in node.identifiers],
            sources=node.sources,
            listed=any(d.active_on(today) for d in designations),
        ),
        datasets=["supplygraph"],
        target=any(d.active_on(today) for d in designations),
        score=score,
        features=features,
        match=score >= ask.threshold,
        verdict=entity_verdict(graph, node, ask.target, ask.as_of),
    )
