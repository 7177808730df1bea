"""Storing a step on a warm-up this process knows (its hint: bot/db/recent_warmups.py) the
quickest way each database allows, and what a completion sets off.

- SQLite: the step, and with a completion the streak and the check-in, in one synchronous
  transaction on the loop's thread (bot/db/sqlite_lane.py).
- PostgreSQL: a regular step is one UPDATE in autocommit; a completing one is one statement
  for everything (bot/db/quick_completion.py). Both on a connection kept out of the pool
  between taps (bot/db/kept_connections.py).

Either way the step is a compare-and-set on the warm-up's version and card: nothing is stored
when the row moved, and the caller then takes its careful path, which reads the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.coach.progress import CompletionNote
from bot.coach.routine import Routine
from bot.coach.walkthrough import Status, Walkthrough
from bot.db import checkins, quick_completion, stats, warmups
from bot.db.engine import POSTGRES_POOL_SIZE, single_statement_engine
from bot.db.kept_connections import KeptConnections
from bot.db.sqlite_lane import SqliteLane, sqlite_lane_of


@dataclass(frozen=True, slots=True)
class StoredStep:
    """A step stored; with a completion, what its card says and when the check-in is due."""

    note: CompletionNote | None = None
    checkin_due: datetime | None = None


def store_completed(
    db: stats.SyncDb, warmup: stats.WarmupRef, state: Walkthrough, routine: Routine
) -> StoredStep:
    """What completing a warm-up sets off, in the transaction that stored the completing step:
    the streak moves (both or neither are stored) and the after-run check-in is planned.
    Synchronous: the lane runs it as it is, async sessions through `run_sync`."""
    assert state.finished_at is not None
    recorded = stats.store_completion(db, warmup, state, routine)
    planned = checkins.store_checkin(db, warmup, state.finished_at, recorded.checkin_minutes)
    return StoredStep(recorded.note, planned.due_at if planned is not None else None)


# PostgreSQL connections kept for quick taps between taps: a quarter of the pool, so that the
# rest (warm-ups begun, careful taps, reminders) always has most of it.
KEPT_FOR_TAPS = POSTGRES_POOL_SIZE // 4


class QuickTaps:
    def __init__(self, engine: AsyncEngine) -> None:
        self.lane: SqliteLane | None = sqlite_lane_of(engine)
        self.kept: KeptConnections | None = (
            KeptConnections(single_statement_engine(engine), KEPT_FOR_TAPS)
            if self.lane is None
            else None
        )

    async def store(
        self,
        known: warmups.WarmupRecord,
        expected_version: int,
        state: Walkthrough,
        routine: Routine,
    ) -> StoredStep | None:
        """Store `state`, the step after `expected_version` of the known warm-up, on its card
        (`known.message_id`). None when nothing was stored: the warm-up moved (or, on
        PostgreSQL, the runner's context did)."""
        if self.lane is not None:
            return await self.lane.run(
                lambda connection: _store_in_lane(
                    connection, known, expected_version, state, routine
                )
            )
        assert self.kept is not None
        # Safe to repeat (KeptConnections.run): a step lost with its connection and stored
        # anyway is not stored twice; the retry stores nothing and the careful path shows it.
        return await self.kept.run(
            lambda connection: _store_on_postgresql(
                connection, known, expected_version, state, routine
            )
        )

    async def record_card(self, warmup_id: int, message_id: int) -> None:
        """Record the message that shows a warm-up just begun, the same quick way: the
        runner's first tap waits for it (one chat's updates are handled in turn)."""
        if self.lane is not None:
            await self.lane.run(
                lambda connection: warmups.store_message_id(connection, warmup_id, message_id)
            )
            return
        assert self.kept is not None
        await self.kept.run(
            lambda connection: warmups.set_message_id(connection, warmup_id, message_id)
        )

    async def close(self) -> None:
        if self.lane is not None:
            self.lane.close()
        if self.kept is not None:
            await self.kept.close()


def _store_in_lane(
    connection: Connection,
    known: warmups.WarmupRecord,
    expected_version: int,
    state: Walkthrough,
    routine: Routine,
) -> StoredStep | None:
    if not warmups.store_step(
        connection, known.id, expected_version, state, on_message_id=known.message_id
    ):
        return None
    if state.status is Status.COMPLETED:
        return store_completed(connection, known, state, routine)
    return StoredStep()


async def _store_on_postgresql(
    connection: AsyncConnection,
    known: warmups.WarmupRecord,
    expected_version: int,
    state: Walkthrough,
    routine: Routine,
) -> StoredStep | None:
    if state.status is Status.COMPLETED:
        done = await quick_completion.complete(connection, known, expected_version, state, routine)
        return None if done is None else StoredStep(done.recorded.note, done.checkin_due)
    stored = await warmups.save_step(
        connection, known.id, expected_version, state, on_message_id=known.message_id
    )
    return StoredStep() if stored else None
