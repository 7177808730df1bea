"""Repository for streaks and /stats: completed warm-ups by local date and the running totals kept
in `user_stats`. Takes an AsyncSession; never commits.

Every read here is bounded: one row per table by primary key, and the calendar's counted days of
the last 12 weeks through an index. That is what keeps /stats as cheap after ten years as after a
week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.calendar import grid_days
from bot.coach.plan import Plan
from bot.coach.progress import (
    CompletionNote,
    completion_note,
    counts_toward_streak,
    untold,
)
from bot.coach.streaks import RunDays, StreakState, StreakView, as_of, record_warmup
from bot.coach.timezones import get_zone
from bot.coach.walkthrough import Walkthrough
from bot.db import levels, reminders
from bot.db.models import ReminderSchedule, User, UserStats, WarmupCompletion
from bot.db.rows import locked_row
from bot.db.warmups import StoredWarmup, local_today

CALENDAR_WEEKS = 12


def to_state(totals: UserStats | None) -> StreakState:
    """The streak of a totals row, empty for None."""
    if totals is None:
        return StreakState()
    return StreakState(
        current=totals.current,
        longest=totals.longest,
        freezes=totals.freezes,
        total=totals.total,
        last_day=totals.last_day,
        frozen_days=tuple(date.fromisoformat(day) for day in totals.frozen_days),
        earned_since_freeze=totals.earned_since_freeze,
    )


async def locked_totals(session: AsyncSession, user_id: int, now: datetime) -> UserStats:
    """The runner's totals row, created empty on first use and locked until the transaction
    ends (on PostgreSQL: another process moving the same streak waits for this one)."""

    def empty() -> UserStats:
        totals = UserStats(user_id=user_id, updated_at=now, quick_total=0)
        _store_streak(totals, StreakState(), now)
        totals.feel_sum, totals.feel_count = 0, 0
        return totals

    return await locked_row(session, UserStats, user_id, empty)


async def run_days_of(session: AsyncSession, user_id: int) -> RunDays:
    """The runner's planned run days (from their reminder schedule, on or off), or None."""
    schedule = await session.get(ReminderSchedule, user_id)
    return reminders.decode_days(schedule.run_days) if schedule is not None else None


async def record_completion(
    session: AsyncSession, warmup: StoredWarmup, state: Walkthrough, plan: Plan
) -> CompletionNote:
    """Record a just-completed warm-up and move the streak on, in the caller's transaction;
    returns what the completion card says.

    The warm-up is dated in the runner's time zone at the moment it finished; it counts when
    enough exercises were done in full (`bot.coach.progress`), in the quick version too."""
    finished_at = state.finished_at
    assert finished_at is not None
    local_date = await local_today(session, warmup.user_id, finished_at)
    totals = await locked_totals(session, warmup.user_id, finished_at)
    exercises_done = state.exercises_done(plan)
    counted = counts_toward_streak(exercises_done)
    if counted:
        run_days = await run_days_of(session, warmup.user_id)
        told_through = totals.freezes_told_through
        streak, events = record_warmup(to_state(totals), local_date, run_days)
        note = completion_note(True, exercises_done, streak.current, events, told_through)
        if events.freezes_used:
            totals.freezes_told_through = _latest(told_through, max(events.freezes_used))
        _store_streak(totals, streak, finished_at)
        if warmup.quick:
            totals.quick_total += 1
    else:
        note = completion_note(False, exercises_done, totals.current, None, None)
    session.add(
        WarmupCompletion(
            warmup_id=warmup.id,
            user_id=warmup.user_id,
            local_date=local_date,
            counted=counted,
            exercises_done=exercises_done,
            quick=warmup.quick,
            completed_at=finished_at,
            note=note.to_json(),
        )
    )
    return note


def _store_streak(totals: UserStats, streak: StreakState, now: datetime) -> None:
    totals.current, totals.longest = streak.current, streak.longest
    totals.freezes, totals.total, totals.last_day = streak.freezes, streak.total, streak.last_day
    totals.frozen_days = [day.isoformat() for day in streak.frozen_days]
    totals.earned_since_freeze = streak.earned_since_freeze
    totals.updated_at = now


async def note_for(session: AsyncSession, warmup_id: int) -> CompletionNote | None:
    """What the completion card of this warm-up said, to draw it again the same."""
    row = await session.get(WarmupCompletion, warmup_id)
    return CompletionNote.from_json(row.note) if row is not None else None


@dataclass(frozen=True)
class StatsSnapshot:
    """Everything /stats shows, read in one go."""

    today: date
    since: date  # the runner's first day with the bot, in their time zone
    run_days: RunDays
    streak: StreakView
    done_days: frozenset[date]  # counted warm-up days in the calendar's weeks
    freezes_to_tell: int  # freezes spent since the runner last heard, 0 if none
    feel_average: float | None
    feel_count: int
    quick_total: int  # of streak.total, the quick warm-ups
    levels: dict[str, int]  # by exercise key; a missing key: level 1


async def load_stats(session: AsyncSession, user_id: int, now: datetime) -> StatsSnapshot:
    """Read the runner's stats as of `now`; marks freezes it reports as told (so: a write)."""
    user = await session.get(User, user_id)
    zone = get_zone(user.timezone if user is not None else "UTC")
    today = now.astimezone(zone).date()
    since = user.created_at.astimezone(zone).date() if user is not None else today
    totals = await session.get(UserStats, user_id)
    run_days = await run_days_of(session, user_id)
    streak = as_of(to_state(totals), today, run_days)
    first_day = grid_days(today, CALENDAR_WEEKS)[0][0]
    done_days = frozenset(
        (
            await session.scalars(
                select(WarmupCompletion.local_date).where(
                    WarmupCompletion.user_id == user_id,
                    WarmupCompletion.local_date >= first_day,
                    WarmupCompletion.counted.is_(True),
                )
            )
        ).all()
    )
    if done_days:
        # A warm-up dated before the account (a time zone moved west) still belongs on the chart.
        since = min(since, min(done_days))
    freezes_to_tell = 0
    if totals is not None and streak.frozen_days:
        fresh = untold(streak.frozen_days, totals.freezes_told_through)
        if fresh:
            # Freezes spent on the way to a broken streak saved nothing: nothing to tell.
            freezes_to_tell = len(fresh) if streak.current > 0 else 0
            totals.freezes_told_through = max(fresh)
    feel_count = totals.feel_count if totals is not None else 0
    return StatsSnapshot(
        today=today,
        since=since,
        run_days=run_days,
        streak=streak,
        done_days=done_days,
        freezes_to_tell=freezes_to_tell,
        feel_average=totals.feel_sum / feel_count if totals is not None and feel_count else None,
        feel_count=feel_count,
        quick_total=totals.quick_total if totals is not None else 0,
        levels=await levels.current_levels(session, user_id),
    )


def _latest(first: date | None, second: date) -> date:
    return second if first is None else max(first, second)
