"""HTTP requests with one deadline for the whole exchange, and redirects kept to http(s).

A socket timeout bounds each read, not the exchange: a server that sends one byte a second
never trips it, so ``urlopen(timeout=5)`` could run for hours. Here a timer shuts the
connection's socket down when the deadline passes, whatever the sender is doing (connecting,
trickling headers, trickling the body); the blocked read then returns and :attr:`Deadline.fired`
says why. Redirects are followed only to ``http`` and ``https`` (never ``ftp://`` or
``file://``), and not at all when ``follow_redirects`` is false (webhooks: a 302 would turn a
POST into a GET without its body).

Used by :mod:`.fetch` (downloads) and by the watch webhooks (``audit/watch.py``).
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urlparse

SAFE_SCHEMES = ("http", "https")
# Each read still has its own timeout (a silent server is noticed before the deadline).
MAX_READ_TIMEOUT = 60.0


class Deadline:
    """Shuts down every socket registered with it once ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return max(0.001, self.expires - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed: nothing left to stop
        sock.shutdown(socket.SHUT_RDWR)


class RedirectRefused(urllib.error.HTTPError):
    """A redirect this client does not follow (to another scheme, or any for webhooks)."""


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, follow: bool) -> None:
        self.follow = follow

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: http.client.HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        scheme = urlparse(newurl).scheme.lower()
        if not self.follow:
            raise RedirectRefused(
                req.full_url, code, f"{msg}: redirect to {newurl} not followed", headers, fp
            )
        if scheme not in SAFE_SCHEMES:
            raise RedirectRefused(
                req.full_url,
                code,
                f"{msg}: redirect to a {scheme or 'relative'} URL refused",
                headers,
                fp,
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(deadline: Deadline, follow_redirects: bool) -> urllib.request.OpenerDirector:
    class Plain(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    class Secure(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    class PlainHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Plain, req)

    class SecureHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            context: Any = getattr(self, "_context", None)
            return self.do_open(Secure, req, context=context)

    # Only these handlers: no ftp, file or data URLs, whatever a redirect says.
    opener = urllib.request.OpenerDirector()
    for handler in (
        PlainHandler(),
        SecureHandler(),
        _Redirects(follow_redirects),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def open_url(
    request: urllib.request.Request, deadline: Deadline, follow_redirects: bool = True
) -> http.client.HTTPResponse:
    """Open ``request`` under ``deadline`` (one for the whole exchange, reads included).

    The caller reads the response, cancels the deadline when done, and checks
    ``deadline.fired`` when anything fails or ends early: a shut-down socket reads as a closed
    connection.
    """
    scheme = urlparse(request.full_url).scheme.lower()
    if scheme not in SAFE_SCHEMES:
        raise ValueError(f"only http and https URLs, not {scheme or 'a path'}")
    opener = _opener(deadline, follow_redirects)
    response = opener.open(request, timeout=min(deadline.remaining(), MAX_READ_TIMEOUT))
    return response  # type: ignore[no-any-return]  # urllib types it as a generic response
