"""SQLite on the loop's thread (bot/db/inloop_sqlite.py): this process's writers take turns in the
event loop (bot/db/engine.py); another process's lock is waited for off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.db import engine as engine_module
from bot.db.engine import WriteGate, create_engine, create_session_factory
from bot.db.inloop_sqlite import LockWaits
from bot.db.migrate import upgrade_to_head
from bot.db.models import User

NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


async def _sqlite(tmp_path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'gate.db'}")
    await upgrade_to_head(engine)
    return engine


def _user(user_id: int) -> User:
    return User(id=user_id, chat_id=user_id, first_name="R", created_at=NOW)


async def test_a_second_writer_waits_its_turn_instead_of_failing(tmp_path: Path) -> None:
    engine = await _sqlite(tmp_path)
    sessions = create_session_factory(engine)
    order: list[str] = []
    first_wrote = asyncio.Event()

    async def first() -> None:
        async with sessions.begin() as db:
            db.add(_user(1))
            await db.flush()
            first_wrote.set()
            await asyncio.sleep(0.3)  # holds SQLite's write lock far beyond its busy_timeout
            order.append("first commits")

    async def second() -> None:
        await first_wrote.wait()
        async with sessions.begin() as db:
            db.add(_user(2))
            await db.flush()
            order.append("second wrote")

    waits_before = LockWaits.count
    try:
        await asyncio.gather(first(), second())
        async with sessions() as db:
            assert set((await db.scalars(select(User.id))).all()) == {1, 2}
    finally:
        await engine.dispose()
    assert order == ["first commits", "second wrote"]
    # Handed the gate, not left to meet SQLite's lock (which sends a statement to a thread).
    assert LockWaits.count == waits_before


async def test_readers_do_not_wait_for_the_writer(tmp_path: Path) -> None:
    engine = await _sqlite(tmp_path)
    sessions = create_session_factory(engine)
    try:
        async with sessions.begin() as db:
            db.add(_user(1))
        async with sessions.begin() as writer:
            writer.add(_user(2))
            await writer.flush()
            async with sessions() as reader:
                async with asyncio.timeout(1):
                    ids = (await reader.scalars(select(User.id))).all()
            assert ids == [1]  # WAL: the reader sees the last commit, at once
    finally:
        await engine.dispose()


async def test_a_failed_write_gives_the_turn_back(tmp_path: Path) -> None:
    engine = await _sqlite(tmp_path)
    sessions = create_session_factory(engine)
    try:
        async with sessions.begin() as db:
            db.add(_user(1))
        with pytest.raises(IntegrityError):
            async with sessions.begin() as db:
                db.add(_user(1))  # duplicate key: rolled back
        async with asyncio.timeout(1), sessions.begin() as db:
            db.add(_user(2))
    finally:
        await engine.dispose()


async def test_a_writer_that_never_gets_its_turn_fails_like_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_S", 0.1)
    engine = await _sqlite(tmp_path)
    sessions = create_session_factory(engine)
    try:
        async with sessions.begin() as holder:
            holder.add(_user(1))
            await holder.flush()
            with pytest.raises(OperationalError, match="database is locked"):
                async with sessions.begin() as db:
                    db.add(_user(2))
    finally:
        await engine.dispose()


async def test_another_process_holding_the_lock_does_not_block_the_loop(tmp_path: Path) -> None:
    engine = await _sqlite(tmp_path)
    sessions = create_session_factory(engine)
    other = sqlite3.connect(tmp_path / "gate.db", isolation_level=None)  # as another process
    waits_before = LockWaits.count
    try:
        async with sessions.begin() as db:
            db.add(_user(1))
        other.execute("BEGIN IMMEDIATE")  # holds the write lock

        async def write() -> None:
            async with sessions.begin() as db:
                db.add(_user(2))

        LockWaits.noticed = asyncio.Event()
        writer = asyncio.create_task(write())
        async with asyncio.timeout(5):
            await LockWaits.noticed.wait()
        assert LockWaits.count == waits_before + 1
        # The writer waits for the lock in a thread; the loop still serves reads meanwhile.
        async with sessions() as reader:
            assert (await reader.scalars(select(User.id))).all() == [1]
        assert not writer.done()
        other.execute("COMMIT")
        async with asyncio.timeout(5):
            await writer
        async with sessions() as reader:
            assert (await reader.scalars(select(User.id))).all() == [1, 2]
    finally:
        LockWaits.noticed = None
        other.close()
        await engine.dispose()


async def test_another_process_holding_the_lock_past_busy_timeout_fails_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_S", 0.1)
    engine = await _sqlite(tmp_path)
    sessions = create_session_factory(engine)
    other = sqlite3.connect(tmp_path / "gate.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError, match="database is locked"):
            async with sessions.begin() as db:
                db.add(_user(1))
        other.execute("COMMIT")
        async with sessions.begin() as db:  # the connection is still good
            db.add(_user(1))
    finally:
        other.close()
        await engine.dispose()


async def test_a_writer_cancelled_as_it_is_handed_the_gate_does_not_keep_it() -> None:
    gate = WriteGate()
    assert gate.try_take()
    waiting = asyncio.create_task(gate.take())
    await asyncio.sleep(0)  # in line
    gate.give_back()  # handed to the waiter ...
    waiting.cancel()  # ... which is cancelled before it runs again
    try:
        await waiting
        gate.give_back()  # it took the gate after all (Python 3.11's wait_for): done with it
    except asyncio.CancelledError:
        pass
    assert gate.try_take(), "the gate is free for the next writer"
