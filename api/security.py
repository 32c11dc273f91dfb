"""API keys, per-key rate limits, body size limits and browser security headers.

One pure ASGI middleware (no per-request task switching, unlike ``BaseHTTPMiddleware``), so the
checks cost microseconds on the hot path. Rejections use the error shape of :mod:`.errors`.

- ``SUPPLYGRAPH_API_KEYS`` set: every ``/v1`` and ``/ui`` request needs one of them, in
  ``X-API-Key`` or as ``Authorization: Bearer <key>`` (what generated OpenAPI clients send by
  default); 401 otherwise. ``/healthz``, ``/metrics`` and the OpenAPI document stay open.
- Failed key checks are limited per client address (``SUPPLYGRAPH_AUTH_FAILURE_BURST`` then
  ``SUPPLYGRAPH_AUTH_FAILURE_RATE``): past them, 429 with ``Retry-After`` before any key is
  checked, so keys cannot be guessed at speed (and a guess cannot tell 429 from a wrong key).
- ``SUPPLYGRAPH_RATE_LIMIT`` > 0: a token bucket per key (per client address without keys);
  over it, 429 with ``Retry-After``.
- Bodies larger than ``SUPPLYGRAPH_MAX_BODY_BYTES`` (``SUPPLYGRAPH_MAX_BULK_BYTES`` on the bulk
  endpoint) get 413, whether announced by Content-Length or streamed.
- The API is read-only. A future write endpoint declares ``Depends(require_admin)``, which
  checks ``SUPPLYGRAPH_ADMIN_KEYS``: read keys never authorize writes.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supplygraph.graph.errors import SupplyGraphError
from supplygraph.settings import Settings

from .errors import error_body
from .shared_limits import SharedBuckets, refill, wait_for_token

KEY_HEADER = b"x-api-key"
BEARER = "bearer "
# /match and /reconcile answer from the same graph as /v1: the same keys guard them.
PROTECTED_PREFIXES = ("/v1", "/ui", "/match", "/reconcile")
BULK_PREFIX = "/v1/resolve/bulk"

UI_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Sent on every response; the CSP and framing headers only on the web UI, because the
# interactive docs at /docs and /redoc start their viewers with inline scripts.
COMMON_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]
UI_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", UI_CSP.encode()),
    (b"x-frame-options", b"DENY"),
]


class PayloadTooLarge(HTTPException):
    """Raised from the body stream when a body without Content-Length grows past the limit.

    An HTTPException so that FastAPI's body parsing passes it through unchanged (it turns other
    errors into 400) and the error table renders it as 413.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


def keys_match(given: str, keys: Iterable[bytes]) -> bool:
    """Constant-time check of ``given`` against every configured key (no early exit)."""
    raw = given.encode("utf-8", "surrogateescape")
    found = False
    for key in keys:
        found |= hmac.compare_digest(raw, key)
    return found


class TokenBuckets:
    """One token bucket per caller: ``rate`` tokens a second, at most ``burst`` saved up.

    In this process only; :class:`.shared_limits.SharedBuckets` is the same for all workers.
    """

    def __init__(self, rate: float, burst: int, max_callers: int = 100_000) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._max = max_callers
        self._lock = threading.Lock()

    def waiting(self, caller: str, now: float | None = None) -> float:
        """Like :meth:`take` without taking: 0 when a token is there, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            found = self._buckets.get(caller)
        if found is None:
            return 0.0
        return wait_for_token(refill(*found, now, self.rate, self.burst), self.rate)

    def take(self, caller: str, now: float | None = None) -> float:
        """0 when the request may go ahead, else the seconds until a token is available."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(caller, (self.burst, now))
            tokens = refill(tokens, last, now, self.rate, self.burst)
            wait = wait_for_token(tokens, self.rate)
            self._buckets[caller] = (tokens - 1.0 if wait == 0.0 else tokens, now)
            self._buckets.move_to_end(caller)
            # Forget the longest-idle callers first; a forgotten caller starts with a full bucket.
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
        return wait


Buckets = TokenBuckets | SharedBuckets


def make_buckets(settings: Settings, name: str, rate: float, burst: int) -> Buckets:
    """Buckets in this process, or in the file ``SUPPLYGRAPH_LIMITS_DB`` shared by workers."""
    if settings.limits_db:
        return SharedBuckets(Path(settings.limits_db), name, rate, burst)
    return TokenBuckets(rate, burst)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def given_key(scope: Scope) -> str | None:
    """The key a request carries: ``X-API-Key``, else the token of ``Authorization: Bearer``."""
    key = _header(scope, KEY_HEADER)
    if key is None:
        auth = _header(scope, b"authorization")
        if auth is not None and auth[: len(BEARER)].lower() == BEARER:
            key = auth[len(BEARER) :].strip()
    return key


