"""Repository for after-run check-ins and the runner's check-in setting. Never commits.

Every change of a check-in's status is a conditional UPDATE on the status it expects, so two
processes, a restart or a double tap can never ask a question twice or count an answer twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.progress import DEFAULT_CHECKIN_MINUTES
from bot.db.models import CheckIn, UserSettings, UserStats, WarmupSession
from bot.db.stats import SyncDb, WarmupRef, dialect_name, ensure_totals

PENDING, ASKED, ANSWERED, EXPIRED = "pending", "asked", "answered", "expired"


async def checkin_minutes(session: AsyncSession, user_id: int) -> int | None:
    """Minutes after a warm-up to ask how the run felt; None when the runner turned it off."""
    row = await session.get(UserSettings, user_id)
    return DEFAULT_CHECKIN_MINUTES if row is None else row.checkin_minutes


async def set_checkin_minutes(
    session: AsyncSession, user_id: int, minutes: int | None, now: datetime
) -> None:
    """Change the setting and move (or, when off, close) check-ins that are still waiting."""
    row = await session.get(UserSettings, user_id)
    if row is None:
        row = UserSettings(user_id=user_id)
        session.add(row)
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


@dataclass(frozen=True, slots=True)
class PlannedCheckIn:
    id: int
    due_at: datetime


async def schedule_checkin(
    session: AsyncSession, warmup: WarmupRef, finished_at: datetime, minutes: int | None
) -> PlannedCheckIn | None:
    """`store_checkin` in an async session."""
    return await session.run_sync(store_checkin, warmup, finished_at, minutes)


def checkin_due(finished_at: datetime, minutes: int | None) -> datetime | None:
    """When the after-run check-in of a warm-up finished at `finished_at` is asked; None when
    the runner turned check-ins off."""
    return None if minutes is None else finished_at + timedelta(minutes=minutes)


def store_checkin(
    db: SyncDb, warmup: WarmupRef, finished_at: datetime, minutes: int | None
) -> PlannedCheckIn | None:
    """Plan the check-in `minutes` after a completed warm-up; None when check-ins are off.

    `minutes` is the runner's setting (`checkin_minutes`; the completing tap has it from
    `bot.db.stats.store_completion`'s read). In the completing tap, so Core statements, and
    synchronous like `store_completion`."""
    due_at = checkin_due(finished_at, minutes)
    if due_at is None:
        return None
    expire = {"key_user_id": warmup.user_id}
    add = {
        "c_user_id": warmup.user_id,
        "c_warmup_id": warmup.id,
        "c_chat_id": warmup.chat_id,
        "c_due_at": due_at,
    }
    # One question about the latest run: a newer warm-up replaces a check-in not yet asked.
    if dialect_name(db) == "postgresql":
        # One round trip: the UPDATE rides along as a WITH clause. It works on the statement's
        # snapshot, so it cannot touch the row this statement inserts.
        added = db.execute(_ADD_CHECKIN_EXPIRING_OTHERS, {**add, **expire})
    else:
        db.execute(_EXPIRE_PENDING, expire)
        added = db.execute(_ADD_CHECKIN, add)
    return PlannedCheckIn(added.scalar_one(), due_at)


_CHECK_INS = CheckIn.__table__
_EXPIRE_PENDING = (
    _CHECK_INS.update()
    .where(_CHECK_INS.c.user_id == bindparam("key_user_id"), _CHECK_INS.c.status == PENDING)
    .values(status=EXPIRED)
)
_ADD_CHECKIN = (
    _CHECK_INS.insert()
    .values(
        user_id=bindparam("c_user_id"),
        warmup_id=bindparam("c_warmup_id"),
        chat_id=bindparam("c_chat_id"),
        due_at=bindparam("c_due_at"),
        status=PENDING,
    )
    .returning(_CHECK_INS.c.id)
)
_TOTALS = UserStats.__table__
_ADD_FEEL = (
    _TOTALS.update()
    .where(_TOTALS.c.user_id == bindparam("key_user_id"))
    .values(
        feel_sum=_TOTALS.c.feel_sum + bindparam("feel"),
        feel_count=_TOTALS.c.feel_count + 1,
        updated_at=bindparam("updated_at"),
    )
)
_ADD_CHECKIN_EXPIRING_OTHERS = _ADD_CHECKIN.add_cte(_EXPIRE_PENDING.cte("expired"))


async def due_checkins(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    query = (
        select(CheckIn.id)
        .where(CheckIn.status == PENDING, CheckIn.due_at <= now)
        .order_by(CheckIn.due_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def claim(session: AsyncSession, checkin_id: int, now: datetime, open_for: timedelta) -> bool:
    """Take a due check-in for asking; False if another process (or an earlier run) took it."""
    result = await session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.status == PENDING)
        .values(status=ASKED, asked_at=now, expires_at=now + open_for)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def set_message(session: AsyncSession, checkin_id: int, message_id: int | None) -> None:
    await session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id)
        .values(message_id=message_id)
        .execution_options(synchronize_session=False)
    )


async def expire(session: AsyncSession, checkin_id: int) -> None:
    await session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin_id, CheckIn.status.in_((PENDING, ASKED)))
        .values(status=EXPIRED)
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
    instants = [_aware(value) for value in (due, closing) if value is not None]
    return min(instants) if instants else None


async def answer_feel(session: AsyncSession, checkin: CheckIn, feel: int, now: datetime) -> bool:
    """Store the run feel once (False for a second tap) and add it to the runner's average."""
    result = await session.execute(
        update(CheckIn)
        .where(CheckIn.id == checkin.id, CheckIn.status == ASKED, CheckIn.feel.is_(None))
        .values(feel=feel)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    # Added in SQL, not read and written back: no lock needed against a completion or another
    # process moving the same totals.
    values = {"key_user_id": checkin.user_id, "feel": feel, "updated_at": now}
    if (await session.execute(_ADD_FEEL, values)).rowcount == 0:
        await ensure_totals(session, checkin.user_id, now)
        await session.execute(_ADD_FEEL, values)
    return True


async def answer_pain(session: AsyncSession, checkin: CheckIn, pain: str, now: datetime) -> bool:
    """Store the pain answer once, after the feel; the check-in is then answered."""
    result = await session.execute(
        update(CheckIn)
        .where(
            CheckIn.id == checkin.id,
            CheckIn.status == ASKED,
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


def _aware(value: datetime) -> datetime:
    # func.min() bypasses the UtcDateTime type on some backends; normalise here.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
