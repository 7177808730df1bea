"""SQLite's quick lane (bot/db/sqlite_lane.py): synchronous transactions on the loop's thread that
take their turn with this process's other writers, wait for another process's lock off the loop,
and store exactly what the async engine reads back."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import load_routine
from bot.coach.walkthrough import Action, Walkthrough, apply
from bot.db import warmups
from bot.db.engine import create_session_factory
from bot.db.inloop_sqlite import LockWaits
from bot.db.models import User
from bot.db.sqlite_lane import SqliteLane, sqlite_lane_of
from tests.conftest import ROUTINE_FILE

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite in every run of the suite: the lane exists only beside SQLite."""
    return f"sqlite+aiosqlite:///{tmp_path / 'lane.db'}"


@pytest.fixture
def lane(engine: AsyncEngine) -> Iterator[SqliteLane]:
    lane = sqlite_lane_of(engine)
    assert lane is not None
    yield lane
    lane.close()


def _add_user(user_id: int):
    def work(connection: Connection) -> None:
        connection.execute(
            insert(User).values(id=user_id, chat_id=user_id, first_name="R", created_at=NOW)
        )

    return work


async def _user_ids(engine: AsyncEngine) -> list[int]:
    async with create_session_factory(engine)() as db:
        return list((await db.scalars(select(User.id).order_by(User.id))).all())


async def test_the_lane_takes_its_turn_after_this_processs_writer(
    engine: AsyncEngine, lane: SqliteLane
) -> None:
    sessions = create_session_factory(engine)
    waits_before = LockWaits.count
    async with sessions.begin() as db:
        db.add(User(id=1, chat_id=1, first_name="R", created_at=NOW))
        await db.flush()  # holds the write gate, and SQLite's write lock
        queued = asyncio.create_task(lane.run(_add_user(2)))
        for _ in range(5):
            await asyncio.sleep(0)  # the lane has every chance to run: it waits its turn
        assert not queued.done()
    async with asyncio.timeout(5):
        await queued
    assert await _user_ids(engine) == [1, 2]
    assert LockWaits.count == waits_before, "handed the gate, never met SQLite's lock"


async def test_a_lane_transaction_that_fails_stores_nothing_and_gives_the_turn_back(
    engine: AsyncEngine, lane: SqliteLane
) -> None:
    def add_then_fail(connection: Connection) -> None:
        _add_user(1)(connection)
        raise RuntimeError("halfway")

    with pytest.raises(RuntimeError, match="halfway"):
        await lane.run(add_then_fail)
    async with asyncio.timeout(5), create_session_factory(engine).begin() as db:
        db.add(User(id=2, chat_id=2, first_name="R", created_at=NOW))
    assert await _user_ids(engine) == [2]


async def test_another_processs_lock_is_waited_for_off_the_loop(
    engine: AsyncEngine, lane: SqliteLane, tmp_path: Path
) -> None:
    await lane.run(_add_user(1))
    other = sqlite3.connect(tmp_path / "lane.db", isolation_level=None)  # as another process
    waits_before = LockWaits.count
    try:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        LockWaits.noticed = asyncio.Event()
        writer = asyncio.create_task(lane.run(_add_user(2)))
        async with asyncio.timeout(5):
            await LockWaits.noticed.wait()
        assert LockWaits.count == waits_before + 1
        # The lane waits for the lock in a thread; the loop still serves reads meanwhile.
        assert await _user_ids(engine) == [1]
        assert not writer.done()
        other.execute("COMMIT")
        async with asyncio.timeout(5):
            await writer
    finally:
        LockWaits.noticed = None
        other.close()
    assert await _user_ids(engine) == [1, 2]


async def test_what_the_lane_stores_reads_back_the_same_through_the_engine(
    engine: AsyncEngine, lane: SqliteLane
) -> None:
    routine = load_routine(ROUTINE_FILE)
    start = Walkthrough.start(routine, NOW)
    async with create_session_factory(engine).begin() as db:
        await warmups.ensure_user(db, 1, 1, "R", NOW)
        row = await warmups.create_warmup(db, 1, 1, start)
        await warmups.set_message_id(db, row.id, 7)
    moved = apply(start, routine, Action.DONE_SET, start.version, NOW).state
    stored = await lane.run(
        lambda connection: warmups.store_step(
            connection, row.id, start.version, moved, on_message_id=7
        )
    )
    again = await lane.run(
        lambda connection: warmups.store_step(
            connection, row.id, start.version, moved, on_message_id=7
        )
    )
    assert (stored, again) == (True, False), "a version counts once"
    async with create_session_factory(engine)() as db:
        record = await warmups.load_record(db, row.id)
    assert record is not None and record.state == moved
