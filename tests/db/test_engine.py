"""The unit of work (bot/db/engine.py): one transaction per block, this process's SQLite
transactions in turn, another process's lock waited for off the loop, savepoints that are real."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.db import engine as engine_module
from bot.db import reminders
from bot.db.engine import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import SentReminder, User

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


async def _sqlite(tmp_path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'gate.db'}")
    await upgrade_to_head(database.engine)
    return database


def _user(user_id: int) -> User:
    return User(id=user_id, chat_id=user_id, first_name="R", created_at=NOW)


async def _until(condition: Callable[[], bool]) -> None:
    """Wait for a condition a worker thread makes true (it cannot set an asyncio.Event)."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def _user_ids(database: Database) -> list[int]:
    async with database.transaction() as db:
        return list((await db.scalars(select(User.id).order_by(User.id))).all())


async def test_a_second_transaction_waits_its_turn_instead_of_failing(tmp_path: Path) -> None:
    database = await _sqlite(tmp_path)
    order: list[str] = []
    first_wrote = asyncio.Event()

    async def first() -> None:
        async with database.transaction() as db:
            db.add(_user(1))
            await db.flush()
            first_wrote.set()
            await asyncio.sleep(0.3)  # holds SQLite's write lock far beyond its busy_timeout
            order.append("first commits")

    async def second() -> None:
        await first_wrote.wait()
        async with database.transaction() as db:
            db.add(_user(2))
            await db.flush()
            order.append("second wrote")

    waits_before = database.sqlite_lock_waits()
    try:
        await asyncio.gather(first(), second())
        assert await _user_ids(database) == [1, 2]
        # Handed the turn, never met SQLite's lock (which sends a statement to a thread).
        assert database.sqlite_lock_waits() == waits_before
    finally:
        await database.dispose()
    assert order == ["first commits", "second wrote"]


async def test_a_failed_transaction_gives_the_turn_back(tmp_path: Path) -> None:
    database = await _sqlite(tmp_path)
    try:
        async with database.transaction() as db:
            db.add(_user(1))
        with pytest.raises(IntegrityError):
            async with database.transaction() as db:
                db.add(_user(1))  # duplicate key: rolled back
        async with asyncio.timeout(1), database.transaction() as db:
            db.add(_user(2))
        assert await _user_ids(database) == [1, 2]
    finally:
        await database.dispose()


async def test_a_unit_of_work_inside_another_is_refused(database_url: str) -> None:
    database = Database(database_url)
    await upgrade_to_head(database.engine)
    try:
        async with database.transaction():
            with pytest.raises(RuntimeError, match="already open"):
                async with database.transaction():
                    pass
    finally:
        await database.dispose()


async def test_a_savepoint_as_the_first_write_is_rolled_back_with_its_transaction(
    database_url: str,
) -> None:
    """A reminder's claim (a SAVEPOINT, so a conflict leaves the transaction usable) must not
    outlive a transaction that fails after it. pysqlite's own transaction handling began no
    transaction before the SAVEPOINT, so its RELEASE committed the claim at once."""
    database = Database(database_url)
    await upgrade_to_head(database.engine)
    try:
        async with database.transaction() as db:
            db.add(_user(1))
        with pytest.raises(LookupError):
            async with database.transaction() as db:
                claimed = await reminders.claim(db, 1, date(2026, 11, 25), NOW, "sending", NOW)
                assert claimed is not None
                raise LookupError("the transaction fails after the claim")
        async with database.transaction() as db:
            assert await db.scalar(select(func.count()).select_from(SentReminder)) == 0
    finally:
        await database.dispose()


async def test_another_process_holding_the_lock_is_waited_for_off_the_loop(
    tmp_path: Path,
) -> None:
    database = await _sqlite(tmp_path)
    other = sqlite3.connect(tmp_path / "gate.db", isolation_level=None)  # as another process
    waits_before = database.sqlite_lock_waits()
    assert waits_before is not None
    try:
        async with database.transaction() as db:
            db.add(_user(1))
        other.execute("BEGIN IMMEDIATE")  # holds the write lock

        async def write() -> None:
            async with database.transaction() as db:
                db.add(_user(2))

        writer = asyncio.create_task(write())
        await _until(lambda: database.sqlite_lock_waits() == waits_before + 1)
        # The writer waits for the lock in a thread; the loop goes on meanwhile.
        ticks = 0
        for _ in range(3):
            await asyncio.sleep(0)
            ticks += 1
        assert ticks == 3 and not writer.done()
        other.execute("COMMIT")
        async with asyncio.timeout(5):
            await writer
        assert await _user_ids(database) == [1, 2]
    finally:
        other.close()
        await database.dispose()


async def test_another_process_holding_the_lock_past_busy_timeout_fails_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_S", 0.1)
    database = await _sqlite(tmp_path)
    other = sqlite3.connect(tmp_path / "gate.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError, match="database is locked"):
            async with database.transaction() as db:
                db.add(_user(1))
        other.execute("COMMIT")
        async with database.transaction() as db:  # the connection is still good
            db.add(_user(1))
        assert await _user_ids(database) == [1]
    finally:
        other.close()
        await database.dispose()
