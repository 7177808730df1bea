"""Repository for reminder schedules, sent reminders and setup drafts. Never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.schedule import Reminder, RunSchedule, next_reminder
from bot.coach.send_plan import fair_rank
from bot.db.models import (
    ReminderDraft,
    ReminderSchedule,
    SentReminder,
    User,
    WarmupSession,
    as_utc,
)


def encode_days(days: frozenset[int]) -> str:
    return ",".join(str(day) for day in sorted(days))


def decode_days(text: str) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(",") if part)


def to_rule(row: ReminderSchedule, timezone: str) -> RunSchedule:
    return RunSchedule(
        run_days=decode_days(row.run_days),
        run_time=time.fromisoformat(row.run_time),
        timezone=timezone,
        lead_minutes=row.lead_minutes,
        enabled=row.enabled,
        quick=row.quick,
    )


def plan(row: ReminderSchedule, rule: RunSchedule, after: datetime) -> Reminder | None:
    """Recompute the row's next reminder from its local rule; returns it."""
    upcoming = next_reminder(rule, after) if rule.enabled else None
    row.next_remind_at = upcoming.remind_at if upcoming else None
    row.next_run_date = upcoming.run_date if upcoming else None
    row.next_run_at = upcoming.run_at if upcoming else None
    row.next_rank = fair_rank(row.user_id, upcoming.run_date) if upcoming else None
    return upcoming


async def get_schedule(session: AsyncSession, user_id: int) -> ReminderSchedule | None:
    return await session.get(ReminderSchedule, user_id)


async def save_schedule(
    session: AsyncSession, user: User, rule: RunSchedule, now: datetime
) -> tuple[ReminderSchedule, Reminder | None]:
    """Create or replace the runner's schedule and plan its next reminder at once."""
    row = await session.get(ReminderSchedule, user.id)
    if row is None:
        row = ReminderSchedule(user_id=user.id)
        session.add(row)
    row.run_days = encode_days(rule.run_days)
    row.run_time = rule.run_time.strftime("%H:%M")
    row.lead_minutes = rule.lead_minutes
    row.enabled = rule.enabled
    row.quick = rule.quick
    row.updated_at = now
    user.timezone = rule.timezone
    upcoming = plan(row, rule, now)
    await session.flush()
    return row, upcoming


@dataclass(frozen=True)
class DueSchedule:
    user_id: int
    chat_id: int
    timezone: str
    language: str | None  # the runner's locale (None: not known yet)


async def due_schedules(session: AsyncSession, horizon: datetime, limit: int) -> list[DueSchedule]:
    """Schedules whose next reminder is at or before `horizon`, earliest first; reminders due
    at the same instant in their run date's fair order (`next_rank`)."""
    query = (
        select(ReminderSchedule.user_id, User.chat_id, User.timezone, User.language)
        .join(User, User.id == ReminderSchedule.user_id)
        .where(ReminderSchedule.enabled.is_(True), ReminderSchedule.next_remind_at <= horizon)
        .order_by(ReminderSchedule.next_remind_at, ReminderSchedule.next_rank)
        .limit(limit)
    )
    return [DueSchedule(*row) for row in (await session.execute(query)).all()]


async def due_loads(session: AsyncSession, horizon: datetime) -> list[tuple[datetime, int]]:
    """(instant, how many reminders) for every reminder due at or before `horizon`, earliest
    first: what the send plan (bot/coach/send_plan.py) weighs."""
    query = (
        select(ReminderSchedule.next_remind_at, func.count())
        .where(ReminderSchedule.enabled.is_(True), ReminderSchedule.next_remind_at <= horizon)
        .group_by(ReminderSchedule.next_remind_at)
        .order_by(ReminderSchedule.next_remind_at)
    )
    return [(as_utc(instant), count) for instant, count in (await session.execute(query)).all()]