async def _reject(
    send: Send, status: int, code: str, message: str, extra: list[tuple[bytes, bytes]]
) -> None:
    body = orjson.dumps(error_body(code, message))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *COMMON_HEADERS,
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """Keys, rate limits, body limits and headers, in that order, before the app sees a request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.keys = [k.encode() for k in Settings.split(settings.api_keys)]
        self.buckets = (
            make_buckets(settings, "rate", settings.rate_limit, settings.rate_burst)
            if settings.rate_limit
            else None
        )
        self.failures = make_buckets(
            settings, "auth-failures", settings.auth_failure_rate, settings.auth_failure_burst
        )
        self.max_body = settings.max_body_bytes
        self.max_bulk = settings.max_bulk_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        protected = path.startswith(PROTECTED_PREFIXES)
        caller = ""
        if protected and self.keys:
            client = scope.get("client")
            address = client[0] if client else "?"
            wait = self.failures.waiting(address)
            if wait > 0:
                retry = str(max(1, math.ceil(wait))).encode()
                await _reject(
                    send,
                    429,
                    "rate_limited",
                    "too many failed API key attempts from this address",
                    [(b"retry-after", retry)],
                )
                return
            given = given_key(scope)
            if given is None or not keys_match(given, self.keys):
                self.failures.take(address)
                what = "missing" if given is None else "not valid"
                await _reject(
                    send,
                    401,
                    "unauthorized",
                    f"API key {what} (header X-API-Key, or Authorization: Bearer)",
                    [(b"www-authenticate", b"Bearer")],
                )
                return
            caller = "key:" + given
        if protected and self.buckets is not None:
            client = scope.get("client")
            caller = caller or "addr:" + (client[0] if client else "?")
            wait = self.buckets.take(caller)
            if wait > 0:
                retry = str(max(1, math.ceil(wait))).encode()
                await _reject(
                    send, 429, "rate_limited", "too many requests", [(b"retry-after", retry)]
                )
                return
        limit = self.max_bulk if path.startswith(BULK_PREFIX) else self.max_body
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await _reject(
                send, 413, "payload_too_large", f"request body larger than {limit} bytes", []
            )
            return
        extra = COMMON_HEADERS + UI_HEADERS if path.startswith("/ui") or path == "/" else None

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit)
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *(extra or COMMON_HEADERS)]
            await send(message)

        await self.app(scope, limited_receive, send_with_headers)


def require_admin(request: Request) -> None:
    """Dependency for endpoints that write: needs a key from ``SUPPLYGRAPH_ADMIN_KEYS``.

    With no admin keys configured, writing over HTTP is switched off entirely (403).
    """
    settings: Settings = request.app.state.settings
    admin = [k.encode() for k in Settings.split(settings.admin_keys)]
    if not admin:
        raise Forbidden("writing over HTTP is disabled (no SUPPLYGRAPH_ADMIN_KEYS)")
    given = given_key(request.scope)
    if given is None or not keys_match(given, admin):
        raise Forbidden("this endpoint writes and needs an admin key (header X-API-Key)")


class Forbidden(SupplyGraphError):
    """A valid caller asked for something its key does not allow."""

    code = "forbidden"


AdminOnly = Annotated[None, Depends(require_admin)]


SCHEME_NAME = "ApiKey"
SCHEME: dict[str, Any] = {
    "type": "apiKey",
    "in": "header",
    "name": "X-API-Key",
    "description": "One of SUPPLYGRAPH_API_KEYS; needed on /v1 when keys are configured.",
}
# The same keys as a bearer token: generated clients send `Authorization: Bearer` by default.
BEARER_SCHEME_NAME = "Bearer"
BEARER_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "description": "One of SUPPLYGRAPH_API_KEYS as `Authorization: Bearer <key>` (same keys).",
}


def declare_scheme(app: FastAPI, settings: Settings) -> None:
    """Put the key schemes in the OpenAPI document and require one on every ``/v1`` call.

    The middleware does the checking (no per-route dependency on the hot path), so the scheme is
    added to the generated document here. Without configured keys the API is open, and each
    operation says so with an empty alternative (``{}``) next to the key.
    """
    build = app.openapi
    required = bool(Settings.split(settings.api_keys))

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        schemes = doc.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes[SCHEME_NAME] = SCHEME
        schemes[BEARER_SCHEME_NAME] = BEARER_SCHEME
        either: list[dict[str, list[str]]] = [{SCHEME_NAME: []}, {BEARER_SCHEME_NAME: []}]
        security = either if required else [{}, *either]
        for path, item in doc.get("paths", {}).items():
            if path.startswith(PROTECTED_PREFIXES):
                for operation in item.values():
                    operation["security"] = security
        return doc

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI documents this override


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware, the 403 mapping for :class:`Forbidden` and the documented scheme."""
    declare_scheme(app, settings)

    async def _forbidden(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Forbidden)
        return JSONResponse(error_body(exc.code, exc.message), status_code=403)

    app.add_exception_handler(Forbidden, _forbidden)
    app.add_middleware(SecurityMiddleware, settings=settings)
    origins = Settings.split(settings.cors_origins)
    if origins:
        # Added after (so outside) the key check: browsers send preflights without keys.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
