"""Server-rendered UI pages: search, entity, resolve. Each is a thin call into the library."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from supplygraph.api.deps import Graph
from supplygraph.api.exports import FORMATS, bods_subject
from supplygraph.graph.errors import EntityNotFound, InvalidQuery, TargetNotFound
from supplygraph.graph.model.answers import EntityDetail, ResolveResult, SearchHit, Step
from supplygraph.graph.model.normalize import iso_date

from . import wording
from .groups import relation_groups
from .legend import LEGEND

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links are rendered: a source URL must never become a script link."""
    if url and urlparse(url).scheme in ("http", "https"):
        return url
    return None


TEMPLATES.env.filters["safe_url"] = _safe_url
TEMPLATES.env.filters["matched_on"] = wording.matched_on

router = APIRouter(prefix="/ui", include_in_schema=False)

Text = Annotated[str | None, Query(max_length=500)]

# The depth the entity graph opens at; the export links start with the same depth and follow the
# depth selector, so an export holds what is drawn.
GRAPH_DEPTH = 1

RESOLVE_FIELDS = (
    ("name", "Company name", "e.g. Hangzhou Hikvision, 海康威视"),
    ("brand", "Brand", "e.g. HiLook, EZVIZ"),
    ("model", "Model number", "e.g. DS-2CD2143G2-I"),
    ("mac", "MAC address", "e.g. 0c:75:d2:12:34:56"),
    ("fcc_id", "FCC ID", "e.g. 2ADTD-5604SD"),
)


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status)


@router.get("", response_class=RedirectResponse)
def ui_root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=308)


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, graph: Graph, q: Text = None) -> HTMLResponse:
    """The search page; with ``q`` the results are rendered on the server too (no JavaScript)."""
    hits: list[SearchHit] = []
    text = (q or "").strip()
    if text:
        hits = graph.search(text, 30, merge_records=True)
    return _page(request, "search.html", q=text, hits=hits, active="search")


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, graph: Graph, entity_id: str) -> HTMLResponse:
    """Names, identifiers, designations, owners, holdings and relations, then the graph."""
    try:
        detail: EntityDetail = graph.entity(entity_id)
    except EntityNotFound:
        return _page(
            request, "not_found.html", status=404, what=f"No entity with id {entity_id!r}."
        )
    owners = graph.owners(entity_id).owners
    holdings = graph.holdings(entity_id).holdings
    formats = list(FORMATS)
    holders: list[tuple[str, str]] = []
    if detail.kind not in ("organization", "person"):
        # BODS speaks of companies and people only: no button where the drawn graph has none.
        hood = graph.neighbourhood(detail.id, GRAPH_DEPTH)
        if bods_subject(hood) is None:
            formats.remove("bods")
        # Who an identifier (a MAC block, a grantee code) was assigned to: its page says so first.
        names = {n.id: n.name for n in hood.nodes}
        holders = [
            (e.source, names.get(e.source, e.source))
            for e in hood.edges
            if e.relation == "ASSIGNED" and e.target == detail.id
        ]
    return _page(
        request,
        "entity.html",
        e=detail,
        owners=owners,
        holdings=holdings,
        groups=relation_groups(detail),
        holders=holders,
        formats=formats,
        graph_depth=GRAPH_DEPTH,
        legend=LEGEND,
        active="entity",
    )


@router.get("/resolve", response_class=HTMLResponse)
def resolve_page(
    request: Request,
    graph: Graph,
    name: Text = None,
    brand: Text = None,
    model: Text = None,
    mac: Text = None,
    fcc_id: Text = None,
    target: Text = None,
    as_of: Text = None,
) -> Response:
    """Ask "is this ultimately the target?": the verdict, its paths drawn and listed, sources."""
    values = {"name": name, "brand": brand, "model": model, "mac": mac, "fcc_id": fcc_id}
    values = {k: (v or "").strip() for k, v in values.items()}
    context: dict[str, Any] = {
        "fields": RESOLVE_FIELDS,
        "values": values,
        "target": (target or "").strip(),
        "as_of": (as_of or "").strip(),
        "result": None,
        "error": None,
        "active": "resolve",
    }
    if not any(values.values()):
        return _page(request, "resolve.html", **context)
    try:
        day = iso_date(context["as_of"]) if context["as_of"] else None
    except InvalidQuery as exc:
        context["error"] = exc.message
        return _page(request, "resolve.html", status=422, **context)
    try:
        result = graph.resolve(
            **{k: v or None for k, v in values.items()},
            target=context["target"] or None,
            as_of=day,
        )
    except (InvalidQuery, TargetNotFound) as exc:
        context["error"] = exc.message
        status = 404 if isinstance(exc, TargetNotFound) else 422
        return _page(request, "resolve.html", status=status, **context)
    context["result"] = result
    context["weak_links"] = _weak_links(result)
    designated = {d.entity_id for d in result.designations if d.active}
    on_paths = {n for path in result.paths for step in path for n in (step.from_, step.to)}
    nodes = graph.view.nodes(on_paths)
    # Aliases too: the graph script draws a short English name where the full one is long.
    kinds: dict[str, dict[str, Any]] = {
        i: {
            "kind": n.kind.value,
            "org_type": n.org_type.value if n.org_type else None,
            "aliases": list(n.aliases),
        }
        for i, n in nodes.items()
    }
    context["path_graph"] = _path_graph(result.paths, designated, kinds) | {
        "target": result.target.id
    }
    context["legend"] = LEGEND
    return _page(request, "resolve.html", **context)


def _weak_links(result: ResolveResult) -> list[dict[str, str | None]]:
    """The weak links of a `possible` answer with the names of their ends, for the template."""
    names = {m.id: m.name for m in result.matched}
    for path in result.paths:
        for step in path:
            names[step.from_], names[step.to] = step.from_name, step.to_name
    return [
        {
            "from": w.from_,
            "from_name": names.get(w.from_, w.from_) if w.from_ else None,
            "relation": w.relation,
            "to": w.to,
            "to_name": names.get(w.to, w.to) if w.to else None,
            "reason": w.reason,
        }
        for w in result.weak_links
    ]


def _path_graph(
    paths: list[list[Step]], designated: set[str], kinds: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The union of the evidence paths, shaped for the graph script (nodes with their kinds,
    edges, sources)."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[str, dict[str, Any]] = {}
    for path in paths:
        for step in path:
            for node_id, name in ((step.from_, step.from_name), (step.to, step.to_name)):
                kind = kinds.get(node_id, {"kind": "organization", "org_type": None})
                nodes.setdefault(
                    node_id,
                    {"id": node_id, "name": name, "designated": node_id in designated} | kind,
                )
            key = f"{step.from_}|{step.relation}|{step.to}"
            edges.setdefault(key, step.model_dump(mode="json", by_alias=True) | {"id": key})
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}
