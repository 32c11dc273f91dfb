"""HTTP figures: resolve vs a no-op endpoint on the same server, cold names, two workers vs one,
and a bounded load test.

Real servers (``supplygraph serve``, uvicorn) run in subprocesses on 127.0.0.1. The load comes
from ``wrk`` only (one thread, so the server keeps the other core): a client written in Python
saturates before the server does and would measure itself (such a client once gave 237 req/s for
both the no-op and resolve endpoints). Without wrk every HTTP figure is reported as "not
measured". Every run is bounded in time and only ever targets the loopback address.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import orjson

from .figures import Figure, not_measured

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
CONNECTIONS = 32
NO_WRK = "wrk is not on PATH (install the Debian package wrk); no other load generator is used"


def name_paths(names: Sequence[str]) -> list[str]:
    """``/v1/resolve?name=...`` for each name, URL-encoded."""
    return [f"/v1/resolve?name={quote(name, safe='')}" for name in names]


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


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def server(store_url: str, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[str]:
    """``supplygraph serve`` over ``store_url`` in a subprocess; yields its base URL, then stops
    it (and its workers: they share its process group)."""
    port = _free_port()
    full_env = {
        **os.environ,
        "SUPPLYGRAPH_RATE_LIMIT": "0",
        "SUPPLYGRAPH_BOOTSTRAP": "false",
        "SUPPLYGRAPH_LOG_LEVEL": "warning",
        **(env or {}),
    }
    command = [sys.executable, "-m", "supplygraph.cli", "serve", "--store", store_url]
    command += ["--host", HOST, "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(
        command,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(base):
            if proc.poll() is not None:
                raise RuntimeError(f"bench server exited with {proc.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError("bench server did not start within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# Walks the paths file in order, one path per request, so that a list of distinct paths gives
# distinct requests until it runs out (then it starts over).
WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local at = 0
request = function()
  at = at %% #paths + 1
  return wrk.format("GET", paths[at])
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


def load(base: str, paths: Sequence[str], connections: int, seconds: float) -> LoadResult:
    """wrk against ``base`` with ``connections`` connections for ``seconds`` (at least 1 s),
    one request per path in order. Raises FileNotFoundError without wrk."""
    host = base.split("//", 1)[1].rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        raise ValueError("the load generator only targets the loopback address")
    wrk = wrk_path()
    if wrk is None:
        raise FileNotFoundError(NO_WRK)
    with tempfile.TemporaryDirectory(prefix="supplygraph-wrk-") as tmp:
        paths_file = Path(tmp) / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
        script = Path(tmp) / "walk.lua"
        script.write_text(WRK_SCRIPT % {"paths": paths_file}, encoding="utf-8")
        duration = max(1, round(seconds))
        command = [wrk, "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
        # As HTTP client libraries and browsers do by default (requests, httpx, curl with
        # --compressed): the server sends cached answers gzipped to such clients.
        command += ["-H", "Accept-Encoding: gzip"]
        out = subprocess.run(
            [*command, "-s", str(script), base],
            capture_output=True,
            text=True,
            timeout=duration + 60,
            check=True,
        ).stdout
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


def _alternate(
    rounds: int, first: Callable[[], LoadResult], second: Callable[[], LoadResult]
) -> tuple[LoadResult, LoadResult]:
    """``first`` and ``second`` in turn, ``rounds`` times each, so that a noisy neighbour on a
    shared machine hits both alike; each side's runs combined."""
    firsts: list[LoadResult] = []
    seconds: list[LoadResult] = []
    for _ in range(rounds):
        firsts.append(first())
        seconds.append(second())
    return _combine(firsts), _combine(seconds)


