"""One table from exception class to HTTP status; every error body has the same shape."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from supplygraph.errors import (
    EntityNotFound,
    InvalidQuery,
    InvalidRecord,
    InvalidStoreURL,
    LoadRefused,
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
    StoreUnavailable: 503,
    InvalidStoreURL: 500,
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
            error_body("invalid_request", message, {"problems": problems}), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body("http_error", str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # No stack traces or internal paths leave the server; the log has them.
        return JSONResponse(error_body("internal_error", "internal error"), status_code=500)
