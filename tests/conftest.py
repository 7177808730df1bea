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


# Tests of what only PostgreSQL has (connections that can be lost): bin/test's PostgreSQL pass
# runs them; the SQLite pass does not collect them, and says so.
POSTGRESQL_ONLY = "postgresql_only"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{POSTGRESQL_ONLY}: run only in the PostgreSQL pass (WARMUP_TEST_POSTGRES_URL)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("WARMUP_TEST_POSTGRES_URL"):
        return
    postgresql_only = [item for item in items if item.get_closest_marker(POSTGRESQL_ONLY)]
    if postgresql_only:
        items[:] = [item for item in items if item not in postgresql_only]
        config.hook.pytest_deselected(items=postgresql_only)
        config.stash[_DESELECTED] = len(postgresql_only)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    count = terminalreporter.config.stash.get(_DESELECTED, 0)
    if count:
        terminalreporter.write_line(
            f"{count} PostgreSQL-only tests not run on SQLite: bin/test's PostgreSQL pass runs them"
        )


_DESELECTED = pytest.StashKey[int]()