async def claim(
    session: AsyncSession,
    user_id: int,
    run_date: date,
    run_at: datetime,
    status: str,
    now: datetime,
) -> SentReminder | None:
    """Record the reminder for (user, run date); None if one is already recorded.

    The unique constraint decides, so two processes (or a retry after a crash) cannot both win.
    A savepoint keeps the caller's transaction usable after the conflict.
    """
    row = SentReminder(
        user_id=user_id, run_date=run_date, run_at=run_at, status=status, created_at=now
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        return None
    return row


# A reminder is sent before its run (a snooze, minutes after); one still `sending` this long after
# the run was left by a process that stopped mid-send.
LOST_AFTER = timedelta(hours=1)


async def close_lost(session: AsyncSession, now: datetime) -> list[tuple[int, date]]:
    """Mark `lost` the reminders a stopped process left `sending`; (user, run date) of each.

    Reminders are sent at most once: such a one may or may not have reached the runner, and is
    never sent again. Marking it says so, once, instead of leaving it `sending` for good."""
    result = await session.execute(
        update(SentReminder)
        .where(SentReminder.status == "sending", SentReminder.run_at < now - LOST_AFTER)
        .values(status="lost")
        .returning(SentReminder.user_id, SentReminder.run_date)
        .execution_options(synchronize_session=False)
    )
    return [(row.user_id, row.run_date) for row in result]


async def due_snoozes(session: AsyncSession, now: datetime, limit: int) -> list[SentReminder]:
    query = (
        select(SentReminder)
        .where(SentReminder.status == "snoozed", SentReminder.snooze_until <= now)
        .order_by(SentReminder.snooze_until)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def claim_snooze(session: AsyncSession, reminder_id: int) -> bool:
    """Take a due snooze for sending; False if another process took it first."""
    result = await session.execute(
        update(SentReminder)
        .where(SentReminder.id == reminder_id, SentReminder.status == "snoozed")
        .values(status="sending", snooze_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def set_reminder_status(
    session: AsyncSession, reminder_id: int, status: str, message_id: int | None = None
) -> None:
    values: dict[str, object] = {"status": status}
    if message_id is not None:
        values["message_id"] = message_id
    await session.execute(
        update(SentReminder)
        .where(SentReminder.id == reminder_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def disable_schedule(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        update(ReminderSchedule)
        .where(ReminderSchedule.user_id == user_id)
        .values(enabled=False, next_remind_at=None, next_run_date=None, next_run_at=None)
        .execution_options(synchronize_session=False)
    )


async def next_wake(session: AsyncSession, early: timedelta = timedelta(0)) -> datetime | None:
    """The earliest instant anything may be sent: a scheduled reminder's window opening (its
    instant less `early`) or a snooze."""
    scheduled = await session.scalar(
        select(func.min(ReminderSchedule.next_remind_at)).where(ReminderSchedule.enabled.is_(True))
    )
    snoozed = await next_snooze(session)
    instants = [as_utc(scheduled) - early] if scheduled is not None else []
    instants += [snoozed] if snoozed is not None else []
    return min(instants) if instants else None


async def next_after(session: AsyncSession, horizon: datetime) -> datetime | None:
    """The earliest scheduled reminder instant after `horizon` (outside the early window)."""
    found = await session.scalar(
        select(func.min(ReminderSchedule.next_remind_at)).where(
            ReminderSchedule.enabled.is_(True), ReminderSchedule.next_remind_at > horizon
        )
    )
    return as_utc(found) if found is not None else None


async def next_snooze(session: AsyncSession) -> datetime | None:
    found = await session.scalar(
        select(func.min(SentReminder.snooze_until)).where(SentReminder.status == "snoozed")
    )
    return as_utc(found) if found is not None else None


async def warmed_up_between(
    session: AsyncSession, user_id: int, start: datetime, end: datetime
) -> bool:
    """Whether the runner completed a warm-up in [start, end)."""
    found = await session.scalar(
        select(WarmupSession.id)
        .where(
            WarmupSession.user_id == user_id,
            WarmupSession.status == "completed",
            WarmupSession.finished_at >= start,
            WarmupSession.finished_at < end,
        )
        .limit(1)
    )
    return found is not None


async def get_draft(session: AsyncSession, user_id: int) -> ReminderDraft | None:
    return await session.get(ReminderDraft, user_id)
