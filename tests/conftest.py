"""Fixtures shared by every test: the local Bot API server, a clock, and the real bot."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.coach.clock import ManualClock
from bot.sandbox.server import BotApiSandbox
from tests.harness import BotRunner, postgres_database, running

ROUTINE_FILE = Path(__file__).resolve().parents[1] / "data" / "routine.toml"


@pytest.fixture
def clock() -> ManualClock:
    # A Wednesday morning before a run.
    return ManualClock(datetime(2026, 11, 25, 6, 30, tzinfo=UTC))


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with running(BotApiSandbox()) as server:
        yield server


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database per test: a SQLite file, or (when bin/test runs the suite a second time
    with WARMUP_TEST_POSTGRES_URL) a new database on the real PostgreSQL server, dropped after."""
    server = os.environ.get("WARMUP_TEST_POSTGRES_URL")
    if not server:
        yield f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
        return
    async with postgres_database(server) as url:
        yield url


@pytest.fixture
async def bot(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> AsyncIterator[BotRunner]:
    runner = BotRunner(sandbox, database_url, clock)
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()
