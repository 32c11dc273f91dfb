"""``POST /v1/resolve/bulk``: many queries in, one NDJSON result line per row out, in order.

The body is a JSON array of objects, NDJSON (``application/x-ndjson``), CSV (``text/csv``) or a
multipart upload of one of those. Keys and CSV headers are matched like audit columns ("mac",
"MAC Address", "Brand", "Manufacturer", "FCC ID", ...). The body is received first (up to
``SUPPLYGRAPH_MAX_BULK_BYTES``; larger is 413), checked (no usable column is 422, an unknown
target 404), then answered as a stream: a bad row gets an inline ``error``, never a failed
request.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncGenerator, Iterator
from typing import IO

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from supplygraph.api.deps import AsOf, Graph, Target
from supplygraph.api.errors import error_body
from supplygraph.api.routes import bulk_contract
from supplygraph.audit.readers import READERS, detect_format
from supplygraph.audit.run import Audit
from supplygraph.graph.engine.outlets import LineWriter
from supplygraph.graph.errors import InvalidRecord, SupplyGraphError
from supplygraph.settings import Settings

router = APIRouter(prefix="/v1", tags=["resolve"])

BODY_NAME = "request body"
LINES_PER_CHUNK = 256
MAX_PARTS = 16  # form parts of a multipart body (one file is read)
SPOOL_IN_MEMORY = 1 << 20  # bodies up to 1 MiB stay in memory, larger ones go to a temp file

MEDIA = {
    "application/json": "json",
    "application/x-ndjson": "ndjson",
    "application/ndjson": "ndjson",
    "application/jsonl": "ndjson",
    "application/x-jsonlines": "ndjson",
    "text/csv": "csv",
    "text/plain": "text",
    # A raw file of unnamed kind (what generated clients send): its content says which.
    "application/octet-stream": "text",
    "multipart/form-data": "multipart",
}


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def _limit(request: Request) -> int:
    settings = getattr(request.app.state, "settings", None)
    if not isinstance(settings, Settings):
        settings = Settings()
    return settings.max_bulk_bytes


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        error_body(
            "payload_too_large",
            f"request body larger than {limit:,} bytes (the limit is set by "
            "SUPPLYGRAPH_MAX_BULK_BYTES); split the inventory or use `supplygraph audit`",
            {"limit": limit},
        ),
        status_code=413,
    )


async def _receive(request: Request, limit: int) -> IO[bytes]:
    """The body, spooled to disk past 1 MiB; raises TooLarge as soon as it passes ``limit``."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise TooLarge(limit)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115  # outlives this function: the stream closes it
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise TooLarge(limit)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


async def _upload(request: Request, body: IO[bytes]) -> tuple[IO[bytes], str]:
    """The first file of a multipart body, and its name."""

    async def chunks() -> AsyncGenerator[bytes, None]:
        while chunk := body.read(1 << 16):
            yield chunk

    # One file is all we read: a few form parts more are tolerated, thousands are refused early.
    parser = MultiPartParser(request.headers, chunks(), max_files=MAX_PARTS, max_fields=MAX_PARTS)
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise InvalidRecord(BODY_NAME, None, "file", f"unreadable multipart body: {exc}") from None
    for _, value in form.multi_items():
        if isinstance(value, UploadFile):
            return value.file, value.filename or "upload"
    raise InvalidRecord(BODY_NAME, None, "file", "the multipart body holds no file part")


def _format(kind: str, name: str, body: IO[bytes]) -> str:
    head = body.read(65536)
    body.seek(0)
    if kind in ("json", "ndjson"):
        # A JSON body may be either: the first character tells an array from lines of objects.
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        return "json" if start == b"[" else "ndjson" if start == b"{" else kind
    found = detect_format(name, head)
    if found not in READERS:
        raise InvalidRecord(name, None, None, f"{found} bodies are not accepted here")
    return found


def _stream(audit: Audit, closers: list[IO[bytes]]) -> Iterator[bytes]:
    lines = LineWriter()
    buf: list[bytes] = []
    try:
        for o in audit.outcomes():
            buf.append(lines.line(o.ordinal, o.result, o.derived, o.error))
            if len(buf) >= LINES_PER_CHUNK:
                yield b"\n".join(buf) + b"\n"
                buf = []
    except SupplyGraphError as exc:
        # The status line is gone; say so in the stream rather than cutting it silently.
        buf.append(
            orjson.dumps(
                {
                    "row": None,
                    "verdict": None,
                    "error": error_body(exc.code, exc.message, exc.details)["error"],
                }
            )
        )
    finally:
        for f in closers:
            f.close()
    if buf:
        yield b"\n".join(buf) + b"\n"


@router.post(
    "/resolve/bulk",
    response_class=StreamingResponse,
    responses=bulk_contract.RESPONSES,
    openapi_extra=bulk_contract.OPENAPI_EXTRA,
)
async def resolve_bulk(
    request: Request,
    graph: Graph,
    target: Target = None,
    as_of: AsOf = None,
) -> Response:
    """Resolve every row of a JSON array, NDJSON or CSV body; streams NDJSON in input order.

    Each line is a ``BulkLine`` (its schema is in the document's components): ``row``,
    ``verdict`` (yes/possible/no/unknown), ``confidence``, ``evidence`` (a readable path); for
    yes and possible rows ``matched``, ``sources`` and ``weak_links`` (the weak links of a
    possible row, each ``{from, to, relation, reason}``, with ``weak_link`` the same as text);
    for a supplier that distributes the target group's products (a ``no`` row) ``distributes``
    (the DISTRIBUTES edges as path steps, with sources); ``regimes`` (the regimes covering the
    row's match); and ``error`` (null, or ``{code, message, field}`` for a bad row).
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    kind = MEDIA.get(media)
    if kind is None:
        return JSONResponse(
            error_body(
                "unsupported_media_type",
                f"content type {media or '(none)'!r} is not accepted: send application/json, "
                "application/x-ndjson, text/csv, application/octet-stream or a multipart/form-data "
                "file upload",
            ),
            status_code=415,
        )
    limit = _limit(request)
    try:
        body = await _receive(request, limit)
    except TooLarge as exc:
        return _too_large(exc.limit)
    closers = [body]
    try:
        name = BODY_NAME
        if kind == "multipart":
            upload, name = await _upload(request, body)
            closers.append(upload)
            body, kind = upload, "text"
        fmt = _format(kind, name, body)

        def prepare() -> Audit:
            inventory = READERS[fmt](body, name)
            return Audit(inventory, graph.resolver, target, as_of)

        audit = await run_in_threadpool(prepare)
    except BaseException:
        for f in closers:
            f.close()
        raise
    return StreamingResponse(_stream(audit, closers), media_type="application/x-ndjson")
