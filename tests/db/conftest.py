"""A migrated database per test (SQLite, or PostgreSQL when bin/test asks), for repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.db.engine import Database
from bot.db.migrate import upgrade_to_head


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await upgrade_to_head(database.engine)
    try:
        yield database
    finally:
        await database.dispose()
