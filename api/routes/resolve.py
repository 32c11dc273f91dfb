from __future__ import annotations

from collections.abc import Hashable
from datetime import date
from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request, Response

from supplygraph.api.deps import AS_OF_HELP, AS_OF_SCHEMA
from supplygraph.api.errors import responses
from supplygraph.graph.caches import AnswerCache
from supplygraph.graph.engine.resolve import Answer
from supplygraph.graph.engine.resolve import Query as ResolveQuery
from supplygraph.graph.errors import InvalidQuery
from supplygraph.graph.model.answers import ResolveResult
from supplygraph.graph.model.normalize import iso_date
from supplygraph.service import SupplyGraph

router = APIRouter(prefix="/v1", tags=["resolve"])

MAX_TEXT = 500
# New questions are computed in at most this many threads per worker. The work is Python under
# the GIL: 32 concurrent requests in 32 threads take turns every few milliseconds, each with
# its own cold SQLite connection cache, and every answer waits for all of them. Two threads
# keep one computing while the other reads the store.
COMPUTE_THREADS = 2


# Raw query strings remembered per app, each mapped to its answer's key (small entries; the
# answers themselves stay in the engine's bounded cache).
RECENT_REQUESTS = 16_384


def _recent(request: Request) -> AnswerCache[Hashable]:
    state = request.app.state
    recent: AnswerCache[Hashable] | None = getattr(state, "recent_requests", None)
    if recent is None:
        recent = state.recent_requests = AnswerCache(RECENT_REQUESTS)
    return recent


def _compute_limiter(request: Request) -> anyio.CapacityLimiter:
    state = request.app.state
    limiter: anyio.CapacityLimiter | None = getattr(state, "resolve_limiter", None)
    if limiter is None:  # made on the event loop, at the first new question
        limiter = state.resolve_limiter = anyio.CapacityLimiter(COMPUTE_THREADS)
    return limiter


