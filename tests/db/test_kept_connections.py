"""KeptConnections: connections kept out of the pool between uses, and given back when they
should not be kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager

import pytest
from sqlalchemy import Integer, event, literal, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.db.engine import single_statement_engine
from bot.db.kept_connections import KeptConnections


@contextmanager
def checkouts_of(engine: AsyncEngine) -> Iterator[list[object]]:
    """Every connection the engine's pool hands out inside the block."""
    seen: list[object] = []

    def record(_dbapi_connection: object, _record: object, proxy: object) -> None:
        seen.append(proxy)

    pool = engine.sync_engine.pool
    event.listen(pool, "checkout", record)
    try:
        yield seen
    finally:
        event.remove(pool, "checkout", record)


async def test_a_kept_connection_serves_use_after_use_without_the_pool(
    engine: AsyncEngine,
) -> None:
    kept = KeptConnections(single_statement_engine(engine), keep=2)
    with checkouts_of(engine) as checkouts:
        for number in range(5):
            async with kept.connection() as connection:
                result = await connection.execute(select(literal(number, Integer)))
                assert result.scalar() == number
    assert len(checkouts) == 1, "taken from the pool once, then kept"
    assert kept.idle == 1
    await kept.close()
    assert engine.sync_engine.pool.checkedout() == 0


async def test_no_more_than_keep_connections_wait_between_uses(engine: AsyncEngine) -> None:
    kept = KeptConnections(single_statement_engine(engine), keep=2)
    async with AsyncExitStack() as at_once:
        for _ in range(3):
            await at_once.enter_async_context(kept.connection())
        assert engine.sync_engine.pool.checkedout() == 3
    assert kept.idle == 2
    assert engine.sync_engine.pool.checkedout() == 2, "the third went back to the pool"
    await kept.close()
    assert kept.idle == 0 and engine.sync_engine.pool.checkedout() == 0


async def test_a_connection_whose_work_failed_goes_back_to_the_pool(engine: AsyncEngine) -> None:
    kept = KeptConnections(single_statement_engine(engine), keep=2)
    with pytest.raises(Exception, match="no_such_table"):
        async with kept.connection() as connection:
            await connection.execute(text("SELECT * FROM no_such_table"))
    assert kept.idle == 0
    assert engine.sync_engine.pool.checkedout() == 0
    # And the next use works, on a clean connection.
    async with kept.connection() as connection:
        assert (await connection.execute(text("SELECT 1"))).scalar() == 1
    await kept.close()


async def test_a_failed_statement_handled_inside_leaves_the_kept_connection_usable(
    engine: AsyncEngine,
) -> None:
    # As bot/db/quick_completion.py does when its statement aborts itself: the error is caught
    # inside, the connection is kept, and the next use of it works (autocommit: no transaction
    # was left open by the failure).
    kept = KeptConnections(single_statement_engine(engine), keep=1)
    with checkouts_of(engine) as checkouts:
        async with kept.connection() as connection:
            with pytest.raises(DBAPIError):
                await connection.execute(text("SELECT * FROM no_such_table"))
        assert kept.idle == 1
        async with kept.connection() as connection:
            assert (await connection.execute(select(literal(7, Integer)))).scalar() == 7
    assert len(checkouts) == 1, "the same connection both times"
    await kept.close()


async def test_run_does_not_repeat_work_that_failed_for_another_reason(
    engine: AsyncEngine,
) -> None:
    # Only a lost connection is worth a second try (tests/e2e/test_faults.py has that case).
    kept = KeptConnections(single_statement_engine(engine), keep=1)
    tries: list[int] = []

    async def work(connection: AsyncConnection) -> None:
        tries.append(1)
        await connection.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(DBAPIError):
        await kept.run(work)
    assert tries == [1]
    await kept.close()


async def test_after_close_nothing_is_kept(engine: AsyncEngine) -> None:
    kept = KeptConnections(single_statement_engine(engine), keep=2)
    await kept.close()
    async with kept.connection() as connection:
        await connection.execute(text("SELECT 1"))
    assert kept.idle == 0 and engine.sync_engine.pool.checkedout() == 0
