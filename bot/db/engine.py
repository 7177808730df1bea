"""The async engine and session factory, with SQLite tuned for a bot's many small writes."""

from __future__ import annotations

import asyncio
import collections
import sqlite3
import weakref
from functools import partial
from typing import Any

from sqlalchemy import Engine, event, make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util.concurrency import in_greenlet

from bot.db import inloop_sqlite

try:  # SQLAlchemy 2.1 name
    from sqlalchemy.util import await_
except ImportError:  # pragma: no cover - SQLAlchemy 2.0
    from sqlalchemy.util import await_only as await_

BUSY_TIMEOUT_S = 5.0
POSTGRES_POOL_SIZE = 20
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_GATE_KEY = "warmup_coach_write_gate"
_GATES: weakref.WeakKeyDictionary[Engine, WriteGate] = weakref.WeakKeyDictionary()


def create_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        # A fixed pool, no overflow: SQLAlchemy closes an overflow connection as soon as it is
        # given back, so with more taps in flight than pool_size (5 by default) every tap past
        # the fifth opened a new PostgreSQL connection (TCP, auth, asyncpg's type set-up): a
        # third of the bot's CPU with 100 runners (bench/throughput.py). Taps beyond the pool
        # wait their turn for a connection instead.
        engine = create_async_engine(
            database_url, pool_size=POSTGRES_POOL_SIZE, max_overflow=0, pool_timeout=30
        )
        event.listen(engine.sync_engine.pool, "checkout", _replace_closed_connection)
        return engine
    if url.database in (None, "", ":memory:"):
        raise ValueError("SQLite needs a file (the bot and its migrations share it)")
    # aiosqlite's dialect, with its connections run on the loop's thread (bot/db/inloop_sqlite.py).
    engine = create_async_engine(
        url, async_creator=partial(inloop_sqlite.connect, url.database, BUSY_TIMEOUT_S)
    )
    event.listen(engine.sync_engine, "connect", tune_sqlite)
    WriteGate().install(engine)
    return engine


def write_gate_of(engine: AsyncEngine) -> WriteGate:
    """The write gate of a SQLite engine made by `create_engine`."""
    return _GATES[engine.sync_engine]


def _replace_closed_connection(_dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """A server restart or failover drops pooled connections: one taken from the pool that the
    server has closed is replaced, instead of failing the runner's tap with it.

    Instead of pool_pre_ping, which costs three round trips (BEGIN, a ping, ROLLBACK) before
    every transaction: half the database time of a tap (bench/throughput.py). The server says
    goodbye when it ends a connection, and asyncpg marks the connection closed as soon as the
    event loop reads that, so this check is free. A connection that died silently (a network
    cut with no goodbye) still fails its first statement; that tap is apologised for and the
    pool replaces the connection for the next one.
    """
    is_closed = getattr(record.driver_connection, "is_closed", None)
    if is_closed is not None and is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def tune_sqlite(dbapi_connection: Any, _record: Any = None) -> None:
    # WAL lets readers run beside the writer. (A lock held by another process is waited for
    # off the loop, up to BUSY_TIMEOUT_S: bot/db/inloop_sqlite.py.)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class WriteGate:
    """SQLite's one writer at a time, taken in turn in the event loop instead of in SQLite.

    Left to SQLite, a writer that finds the database locked sleeps in its busy handler with
    back-off (1, 2, 5, ... 100 ms a try) and tries again; under load the lock changes hands
    between its tries, so some writers lose over and over: bench/throughput.py saw taps wait
    seconds and, with 20 runners tapping, "database is locked" after busy_timeout. Here a
    transaction takes the gate before its first write and gives it back as soon as it commits
    or rolls back; waiting writers are handed it in arrival order, without sleeping, and find
    SQLite's lock free. Reads never wait: WAL lets them run beside the writer. A free gate is
    taken without a trip through the event loop. A writer still waiting after busy_timeout
    fails as SQLite would have.
    """

    def __init__(self) -> None:
        self._held = False
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    def install(self, engine: AsyncEngine) -> None:
        sync_engine = engine.sync_engine
        _GATES[sync_engine] = self
        event.listen(sync_engine, "before_cursor_execute", self._before_execute)
        # Given back right after the driver's COMMIT or ROLLBACK has run; the pool's return is
        # a safety net for a connection that is closed or invalidated mid-transaction.
        dialect = sync_engine.dialect
        dialect.do_commit = self._releasing(dialect.do_commit)  # type: ignore[method-assign]
        dialect.do_rollback = self._releasing(dialect.do_rollback)  # type: ignore[method-assign]
        for name in ("checkin", "invalidate", "soft_invalidate", "close", "detach"):
            event.listen(sync_engine.pool, name, self._release_record)

    def _before_execute(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if conn.info.get(_GATE_KEY) or not in_greenlet():
            return
        if not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        if not self.try_take():
            try:
                await_(self.take())
            except TimeoutError:
                raise OperationalError(
                    statement, parameters, sqlite3.OperationalError("database is locked")
                ) from None
        conn.info[_GATE_KEY] = True

    def try_take(self) -> bool:
        """Take the gate if it is free, on the spot."""
        if self._held:
            return False
        self._held = True
        return True

    async def take(self) -> None:
        """Take the gate, waiting in line if it is held; TimeoutError after busy_timeout."""
        if self.try_take():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            # Handed over by give_back (the gate stays held); cancelled on time-out.
            await asyncio.wait_for(waiter, BUSY_TIMEOUT_S)
        except BaseException:
            # Handed the gate in the same turn as we gave up (cancelled, timed out): pass it on,
            # or it would stay held for good.
            if waiter.done() and not waiter.cancelled():
                self.give_back()
            raise

    def give_back(self) -> None:
        """To the next writer in line, or free."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # not given up
                waiter.set_result(None)
                return
        self._held = False

    def _releasing(self, end_transaction: Any) -> Any:
        def wrapper(dbapi_connection: Any) -> None:
            try:
                end_transaction(dbapi_connection)
            finally:
                self._release(dbapi_connection)

        return wrapper

    def _release_record(self, _dbapi_connection: Any, record: Any, *_: Any) -> None:
        self._release(record)

    def _release(self, connection: Any) -> None:
        """Give back the gate if `connection` (pooled, or its pool record) holds it."""
        try:
            info = connection.info
        except (AttributeError, NotImplementedError):  # not pooled (the engine's first connect)
            return
        if info.pop(_GATE_KEY, False):
            self.give_back()


def single_statement_engine(engine: AsyncEngine) -> AsyncEngine:
    """The engine for work that is one statement (atomic by itself): on PostgreSQL without
    BEGIN and COMMIT, two round trips of the three; SQLite's are free, it keeps them."""
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
