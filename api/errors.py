"""One table from exception class to HTTP status; every error body has the same shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException

from supplygraph.graph.errors import (
    EntityNotFound,
    InvalidQuery,
    InvalidRecord,
    InvalidStoreURL,
    LoadRefused,
    PageNotFound,
    StoreUnavailable,
    SupplyGraphError,
    TargetNotFound,
)

STATUS: dict[type[SupplyGraphError], int] = {
    InvalidQuery: 422,
    InvalidRecord: 422,
    LoadRefused: 409,
    EntityNotFound: 404,
    TargetNotFound: 404,
    PageNotFound: 404,
    StoreUnavailable: 503,
    InvalidStoreURL: 500,
}


class ErrorDetail(BaseModel):
    """What went wrong: a stable ``code``, a readable ``message`` and structured ``details``.

    ``details`` names the culprit where there is one: ``{"field": "as_of"}`` for a bad query
    field, ``{"problems": [{"field", "message"}, ...]}`` for parameters that fail validation,
    ``{"entity": ...}`` or ``{"target": ...}`` for what was not found.
    """

    code: str = Field(
        description="A stable machine-readable code (invalid_query, entity_not_found, ...).",
        examples=["invalid_query"],
    )
    message: str = Field(
        description="What went wrong, for people.",
        examples=["as_of: '0' is not a date (YYYY-MM-DD)"],
    )
    details: dict[str, Any] = Field(
        default_factory=dict,
        description="The culprit: the field, the problems, the entity or target not found.",
        examples=[{"field": "as_of"}],
    )


class ErrorBody(BaseModel):
    """The body of every error response, whatever the status."""

    error: ErrorDetail = Field(description="What went wrong.")


# Why each status is answered; a route lists the ones that can happen to it (see `responses`).
_WHY: dict[int, str] = {
    401: "API keys are configured (SUPPLYGRAPH_API_KEYS) and X-API-Key is missing or not valid",
    404: "no entity (or target) with that id or name",
    413: "the request body is larger than the configured limit",
    415: "the body's content type is not one the endpoint reads",
    422: "a parameter or the body is malformed; `details` names the field",
    429: "over the per-key rate limit (SUPPLYGRAPH_RATE_LIMIT); retry after Retry-After seconds",
    503: "the store is unavailable; retry after Retry-After seconds",
}
# Every /v1 route can meet these whatever it does: key check, rate limit, store outage.
COMMON = (401, 422, 429, 503)


RETRY_AFTER: dict[str, Any] = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 1, "examples": [5]},
    }
}
# Answers that say when to come back.
_HEADERS: dict[int, dict[str, Any]] = {429: RETRY_AFTER, 503: RETRY_AFTER}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for ``statuses`` plus :data:`COMMON`, all with :class:`ErrorBody`.

    Declaring 422 here replaces FastAPI's default validation-error schema, which is not the
    shape the handlers below send; 429 and 503 declare their ``Retry-After`` header.
    """
    return {
        status: {"model": ErrorBody, "description": _WHY[status]}
        | ({"headers": _HEADERS[status]} if status in _HEADERS else {})
        for status in sorted({*statuses, *COMMON})
    }


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def install(app: FastAPI) -> None:
    @app.exception_handler(SupplyGraphError)
    async def _domain(request: Request, exc: SupplyGraphError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        headers = {"Retry-After": "5"} if status == 503 else None
        return JSONResponse(
            error_body(exc.code, exc.message, exc.details), status_code=status, headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p not in ("query", "path", "body")),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"field": "", "message": "invalid request"}
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return JSONResponse(
            error_body("invalid_request", message, {"field": first["field"], "problems": problems}),
            status_code=422,
        )

    @app.exception_handler(MultiPartException)
    async def _multipart(request: Request, exc: MultiPartException) -> JSONResponse:
        # A multipart envelope that cannot be parsed (no boundary, cut short) is bad input.
        return JSONResponse(
            error_body("invalid_body", f"multipart body: {exc.message}", {"field": "body"}),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's answer to a body it cannot decode at all (not UTF-8, not JSON): malformed
            # input like any other, so the documented 422 with the field named.
            return JSONResponse(
                error_body("invalid_body", f"body: {exc.detail}", {"field": "body"}),
                status_code=422,
            )
        return JSONResponse(
            error_body("http_error", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # No stack traces or internal paths leave the server; the log has them.
        return JSONResponse(error_body("internal_error", "internal error"), status_code=500)
