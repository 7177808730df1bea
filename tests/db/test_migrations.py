"""Alembic migrations: every revision up, down and up again; the result matches the models."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.app import load_routine
from bot.db import levels, warmups
from bot.db.engine import Database, create_engine
from bot.db.migrate import alembic_config, run_migration
from bot.db.models import Base, ReminderSchedule, UserStats, WarmupCompletion

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _step(connection: Connection, direction: str, target: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    (command.upgrade if direction == "up" else command.downgrade)(config, target)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


async def test_stairway_up_down_up(database_url: str) -> None:
    engine = create_engine(database_url)
    revisions = _revisions()
    assert revisions[0] == "0001" and len(revisions) >= 2
    try:
        for revision in revisions:
            async with engine.begin() as connection:
                await connection.run_sync(_step, "up", revision)
        for revision in [*reversed(revisions[:-1]), "base"]:
            async with engine.begin() as connection:
                await connection.run_sync(_step, "down", revision)
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set()
        for revision in revisions:
            async with engine.begin() as connection:
                await connection.run_sync(_step, "up", revision)
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set(Base.metadata.tables)
            diff = await connection.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), Base.metadata)
            )
        assert diff == [], f"models and migrations disagree: {diff}"
    finally:
        await engine.dispose()


async def test_release_command_migrates_a_fresh_database(database_url: str) -> None:
    # The Procfile's `release: alembic upgrade head`, as a host runs it: DATABASE_URL from env.
    environment = {**os.environ, "DATABASE_URL": database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "alembic",
        "upgrade",
        "head",
        cwd=PROJECT_ROOT,
        env=environment,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, stderr.decode()
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == set(Base.metadata.tables)
    finally:
        await engine.dispose()


async def test_a_runner_from_before_levels_is_at_level_1_with_nothing_lost(
    database_url: str,
) -> None:
    """Upgrading a database of revision 0005 (before languages, demonstrations and levels): the
    runner's warm-ups, streak and reminders are all there, every exercise is at level 1, and
    every old warm-up was full."""
    engine = create_engine(database_url)
    started = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_step, "up", "0005")
            for statement in _BEFORE_LEVELS:
                await connection.execute(text(statement), {"at": started, "day": started.date()})
        async with engine.begin() as connection:
            await connection.run_sync(_step, "up", "head")
        database = Database(database_url)
        try:
            async with database.transaction() as db:
                stored = await warmups.load_warmup(db, 1)
                assert stored is not None and stored.levels is None and not stored.quick
                plan = stored.plan(load_routine(PROJECT_ROOT / "data" / "routine.toml"))
                assert {dose.level_number for dose in plan.exercises} == {1}
                assert [dose.sets for dose in plan.exercises] == [2] * 6
                assert await levels.current_levels(db, 42) == {}
                completion = await db.get(WarmupCompletion, 1)
                assert completion is not None and completion.counted and not completion.quick
                totals = await db.get(UserStats, 42)
                assert totals is not None and (totals.current, totals.total) == (1, 1)
                assert totals.quick_total == 0
                schedule = await db.get(ReminderSchedule, 42)
                assert schedule is not None and schedule.run_time == "07:00"
                assert not schedule.quick
        finally:
            await database.dispose()
    finally:
        await engine.dispose()


# Rows as revision 0005 stored them: a runner, one completed warm-up, their streak and reminders.
_BEFORE_LEVELS = (
    "INSERT INTO users (id, chat_id, first_name, timezone, created_at)"
    " VALUES (42, 42, 'Ada', 'UTC', :at)",
    "INSERT INTO warmup_sessions (id, user_id, chat_id, message_id, status, exercise_index,"
    " set_number, sets_done, skipped, showing_how_to, version, started_at, finished_at,"
    " moved_at) VALUES (1, 42, 42, 7, 'completed', 6, 1, '[2, 2, 2, 2, 2, 2]',"
    " '[false, false, false, false, false, false]', false, 13, :at, :at, :at)",
    "INSERT INTO warmup_completions (warmup_id, user_id, local_date, counted, exercises_done,"
    " completed_at, note) VALUES (1, 42, :day, true, 6, :at, '{}')",
    "INSERT INTO user_stats (user_id, current, longest, freezes, total, last_day, frozen_days,"
    " earned_since_freeze, freezes_told_through, feel_sum, feel_count, updated_at)"
    " VALUES (42, 1, 1, 0, 1, :day, '[]', 1, NULL, 0, 0, :at)",
    "INSERT INTO reminder_schedules (user_id, run_days, run_time, lead_minutes, enabled,"
    " next_remind_at, next_run_date, next_run_at, updated_at)"
    " VALUES (42, '0,2,4', '07:00', 30, true, NULL, NULL, NULL, :at)",
)


async def test_a_migration_that_copies_a_table_loses_no_rows_pointing_at_it(
    tmp_path: Path,
) -> None:
    """Alembic's batch mode on SQLite copies a table and drops the original; `run_migration`
    keeps foreign keys off meanwhile, so that DROP cascades to nothing. (SQLite only: batch mode
    is how SQLite migrates, whichever backend the suite runs on.)"""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'copy.db'}")

    def copy_parent(connection: Connection) -> None:
        for statement in (
            "CREATE TABLE parent_copy (id INTEGER PRIMARY KEY)",
            "INSERT INTO parent_copy SELECT id FROM parent",
            "DROP TABLE parent",
            "ALTER TABLE parent_copy RENAME TO parent",
        ):
            connection.exec_driver_sql(statement)

    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
            await connection.exec_driver_sql(
                "CREATE TABLE child (id INTEGER PRIMARY KEY,"
                " parent_id INTEGER REFERENCES parent (id) ON DELETE CASCADE)"
            )
            await connection.exec_driver_sql("INSERT INTO parent VALUES (1)")
            await connection.exec_driver_sql("INSERT INTO child VALUES (1, 1)")
        await run_migration(engine, copy_parent)
        async with engine.connect() as connection:
            children = await connection.exec_driver_sql("SELECT count(*) FROM child")
            assert children.scalar_one() == 1
            # ...and foreign keys are on again for the connection's next user.
            enforced = await connection.exec_driver_sql("PRAGMA foreign_keys")
            assert enforced.scalar_one() == 1
    finally:
        await engine.dispose()
