"""A loopback HTTP server that misbehaves on purpose, for the upstream and webhook attack tests.

Every route is a function of the request handler; the server binds 127.0.0.1 only, its threads
are daemons, and every slow behaviour is a bounded loop that also stops when the client goes.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Hostile:
    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    # (method, path, body) of every request received, in order.
    received: list[tuple[str, str, bytes]] = field(default_factory=list)


def _handler(state: Hostile) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.received.append((self.command, self.path, body))
            route = state.routes.get(self.path.split("?")[0])
            if route is None:
                self.send_error(404)
                return
            # The client giving up is what the slow routes test.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self)

        do_GET = do_POST = do_HEAD = _any

    return Handler


@contextmanager
def hostile_server() -> Iterator[Hostile]:
    state = Hostile()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def send(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    return route


def trickle_body(total: int = 200, every: float = 0.25) -> Route:
    """Announce ``total`` bytes and send one every ``every`` seconds (50 s at most)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(total))
        h.end_headers()
        for _ in range(total):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(every)

    return route


def trickle_headers(lines: int = 200, every: float = 0.25) -> Route:
    """Send the status line, then one header line every ``every`` seconds (50 s at most)."""

    def route(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for i in range(lines):
            h.wfile.write(f"X-Slow-{i}: 1\r\n".encode())
            h.wfile.flush()
            time.sleep(every)
        h.wfile.write(b"Content-Length: 0\r\n\r\n")

    return route


def redirect(to: str, status: int = 302) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


@contextmanager
def listener() -> Iterator[dict[str, Any]]:
    """A bare TCP socket on loopback that counts the connections made to it (an ``ftp://``
    target a client must never reach)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    sock.settimeout(0.2)
    seen: dict[str, Any] = {"port": sock.getsockname()[1], "connections": 0}
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            seen["connections"] += 1
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join(2)
        sock.close()
