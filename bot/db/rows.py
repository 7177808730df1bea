"""A runner's one-row-per-runner record (totals, level progress, settings), locked for the
transaction and created on first use. Never commits."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Base

RowT = TypeVar("RowT", bound=Base)


async def locked_row(
    session: AsyncSession, model: type[RowT], user_id: int, make: Callable[[], RowT]
) -> RowT:
    """The runner's row of `model`, made by `make` when there is none, locked until the
    transaction ends (on PostgreSQL another process moving the same runner waits for this one;
    SQLite's write transactions are one at a time anyway)."""
    row = await session.get(model, user_id, with_for_update=True)
    if row is not None:
        return row
    try:
        async with session.begin_nested():  # another process may be creating it right now
            row = make()
            session.add(row)
    except IntegrityError:
        row = await session.get(model, user_id, with_for_update=True, populate_existing=True)
        assert row is not None
    return row
