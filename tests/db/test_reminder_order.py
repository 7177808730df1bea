"""Reminders due at the same instant are taken in an order drawn anew for each run date."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.coach.schedule import RunSchedule
from bot.db import reminders, warmups
from bot.db.engine import Database

NOW = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
RUNNERS = list(range(1, 61))


async def test_ties_are_ordered_differently_on_each_run_date(database: Database) -> None:
    rule = RunSchedule(frozenset(range(7)), time(7, 0), "UTC", 30)
    async with database.transaction() as db:
        for user_id in RUNNERS:
            user = await warmups.ensure_user(db, user_id, user_id, "Runner", NOW)
            await reminders.save_schedule(db, user, rule, NOW)
    orders = []
    for day in range(2):
        instant = NOW + timedelta(days=day, minutes=90)  # 06:30: everyone's reminder
        async with database.transaction() as db:
            due = await reminders.due_schedules(db, instant, limit=len(RUNNERS))
            loads = await reminders.due_loads(db, instant)
            orders.append([d.user_id for d in due])
            # Move everyone on to the next run date, as sending does.
            for user_id in RUNNERS:
                row = await reminders.get_schedule(db, user_id)
                assert row is not None
                reminders.plan(row, rule, instant)
        assert loads == [(instant, len(RUNNERS))]
    first, second = orders
    assert sorted(first) == sorted(second) == RUNNERS
    assert first != second and first != RUNNERS
    # Whoever was in the last sixth on one day is mostly elsewhere the next.
    assert len(set(first[-10:]) & set(second[-10:])) < 6
