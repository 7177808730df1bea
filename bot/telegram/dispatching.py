"""One process sends for all: leadership over the dispatchers, and the limit they send at.

Telegram's limit of about 30 messages a second belongs to the bot token, not to a process. So
the sends that count against it in bulk (reminders, check-ins, broadcasts) are made by one
process only, the leader, through its rate limiter: however many processes serve updates,
the token's rate is one limiter's. Replies to a runner's own update stay local to the process
handling it.

On PostgreSQL the leader is the process holding a session advisory lock
(`pg_try_advisory_lock`) on a connection kept for it. Every `CHECK_EVERY` the leader checks that
its connection still answers (else it stops dispatching at once), and the others try to take
the lock. PostgreSQL releases it the moment the leader's connection closes (a stop, a crash, a
SIGKILL: the server sees the socket close), so another process takes over within one check. On
SQLite there is one process, always the leader.

Handing over is safe because every send is claimed in the database first (a reminder's unique
run date, a check-in's and a broadcast recipient's conditional status change): two leaders for
a moment (a leader whose network froze) could exceed the rate, never send anything twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from telegram.ext import Application

from bot.config import FREE_MESSAGES_PER_SECOND
from bot.db.engine import Database
from bot.metrics import LEADER

logger = logging.getLogger(__name__)

DISPATCH_KEY = "dispatching"
# Any fixed 64-bit number; advisory locks are per database, so two bots on one server with
# their own databases do not meet.
LOCK_KEY = 0x5741524D5550  # "WARMUP"
# How often the leader checks its lock connection and the others try to take over: a leader
# that died is replaced within this (plus PostgreSQL noticing the closed socket, at once on a
# crash or a kill; a network cut waits for the server's TCP keepalive).
CHECK_EVERY = 2.0


@dataclass
class Dispatching:
    """The dispatchers' settings, and whether this process runs them."""

    messages_per_second: int = FREE_MESSAGES_PER_SECOND
    early: timedelta = timedelta(minutes=10)
    admin_user_ids: frozenset[int] = frozenset()
    leadership: Leadership | None = field(default=None, repr=False)

    @property
    def leads(self) -> bool:
        return self.leadership is None or self.leadership.is_leader

    def send_options(self) -> dict[str, Any]:
        """Extra sendMessage arguments for a limited send: paid broadcast above the free 30/s."""
        paid = self.messages_per_second > FREE_MESSAGES_PER_SECOND
        return {"allow_paid_broadcast": True} if paid else {}


def dispatching_in(application: Application) -> Dispatching:
    """The application's dispatching; an application built without it (a benchmark's bare one)
    leads with the defaults."""
    found = application.bot_data.get(DISPATCH_KEY)
    if found is None:
        found = application.bot_data[DISPATCH_KEY] = Dispatching()
    return found


def leads(application: Application) -> bool:
    return dispatching_in(application).leads


class Leadership:
    """Whether this process runs the dispatchers; `on_gain` starts them (told whether this is
    a take-over from a running leader rather than a start-up), `on_loss` stops them, `on_tick`
    runs every check while leading (picking up work other processes planned)."""

    def __init__(
        self,
        database: Database,
        on_gain: Callable[[bool], Awaitable[None]],
        on_loss: Callable[[], None],
        on_tick: Callable[[], Awaitable[None]],
        check_every: float = CHECK_EVERY,
    ) -> None:
        self.database = database
        self.is_leader = False
        self._on_gain, self._on_loss, self._on_tick = on_gain, on_loss, on_tick
        self._check_every = check_every
        self._connection: AsyncConnection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Lead at once if nobody does (one process: before start-up ends), then keep checking."""
        if self.database.is_sqlite:
            await self._gain(took_over=False)
            return
        await self._check(starting=True)
        self._task = asyncio.create_task(self._keep_checking(), name="leadership")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # The job queue has stopped already: nothing to stop but the lock, which closing the
        # connection releases.
        self.is_leader = False
        LEADER.set(0)
        await self._drop_connection()

    async def _keep_checking(self) -> None:
        while True:
            await asyncio.sleep(self._check_every)
            await self._check()
            if self.is_leader:
                try:
                    await self._on_tick()
                except Exception:  # a failed refresh waits for the next tick, logged
                    logger.exception("Refreshing the dispatchers' wake-ups failed")

    async def _check(self, *, starting: bool = False) -> None:
        try:
            if self.is_leader:
                assert self._connection is not None
                await self._connection.scalar(text("SELECT 1"))
                return
            if self._connection is None:
                self._connection = await self.database.engine.connect()
                await self._connection.execution_options(isolation_level="AUTOCOMMIT")
            taken = await self._connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
            )
        except Exception as error:  # the database out of reach: nobody here leads
            logger.warning("Dispatch leadership check failed (%s)", type(error).__name__)
            if self.is_leader:
                self._lose("its database connection failed")
            await self._drop_connection()
            return
        if taken:
            await self._gain(took_over=not starting)

    async def _gain(self, *, took_over: bool) -> None:
        self.is_leader = True
        LEADER.set(1)
        logger.info("This process now runs the reminder, check-in and broadcast dispatchers")
        try:
            await self._on_gain(took_over)
        except Exception:  # the safety-net jobs it starts retry what failed here
            logger.exception("Starting the dispatchers failed")

    def _lose(self, why: str) -> None:
        self.is_leader = False
        LEADER.set(0)
        logger.warning("This process stopped running the dispatchers: %s", why)
        self._on_loss()

    async def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        # Closing the connection releases the lock; a broken one is thrown away, not pooled.
        with contextlib.suppress(Exception):
            await connection.invalidate()
        with contextlib.suppress(Exception):
            await connection.close()
