"""Token buckets kept in a small SQLite file, so that every server worker draws on the same ones.

``supplygraph serve --workers N`` runs N processes; an in-memory bucket per process would let a
caller send N times its rate limit and N times the allowed failed API-key attempts. Here each
take is one ``BEGIN IMMEDIATE`` transaction (read the bucket, refill it, draw a token, write it
back), and SQLite's write lock makes that atomic across processes. The file holds nothing worth
keeping across a crash, so it is written without fsync (``synchronous=OFF``).

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "limits.db"
>>> a = SharedBuckets(path, "rate", rate=0.001, burst=2)
>>> b = SharedBuckets(path, "rate", rate=0.001, burst=2)  # as if in another worker
>>> a.take("key:x", now=100.0), b.take("key:x", now=100.0), a.take("key:x", now=100.0) > 0
(0.0, 0.0, True)
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (
    bucket TEXT NOT NULL, caller TEXT NOT NULL, tokens REAL NOT NULL, at REAL NOT NULL,
    PRIMARY KEY (bucket, caller)) WITHOUT ROWID;
"""
# Every this many takes, buckets idle long enough to be full again are deleted: a forgotten
# caller starts with a full bucket, which is what it would have had anyway.
PRUNE_EVERY = 10_000


def refill(tokens: float, last: float, now: float, rate: float, burst: float) -> float:
    """The tokens a bucket holds at ``now``: what it had, plus ``rate`` a second, at most
    ``burst`` (the one refill rule of every bucket, in memory or shared)."""
    return min(burst, tokens + max(0.0, now - last) * rate)


def wait_for_token(tokens: float, rate: float) -> float:
    """0 when a token is there, else the seconds until one is."""
    return 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate


def hashed(caller: str) -> str:
    """A caller (``key:<API key>`` or ``ip:<address>``) as the file keeps it: a SHA-256, so the
    API keys are never written in clear (the file is shared by every worker).

    >>> hashed("key:secret") == hashed("key:secret") != hashed("key:other")
    True
    """
    return hashlib.sha256(f"supplygraph-limits\0{caller}".encode()).hexdigest()


class SharedBuckets:
    """One token bucket per caller, named ``bucket`` in the SQLite file at ``path``.

    Same methods as :class:`supplygraph.api.security.TokenBuckets`. Times are wall-clock
    seconds (``time.time``), which every process on the machine reads alike.
    """

    def __init__(self, path: Path, bucket: str, rate: float, burst: int) -> None:
        self.bucket = bucket
        self.rate = rate
        self.burst = float(burst)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Only the server's user reads the file: it says who calls how often.
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(path, 0o600)
        self._conn = sqlite3.connect(
            path, isolation_level=None, timeout=30, check_same_thread=False
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.executescript(SCHEMA)
        self._lock = threading.Lock()
        self._takes = 0

    def _stored(self, caller: str) -> tuple[float, float] | None:
        row = self._conn.execute(
            "SELECT tokens, at FROM buckets WHERE bucket = ? AND caller = ?",
            (self.bucket, hashed(caller)),
        ).fetchone()
        return None if row is None else (float(row[0]), float(row[1]))

    def waiting(self, caller: str, now: float | None = None) -> float:
        """Like :meth:`take` without taking: 0 when a token is there, else the seconds to wait."""
        now = time.time() if now is None else now
        with self._lock:
            found = self._stored(caller)
        if found is None:
            return 0.0
        return wait_for_token(refill(*found, now, self.rate, self.burst), self.rate)

    def take(self, caller: str, now: float | None = None) -> float:
        """0 when the request may go ahead (a token is drawn), else the seconds to wait."""
        now = time.time() if now is None else now
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                found = self._stored(caller)
                tokens = self.burst if found is None else refill(*found, now, self.rate, self.burst)
                wait = wait_for_token(tokens, self.rate)
                if wait == 0.0:
                    tokens -= 1.0
                self._conn.execute(
                    "INSERT OR REPLACE INTO buckets VALUES (?, ?, ?, ?)",
                    (self.bucket, hashed(caller), tokens, now),
                )
                self._takes += 1
                if self._takes % PRUNE_EVERY == 0:
                    self._prune(now)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return wait

    def _prune(self, now: float) -> None:
        seconds_to_fill = self.burst / self.rate
        self._conn.execute(
            "DELETE FROM buckets WHERE bucket = ? AND at < ?", (self.bucket, now - seconds_to_fill)
        )

    def close(self) -> None:
        self._conn.close()
