"""Streak and check-in repositories on a real (migrated) SQLite database."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import load_routine
from bot.coach.level_rules import Rating
from bot.coach.plan import Plan
from bot.coach.progress import CHECKIN_OPEN_FOR, DEFAULT_CHECKIN_MINUTES
from bot.coach.routine import Routine
from bot.coach.schedule import RunSchedule
from bot.coach.streaks import replay
from bot.coach.walkthrough import Status, Walkthrough
from bot.db import checkins, levels, reminders, stats, userdata, warmups
from bot.db.engine import Database
from bot.db.models import Base, CheckIn, User, UserStats

ROUTINE: Routine = load_routine(Path(__file__).resolve().parents[2] / "data" / "routine.toml")
USER = 77
START = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)  # a Monday


def finished(day: date, exercises_done: int = 6) -> Walkthrough:
    at = datetime.combine(day, time(6, 30), tzinfo=UTC)
    count = len(ROUTINE.exercises)
    sets = tuple(e.sets if i < exercises_done else 0 for i, e in enumerate(ROUTINE.exercises))
    return Walkthrough(
        exercise_index=count,
        set_number=1,
        sets_done=sets,
        skipped=tuple(i >= exercises_done for i in range(count)),
        showing_how_to=False,
        status=Status.COMPLETED,
        version=20,
        started_at=at - timedelta(minutes=10),
        finished_at=at,
    )


async def complete(db: AsyncSession, day: date, exercises_done: int = 6) -> int:
    state = finished(day, exercises_done)
    row = await warmups.create_warmup(db, USER, USER, state)
    await stats.record_completion(db, row, state, Plan.of(ROUTINE))
    return row.id


async def test_the_stored_streak_equals_the_replay_of_the_whole_history(
    database: Database,
) -> None:
    rng = random.Random(4)
    run_days = frozenset({0, 2, 4})
    async with database.transaction() as db:
        user = await warmups.ensure_user(db, USER, USER, "Ada", START)
        rule = RunSchedule(run_days, time(7, 0), "UTC", 30)
        await reminders.save_schedule(db, user, rule, START)
    days = sorted(START.date() + timedelta(days=rng.randrange(200)) for _ in range(90))
    counted = []
    for day in days:
        done = rng.choice((2, 4, 5, 6, 6, 6))
        async with database.transaction() as db:
            await complete(db, day, done)
        if done >= 4:
            counted.append(day)
    today = days[-1] + timedelta(days=3)
    async with database.transaction() as db:
        snapshot = await stats.load_stats(db, USER, datetime.combine(today, time(12), tzinfo=UTC))
    expected = replay(counted, run_days, today)
    assert snapshot.streak == expected
    window_start = today - timedelta(days=today.weekday(), weeks=11)
    assert snapshot.done_days == {d for d in counted if d >= window_start}


async def plan(db: AsyncSession, warmup_id: int) -> CheckIn | None:
    """Plan the check-in of a completed warm-up, as the completing tap does; the row or None."""
    warmup = await warmups.load_warmup(db, warmup_id)
    if await checkins.plan_checkin(db, warmup, START) is None:
        return None
    await db.flush()
    return await db.scalar(select(CheckIn).where(CheckIn.warmup_id == warmup_id))


async def test_feel_is_counted_once_and_averaged(database: Database) -> None:
    async with database.transaction() as db:
        await warmups.ensure_user(db, USER, USER, "Ada", START)
        ids = [await complete(db, START.date() + timedelta(days=n)) for n in range(2)]
        planned = [await plan(db, i) for i in ids]
    # The second warm-up's check-in replaced the first one that was still waiting.
    first, second = planned
    assert first is not None and second is not None
    async with database.transaction() as db:
        assert (await db.get(CheckIn, first.id)).status == checkins.EXPIRED
        assert await checkins.claim(db, second.id, START, CHECKIN_OPEN_FOR)
        assert not await checkins.claim(db, second.id, START, CHECKIN_OPEN_FOR)
    async with database.transaction() as db:
        row = await db.get(CheckIn, second.id)
        assert await checkins.answer_feel(db, row, 4, START)
        assert not await checkins.answer_feel(db, row, 2, START)
    async with database.transaction() as db:
        totals = await db.get(UserStats, USER)
        assert (totals.feel_sum, totals.feel_count) == (4, 1)


async def test_a_checkin_is_planned_as_the_runners_setting_says(database: Database) -> None:
    async def due_after(day: date) -> datetime | None:
        async with database.transaction() as db:
            warmup_id = await complete(db, day)
            return await checkins.plan_checkin(db, await warmups.load_warmup(db, warmup_id), START)

    async with database.transaction() as db:
        await warmups.ensure_user(db, USER, USER, "Ada", START)
    no_settings_row = await due_after(START.date())
    assert no_settings_row == START + timedelta(minutes=DEFAULT_CHECKIN_MINUTES)
    for minutes in (30, None):
        async with database.transaction() as db:
            await checkins.set_checkin_minutes(db, USER, minutes, START)
        expected = None if minutes is None else START + timedelta(minutes=minutes)
        assert await due_after(START.date()) == expected


async def test_unanswered_questions_close_and_the_next_wake_follows(database: Database) -> None:
    async with database.transaction() as db:
        await warmups.ensure_user(db, USER, USER, "Ada", START)
        row = await plan(db, await complete(db, START.date()))
        assert row is not None
    async with database.transaction() as db:
        assert await checkins.next_wake(db) == START + timedelta(minutes=90)
        assert await checkins.claim(db, row.id, START, CHECKIN_OPEN_FOR)
        await checkins.mark_asked(db, row.id, message_id=1)
        assert await checkins.next_wake(db) == START + CHECKIN_OPEN_FOR
        assert await checkins.expire_overdue(db, START + CHECKIN_OPEN_FOR, CHECKIN_OPEN_FOR) == 1
        assert await checkins.next_wake(db) is None


async def test_a_checkin_left_sending_is_marked_lost_once(database: Database) -> None:
    async with database.transaction() as db:
        await warmups.ensure_user(db, USER, USER, "Ada", START)
        row = await plan(db, await complete(db, START.date()))
        assert row is not None
        assert await checkins.claim(db, row.id, START, CHECKIN_OPEN_FOR)
    async with database.transaction() as db:
        assert await checkins.close_lost(db, START + checkins.LOST_AFTER) == []  # not yet
        lost = await checkins.close_lost(db, START + checkins.LOST_AFTER + timedelta(seconds=1))
        assert lost == [(USER, row.due_at)]
        assert await checkins.close_lost(db, START + 2 * checkins.LOST_AFTER) == []
        # The message may have arrived: the runner's answer still counts.
        assert await checkins.answer_feel(db, await db.get(CheckIn, row.id), 5, START)


async def test_turning_checkins_off_closes_the_waiting_one(database: Database) -> None:
    async with database.transaction() as db:
        await warmups.ensure_user(db, USER, USER, "Ada", START)
        row = await plan(db, await complete(db, START.date()))
        assert row is not None
        await checkins.set_checkin_minutes(db, USER, None, START)
    async with database.transaction() as db:
        assert (await db.get(CheckIn, row.id)).status == checkins.EXPIRED
        assert await checkins.checkin_minutes(db, USER) is None


async def test_forget_leaves_no_row_behind(database: Database) -> None:
    async with database.transaction() as db:
        user = await warmups.ensure_user(db, USER, USER, "Ada", START)
        await reminders.save_schedule(
            db, user, RunSchedule(frozenset({1}), time(7), "UTC", 30), START
        )
        warmup = await complete(db, START.date())
        await plan(db, warmup)
        await checkins.set_checkin_minutes(db, USER, 30, START)
        await levels.set_level(db, USER, "wall-abs", 2, ROUTINE.top_levels, START)
        await levels.rate_warmup(
            db, USER, warmup, Rating.HARD, frozenset(), ROUTINE.top_levels, START.date(), START
        )
    async with database.transaction() as db:
        exported = await userdata.export_user(db, USER)
        assert exported["user"]["id"] == USER and len(exported["warmups"]) == 1
        assert exported["warmups"][0]["rating"] == "hard"
        assert [row["level"] for row in exported["levels"]] == [2]
        assert [row["reason"] for row in exported["level_changes"]] == ["manual"]
        assert exported["level_progress"]["hard_run"] == 1
        assert await userdata.forget_user(db, USER)
    async with database.transaction() as db:
        assert await db.get(User, USER) is None
        exported = await userdata.export_user(db, USER)
    assert exported == {
        "user": None,
        "settings": None,
        "reminder_schedule": None,
        "reminder_setup_in_progress": None,
        "reminders_sent": [],
        "warmups": [],
        "check_ins": [],
        "streak": None,
        "levels": [],
        "level_progress": None,
        "level_changes": [],
        "broadcasts_received": [],
    }


def test_every_foreign_key_cascades_so_forget_deletes_everything() -> None:
    for table in Base.metadata.tables.values():
        for key in table.foreign_keys:
            assert key.ondelete == "CASCADE", f"{table.name}.{key.parent.name}"
