"""SQLite on the event loop's own thread, behind the interface of aiosqlite that SQLAlchemy uses.

Why: aiosqlite runs every call in a worker thread and hands the result back through the event
loop, and SQLAlchemy's adapter makes four such calls per statement; the hand-overs cost far more
than SQLite's own work on a local file (docs/performance.md). Here each call runs on the spot.

What makes that safe: the one thing that can make a statement wait, another *process* holding
the write lock, never blocks the loop. The connection's own busy_timeout is 0, so such a
statement fails at once with "database is locked"; it is then run again in a worker thread with
the real busy_timeout. (This process's transactions take turns before they begin: engine.py.)
Only bot/db/engine.py uses this module.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

_LOCKED_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


class LockWaits:
    """How many statements met another process's lock and waited for it in a worker thread."""

    count = 0


def is_locked(error: sqlite3.OperationalError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _LOCKED_CODES
    return "database is locked" in str(error)


class InLoopConnection:
    """What SQLAlchemy's aiosqlite dialect calls on an aiosqlite.Connection, run synchronously."""

    def __init__(self, connection: sqlite3.Connection, busy_timeout_s: float) -> None:
        # SQLAlchemy's dialect tests `._connection` to know whether the connection is open.
        self._connection: sqlite3.Connection | None = connection
        self._busy_timeout_ms = int(busy_timeout_s * 1000)
        connection.execute("PRAGMA busy_timeout=0")

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level

    def cursor(self) -> InLoopCursor:
        return InLoopCursor(self)

    async def commit(self) -> None:
        await self.run(self._open().commit)

    async def rollback(self) -> None:
        await self.run(self._open().rollback)

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """aiosqlite's forced close (a connection dropped by the pool); here the same as close."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._open().create_function(*args, **kwargs)

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """`call(*args)` here and now; if another process holds the lock, waited for off-loop."""
        try:
            return call(*args)
        except sqlite3.OperationalError as error:
            if not is_locked(error):
                raise
        LockWaits.count += 1
        return await asyncio.to_thread(self._waiting_for_lock, call, *args)

    def _waiting_for_lock(self, call: Callable[..., T], *args: Any) -> T:
        connection = self._open()
        connection.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
        try:
            return call(*args)
        finally:
            connection.execute("PRAGMA busy_timeout=0")

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise ValueError("no active connection")
        return self._connection


class InLoopCursor:
    """An aiosqlite.Cursor's async interface over a sqlite3.Cursor."""

    def __init__(self, connection: InLoopConnection) -> None:
        self._owner = connection
        self._cursor = connection._open().cursor()

    async def __aenter__(self) -> InLoopCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InLoopCursor:
        await self._owner.run(self._cursor.execute, sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Any) -> InLoopCursor:
        await self._owner.run(self._cursor.executemany, sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        return self._cursor.fetchmany(size) if size is not None else self._cursor.fetchmany()

    async def fetchall(self) -> Sequence[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


async def connect(path: str, busy_timeout_s: float) -> InLoopConnection:
    # check_same_thread=False: a statement that meets another process's lock is finished in a
    # worker thread, while the loop awaits it (never two at once: SQLAlchemy serialises them).
    # isolation_level=None: the driver never begins a transaction itself; SQLAlchemy's "begin"
    # event does (engine.py).
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    return InLoopConnection(connection, busy_timeout_s)
