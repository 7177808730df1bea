"""Repository for streaks and /stats: completed warm-ups by local date and the running totals kept
in `user_stats`. Takes an AsyncSession; never commits.

Every read here is bounded: one row per table by primary key, and the calendar's counted days of
the last 12 weeks through an index. That is what keeps /stats as cheap after ten years as after a
week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.coach.calendar import grid_days
from bot.coach.progress import (
    DEFAULT_CHECKIN_MINUTES,
    CompletionNote,
    completion_note,
    counts_toward_streak,
    untold,
)
from bot.coach.routine import Routine
from bot.coach.streaks import RunDays, StreakState, StreakView, as_of, record_warmup
from bot.coach.timezones import get_zone
from bot.coach.walkthrough import Walkthrough
from bot.db import reminders
from bot.db.models import ReminderSchedule, User, UserSettings, UserStats, WarmupCompletion

CALENDAR_WEEKS = 12


class WarmupRef(Protocol):
    """What recording a completion needs of a warm-up: an ORM row or a `WarmupRecord`."""

    @property
    def id(self) -> int: ...

    @property
    def user_id(self) -> int: ...

    @property
    def chat_id(self) -> int: ...


def to_state(row: Any) -> StreakState:
    """The streak of a totals row (an ORM UserStats or a Core row), empty for None."""
    if row is None:
        return StreakState()
    return StreakState(
        current=row.current,
        longest=row.longest,
        freezes=row.freezes,
        total=row.total,
        last_day=row.last_day,
        frozen_days=tuple(date.fromisoformat(day) for day in row.frozen_days),
        earned_since_freeze=row.earned_since_freeze,
    )


def add_totals(db: SyncDb, user_id: int, now: datetime) -> None:
    """Create the runner's totals row, empty, if it is not there yet: one statement that does
    nothing when it is (another process may just have created it)."""
    db.execute(_ADD_TOTALS[dialect_name(db)], {"user_id": user_id, "updated_at": now})


async def ensure_totals(session: AsyncSession, user_id: int, now: datetime) -> None:
    await session.run_sync(add_totals, user_id, now)


async def run_days_of(session: AsyncSession, user_id: int) -> RunDays:
    """The runner's planned run days (from their reminder schedule, on or off), or None."""
    schedule = await session.get(ReminderSchedule, user_id)
    return reminders.decode_days(schedule.run_days) if schedule is not None else None


@dataclass(frozen=True, slots=True)
class RecordedCompletion:
    note: CompletionNote  # what the completion card says
    checkin_minutes: int | None  # the runner's check-in setting (None: off), read on the way


async def record_completion(
    session: AsyncSession, warmup: WarmupRef, state: Walkthrough, routine: Routine
) -> RecordedCompletion:
    """`store_completion` in an async session."""
    return await session.run_sync(store_completion, warmup, state, routine)


def store_completion(
    db: SyncDb, warmup: WarmupRef, state: Walkthrough, routine: Routine
) -> RecordedCompletion:
    """Record a just-completed warm-up and move the streak on, in the caller's transaction.

    The warm-up is dated in the runner's time zone at the moment it finished; it counts when
    enough exercises were done (`bot.coach.progress`).

    This runs inside the completing tap, so in Core statements on the tables: one read of all
    the runner's context (time zone, run days, check-in setting, and the totals, locked), one
    UPDATE, one INSERT. Through ORM objects, one table at a time, the same work cost three times
    the CPU and twice the PostgreSQL round trips, and this tap is the single runner's p99
    (bench/throughput.py). Synchronous, so that SQLite's quick lane runs it as it is
    (bot/db/sqlite_lane.py); async sessions run it through `record_completion`. (On PostgreSQL
    the quick tap has a faster way still: bot/db/quick_completion.py.)
    """
    assert state.finished_at is not None
    context = _locked_context(db, warmup.user_id, state.finished_at)
    plan = plan_completion(context, warmup, state, routine)
    if plan.totals is None:
        db.execute(_ADD_COMPLETION, plan.record)
    elif dialect_name(db) == "postgresql":
        # One statement, one round trip: the totals' UPDATE rides along as a WITH clause.
        db.execute(_ADD_COMPLETION_STORING_TOTALS, {**plan.record, **plan.totals})
    else:
        db.execute(STORE_TOTALS, plan.totals)
        db.execute(_ADD_COMPLETION, plan.record)
    return RecordedCompletion(plan.note, plan.checkin_minutes)


@dataclass(frozen=True, slots=True)
class CompletionPlan:
    """What recording a completion writes, worked out from the runner's context row."""

    note: CompletionNote
    checkin_minutes: int | None
    record: dict[str, object]  # the warmup_completions row (`c_` binds of _ADD_COMPLETION)
    totals: dict[str, object] | None  # the new totals (STORE_TOTALS binds); None: not counted


