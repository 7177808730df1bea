"""The database: its engine, and the one unit of work every update's database work runs in."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from functools import partial
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.db import inloop_sqlite

BUSY_TIMEOUT_S = 5.0
POSTGRES_POOL_SIZE = 20

_IN_TRANSACTION: ContextVar[bool] = ContextVar("warmup_coach_in_transaction", default=False)


class Database:
    """The engine and the unit of work: `async with db.transaction() as session:` opens one
    transaction, commits it when the block ends (rolls back on an exception), and is the only
    way handlers and jobs reach the database. Repositories take the session and never commit."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time: this process's transactions take turns here, in
        # arrival order, instead of meeting each other's lock inside SQLite (whose busy handler
        # sleeps and retries, unfairly under load). PostgreSQL locks rows itself.
        self._turn = asyncio.Lock() if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        if _IN_TRANSACTION.get():
            # SQLite's turn is not re-entrant, and a nested unit of work would commit apart.
            raise RuntimeError("a unit of work is already open in this task")
        token = _IN_TRANSACTION.set(True)
        try:
            if self._turn is None:
                async with self._sessions.begin() as session:
                    yield session
                return
            # SQLite on the loop's thread: nothing here waits, so the session is closed in
            # this task. (sessionmaker.begin() closes it in a task of its own, shielded from
            # cancellation, which cost each update six turns of the loop with the turn held.)
            async with self._turn:
                session = self._sessions()
                try:
                    async with session.begin():
                        yield session
                finally:
                    await session.close()
        finally:
            _IN_TRANSACTION.reset(token)

    def sqlite_lock_waits(self) -> int | None:
        """Statements that met another process's lock since start-up (SQLite only)."""
        return inloop_sqlite.LockWaits.count if self.is_sqlite else None

    async def dispose(self) -> None:
        await self.engine.dispose()


def create_engine(database_url: str) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        # A fixed pool, no overflow: SQLAlchemy closes an overflow connection as soon as it is
        # given back, so under load every update past the pool's size would open a new one.
        # pool_pre_ping: a connection the server closed (a restart, a failover) or the network
        # cut without a word is found dead and replaced before a transaction uses it.
        return create_async_engine(
            database_url,
            pool_size=POSTGRES_POOL_SIZE,
            max_overflow=0,
            pool_timeout=30,
            pool_pre_ping=True,
        )
    if url.database in (None, "", ":memory:"):
        raise ValueError("SQLite needs a file (the bot and its migrations share it)")
    # aiosqlite's dialect, with its connections run on the loop's thread (bot/db/inloop_sqlite.py).
    engine = create_async_engine(
        url,
        async_creator=partial(inloop_sqlite.connect, url.database, BUSY_TIMEOUT_S),
        # The pool's default rollback on return stays: a COMMIT that fails leaves SQLite's
        # transaction open, and the connection's next BEGIN would fail for good.
    )
    event.listen(engine.sync_engine, "connect", _tune_sqlite)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _begin_immediate(connection: Any) -> None:
    # SQLAlchemy's documented SQLite recipe: the driver no longer begins transactions itself
    # (inloop_sqlite.connect sets isolation_level=None), so a SAVEPOINT is inside a real one;
    # IMMEDIATE takes the write lock up front, where another process's lock is waited for.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _tune_sqlite(dbapi_connection: Any, _record: Any = None) -> None:
    # WAL lets readers of other processes run beside the writer.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
