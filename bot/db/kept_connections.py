"""A few autocommit connections kept out of SQLAlchemy's pool for PostgreSQL's quick taps.

Why: a quick tap is one statement, about 0.35 ms of round trip. Taking a connection from the pool
for it and giving it back (`engine.begin()`) cost another 0.3-0.4 ms of the bot's CPU: greenlet
hops, pool events, the isolation level set and reset, SQLAlchemy's BEGIN and COMMIT bookkeeping
(which in autocommit send nothing). A connection kept checked out costs nothing to take: the
tap's database time halves (bench/throughput.py, README "Performance").

Connections still come from the engine's pool (the same URL, limits and checkout checks), just
not given back after every tap: at most `keep` of them wait here between taps; a tap that finds
none idle checks one out as before, and it stays only if there is room. A kept connection the
server has closed (a restart, a failover) is noticed before use and replaced, as the pool's
checkout does (bot/db/engine.py); one that fails or is cancelled mid-statement goes back to the
pool, which cleans it up, instead of being kept.

One the network lost without a word (a cut nobody announced) still looks alive and fails the
first statement sent on it; `run` then does the work once more on a new connection, so the
work must be safe to repeat (a compare-and-set, or a write of the same value).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)

T = TypeVar("T")


class KeptConnections:
    def __init__(self, engine: AsyncEngine, keep: int) -> None:
        """`engine` in autocommit (bot.db.engine.single_statement_engine): a kept connection
        holds no transaction between taps."""
        self._engine = engine
        self._keep = keep
        self._idle: list[AsyncConnection] = []
        self._closed = False

    @property
    def idle(self) -> int:
        return len(self._idle)

    async def run(self, work: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """`await work(connection)` on a kept connection; once more on a new one if the first
        was lost on the way (see above: `work` must be safe to repeat)."""
        for retry in (False, True):
            try:
                async with self.connection() as connection:
                    return await work(connection)
            except DBAPIError as error:
                if retry or not error.connection_invalidated:
                    raise
                logger.warning("Database connection lost (%s); trying once more", error.orig)
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        connection = await self._take()
        try:
            yield connection
        except Exception:
            await connection.close()  # back to the pool, which rolls back and checks it
            raise
        except BaseException:
            # Cancelled mid-statement: the driver may still await the server's answer.
            await connection.invalidate()
            await connection.close()
            raise
        if self._closed or len(self._idle) >= self._keep:
            await connection.close()
        else:
            self._idle.append(connection)

    async def close(self) -> None:
        """Give every kept connection back to the pool (before the engine is disposed)."""
        self._closed = True
        while self._idle:
            await self._idle.pop().close()

    async def _take(self) -> AsyncConnection:
        while self._idle:
            connection = self._idle.pop()  # the most recently used: warm, and the others can age
            if not _closed_by_server(connection):
                return connection
            await connection.invalidate()
            await connection.close()
        return await self._engine.connect()


def _closed_by_server(connection: AsyncConnection) -> bool:
    """True once the driver has read the server's goodbye (asyncpg's `is_closed`): free."""
    driver: Any = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    is_closed = getattr(driver, "is_closed", None)
    return bool(is_closed is not None and is_closed())
