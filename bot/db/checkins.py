"""Repository for after-run check-ins and the runner's check-in setting. Never commits.

Every change of a check-in's status is a conditional UPDATE on the status it expects, so two
processes, a restart or a double tap can never ask a question twice or count an answer twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.progress import DEFAULT_CHECKIN_MINUTES
from bot.db.models import CheckIn, UserSettings, WarmupSession, as_utc
from bot.db.preferences import settings_row
from bot.db.stats import locked_totals
from bot.db.warmups import StoredWarmup

PENDING, SENDING, ASKED = "pending", "sending", "asked"
ANSWERED, EXPIRED, LOST = "answered", "expired", "lost"
# Where the runner may still answer: being sent (the message can arrive before the bot records
# it), asked, or lost by a stopped process (it may have arrived; an answer is still welcome).
OPEN = (SENDING, ASKED, LOST)
# A check-in still `sending` this long after it was claimed was left by a stopped process.
LOST_AFTER = timedelta(hours=1)


async def checkin_minutes(session: AsyncSession, user_id: int) -> int | None:
    """Minutes after a warm-up to ask how the run felt; None when the runner turned it off."""
    row = await session.get(UserSettings, user_id)
    return DEFAULT_CHECKIN_MINUTES if row is None else row.checkin_minutes


async def set_checkin_minutes(
    session: AsyncSession, user_id: int, minutes: int | None, now: datetime
) -> None:
    """Change the setting and move (or, when off, close) check-ins that are still waiting."""
    row = await settings_row(session, user_id, now)
    row.checkin_minutes, row.updated_at = minutes, now
    waiting = await session.execute(
        select(CheckIn, WarmupSession.finished_at)
        .join(WarmupSession, WarmupSession.id == CheckIn.warmup_id)
        .where(CheckIn.user_id == user_id, CheckIn.status == PENDING)
    )
    for checkin, finished_at in waiting.all():
        if minutes is None or finished_at is None:
            checkin.status = EXPIRED
        else:
            checkin.due_at = finished_at + timedelta(minutes=minutes)
    await session.flush()


async def plan_checkin(
    session: AsyncSession, warmup: StoredWarmup, finished_at: datetime
) -> datetime | None:
    """Plan the after-run check-in of a just-completed warm-up, as the runner's setting says;
    returns when it is due (None: check-ins are off)."""
    minutes = await checkin_minutes(session, warmup.user_id)
    if minutes is None:
        return None
    due_at = finished_at + timedelta(minutes=minutes)
    # One question about the latest run: a newer warm-up replaces a check-in not yet asked.
    await session.execute(
        update(CheckIn)
        .where(CheckIn.user_id == warmup.user_id, CheckIn.status == PENDING)
        .values(status=EXPIRED)
        .execution_options(synchronize_session=False)
    )
    session.add(
        CheckIn(
            user_id=warmup.user_id,
            warmup_id=warmup.id,
            chat_id=warmup.chat_id,
            due_at=due_at,
            status=PENDING,
        )
    )
    return due_at


async def due_checkins(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    query = (
        select(CheckIn.id)
        .where(CheckIn.status == PENDING, CheckIn.due_at <= now)
        .order_by(CheckIn.due_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def oldest_due(session: AsyncSession, now: datetime) -> datetime | None:
    """The due instant of the oldest check-in waiting to be asked (the dispatcher's lag)."""
    found = await session.scalar(
        select(func.min(CheckIn.due_at)).where(CheckIn.status == PENDING, CheckIn.due_at <= now)
    )
    return as_utc(found) if found is not None else None


async def claim(
    session: AsyncSession, checkin_id: int, now: datetime, open_for: timedelta
) -> CheckIn | None:
    """Take a due check-in for asking (`sending`); None if another process (or an earlier run)
    took it. Never asked twice: a process that stops mid-send leaves it `sending`."""
    result = await session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.status == PENDING)
        .values(status=SENDING, asked_at=now, expires_at=now + open_for)
        .execution_options(synchronize_session=False)
    )
    return await session.get(CheckIn, checkin_id) if result.rowcount == 1 else None


async def mark_asked(session: AsyncSession, checkin_id: int, message_id: int) -> None:
    await _move(session, checkin_id, (SENDING,), status=ASKED, message_id=message_id)


async def expire(session: AsyncSession, checkin_id: int) -> None:
    await _move(session, checkin_id, (PENDING, SENDING, ASKED), status=EXPIRED)


async def close_lost(session: AsyncSession, now: datetime) -> list[tuple[int, datetime]]:
    """Mark `lost` the check-ins a stopped process left `sending`; (user, due) of each."""
    result = await session.execute(
        update(CheckIn)
        .where(CheckIn.status == SENDING, CheckIn.asked_at < now - LOST_AFTER)
        .values(status=LOST)
        .returning(CheckIn.user_id, CheckIn.due_at)
        .execution_options(synchronize_session=False)
    )
    return [(row.user_id, row.due_at) for row in result]


async def _move(
    session: AsyncSession, checkin_id: int, expected: tuple[str, ...], **values: object
) -> None:
    await session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.status.in_(expected))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def expire_overdue(session: AsyncSession, now: datetime, open_for: timedelta) -> int:
    """Close questions left unanswered, and ones that fell due so long ago (the bot was down)
    that asking now would be about a run the runner has forgotten. Returns how many."""
    asked = await session.execute(
        update(CheckIn)
        .where(CheckIn.status == ASKED, CheckIn.expires_at <= now)
        .values(status=EXPIRED)
        .execution_options(synchronize_session=False)
    )
    stale = await session.execute(
        update(CheckIn)
        .where(CheckIn.status == PENDING, CheckIn.due_at <= now - open_for)
        .values(status=EXPIRED)
        .execution_options(synchronize_session=False)
    )
    return asked.rowcount + stale.rowcount


async def next_wake(session: AsyncSession) -> datetime | None:
    """The earliest instant the dispatcher has work: a check-in to ask or one to close."""
    due = await session.scalar(select(func.min(CheckIn.due_at)).where(CheckIn.status == PENDING))
    closing = await session.scalar(
        select(func.min(CheckIn.expires_at)).where(CheckIn.status == ASKED)
    )
    instants = [as_utc(value) for value in (due, closing) if value is not None]
    return min(instants) if instants else None


async def answer_feel(session: AsyncSession, checkin: CheckIn, feel: int, now: datetime) -> bool:
    """Store the run feel once (False for a second tap) and add it to the runner's average."""
    result = await session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin.id, CheckIn.status.in_(OPEN), CheckIn.feel.is_(None))
        .values(feel=feel)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    totals = await locked_totals(session, checkin.user_id, now)
    totals.feel_sum += feel
    totals.feel_count += 1
    totals.updated_at = now
    return True


async def answer_pain(session: AsyncSession, checkin: CheckIn, pain: str, now: datetime) -> bool:
    """Store the pain answer once, after the feel; the check-in is then answered."""
    result = await session.execute(
        update(CheckIn)
        .where(
            CheckIn.id == checkin.id,
            CheckIn.status.in_(OPEN),
            CheckIn.feel.is_not(None),
            CheckIn.pain.is_(None),
        )
        .values(pain=pain, status=ANSWERED, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def previous_pain(session: AsyncSession, user_id: int, before_id: int) -> str | None:
    """The pain answer of the runner's check-in before this one (skipping unanswered ones)."""
    return await session.scalar(
        select(CheckIn.pain)
        .where(CheckIn.user_id == user_id, CheckIn.id < before_id, CheckIn.pain.is_not(None))
        .order_by(CheckIn.id.desc())
        .limit(1)
    )
