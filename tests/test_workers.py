"""``supplygraph serve --workers N``: limits shared across worker processes, and answers that
follow a load made by another process (no timing asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from supplygraph.api.shared_limits import SharedBuckets
from supplygraph.bench.http import server
from supplygraph.cli import default_limits_db

DATA = Path(__file__).parent / "data"
CSL = DATA / "csl-us" / "csl_current_format_sample.csv"
LISTED = "Sinobright Import and Export Company"

TAKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from supplygraph.api.shared_limits import SharedBuckets
    buckets = SharedBuckets(Path(sys.argv[1]), "rate", rate=0.0001, burst=25)
    print(sum(buckets.take("key:shared") == 0.0 for _ in range(40)))
    """
)


def test_two_processes_draw_on_one_bucket(tmp_path: Path) -> None:
    path = tmp_path / "limits.db"
    SharedBuckets(path, "rate", rate=0.0001, burst=25).close()  # the file, before the race
    takers = [
        subprocess.Popen([sys.executable, "-c", TAKER, str(path)], stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    granted = [int(p.communicate(timeout=60)[0]) for p in takers]
    assert all(p.returncode == 0 for p in takers)
    # 80 attempts in all, one bucket of 25: each process alone would have been granted 25.
    assert sum(granted) == 25


def test_shared_buckets_keep_callers_and_names_apart(tmp_path: Path) -> None:
    rate = SharedBuckets(tmp_path / "l.db", "rate", rate=0.0001, burst=1)
    failures = SharedBuckets(tmp_path / "l.db", "auth-failures", rate=0.0001, burst=1)
    assert rate.take("a", now=10.0) == 0.0
    assert rate.take("a", now=10.0) > 0
    assert rate.take("b", now=10.0) == 0.0
    assert failures.waiting("a", now=10.0) == 0.0
    assert failures.take("a", now=10.0) == 0.0
    assert failures.waiting("a", now=10.0) > 0
    # Refilled at the rate: 1 / 0.0001 s later a token is back.
    assert rate.take("a", now=10.0 + 10_001) == 0.0


def test_default_limits_db_sits_beside_an_sqlite_store() -> None:
    assert default_limits_db("sqlite:////srv/sg/graph.db") == Path("/srv/sg/limits.db")
    assert default_limits_db("neo4j://localhost:7687") == Path("data/limits.db")


@contextmanager
def serving(store: Path, workers: int, env: dict[str, str]) -> Iterator[str]:
    """``supplygraph serve --workers`` as the bench starts it, with this test's settings."""
    with server(f"sqlite:///{store}", workers, env) as base:
        time.sleep(1)  # the second worker may come up a moment after the first answers
        yield base


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=60) as response:
        body: dict[str, object] = orjson.loads(response.read())
        return body


def test_workers_share_the_rate_limit(seeded_path: Path, tmp_path: Path) -> None:
    store = tmp_path / "graph.db"
    shutil.copy(seeded_path, store)
    env = {"SUPPLYGRAPH_RATE_LIMIT": "0.0001", "SUPPLYGRAPH_RATE_BURST": "6"}
    with serving(store, workers=2, env=env) as base:
        # A new connection per request, so the kernel spreads them over both workers.
        statuses = [_status(base + "/v1/resolve?brand=HiLook") for _ in range(20)]
    assert statuses.count(200) == 6, statuses
    assert statuses.count(429) == 14, statuses
    assert (tmp_path / "limits.db").exists()


def test_a_load_by_another_process_is_seen_by_the_next_answer(
    seeded_path: Path, tmp_path: Path
) -> None:
    store = tmp_path / "graph.db"
    shutil.copy(seeded_path, store)
    url = "/v1/resolve?name=" + urllib.request.quote(LISTED)
    with serving(store, workers=2, env={}) as base:
        before = [_get(base + url) for _ in range(4)]  # both workers answer, and cache it
        loaded = subprocess.run(
            [sys.executable, "-m", "supplygraph.cli", "load", str(CSL)]
            + ["--store", f"sqlite:///{store}"],
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert loaded.returncode == 0, loaded.stderr.decode()[-2000:]
        after = [_get(base + url) for _ in range(4)]
    assert all(answer["matched"] == [] for answer in before)
    for answer in after:
        matched = answer["matched"]
        assert isinstance(matched, list) and matched
        assert LISTED.casefold() in orjson.dumps(matched[0]).decode().casefold()
