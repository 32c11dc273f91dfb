"""What the loads of each dataset changed: entities and listings added, removed, changed.

Paged and compressed: a history of 155,000 items was one 29 MB answer (8 requests at once took
1.27 GB). A page holds whole change sets until it reaches ``limit`` items (a set holds at most
5,000, so a page is at most ``limit`` + 5,000 items); ``X-Next-Cursor`` (and a ``Link`` header
with ``rel="next"``) gives the next page. The store is asked for a few sets at a time, so memory
stays bounded by the page, whatever the history's size.
"""

from __future__ import annotations

import base64
import binascii
import gzip
from datetime import UTC, datetime, time
from typing import Annotated
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Query, Request, Response

from supplygraph.api.deps import Dataset, Graph, Since
from supplygraph.api.errors import responses
from supplygraph.api.routes.sources import file_name
from supplygraph.graph.errors import PageNotFound
from supplygraph.graph.model.records import ChangeSet

router = APIRouter(prefix="/v1", tags=["sources"])

PAGE_ITEMS = 2_000  # items per page unless `limit` says otherwise
MAX_PAGE_ITEMS = 10_000  # the largest `limit`
SETS_PER_READ = 8  # change sets read from the store at a time
GZIP_MIN_BYTES = 1_024  # smaller answers go as they are


def _cursor(change: ChangeSet) -> str:
    raw = orjson.dumps([change.loaded_at.isoformat(), change.id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, last = orjson.loads(raw)
        moment = datetime.fromisoformat(at)
        if not isinstance(last, str):
            raise ValueError(last)
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        # Opaque to clients: one that does not decode names no page (404), as a made-up URL would.
        raise PageNotFound("cursor", "no page has this cursor (take X-Next-Cursor)") from None
    return moment, last


@router.get("/changes", response_model=list[ChangeSet], responses=responses(404))
def changes(
    request: Request,
    graph: Graph,
    since: Since,
    dataset: Dataset = None,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=MAX_PAGE_ITEMS,
            description="Items per page (whole change sets).",
            examples=[PAGE_ITEMS],
        ),
    ] = PAGE_ITEMS,
    cursor: Annotated[
        str | None,
        Query(
            max_length=400,
            description="The X-Next-Cursor of the previous page.",
            examples=["MjAyNi0xMi0wN1QwNDo1NzowMCswMDowMA"],
        ),
    ] = None,
) -> Response:
    """The change sets of the loads since a day, newest first (optionally of one dataset).

    Each compares a load with the previous load of its dataset: ``counts`` says how many
    entities and listings were added, removed (a delisting: the listing is end-dated) and
    changed; ``items`` names them (up to 5,000; ``truncated`` when more). A dataset's first
    load has no previous one: its counts say what it brought, with no items.

    Paged: whole change sets up to ``limit`` items (at most 10,000) a page; the response header
    ``X-Next-Cursor`` is the ``cursor`` for the next page (absent on the last one). Sent gzipped
    to clients that accept it.
    """
    start = datetime.combine(since, time.min, tzinfo=UTC)
    after = _after(cursor) if cursor else None
    page: list[ChangeSet] = []
    items = 0
    more = False
    while not more:
        chunk = graph.view.changes(start, dataset, after=after, limit=SETS_PER_READ)
        for change in chunk:
            if page and items + len(change.items) > limit:
                more = True
                break
            page.append(change.model_copy(update={"file": file_name(change.file)}))
            items += len(change.items)
        if len(chunk) < SETS_PER_READ:
            break
        after = (chunk[-1].loaded_at, chunk[-1].id)
    body = b"[" + b",".join(c.model_dump_json().encode() for c in page) + b"]"
    headers = {"Vary": "Accept-Encoding"}
    if more:
        following = {k: v for k, v in request.query_params.items() if k != "cursor"}
        following["cursor"] = _cursor(page[-1])
        headers["X-Next-Cursor"] = following["cursor"]
        headers["Link"] = f'<{request.url.path}?{urlencode(following)}>; rel="next"'
    if len(body) >= GZIP_MIN_BYTES and "gzip" in request.headers.get("accept-encoding", ""):
        body = gzip.compress(body, compresslevel=5)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type="application/json", headers=headers)
