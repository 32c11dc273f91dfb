"""Run the app under uvicorn in one or several worker processes.

With several workers, uvicorn's own ``workers=N`` shares one listening socket: the worker that
wakes first accepts every connection waiting, so long-lived (keep-alive) connections pile onto
one process, and a second worker adds little. Here each worker binds its own socket with
``SO_REUSEPORT`` instead, and the kernel spreads new connections evenly over them. Every worker
builds the app from the environment (:func:`supplygraph.api.app.app_from_environment`), so each
has its own store connections.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import time
from types import FrameType
from typing import Any

import uvicorn

from supplygraph.settings import Settings

FACTORY = "supplygraph.api.app:app_from_environment"


def proxy_options() -> dict[str, Any]:
    """Trust ``X-Forwarded-For`` / ``X-Forwarded-Proto`` only from the configured proxies
    (``SUPPLYGRAPH_FORWARDED_ALLOW_IPS``, ``serve --forwarded-allow-ips``). uvicorn's own
    default trusts 127.0.0.1, which let a local client name any address it liked and escape
    the per-address failed-key limit; here the default trusts no one."""
    allowed = Settings().forwarded_allow_ips.strip()
    return {"proxy_headers": bool(allowed), "forwarded_allow_ips": allowed or None}


def _config(host: str, port: int, log_level: str, access_log: bool) -> uvicorn.Config:
    return uvicorn.Config(
        FACTORY,
        factory=True,
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        **proxy_options(),
    )


def _own_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker(host: str, port: int, log_level: str, access_log: bool) -> None:
    """One worker process: its own socket on the shared port, its own app and server."""
    sock = _own_socket(host, port)
    uvicorn.Server(_config(host, port, log_level, access_log)).run(sockets=[sock])


def serve(host: str, port: int, workers: int, log_level: str, access_log: bool) -> None:
    """Serve until SIGINT or SIGTERM; with ``workers`` > 1, stop all when one of them exits."""
    if workers == 1:
        uvicorn.Server(_config(host, port, log_level, access_log)).run()
        return
    if not hasattr(socket, "SO_REUSEPORT"):  # not on every platform: uvicorn's own workers
        uvicorn.run(
            FACTORY,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level=log_level,
            access_log=access_log,
            **proxy_options(),
        )
        return
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(target=_worker, args=(host, port, log_level, access_log), daemon=True)
        for _ in range(workers)
    ]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for process in processes:
            process.start()
        while not stopping and all(p.is_alive() for p in processes):
            time.sleep(0.2)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes open requests, then exits
        for process in processes:
            process.join(timeout=30)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
