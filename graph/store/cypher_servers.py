"""Running Cypher on a server: one executor for Neo4j (official driver), one for FalkorDB.

Both give the Cypher store the same three things: ``read`` (retried with backoff on transient
errors: a managed transaction whose retries the Neo4j driver runs, our own loop on FalkorDB),
``transaction`` (everything run inside commits together or not at all) and schema upkeep. An
unreachable server surfaces as :class:`StoreUnavailable` once the retries are spent; the driver
pools reconnect on their own, so the next call after the server is back succeeds.

Loads: the store writes a load as a series of batches, each its own small transaction, and makes
it visible with one commit marker (see :mod:`supplygraph.graph.store.cypher_queries`). The
executors give it a *load session* (``load``): batches (``batch``) and reads that see what the
load wrote so far (``read``).

- Neo4j: every batch is an explicit transaction of its own that commits when the batch ends, so
  no transaction holds more than one batch, whatever the size of the load. A batch streams from
  the caller's generator and is not retried: a failed batch fails the load, which stays invisible
  (the commit marker never moves) and is cleaned up by the next writer.
- FalkorDB has no multi-statement transactions, so a load works on a staging copy: under a
  lease lock it copies the live graph (``GRAPH.COPY``, server side), writes into the copy, and on
  success swaps it in with one atomic ``RENAME`` (a Lua script that first checks the lock is
  still ours). A failed or killed load never touches the live graph; its staging copy is
  deleted (or overwritten by the next writer) and the lock lease runs out by itself.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from supplygraph.graph.errors import StoreUnavailable
from supplygraph.graph.store import cypher_queries as q
from supplygraph.graph.store.cypher_queries import Dialect

log = logging.getLogger(__name__)

Row = list[Any]
T = TypeVar("T")


@dataclass(frozen=True)
class ServerOptions:
    """Connection behaviour shared by both executors (all settable in the store URL)."""

    timeout: float = 30.0  # seconds: connect, socket and query timeout
    # Extra attempts for a read after a transient error; on Neo4j the driver retries instead,
    # for as long as this schedule would last (retry_budget).
    retries: int = 3
    backoff: float = 0.2  # seconds before the first retry; doubles each time
    max_backoff: float = 5.0
    pool_size: int = 16  # connections per store
    lock_wait: float = 60.0  # how long a writer waits for another load to finish
    # Writer lock lease, renewed on every batch: how long a killed load blocks the next one.
    lock_lease: float = 120.0


class CypherTx(Protocol):
    """One batch of a load: statements run now; on Neo4j they commit when the batch ends."""

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...


class LoadSession(Protocol):
    """Where a load writes: batches, and reads that see the batches written so far."""

    def batch(self) -> AbstractContextManager[CypherTx]: ...

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...


class CypherExecutor(Protocol):
    dialect: Dialect
    url: str  # the server URL without secrets
    options: ServerOptions

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...

    def load(self) -> AbstractContextManager[LoadSession]: ...

    def ensure_schema(self) -> None: ...

    def clear(self) -> None: ...

    def drop(self) -> None: ...

    def close(self) -> None: ...


def retrying(
    options: ServerOptions,
    what: str,
    call: Callable[[], T],
    transient: Callable[[BaseException], bool],
) -> T:
    """Run ``call``; on a transient error wait (exponential backoff) and try again.

    After the last attempt the error becomes :class:`StoreUnavailable`, which the API answers
    with 503 and Retry-After.
    """
    delay = options.backoff
    for attempt in range(options.retries + 1):
        try:
            return call()
        except Exception as exc:
            if not transient(exc):
                raise
            if attempt == options.retries:
                raise StoreUnavailable(f"{what}: {exc}") from exc
            log.warning("%s failed (%s); retrying in %.2fs", what, exc, delay)
            time.sleep(delay)
            delay = min(delay * 2, options.max_backoff)
    raise AssertionError("unreachable")  # pragma: no cover


def retry_budget(options: ServerOptions) -> float:
    """Seconds the retries of :func:`retrying` wait in all: the Neo4j driver's retry window.

    >>> retry_budget(ServerOptions(retries=3, backoff=0.2))
    1.4
    """
    delays = (min(options.backoff * 2.0**i, options.max_backoff) for i in range(options.retries))
    return round(sum(delays), 6)


# -- Neo4j ------------------------------------------------------------------------------------


def _rows_of(query: str, params: Mapping[str, Any] | None) -> Callable[[Any], list[Row]]:
    """A transaction function: run one statement, return its rows as lists."""
    values = dict(params or {})

    def work(tx: Any) -> list[Row]:
        return [list(r) for r in tx.run(query, values).values()]

    return work


class Neo4jTx:
    def __init__(self, tx: Any) -> None:
        self._tx = tx

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return [list(r) for r in self._tx.run(query, dict(params or {})).values()]


class Neo4jLoad:
    """A load on Neo4j: one session, one short transaction per batch."""

    def __init__(self, executor: Neo4jExecutor, session: Any) -> None:
        self._executor = executor
        self._session = session

    @contextmanager
    def batch(self) -> Iterator[CypherTx]:
        errors = self._executor.neo4j.exceptions
        try:
            tx = self._session.begin_transaction()
        except (errors.DriverError, errors.Neo4jError, OSError) as exc:
            raise self._executor.unavailable(exc) from exc
        try:
            try:
                yield Neo4jTx(tx)
                tx.commit()
            except BaseException:
                if not tx.closed():
                    # A dead connection cannot roll back; the server drops the tx by itself.
                    with suppress(errors.DriverError, errors.Neo4jError, OSError):
                        tx.rollback()
                raise
        except (errors.ServiceUnavailable, errors.SessionExpired, OSError) as exc:
            # The connection died under the batch: the load fails and stays invisible.
            raise self._executor.unavailable(exc) from exc

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        # Batches commit as they go, so any read transaction sees them (behind the marker).
        return self._executor.read(query, params)


class Neo4jExecutor:
    """``neo4j://``, ``neo4j+s://``, ``bolt://`` ... through the official driver."""

    dialect = Dialect.NEO4J

    def __init__(
        self,
        uri: str,
        auth: tuple[str, str] | None,
        database: str | None,
        options: ServerOptions,
    ) -> None:
        import neo4j

        self.url = uri if database is None else f"{uri}/{database}"
        self.neo4j = neo4j
        self._neo4j = neo4j
        self._database = database
        self._options = options
        self.options = options
        self._driver = neo4j.GraphDatabase.driver(
            uri,
            auth=auth,
            max_connection_pool_size=options.pool_size,
            connection_timeout=options.timeout,
            connection_acquisition_timeout=options.timeout,
            # Managed transactions retry for as long as the options' backoff schedule lasts.
            max_transaction_retry_time=retry_budget(options),
            # Read queries name the pending slots (p_data, ...) before any load wrote one: a
            # property key the database has not seen yet is expected, not worth a warning.
            notifications_disabled_categories=[neo4j.NotificationDisabledCategory.UNRECOGNIZED],
        )

    def unavailable(self, exc: BaseException) -> StoreUnavailable:
        return StoreUnavailable(f"Neo4j at {self.url}: {exc}")

    def _down(self, exc: BaseException) -> bool:
        """Errors that mean the server cannot answer now (rather than a bad statement)."""
        errors = self._neo4j.exceptions
        if isinstance(exc, errors.AuthError | OSError):
            return True
        # A lost connection, an expired session, a transient server state (is_retryable says
        # which); misuse of the driver or a bad statement is a bug and stays as it is.
        return isinstance(exc, errors.Neo4jError | errors.DriverError) and exc.is_retryable()

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """One read statement in its own auto-commit transaction: a single round trip (a
        managed transaction adds the commit's). A read changes nothing, so when that fails
        for a reason worth retrying (a lost connection, a leader switch in a cluster) it is run
        again in a managed read transaction, which the driver retries within the options'
        retry budget."""
        neo4j = self._neo4j
        try:
            with self._driver.session(
                database=self._database, default_access_mode=neo4j.READ_ACCESS
            ) as session:
                query_ = neo4j.Query(query, timeout=self._options.timeout)
                return [list(r) for r in session.run(query_, dict(params or {})).values()]
        except Exception as exc:
            if not self._down(exc):
                raise
        return self._read_retried(query, params)

    def _read_retried(self, query: str, params: Mapping[str, Any] | None) -> list[Row]:
        work = self._neo4j.unit_of_work(timeout=self._options.timeout)(_rows_of(query, params))
        try:
            with self._driver.session(
                database=self._database, default_access_mode=self._neo4j.READ_ACCESS
            ) as session:
                rows: list[Row] = session.execute_read(work)
                return rows
        except Exception as exc:
            if self._down(exc):
                raise self.unavailable(exc) from exc
            raise

    @contextmanager
    def load(self) -> Iterator[LoadSession]:
        errors = self._neo4j.exceptions
        session = self._driver.session(database=self._database)
        try:
            yield Neo4jLoad(self, session)
        finally:
            with suppress(errors.DriverError, errors.Neo4jError, OSError):
                session.close()

    def ensure_schema(self) -> None:
        for statement in q.schema_statements(Dialect.NEO4J):
            self.write_one(statement)
        for name in q.RETIRED_NEO4J_INDEXES:
            self.write_one(f"DROP INDEX {name} IF EXISTS")

    def write_one(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        """One statement in a managed write transaction, retried by the driver."""
        try:
            with self._driver.session(database=self._database) as session:
                rows: list[Row] = session.execute_write(_rows_of(query, params))
                return rows
        except Exception as exc:
            if self._down(exc):
                raise self.unavailable(exc) from exc
            raise

    def clear(self) -> None:
        # Only the store's own labels: the database may hold other data.
        for label in q.LABELS:
            while self.write_one(q.delete_some(label), {"limit": 10_000})[0][0]:
                pass

    def drop(self) -> None:
        # A Neo4j database is not ours to drop; emptying the store's part of it is the most.
        self.clear()

    def close(self) -> None:
        self._driver.close()


# -- FalkorDB ---------------------------------------------------------------------------------

# Swap the staging graph in, but only while the lock is still held by this writer.
_SWAP_IF_LOCKED = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('RENAME', KEYS[2], KEYS[3])
redis.call('DEL', KEYS[1])
return 1
"""
_RENEW_IF_LOCKED = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
"""
_RELEASE_IF_LOCKED = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
"""


class FalkorDBTx:
    def __init__(self, executor: FalkorDBExecutor, graph: Any) -> None:
        self._executor = executor
        self._graph = graph

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        # No retry inside a load: a statement that may or may not have run would make the
        # outcome unclear, and the whole load is the unit that fails (nothing is committed).
        try:
            result = self._graph.query(query, dict(params or {}), timeout=self._executor.timeout_ms)
        except self._executor.transient_errors as exc:
            raise StoreUnavailable(f"FalkorDB at {self._executor.url}: {exc}") from exc
        return [list(r) for r in result.result_set]


class FalkorDBLoad:
    """A load on FalkorDB: every batch goes to the staging copy, under the renewed lock."""

    def __init__(self, executor: FalkorDBExecutor, graph: Any, renew: Callable[[], None]) -> None:
        self._tx = FalkorDBTx(executor, graph)
        self._renew = renew

    @contextmanager
    def batch(self) -> Iterator[CypherTx]:
        self._renew()
        yield self._tx

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._tx.run(query, params)


class FalkorDBExecutor:
    """``falkordb://[user:password@]host:port/graph`` through the ``falkordb`` client."""

    dialect = Dialect.FALKORDB

    def __init__(
        self,
        host: str,
        port: int,
        graph: str,
        username: str | None,
        password: str | None,
        options: ServerOptions,
    ) -> None:
        import redis
        from falkordb import FalkorDB
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.url = f"falkordb://{host}:{port}/{graph}"
        self.graph_name = graph
        self.staging_name = f"{graph}__staging"
        self.lock_name = f"{graph}__writer"
        self.timeout_ms = max(1, int(options.timeout * 1000))
        self._options = options
        self.options = options
        self._redis = redis
        self.transient_errors: tuple[type[BaseException], ...] = (
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
            redis.exceptions.BusyLoadingError,
            OSError,
        )
        # A blocking pool: a busy API waits for a free connection instead of failing with
        # "too many connections".
        pool = redis.BlockingConnectionPool(  # type: ignore[no-untyped-call]  # redis-py: unannotated
            host=host,
            port=port,
            username=username,
            password=password,
            socket_timeout=options.timeout,
            socket_connect_timeout=options.timeout,
            max_connections=options.pool_size,
            timeout=options.timeout,
            decode_responses=True,  # what the falkordb client expects
            # Retries are ours (with backoff and a clear error at the end), not the pool's.
            retry=Retry(NoBackoff(), 0),
        )

        def connect() -> Any:
            return FalkorDB(connection_pool=pool)

        self._db = retrying(options, f"FalkorDB at {self.url}", connect, self._transient)
        self._redis_conn = self._db.connection
        self._graph = self._db.select_graph(graph)

    def _transient(self, exc: BaseException) -> bool:
        return isinstance(exc, self.transient_errors)

    def read(self, query: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        response_error = self._redis.exceptions.ResponseError

        def once() -> list[Row]:
            try:
                result = self._graph.ro_query(query, dict(params or {}), timeout=self.timeout_ms)
            except response_error as exc:
                # A graph that was never written (or was dropped) is an empty store.
                if "empty key" in str(exc):
                    return []
                raise
            return [list(r) for r in result.result_set]

        return retrying(self._options, f"FalkorDB at {self.url}", once, self._transient)

    def _command(self, *args: Any) -> Any:
        return retrying(
            self._options,
            f"FalkorDB at {self.url}",
            lambda: self._redis_conn.execute_command(*args),
            self._transient,
        )

    def _eval(self, script: str, keys: list[str], args: list[Any]) -> Any:
        return self._command("EVAL", script, len(keys), *keys, *args)

    def _acquire(self, token: str) -> None:
        lease = int(self._options.lock_lease * 1000)
        deadline = time.monotonic() + self._options.lock_wait
        while not self._command("SET", self.lock_name, token, "NX", "PX", lease):
            if time.monotonic() > deadline:
                raise StoreUnavailable(
                    f"FalkorDB at {self.url}: another load has held the write lock for more "
                    f"than {self._options.lock_wait:g}s"
                )
            time.sleep(0.1)

    def _exists(self, key: str) -> bool:
        return bool(self._command("EXISTS", key))

    @contextmanager
    def load(self) -> Iterator[LoadSession]:
        token = uuid.uuid4().hex
        self._acquire(token)
        try:
            # Left over from a killed load: never part of the live graph.
            self._command("DEL", self.staging_name)
            if self._exists(self.graph_name):
                self._command("GRAPH.COPY", self.graph_name, self.staging_name)
            staging = self._db.select_graph(self.staging_name)
            self._ensure_schema_on(staging)
            lease = int(self._options.lock_lease * 1000)

            def renew() -> None:
                if not self._eval(_RENEW_IF_LOCKED, [self.lock_name], [token, lease]):
                    raise StoreUnavailable(f"FalkorDB at {self.url}: the write lock was lost")

            yield FalkorDBLoad(self, staging, renew)
            if not self._eval(
                _SWAP_IF_LOCKED, [self.lock_name, self.staging_name, self.graph_name], [token]
            ):
                raise StoreUnavailable(
                    f"FalkorDB at {self.url}: the write lock expired before commit; "
                    "nothing was written"
                )
        except BaseException:
            try:
                self._command("DEL", self.staging_name)
                self._eval(_RELEASE_IF_LOCKED, [self.lock_name], [token])
            except StoreUnavailable:
                log.warning("could not clean up %s; the next load will", self.staging_name)
            raise

    def _ensure_schema_on(self, graph: Any) -> None:
        try:
            rows = graph.ro_query(q.FALKORDB_LIST_INDEXES).result_set
        except self._redis.exceptions.ResponseError:
            rows = []  # the graph does not exist yet
        for statement in q.falkordb_missing_indexes(rows):
            graph.query(statement)

    def ensure_schema(self) -> None:
        retrying(
            self._options,
            f"FalkorDB at {self.url}",
            lambda: self._ensure_schema_on(self._graph),
            self._transient,
        )

    def clear(self) -> None:
        token = uuid.uuid4().hex
        self._acquire(token)
        try:
            self._command("DEL", self.graph_name, self.staging_name)
            self.ensure_schema()
        finally:
            self._eval(_RELEASE_IF_LOCKED, [self.lock_name], [token])

    def drop(self) -> None:
        self._command("DEL", self.graph_name, self.staging_name, self.lock_name)

    def close(self) -> None:
        self._redis_conn.close()
