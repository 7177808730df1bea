"""Fixtures shared by every test: the local Bot API server, a clock, and the real bot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.coach.clock import ManualClock
from bot.sandbox.server import BotApiSandbox
from tests.harness import BotRunner

ROUTINE_FILE = Path(__file__).resolve().parents[1] / "data" / "routine.toml"


@pytest.fixture
def clock() -> ManualClock:
    # A Wednesday morning before a run.
    return ManualClock(datetime(2026, 11, 25, 6, 30, tzinfo=UTC))


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    server = BotApiSandbox()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    # Every call the bot made must be one real Telegram would accept.
    assert not server.violations, f"Bot API calls Telegram would reject: {server.violations}"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"


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