class ColdNames:
    """Distinct name paths handed out in order, so that no name is asked twice."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.paths = list(paths)
        self.used = 0

    def load(self, base: str, seconds: float) -> LoadResult:
        result = load(base, self.paths[self.used :] or self.paths, CONNECTIONS, seconds)
        # Requests still in flight when wrk stops were sent too: skip past them.
        self.used += result.requests + CONNECTIONS
        return result

    @property
    def ran_out(self) -> bool:
        return self.used > len(self.paths)


def run(
    store_url: str,
    cold_store_url: str,
    cold_names: Sequence[str],
    seconds: float,
    load_seconds: float,
    rounds: int = 3,
) -> list[Figure]:
    """Every HTTP figure, or each as "not measured" without wrk.

    ``store_url`` is the seeded store (the cached mix, workers, the load test); ``cold_store_url``
    the large store that ``cold_names`` (distinct real names) are asked of.
    """
    if wrk_path() is None:
        return _not_measured(NO_WRK)
    slice_s = max(1.0, seconds / rounds)
    how = f"wrk, 1 thread, {CONNECTIONS} connections; uvicorn, loopback"
    rounds_note = f"{rounds} alternating rounds of {slice_s:g} s"
    with server(store_url) as one, server(store_url, workers=2) as two:
        # Warm both servers' endpoints (caches, connections, first-request imports).
        for base in (one, two):
            load(base, NOOP_PATHS, 4, 1)
            load(base, RESOLVE_PATHS, 4, 1)
        noop, cached = _alternate(
            rounds,
            lambda: load(one, NOOP_PATHS, CONNECTIONS, slice_s),
            lambda: load(one, RESOLVE_PATHS, CONNECTIONS, slice_s),
        )
        one_worker, two_workers = _alternate(
            rounds,
            lambda: load(one, RESOLVE_PATHS, CONNECTIONS, slice_s),
            lambda: load(two, RESOLVE_PATHS, CONNECTIONS, slice_s),
        )
        # The same for the no-op: how far two workers can scale at all on this machine, with
        # the load generator on the same cores.
        noop_one, noop_two = _alternate(
            rounds,
            lambda: load(one, NOOP_PATHS, CONNECTIONS, slice_s),
            lambda: load(two, NOOP_PATHS, CONNECTIONS, slice_s),
        )
        loaded = load(one, RESOLVE_PATHS, CONNECTIONS, load_seconds)
    load_note = f"{how}, 1 worker; resolve mix for {load_seconds:g} s, {loaded.requests:,} requests"
    cold_figure, cold_errors, cold_requests = _cold(cold_store_url, cold_names, rounds, slice_s)
    return [
        Figure(
            "http_resolve_vs_noop",
            cached.rate,
            "req/s",
            "noop_req_per_s",
            noop.rate,
            goal="ratio >= 0.9",
            note=f"{how}, 1 worker; {rounds_note}; resolve mix of {len(RESOLVE_PATHS)} queries "
            "(answers cached per normalized key)",
        ),
        cold_figure,
        Figure(
            "http_resolve_2w_vs_1w",
            two_workers.rate,
            "req/s, 2 workers",
            "req/s, 1 worker",
            one_worker.rate,
            goal="ratio >= 1.7",
            note=f"{how}; {rounds_note}; resolve mix (cached); both servers up at once; "
            f"the load generator shares the cores ({os.cpu_count()}); no-op on the same "
            f"servers: {noop_two.rate:,.0f} vs {noop_one.rate:,.0f} req/s "
            f"({noop_two.rate / max(noop_one.rate, 1e-9):.2f}x)",
        ),
        Figure(
            f"load_c{CONNECTIONS}_p50",
            loaded.p50_ms,
            "ms",
            "noop_p50_ms",
            noop.p50_ms,
            goal="reported",
            note=load_note,
        ),
        Figure(
            f"load_c{CONNECTIONS}_p99",
            loaded.p99_ms,
            "ms",
            "noop_p99_ms",
            noop.p99_ms,
            goal="reported",
            note=load_note,
        ),
        Figure(
            f"load_c{CONNECTIONS}_errors",
            float(loaded.errors + cold_errors),
            "errors",
            "requests",
            float(loaded.requests + cold_requests),
            goal="value == 0",
            note=f"{load_note}, and the cold names; non-2xx/3xx, socket errors and timeouts",
        ),
    ]


def _cold(
    store_url: str, names: Sequence[str], rounds: int, slice_s: float
) -> tuple[Figure, int, int]:
    """The cold-name figure (with its errors and requests), or "not measured" without names."""
    how = f"wrk, 1 thread, {CONNECTIONS} connections; uvicorn, loopback"
    rounds_note = f"{rounds} alternating rounds of {slice_s:g} s"
    if not names:
        why = (
            "no OFAC SDN or CSL file found to take names from (tests/data in the checkout, or "
            "set SUPPLYGRAPH_BENCH_DATA to a folder holding ofac-sdn-legacy/ and csl-us/)"
        )
        figure = not_measured(
            "http_resolve_cold_vs_noop", "req/s", "noop_req_per_s", "ratio >= 0.3", why
        )
        return figure, 0, 0
    cold_paths = ColdNames(name_paths(names))
    with server(store_url) as cold_base:
        load(cold_base, NOOP_PATHS, 4, 1)
        cold_paths.load(cold_base, 1)  # warm-up names are not asked again
        cold_noop, cold = _alternate(
            rounds,
            lambda: load(cold_base, NOOP_PATHS, CONNECTIONS, slice_s),
            lambda: cold_paths.load(cold_base, slice_s),
        )
    ran_out = " (the names ran out and started over)" if cold_paths.ran_out else ""
    figure = Figure(
        "http_resolve_cold_vs_noop",
        cold.rate,
        "req/s",
        "noop_req_per_s on the same server",
        cold_noop.rate,
        goal="ratio >= 0.3",
        note=f"{how}, 1 worker; {rounds_note}; every request a distinct real name "
        f"({cold_paths.used:,} of {len(cold_paths.paths):,} names of the OFAC SDN and CSL "
        f"files asked{ran_out}); p50 {cold.p50_ms:.1f} ms, p99 {cold.p99_ms:.1f} ms; "
        f"errors {cold.errors}",
    )
    return figure, cold.errors, cold.requests


def _not_measured(why: str) -> list[Figure]:
    return [
        not_measured("http_resolve_vs_noop", "req/s", "noop_req_per_s", "ratio >= 0.9", why),
        not_measured("http_resolve_cold_vs_noop", "req/s", "noop_req_per_s", "ratio >= 0.3", why),
        not_measured(
            "http_resolve_2w_vs_1w", "req/s, 2 workers", "req/s, 1 worker", "ratio >= 1.7", why
        ),
        not_measured(f"load_c{CONNECTIONS}_p99", "ms", "noop_p99_ms", "reported", why),
        not_measured(f"load_c{CONNECTIONS}_errors", "errors", "requests", "value == 0", why),
    ]
