"""HTTP figures: resolve vs a no-op endpoint on the same server, and a bounded load test.

A real uvicorn server runs in a subprocess on 127.0.0.1 over the seeded store. The load
generator is ``wrk`` when installed (one thread, so the server keeps the other core), otherwise
an asyncio httpx client with the same number of connections. Every run is bounded in time and
in count, and only ever targets the loopback address.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from .figures import Figure, percentile

HOST = "127.0.0.1"
# A mix a procurement system would send: MAC addresses (many spellings and blocks), brands,
# FCC IDs, company names and model numbers; repeated, as real lookups are.
RESOLVE_PATHS = [
    *(f"/v1/resolve?mac=0c:75:d2:{i:02x}:34:56" for i in range(0, 256, 16)),
    *(f"/v1/resolve?mac=c0-56-e3-aa-{i:02x}-01" for i in range(0, 256, 32)),
    "/v1/resolve?brand=HiLook",
    "/v1/resolve?brand=EZVIZ",
    "/v1/resolve?brand=Lorex&target=dahua",
    "/v1/resolve?fcc_id=2ADTD-5604SD",
    "/v1/resolve?fcc_id=2AVYF-C6N",
    "/v1/resolve?name=CETHIK",
    "/v1/resolve?name=Hikari",
    "/v1/resolve?model=DS-2CD2143G2-I",
]
NOOP_PATHS = ["/v1/noop"]


@dataclass
class LoadResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    client: str

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextmanager
def server(store_url: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """A uvicorn server over ``store_url`` in a subprocess; yields its base URL, then stops it."""
    port = _free_port()
    full_env = {**os.environ, "SUPPLYGRAPH_RATE_LIMIT": "0", **(env or {})}
    proc = subprocess.Popen(
        [sys.executable, "-m", "supplygraph.bench.serve", store_url, str(port)],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"bench server exited with {proc.returncode}")
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("bench server did not start within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "\\nRESULT {\\"requests\\": %%d, \\"us\\": %%d, \\"errors\\": %%d, "
    .. "\\"p50\\": %%d, \\"p99\\": %%d}\\n",
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _wrk(base: str, paths: list[str], connections: int, seconds: float) -> LoadResult:
    quoted = ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % quoted)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    data = orjson.loads(line[len("RESULT ") :])
    return LoadResult(
        requests=data["requests"],
        seconds=data["us"] / 1e6,
        errors=data["errors"],
        p50_ms=data["p50"] / 1000.0,
        p99_ms=data["p99"] / 1000.0,
        client=f"wrk, 1 thread, {connections} connections",
    )


async def _httpx_load(
    base: str, paths: list[str], connections: int, seconds: float, max_requests: int
) -> LoadResult:
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:

        async def worker(offset: int) -> None:
            nonlocal errors, sent
            i = offset
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                start = time.perf_counter()
                try:
                    resp = await client.get(paths[i % len(paths)])
                    if resp.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000.0)
                i += 1

        begin = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(connections)))
        elapsed = time.perf_counter() - begin
    return LoadResult(
        requests=len(latencies),
        seconds=elapsed,
        errors=errors,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        client=f"httpx asyncio, {connections} connections",
    )


def load(
    base: str,
    paths: list[str],
    connections: int,
    seconds: float,
    max_requests: int = 2_000_000,
    use_wrk: bool | None = None,
) -> LoadResult:
    """Load ``base`` with ``connections`` concurrent clients for ``seconds`` (bounded)."""
    if base.split("//", 1)[1].split(":", 1)[0] not in ("127.0.0.1", "localhost", "[::1]"):
        raise ValueError("the load generator only targets the loopback address")
    if use_wrk is None:
        use_wrk = shutil.which("wrk") is not None
    if use_wrk:
        return _wrk(base, paths, connections, seconds)
    return asyncio.run(_httpx_load(base, paths, connections, seconds, max_requests))


def _combine(runs: list[LoadResult]) -> LoadResult:
    """Several runs of one endpoint as one: summed counts, the worst percentiles."""
    return LoadResult(
        requests=sum(r.requests for r in runs),
        seconds=sum(r.seconds for r in runs),
        errors=sum(r.errors for r in runs),
        p50_ms=max(r.p50_ms for r in runs),
        p99_ms=max(r.p99_ms for r in runs),
        client=runs[0].client,
    )


def run(
    store_url: str, seconds: float, load_seconds: float, connections: int = 32, rounds: int = 3
) -> list[Figure]:
    """Resolve vs no-op throughput, then the load test's latencies and errors.

    The throughput ratio alternates no-op and resolve runs (``rounds`` each, ``seconds`` in
    total per endpoint), so a noisy neighbour on a shared machine hits both alike.
    """
    with server(store_url) as base:
        # Warm both endpoints (caches, connections, first-request imports) before timing.
        load(base, NOOP_PATHS, 4, 1)
        load(base, RESOLVE_PATHS, 4, 1)
        slice_s = max(1.0, seconds / rounds)
        noops: list[LoadResult] = []
        resolves: list[LoadResult] = []
        for _ in range(rounds):
            noops.append(load(base, NOOP_PATHS, connections, slice_s))
            resolves.append(load(base, RESOLVE_PATHS, connections, slice_s))
        noop, resolve = _combine(noops), _combine(resolves)
        loaded = load(base, RESOLVE_PATHS, connections, load_seconds)
    how = f"{resolve.client}; uvicorn, 1 worker, loopback"
    load_note = f"{how}; resolve mix for {load_seconds:g} s, {loaded.requests:,} requests"
    return [
        Figure(
            "http_resolve_vs_noop",
            resolve.rate,
            "req/s",
            "noop_req_per_s",
            noop.rate,
            goal="ratio >= 0.5",
            note=f"{how}; {rounds} alternating rounds of {slice_s:g} s; resolve mix of "
            f"{len(RESOLVE_PATHS)} queries (answers cached per normalized key)",
        ),
        Figure(
            f"load_c{connections}_p50",
            loaded.p50_ms,
            "ms",
            "noop_p50_ms",
            noop.p50_ms,
            goal="reported",
            note=load_note,
        ),
        Figure(
            f"load_c{connections}_p99",
            loaded.p99_ms,
            "ms",
            "noop_p99_ms",
            noop.p99_ms,
            goal="reported",
            note=load_note,
        ),
        Figure(
            f"load_c{connections}_errors",
            float(loaded.errors),
            "errors",
            "requests",
            float(loaded.requests),
            goal="value == 0",
            note=f"{load_note}; non-2xx/3xx, socket errors and timeouts",
        ),
    ]
