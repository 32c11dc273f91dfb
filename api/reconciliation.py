"""The Reconciliation Service API 0.2 (W3C Entity Reconciliation Community Group) over the
graph: the answers behind ``/reconcile``, as plain JSON-ready dicts.

OpenRefine and other clients send a batch of names (with a type and property constraints) and
get candidates with scores; they then add columns through data extension. Candidates come from
the same search as ``/v1/search``; the verdict column is the one ``/v1/resolve`` gives.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson

from supplygraph.api.entity_verdicts import MAC_BLOCKS, entity_verdict
from supplygraph.graph.errors import EntityNotFound, InvalidQuery
from supplygraph.graph.model.answers import SearchHit
from supplygraph.graph.model.records import IdScheme, Node, NodeKind
from supplygraph.service import SupplyGraph

MAX_QUERIES = 100
MAX_EXTEND_IDS = 500
DEFAULT_LIMIT = 5
MAX_LIMIT = 50
# A candidate is declared the match when it scores at least this and is alone at the top.
AUTO_MATCH = 0.95
COUNTRY_MISMATCH_FACTOR = 0.8


@dataclass(frozen=True)
class EntityType:
    id: str
    name: str
    description: str
    holds: Callable[[Node], bool]


def _identifier_of(schemes: frozenset[str]) -> Callable[[Node], bool]:
    def holds(node: Node) -> bool:
        return node.kind == NodeKind.IDENTIFIER and node.properties.get("scheme") in schemes

    return holds


TYPES: dict[str, EntityType] = {
    t.id: t
    for t in (
        EntityType(
            "Organization",
            "Company or organization",
            "Companies, state bodies, research institutes",
            lambda n: n.kind == NodeKind.ORGANIZATION,
        ),
        EntityType("Person", "Person", "People", lambda n: n.kind == NodeKind.PERSON),
        EntityType("Brand", "Brand", "Trade names", lambda n: n.kind == NodeKind.BRAND),
        EntityType(
            "Product", "Product", "Models and model families", lambda n: n.kind == NodeKind.PRODUCT
        ),
        EntityType(
            "MacBlock",
            "MAC address block",
            "IEEE MA-L, MA-M and MA-S assignments (search by MAC or prefix)",
            _identifier_of(frozenset(MAC_BLOCKS)),
        ),
        EntityType(
            "FccGrantee",
            "FCC grantee code",
            "FCC grantee codes (search by FCC ID or code)",
            _identifier_of(frozenset({IdScheme.FCC_GRANTEE.value})),
        ),
    )
}
DEFAULT_TYPES = ("Organization", "Brand")


def type_of(node: Node) -> EntityType:
    return next((t for t in TYPES.values() if t.holds(node)), TYPES["Organization"])


# Properties a query may be constrained by (pid -> what it compares).
QUERY_PROPERTIES = {
    "country": "Country (ISO 3166 alpha-2, e.g. CN)",
    "identifier": "Any identifier: USCC, LEI, ISIN, ticker, MAC address, FCC ID",
}


@dataclass(frozen=True)
class ExtensionProperty:
    id: str
    name: str
    description: str


EXTENSION_PROPERTIES: dict[str, ExtensionProperty] = {
    p.id: p
    for p in (
        ExtensionProperty(
            "verdict",
            "Verdict for the target",
            "yes | possible | no | unknown: is it ultimately the target (setting `target`, "
            "default Hikvision)?",
        ),
        ExtensionProperty("ultimate_owner", "Ultimate owner", "The top of the ownership chain"),
        ExtensionProperty(
            "state_owned", "State owned", "yes or no: a state body or SOE owns or controls it"
        ),
        ExtensionProperty("designations", "Designations", "Active listings (BIS, OFAC, FCC, ...)"),
        ExtensionProperty("distributes", "Distributes", "What it distributes (not makes)"),
        ExtensionProperty("country", "Country", "ISO 3166 alpha-2 country"),
    )
}
TARGET_SETTING = {
    "type": "text",
    "name": "target",
    "label": "Target",
    "default": "hikvision",
    "help_text": "Entity id or name the verdict is about (default Hikvision)",
}


def manifest(base: str) -> dict[str, Any]:
    """The service manifest: what a client needs to talk to this endpoint."""
    import supplygraph

    return {
        "versions": ["0.2"],
        "name": "supplygraph",
        "identifierSpace": f"{base}/ui/entities/",
        "schemaSpace": f"{base}/reconcile/types/",
        "documentation": f"{base}/docs#/reconcile",
        "serviceVersion": supplygraph.__version__,
        "defaultTypes": [{"id": t, "name": TYPES[t].name} for t in DEFAULT_TYPES],
        "view": {"url": f"{base}/ui/entities/{{{{id}}}}"},
        "preview": {"url": f"{base}/reconcile/preview?id={{{{id}}}}", "width": 420, "height": 190},
        "suggest": {
            kind: {"service_url": base, "service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": base, "service_path": "/reconcile/properties"},
            "property_settings": [TARGET_SETTING],
        },
        "authentication": {"type": "apiKey", "name": "X-API-Key", "in": "header"},
    }


def parse_json(text: str, field: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InvalidQuery(field, f"{field}: not JSON ({exc.msg} at character {exc.pos})") from None


def _wanted_types(raw: Any, where: str) -> list[EntityType]:
    ids = [] if raw is None else [raw] if isinstance(raw, str) else raw
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidQuery(where, f"{where}: a type id or a list of type ids")
    unknown = [i for i in ids if i not in TYPES]
    if unknown:
        raise InvalidQuery(where, f"{where}: {unknown[0]!r} is not one of {', '.join(TYPES)}")
    return [TYPES[i] for i in ids]


def _values(raw: Any) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id") or item.get("name")
        if isinstance(item, str | int | float) and not isinstance(item, bool):
            text = str(item).strip()
            if text:
                out.append(text)
    return out


def _candidate_hits(graph: SupplyGraph, text: str, limit: int) -> list[SearchHit]:
    with suppress(InvalidQuery):
        return graph.search(text, limit)
    return []


def reconcile_one(graph: SupplyGraph, key: str, query: Any) -> dict[str, Any]:
    """Candidates for one query of a batch, best first."""
    where = f"queries.{key}"
    if not isinstance(query, dict):
        raise InvalidQuery(where, f"{where}: a query is an object")
    text = query.get("query")
    if text is not None and not isinstance(text, str):
        raise InvalidQuery(f"{where}.query", f"{where}.query: a string")
    limit = query.get("limit", DEFAULT_LIMIT)
    if not isinstance(limit, int | float) or isinstance(limit, bool) or limit < 1:
        raise InvalidQuery(f"{where}.limit", f"{where}.limit: a positive number")
    limit = min(int(limit), MAX_LIMIT)
    types = _wanted_types(query.get("type"), f"{where}.type")
    props = query.get("properties") or []
    if not isinstance(props, list):
        raise InvalidQuery(f"{where}.properties", f"{where}.properties: a list of {{pid, v}}")
    countries: set[str] = set()
    idents: list[str] = []
    for i, prop in enumerate(props):
        pid = prop.get("pid") if isinstance(prop, dict) else None
        if pid not in QUERY_PROPERTIES or "v" not in prop:
            raise InvalidQuery(
                f"{where}.properties.{i}",
                f"{where}.properties.{i}: pid must be one of {', '.join(QUERY_PROPERTIES)}, "
                "with a value v",
            )
        values = _values(prop["v"])
        if pid == "country":
            countries.update(v.upper() for v in values)
        else:
            idents.extend(values)
    if not (text or "").strip() and not idents:
        raise InvalidQuery(where, f"{where}: give a query text or an identifier property")

    scores: dict[str, float] = {}
    id_hits: set[str] = set()
    for hit in _candidate_hits(graph, text or "", limit * 4) if (text or "").strip() else []:
        if not hit.matched_on.startswith("prefix:"):
            scores[hit.id] = max(scores.get(hit.id, 0.0), hit.score)
    for value in idents:
        for hit in _candidate_hits(graph, value, limit):
            if hit.score >= 1.0 and not hit.matched_on.startswith("prefix:"):
                id_hits.add(hit.id)
    nodes = graph.view.nodes(set(scores) | id_hits)
    results: list[dict[str, Any]] = []
    for node in nodes.values():
        kind = type_of(node)
        if types and kind not in types:
            continue
        score = max(scores.get(node.id, 0.0), 1.0 if node.id in id_hits else 0.0)
        features: list[dict[str, Any]] = [
            {"id": "name_match", "value": round(scores.get(node.id, 0.0), 3)}
        ]
        if idents:
            features.append({"id": "identifier_match", "value": node.id in id_hits})
        if countries and node.country:
            agrees = node.country.upper() in countries
            features.append({"id": "country_match", "value": agrees})
            if not agrees:
                score *= COUNTRY_MISMATCH_FACTOR
        results.append(
            {
                "id": node.id,
                "name": node.name,
                "description": _describe(node, kind),
                "score": round(score * 100, 1),
                "features": features,
                "match": False,
                "type": [{"id": kind.id, "name": kind.name}],
            }
        )
    results.sort(key=lambda r: (-r["score"], r["type"][0]["id"] != "Organization", r["name"]))
    results = results[:limit]
    if results:
        top = results[0]["score"]
        alone = len(results) == 1 or results[1]["score"] < top
        results[0]["match"] = top >= AUTO_MATCH * 100 and alone
    return {"result": results}


def _describe(node: Node, kind: EntityType) -> str:
    parts = [kind.name]
    if node.org_type:
        parts[0] = node.org_type.value.replace("_", " ")
    if node.country:
        parts.append(node.country)
    if node.kind == NodeKind.IDENTIFIER:
        parts.append(str(node.properties.get("value", "")))
    return ", ".join(p for p in parts if p)


def reconcile_batch(graph: SupplyGraph, text: str) -> dict[str, Any]:
    batch = parse_json(text, "queries")
    if not isinstance(batch, dict):
        raise InvalidQuery("queries", "queries: an object of query id -> query")
    if len(batch) > MAX_QUERIES:
        raise InvalidQuery("queries", f"queries: at most {MAX_QUERIES} in one batch")
    return {str(key): reconcile_one(graph, str(key), q) for key, q in batch.items()}


def suggest_entities(graph: SupplyGraph, prefix: str, type_id: str | None) -> dict[str, Any]:
    types = _wanted_types(type_id, "type")
    hits = _candidate_hits(graph, prefix, 20 if types else 10)
    nodes = graph.view.nodes([h.id for h in hits])
    out = []
    for hit in hits:
        node = nodes.get(hit.id)
        if node is None:
            continue
        kind = type_of(node)
        if types and kind not in types:
            continue
        out.append(
            {
                "id": node.id,
                "name": node.name,
                "description": _describe(node, kind),
                "notable": [{"id": kind.id, "name": kind.name}],
            }
        )
    return {"result": out[:10]}


def _starts(prefix: str, *texts: str) -> bool:
    wanted = prefix.strip().lower()
    return not wanted or any(wanted in t.lower() for t in texts)


def suggest_types(prefix: str) -> dict[str, Any]:
    return {
        "result": [
            {"id": t.id, "name": t.name, "description": t.description}
            for t in TYPES.values()
            if _starts(prefix, t.id, t.name)
        ]
    }


def suggest_properties(prefix: str) -> dict[str, Any]:
    props = [(p.id, p.name, p.description) for p in EXTENSION_PROPERTIES.values()]
    props += [
        (pid, pid.title(), text) for pid, text in QUERY_PROPERTIES.items() if pid != "country"
    ]
    return {
        "result": [
            {"id": pid, "name": name, "description": text}
            for pid, name, text in props
            if _starts(prefix, pid, name)
        ]
    }


def propose_properties(type_id: str | None, limit: int) -> dict[str, Any]:
    kind = _wanted_types(type_id, "type")
    return {
        "type": kind[0].id if kind else "Organization",
        "properties": [{"id": p.id, "name": p.name} for p in EXTENSION_PROPERTIES.values()][:limit],
        "limit": limit,
    }


def extend(graph: SupplyGraph, text: str, as_of: date | None) -> dict[str, Any]:
    """Data extension: the asked properties of the asked entities."""
    body = parse_json(text, "extend")
    if not isinstance(body, dict):
        raise InvalidQuery("extend", "extend: an object with ids and properties")
    ids, props = body.get("ids"), body.get("properties")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidQuery("extend.ids", "extend.ids: a list of entity ids")
    if len(ids) > MAX_EXTEND_IDS:
        raise InvalidQuery("extend.ids", f"extend.ids: at most {MAX_EXTEND_IDS}")
    if not isinstance(props, list) or not props:
        raise InvalidQuery("extend.properties", "extend.properties: a list of {id, settings}")
    wanted: list[tuple[str, dict[str, Any]]] = []
    for i, prop in enumerate(props):
        pid = prop.get("id") if isinstance(prop, dict) else None
        if pid not in EXTENSION_PROPERTIES:
            raise InvalidQuery(
                f"extend.properties.{i}",
                f"extend.properties.{i}: id must be one of {', '.join(EXTENSION_PROPERTIES)}",
            )
        settings = prop.get("settings") or {}
        if not isinstance(settings, dict):
            raise InvalidQuery(f"extend.properties.{i}.settings", "settings: an object")
        wanted.append((pid, settings))

    nodes = graph.view.nodes(ids)
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for entity_id in ids:
        node = nodes.get(entity_id)
        rows[entity_id] = {
            pid: [] if node is None else _property(graph, node, pid, settings, as_of)
            for pid, settings in wanted
        }
    meta = [
        {"id": pid, "name": EXTENSION_PROPERTIES[pid].name}
        for pid in dict.fromkeys(p for p, _ in wanted)
    ]
    return {"meta": meta, "rows": rows}


def _property(
    graph: SupplyGraph, node: Node, pid: str, settings: dict[str, Any], as_of: date | None
) -> list[dict[str, Any]]:
    if pid == "verdict":
        target = settings.get("target")
        if target is not None and not isinstance(target, str):
            raise InvalidQuery("settings.target", "settings.target: an entity id or name")
        return [{"str": entity_verdict(graph, node, target or None, as_of).verdict}]
    if pid == "country":
        return [{"str": node.country}] if node.country else []
    if pid == "designations":
        day = as_of or date.today()
        found = graph.view.designations([node.id]).get(node.id, [])
        return [{"str": d.list_name or d.list_id} for d in found if d.active_on(day)]
    try:
        if pid == "distributes":
            held = graph.holdings(node.id, 1, as_of).distributes or []
            return [{"id": s.to, "name": s.to_name} for s in held]
        owners = graph.owners(node.id, 6, as_of)
    except EntityNotFound:
        return []
    if pid == "ultimate_owner":
        return [{"id": o.id, "name": o.name} for o in owners.ultimate_owners or []]
    owned = owners.state_owned.state_owned if owners.state_owned else False
    return [{"str": "yes" if owned else "no"}]


def preview_facts(graph: SupplyGraph, entity_id: str) -> tuple[Node, str, str]:
    """The node, its type name and its verdict line for the HTML preview."""
    node = graph.view.nodes([entity_id]).get(entity_id)
    if node is None:
        raise EntityNotFound(entity_id)
    verdict = entity_verdict(graph, node, None, None)
    line = f"{verdict.target.name}: {verdict.verdict} ({verdict.explanation})"
    return node, type_of(node).name, line
