"""Alembic migrations: every revision up, down and up again; the result matches the models."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db.engine import create_engine
from bot.db.migrate import alembic_config
from bot.db.models import Base

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