# Repeated answers are sent gzipped to clients that say they accept it (HTTP libraries and
# browsers do by default); see Answer.body.
VARY = {"Vary": "Accept-Encoding"}
GZIPPED = {"Content-Encoding": "gzip", **VARY}


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding header allows gzip (``gzip;q=0`` refuses it).

    >>> accepts_gzip("gzip, deflate"), accepts_gzip("br;q=1, gzip;q=0"), accepts_gzip(None)
    (True, False, False)
    """
    for item in (header or "").lower().split(","):
        coding, _, params = item.partition(";")
        if coding.strip() in ("gzip", "*"):
            params = params.strip()
            if not params.startswith("q="):
                return True
            try:
                return float(params[2:]) > 0
            except ValueError:
                return False
    return False


TEXT_FIELDS = ("name", "brand", "model", "mac", "fcc_id", "target")

# The MAC notations graph.model.normalize.mac_prefixes reads: 12 hex digits or a 6-digit
# prefix, in pairs with at most one ':', '-', '.' or ' ' between pairs (aa:bb:cc:dd:ee:ff,
# aa-bb-..., aabb.ccdd.eeff, bare hex), or six groups with leading zeros left out (a:b:c:d:e:f).
MAC_PATTERN = (
    r"^\s*(?:[0-9A-Fa-f]{2}(?:[:.\- ]?[0-9A-Fa-f]{2}){2}(?:(?:[:.\- ]?[0-9A-Fa-f]{2}){3})?"
    r"|[0-9A-Fa-f]{1,2}(?:[:-][0-9A-Fa-f]{1,2}){5})\s*$"
)
# An FCC ID starts with its grantee code: five characters after a leading "2", three otherwise
# (graph.model.normalize.fcc_grantee_code), then the product code.
FCC_ID_PATTERN = r"^(?:2[A-Za-z0-9]{4}|[013-9A-Za-z][A-Za-z0-9]{2})[A-Za-z0-9\-]*$"

PARAMETER_HELP: dict[str, tuple[str, str, dict[str, Any]]] = {
    "name": (
        "A company or organization name, in any script (legal forms, city prefixes and word "
        "order do not matter).",
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        {},
    ),
    "brand": ("A brand or trade name as printed on the product.", "HiLook", {}),
    "model": ("A model number, as printed on the label.", "DS-2CD2143G2-I", {}),
    "mac": (
        "A device's MAC address (12 hex digits, any usual notation) or a 6-digit IEEE prefix.",
        "0C-75-D2-AB-CD-EF",
        {"pattern": MAC_PATTERN},
    ),
    "fcc_id": (
        "An FCC ID (grantee code, then product code) or a bare grantee code.",
        "2ADTD-5604SD",
        {"pattern": FCC_ID_PATTERN},
    ),
    "target": (
        "The group asked about: an entity id or a name (default: Hikvision).",
        "dahua",
        {},
    ),
}


def _parameters() -> list[dict[str, Any]]:
    """The query parameters as OpenAPI documents them (read by hand below, see ``resolve``)."""
    params: list[dict[str, Any]] = []
    for field in TEXT_FIELDS:
        help_, example, extra = PARAMETER_HELP[field]
        text = {"type": "string", "maxLength": MAX_TEXT, **extra}
        params.append(
            {
                "name": field,
                "in": "query",
                "required": False,
                "description": help_,
                "example": example,
                "schema": {"anyOf": [text, {"type": "null"}], "title": field.title()},
            }
        )
    params.append(
        {
            "name": "as_of",
            "in": "query",
            "required": False,
            "description": AS_OF_HELP,
            "example": "2025-06-30",
            "schema": {"anyOf": [AS_OF_SCHEMA, {"type": "null"}], "title": "As Of"},
        }
    )
    return params


@router.get(
    "/resolve",
    response_model=ResolveResult,
    response_model_by_alias=True,
    responses=responses(404),
    openapi_extra={"parameters": _parameters()},
)
async def resolve(request: Request) -> Response:
    """Is what the query names ultimately the target (default: Hikvision)? With evidence paths.

    Parameters: ``name``, ``brand``, ``model``, ``mac``, ``fcc_id`` (at least one), ``target``
    (an entity id or name, read as an organization group; default Hikvision), ``as_of``
    (YYYY-MM-DD; default today).

    Verdicts: ``yes`` (a path from the target, every link strong: a grade A or B source and
    confidence >= 0.5 by default), ``possible`` (the best path has a weak link, named in
    ``weak_links``), ``no`` (resolved, not reached from the target; a distributor lists what it
    sells in ``distributes``), ``unknown`` (nothing known matched).
    """
    graph: SupplyGraph = request.app.state.graph
    resolver = graph.resolver
    # A request seen word for word before (the same query string, store version and day) goes
    # straight to the engine's cached answer, without parsing or normalising it again.
    recent = _recent(request)
    seen = (request.scope["query_string"], resolver.view.version(), date.today())
    known = recent.get(seen, count=False)
    if known is not None and (answer := resolver.answer_by_key(known)) is not None:
        return _respond(request, answer)
    # The parameters are read here rather than declared in the signature: FastAPI's per-field
    # parameter machinery cost more than the (cached) answer itself on this hot path.
    args = request.query_params
    text: dict[str, str | None] = {}
    for field in TEXT_FIELDS:
        value = args.get(field)
        if value is not None and len(value) > MAX_TEXT:
            raise InvalidQuery(field, f"{field}: at most {MAX_TEXT} characters")
        text[field] = value
    raw_day = args.get("as_of")
    as_of: date | None = None if raw_day is None else iso_date(raw_day)
    query = ResolveQuery(
        name=text["name"],
        brand=text["brand"],
        model=text["model"],
        mac=text["mac"],
        fcc_id=text["fcc_id"],
    )
    # Repeated questions are answered from the engine's cache (already serialized) on the event
    # loop; only a new question goes to a worker thread, where store reads may block.
    answer = resolver.cached_answer(query, text["target"], as_of)
    if answer is None:
        answer = await anyio.to_thread.run_sync(
            resolver.answer,
            query,
            text["target"],
            as_of,
            limiter=_compute_limiter(request),
        )
    recent.put(seen, answer.key)
    return _respond(request, answer)


def _respond(request: Request, answer: Answer) -> Response:
    body, packed = answer.body(accepts_gzip(request.headers.get("accept-encoding")))
    return Response(body, media_type="application/json", headers=GZIPPED if packed else VARY)
