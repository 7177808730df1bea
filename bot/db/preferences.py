"""Repository for the runner's display preferences kept in user_settings. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.progress import DEFAULT_CHECKIN_MINUTES
from bot.db.models import UserSettings
from bot.db.rows import locked_row


async def demonstrations_on(session: AsyncSession, user_id: int) -> bool:
    """Whether the runner's warm-up cards show moving demonstrations (the default: yes)."""
    row = await session.get(UserSettings, user_id)
    return row is None or row.demonstrations is not False


async def settings_row(session: AsyncSession, user_id: int, now: datetime) -> UserSettings:
    """The runner's settings row, locked; made with every default when there is none (no row
    meant every default)."""
    return await locked_row(
        session,
        UserSettings,
        user_id,
        lambda: UserSettings(
            user_id=user_id, checkin_minutes=DEFAULT_CHECKIN_MINUTES, updated_at=now
        ),
    )


async def set_demonstrations(session: AsyncSession, user_id: int, on: bool, now: datetime) -> None:
    row = await settings_row(session, user_id, now)
    row.demonstrations, row.updated_at = on, now
