"""Repository for a runner's own data: everything stored about them, and deleting all of it.
Never commits."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Base,
    Broadcast,
    BroadcastRecipient,
    CheckIn,
    ExerciseLevel,
    LevelChange,
    LevelProgress,
    ReminderDraft,
    ReminderSchedule,
    SentReminder,
    User,
    UserSettings,
    UserStats,
    WarmupCompletion,
    WarmupRating,
    WarmupSession,
)


async def export_user(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Every row that belongs to the runner, as plain JSON values (instants in ISO 8601 UTC)."""

    async def one(model: type[Base]) -> dict[str, Any] | None:
        row = await session.get(model, user_id)
        return _plain(row) if row is not None else None

    async def many(model: Any, order: Any) -> list[dict[str, Any]]:
        rows = await session.scalars(select(model).where(model.user_id == user_id).order_by(order))
        return [_plain(row) for row in rows]

    ratings = {
        row["warmup_id"]: row["rating"] for row in await many(WarmupRating, WarmupRating.warmup_id)
    }
    completions = {
        row["warmup_id"]: row for row in await many(WarmupCompletion, WarmupCompletion.warmup_id)
    }
    warmups = await many(WarmupSession, WarmupSession.id)
    for warmup in warmups:
        completion = completions.get(warmup["id"])
        if completion is not None:
            del completion["warmup_id"], completion["user_id"]
        warmup["completion"] = completion
        warmup["rating"] = ratings.get(warmup["id"])
    for warmup in warmups:
        del warmup["user_id"]
    broadcasts = await session.execute(
        select(BroadcastRecipient.broadcast_id, BroadcastRecipient.status, Broadcast.text)
        .join(Broadcast, Broadcast.id == BroadcastRecipient.broadcast_id)
        .where(BroadcastRecipient.user_id == user_id)
        .order_by(BroadcastRecipient.broadcast_id)
    )
    return {
        "user": await one(User),
        "settings": await one(UserSettings),
        "reminder_schedule": await one(ReminderSchedule),
        "reminder_setup_in_progress": await one(ReminderDraft),
        "reminders_sent": await many(SentReminder, SentReminder.id),
        "warmups": warmups,
        "check_ins": await many(CheckIn, CheckIn.id),
        "streak": await one(UserStats),
        "levels": await many(ExerciseLevel, ExerciseLevel.exercise_key),
        "level_progress": await one(LevelProgress),
        "level_changes": await many(LevelChange, LevelChange.id),
        "broadcasts_received": [
            {"broadcast_id": id_, "status": status, "text": text}
            for id_, status, text in broadcasts
        ],
    }


async def forget_user(session: AsyncSession, user_id: int) -> bool:
    """Delete the runner and, through ON DELETE CASCADE, every row that points at them."""
    result = await session.execute(
        delete(User).where(User.id == user_id).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _plain(row: Base) -> dict[str, Any]:
    return {
        column.key: _json_value(getattr(row, column.key))
        for column in inspect(type(row)).column_attrs
    }


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
