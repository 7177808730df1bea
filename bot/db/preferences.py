"""Repository for the runner's display preferences kept in user_settings. Never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.progress import DEFAULT_CHECKIN_MINUTES
from bot.db.models import UserSettings


async def demonstrations_on(session: AsyncSession, user_id: int) -> bool:
    """Whether the runner's warm-up cards show moving demonstrations (the default: yes)."""
    row = await session.get(UserSettings, user_id)
    return row is None or row.demonstrations is not False


async def set_demonstrations(session: AsyncSession, user_id: int, on: bool, now: datetime) -> None:
    row = await session.get(UserSettings, user_id)
    if row is None:
        # No row meant every default: check-ins stay as they were by default.
        row = UserSettings(user_id=user_id, checkin_minutes=DEFAULT_CHECKIN_MINUTES)
        session.add(row)
    row.demonstrations, row.updated_at = on, now
