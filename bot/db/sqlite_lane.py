"""SQLite's quick taps without the async layer: synchronous SQLAlchemy Core on a connection of
the event loop's own thread.

Why: through the AsyncEngine a quick tap's one UPDATE cost about 390 us on this kind of
machine, of which SQLite's own work is about 35 us; the rest is the async layer (a greenlet per
call, the async pool, the adapter's awaits). The same Core statement on a synchronous Connection
costs 80-110 us, and the completing tap's seven statements 1.8 ms became about 0.4 ms
(bench/throughput.py; the figures are in the README). Same statements, same column types (the
sync dialect is the one the async one is built on), same file.

What makes it safe:
- A statement on a local SQLite file takes microseconds, so running it on the loop's thread
  holds nothing up (bot/db/inloop_sqlite.py does the same for the AsyncEngine).
- This process's writers take turns through the engine's write gate (bot/db/engine.py). The
  lane takes it too, so it never meets a lock of this process, and its whole transaction runs
  without giving the loop back: no other coroutine of ours runs in the middle of it.
- Another process's lock: the connection's busy_timeout is 0, so a statement that meets it
  fails at once. The transaction is rolled back and run again in a worker thread with the real
  busy_timeout, the gate still held, so the loop waits for nothing.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import StaticPool

from bot.db.engine import BUSY_TIMEOUT_S, WriteGate, tune_sqlite, write_gate_of
from bot.db.inloop_sqlite import LockWaits, is_locked, with_busy_timeout

T = TypeVar("T")


class SqliteLane:
    def __init__(self, database: str, gate: WriteGate, busy_timeout_s: float) -> None:
        self._gate = gate
        self._busy_timeout_ms = int(busy_timeout_s * 1000)
        # One connection (the gate lets one transaction through at a time), opened on first use.
        self.engine: Engine = create_engine(
            "sqlite://", creator=partial(_connect, database), poolclass=StaticPool
        )

    async def run(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one transaction, committed when it returns (rolled back if it
        raises). `work` may be run twice (see above): it must only touch the database."""
        try:
            await self._gate.take()
        except TimeoutError:
            raise OperationalError(
                "(write gate)", None, sqlite3.OperationalError("database is locked")
            ) from None
        try:
            try:
                with self.engine.begin() as connection:
                    return work(connection)
            except OperationalError as error:
                if not isinstance(error.orig, sqlite3.OperationalError) or not is_locked(
                    error.orig
                ):
                    raise
            LockWaits.note()
            return await asyncio.to_thread(self._run_waiting_for_lock, work)
        finally:
            self._gate.give_back()

    def _run_waiting_for_lock(self, work: Callable[[Connection], T]) -> T:
        with self.engine.begin() as connection:
            raw = connection.connection.driver_connection
            return with_busy_timeout(raw, self._busy_timeout_ms, work, connection)

    def close(self) -> None:
        self.engine.dispose()


def sqlite_lane_of(engine: AsyncEngine) -> SqliteLane | None:
    """The lane beside a SQLite engine made by bot.db.engine.create_engine; None for others."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    assert database is not None
    return SqliteLane(database, write_gate_of(engine), BUSY_TIMEOUT_S)


def _connect(database: str) -> sqlite3.Connection:
    # check_same_thread=False: a transaction that meets another process's lock is run again in
    # a worker thread (never two at once: the gate lets one through).
    connection = sqlite3.connect(database, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout=0")
    tune_sqlite(connection)
    return connection