def plan_completion(
    context: Any, warmup: WarmupRef, state: Walkthrough, routine: Routine
) -> CompletionPlan:
    """The streak rules applied to a context row (`_CONTEXT`): no database work."""
    assert state.finished_at is not None
    run_days = reminders.decode_days(context.run_days) if context.run_days is not None else None
    local_date = state.finished_at.astimezone(get_zone(context.timezone)).date()
    exercises_done = state.exercises_done(routine)
    counted = counts_toward_streak(exercises_done)
    if counted:
        streak, events = record_warmup(to_state(context), local_date, run_days)
        note = completion_note(
            True, exercises_done, streak.current, events, context.freezes_told_through
        )
        told_through = context.freezes_told_through
        if events.freezes_used:
            told_through = _latest(told_through, max(events.freezes_used))
        totals: dict[str, object] | None = {
            "key_user_id": warmup.user_id,
            **_totals_columns(streak),
            "freezes_told_through": told_through,
            "updated_at": state.finished_at,
        }
    else:
        note = completion_note(False, exercises_done, context.current, None, None)
        totals = None
    record = {
        "c_warmup_id": warmup.id,
        "c_user_id": warmup.user_id,
        "c_local_date": local_date,
        "c_counted": counted,
        "c_exercises_done": exercises_done,
        "c_completed_at": state.finished_at,
        "c_note": note.to_json(),
    }
    if context.settings_user_id is None:
        minutes: int | None = DEFAULT_CHECKIN_MINUTES
    else:
        minutes = context.checkin_minutes
    return CompletionPlan(note, minutes, record, totals)


async def read_context(session: AsyncSession, user_id: int) -> Any | None:
    """The runner's context, unlocked; None when they have no totals yet."""
    return (await session.execute(CONTEXT_UNLOCKED, {"user_id": user_id})).one_or_none()


def _locked_context(db: SyncDb, user_id: int, now: datetime) -> Any:
    """The runner's context row with their totals, which are created empty on first use and
    locked for update (where the database can) until the transaction ends."""
    row = db.execute(_CONTEXT, {"user_id": user_id}).one_or_none()
    if row is not None:
        return row
    add_totals(db, user_id, now)
    return db.execute(_CONTEXT, {"user_id": user_id}).one()


def _totals_columns(state: StreakState) -> dict[str, object]:
    return {
        "current": state.current,
        "longest": state.longest,
        "freezes": state.freezes,
        "total": state.total,
        "last_day": state.last_day,
        "frozen_days": [day.isoformat() for day in state.frozen_days],
        "earned_since_freeze": state.earned_since_freeze,
    }


# Built once, as Core on the tables (the completing tap's statements; see record_completion).
_USERS, _SCHEDULES = User.__table__, ReminderSchedule.__table__
_TOTALS, _COMPLETIONS = UserStats.__table__, WarmupCompletion.__table__
_SETTINGS = UserSettings.__table__
# A runner's context, what completing a warm-up needs to know: time zone, run days, check-in
# setting, and their totals (created with their first warm-up).
CONTEXT_COLUMNS = {
    "timezone": _USERS.c.timezone,
    "run_days": _SCHEDULES.c.run_days,
    "settings_user_id": _SETTINGS.c.user_id,
    "checkin_minutes": _SETTINGS.c.checkin_minutes,
    **{column.name: column for column in _TOTALS.c if column.name != "user_id"},
}
CONTEXT_FROM = (
    _USERS.join(_TOTALS, _TOTALS.c.user_id == _USERS.c.id)
    .outerjoin(_SCHEDULES, _SCHEDULES.c.user_id == _USERS.c.id)
    .outerjoin(_SETTINGS, _SETTINGS.c.user_id == _USERS.c.id)
)
CONTEXT_UNLOCKED = (
    select(*(column.label(name) for name, column in CONTEXT_COLUMNS.items()))
    .select_from(CONTEXT_FROM)
    .where(_USERS.c.id == bindparam("user_id"))
)
_CONTEXT = CONTEXT_UNLOCKED.with_for_update(of=_TOTALS)
# The totals columns that the streak rules read, except frozen_days: a write that moves the
# streak always changes `total` (every counted warm-up adds one), and frozen_days changes only
# with it. /stats writes freezes_told_through alone. So these changing is the streak changing.
STREAK_WATCHED = (
    "current",
    "longest",
    "freezes",
    "total",
    "last_day",
    "earned_since_freeze",
    "freezes_told_through",
)
# All of the context a completion is worked out from (frozen_days aside, as above).
CONTEXT_WATCHED = ("timezone", "run_days", "settings_user_id", "checkin_minutes", *STREAK_WATCHED)
_TOTALS_VALUES = dict(
    user_id=bindparam("user_id"),
    **_totals_columns(StreakState()),
    freezes_told_through=None,
    feel_sum=0,
    feel_count=0,
    updated_at=bindparam("updated_at"),
)
# INSERT ... ON CONFLICT DO NOTHING, in each database's words.
_ADD_TOTALS = {
    "postgresql": postgresql_insert(_TOTALS).values(_TOTALS_VALUES).on_conflict_do_nothing(),
    "sqlite": sqlite_insert(_TOTALS).values(_TOTALS_VALUES).on_conflict_do_nothing(),
}
STORE_TOTALS = (
    _TOTALS.update()
    .where(_TOTALS.c.user_id == bindparam("key_user_id"))
    .values(
        {
            name: bindparam(name)
            for name in (*_totals_columns(StreakState()), "freezes_told_through", "updated_at")
        }
    )
)
_ADD_COMPLETION = _COMPLETIONS.insert().values(
    {column.name: bindparam(f"c_{column.name}") for column in _COMPLETIONS.c}
)
_ADD_COMPLETION_STORING_TOTALS = _ADD_COMPLETION.add_cte(STORE_TOTALS.cte("stored_totals"))


SyncDb = Session | Connection  # what the synchronous repository functions work on


def dialect_name(db: SyncDb) -> str:
    """ "postgresql" or "sqlite": on PostgreSQL, where every statement is a round trip to the
    server, statements are merged through data-modifying WITH clauses (which SQLite lacks; its
    statements, on the loop's thread, are nearly free)."""
    return (db.get_bind() if isinstance(db, Session) else db).dialect.name


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
    )


def _latest(first: date | None, second: date) -> date:
    return second if first is None else max(first, second)
