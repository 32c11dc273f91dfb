"""``/reconcile``: the Reconciliation Service API 0.2, for OpenRefine and other clients.

- ``GET /reconcile``: the manifest; with ``queries`` (or ``extend``) it answers them instead.
- ``POST /reconcile``: a form with ``queries`` (a JSON batch) or ``extend`` (a JSON data
  extension query); this is what OpenRefine sends.
- ``/reconcile/suggest/{entity,type,property}``, ``/reconcile/properties`` (propose
  properties for data extension), ``/reconcile/preview`` (an HTML card for a candidate).
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from supplygraph.api.deps import AsOf, Graph
from supplygraph.api.errors import responses
from supplygraph.api.reconciliation import (
    extend,
    manifest,
    preview_facts,
    propose_properties,
    reconcile_batch,
    suggest_entities,
    suggest_properties,
    suggest_types,
)
from supplygraph.graph.errors import InvalidQuery
from supplygraph.service import SupplyGraph

router = APIRouter(prefix="/reconcile", tags=["reconcile"])

QUERIES_HELP = (
    'A JSON object of query id -> {"query": text, "type": type id or ids, "limit": n, '
    '"properties": [{"pid": "country" | "identifier", "v": value}]}.'
)
EXTEND_HELP = (
    'A JSON data extension query: {"ids": [entity ids], "properties": [{"id": "verdict" | '
    '"ultimate_owner" | "state_owned" | "designations" | "distributes" | "country", '
    '"settings": {"target": "dahua"}}]}.'
)
QUERIES_EXAMPLE = '{"q0": {"query": "Hikvision", "type": "Organization"}}'
EXTEND_EXAMPLE = '{"ids": ["hikvision"], "properties": [{"id": "ultimate_owner"}]}'
JSON_TEXT = 20_000

# In a query string each character may take 12 bytes percent-encoded, and the HTTP server refuses
# request lines past about 64 KiB (400 before the app sees them): both fields together must fit.
# Larger batches go in the form body of POST /reconcile.
GET_JSON_TEXT = 2_000

Queries = Annotated[
    str | None,
    Query(
        max_length=GET_JSON_TEXT,
        description=QUERIES_HELP + " Longer batches: POST.",
        examples=[QUERIES_EXAMPLE],
    ),
]
Extend = Annotated[
    str | None,
    Query(
        max_length=GET_JSON_TEXT,
        description=EXTEND_HELP + " Longer ones: POST.",
        examples=[EXTEND_EXAMPLE],
    ),
]
Prefix = Annotated[
    str, Query(max_length=200, description="What the user has typed so far.", examples=["hik"])
]
TypeId = Annotated[
    Literal["Organization", "Person", "Brand", "Product", "MacBlock", "FccGrantee"] | None,
    Query(
        description="Organization, Person, Brand, Product, MacBlock or FccGrantee.",
        examples=["Organization"],
    ),
]


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _answer(
    graph: SupplyGraph, request: Request, queries: str | None, extension: str | None, as_of: Any
) -> dict[str, Any]:
    if queries is not None and extension is not None:
        raise InvalidQuery("queries", "send either queries or extend, not both")
    if queries is not None:
        return reconcile_batch(graph, queries)
    if extension is not None:
        return extend(graph, extension, as_of)
    return manifest(_base(request))


@router.get("", responses=responses(), response_class=JSONResponse)
def reconcile_manifest(
    request: Request,
    graph: Graph,
    queries: Queries = None,
    extend: Extend = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """The service manifest (Reconciliation API 0.2); with ``queries`` or ``extend``, their
    answers (a reconciliation result batch or a data extension response)."""
    return _answer(graph, request, queries, extend, as_of)


@router.post("", responses=responses(), response_class=JSONResponse)
def reconcile(
    request: Request,
    graph: Graph,
    queries: Annotated[
        str | None,
        Form(max_length=JSON_TEXT, description=QUERIES_HELP, examples=[QUERIES_EXAMPLE]),
    ] = None,
    extend: Annotated[
        str | None,
        Form(max_length=JSON_TEXT, description=EXTEND_HELP, examples=[EXTEND_EXAMPLE]),
    ] = None,
    as_of: AsOf = None,
) -> dict[str, Any]:
    """Reconcile a batch (form field ``queries``) or extend data (form field ``extend``).

    Each candidate has ``id``, ``name``, ``description``, ``type``, ``score`` (0-100),
    ``features`` and ``match`` (true for a lone top candidate scoring 95 or more)."""
    return _answer(graph, request, queries, extend, as_of)


@router.options("", include_in_schema=False)
def reconcile_options() -> Response:
    """Both operations on this path; Starlette alone would answer with the first one's only."""
    return Response(status_code=204, headers={"Allow": "GET, POST"})


@router.get("/suggest/entity", responses=responses())
def suggest_entity(graph: Graph, prefix: Prefix, type: TypeId = None) -> dict[str, Any]:
    """Entities for a name being typed (the suggest protocol)."""
    return suggest_entities(graph, prefix, type)


@router.get("/suggest/type", responses=responses())
def suggest_type(prefix: Prefix) -> dict[str, Any]:
    """Types whose id or name contains the text."""
    return suggest_types(prefix)


@router.get("/suggest/property", responses=responses())
def suggest_property(prefix: Prefix) -> dict[str, Any]:
    """Properties (for data extension and query constraints) whose id or name contains the
    text."""
    return suggest_properties(prefix)


@router.get("/properties", responses=responses())
def propose(
    type: TypeId = None,
    limit: Annotated[int, Query(ge=1, le=50, description="At most this many.", examples=[10])] = 10,
) -> dict[str, Any]:
    """The properties data extension can add for a type."""
    return propose_properties(type, limit)


# Response, not HTMLResponse, as the class: FastAPI would document the JSON error bodies as
# text/html too.
@router.get(
    "/preview",
    response_class=Response,
    responses={
        200: {
            "content": {"text/html": {"schema": {"type": "string"}}},
            "description": "An HTML card",
        },
        **responses(404),
    },
)
def preview(
    graph: Graph,
    id: Annotated[str, Query(max_length=500, description="An entity id.", examples=["hikvision"])],
) -> HTMLResponse:
    """A small HTML card for a candidate: name, type, country, identifiers and the verdict for
    Hikvision."""
    node, kind, verdict = preview_facts(graph, id)
    idents = ", ".join(f"{i.scheme.value} {i.value}" for i in node.identifiers[:4])
    rows = [
        f"<strong>{escape(node.name)}</strong>",
        escape(", ".join(x for x in (kind, node.country or "") if x)),
    ]
    if node.aliases:
        rows.append(escape("also: " + "; ".join(node.aliases[:3])))
    if idents:
        rows.append(escape(idents))
    rows.append(escape(verdict))
    body = "".join(f"<div>{r}</div>" for r in rows)
    return HTMLResponse(
        '<!doctype html><html><head><meta charset="utf-8"></head>'
        f'<body style="font:13px sans-serif;margin:6px">{body}</body></html>'
    )
