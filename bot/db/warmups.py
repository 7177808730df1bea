"""Repository for runners and warm-up sessions. Takes an AsyncSession; never commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Session

from bot.coach.walkthrough import Status, Walkthrough
from bot.db.models import User, WarmupSession


async def ensure_user(
    session: AsyncSession, user_id: int, chat_id: int, first_name: str, now: datetime
) -> User:
    """The runner's row, created on first contact."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(id=user_id, chat_id=chat_id, first_name=first_name[:128], created_at=now)
        session.add(user)
        await session.flush()
    elif user.chat_id != chat_id or user.first_name != first_name[:128]:
        user.chat_id, user.first_name = chat_id, first_name[:128]
    return user


async def active_warmup(session: AsyncSession, user_id: int) -> WarmupSession | None:
    query = (
        select(WarmupSession)
        .where(WarmupSession.user_id == user_id, WarmupSession.status == Status.ACTIVE.value)
        .order_by(WarmupSession.id.desc())
        .limit(1)
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get_warmup(session: AsyncSession, warmup_id: int) -> WarmupSession | None:
    return await session.get(WarmupSession, warmup_id)


@dataclass(frozen=True, slots=True)
class WarmupRecord:
    """A warm-up session as stored, read with one Core SELECT: what a tap needs, no ORM object."""

    id: int
    user_id: int
    chat_id: int
    message_id: int | None
    state: Walkthrough
    # The runner's context (bot.db.stats.read_context) as read when the warm-up began, for
    # PostgreSQL's quick completion (bot/db/quick_completion.py), which checks it is unchanged.
    # None: not read.
    context: Any = None


async def load_record(session: AsyncSession, warmup_id: int) -> WarmupRecord | None:
    """The tap's read. Session.get would also build an ORM object and track it in the session:
    twice the CPU of this statement, for nothing a tap uses (bench/throughput.py)."""
    row = (await session.execute(_LOAD, {"warmup_id": warmup_id})).one_or_none()
    if row is None:
        return None
    return WarmupRecord(row.id, row.user_id, row.chat_id, row.message_id, to_walkthrough(row))


async def create_warmup(
    session: AsyncSession, user_id: int, chat_id: int, state: Walkthrough
) -> WarmupSession:
    row = WarmupSession(user_id=user_id, chat_id=chat_id, message_id=None, **state_values(state))
    session.add(row)
    await session.flush()
    return row


async def set_message_id(
    db: AsyncSession | AsyncConnection, warmup_id: int, message_id: int
) -> None:
    """`store_message_id` in an async session or connection."""
    await db.run_sync(store_message_id, warmup_id, message_id)


def store_message_id(db: Session | Connection, warmup_id: int, message_id: int) -> None:
    """Record the message that shows the warm-up (one UPDATE; no row to load first).
    Synchronous, so that SQLite's quick lane runs it as it is (bot/db/sqlite_lane.py)."""
    db.execute(_SET_MESSAGE_ID, {"warmup_id": warmup_id, "message_id": message_id})


async def save_step(
    db: AsyncSession | AsyncConnection,
    warmup_id: int,
    expected_version: int,
    state: Walkthrough,
    *,
    on_message_id: int | None = None,
) -> bool:
    """Store a new state only if nobody else moved the session since `expected_version` (and,
    with `on_message_id`, only if it is still shown on that message).

    The caller keeps `state`; an ORM row of it in the session is left as loaded (it is not
    written again).

    The compare-and-set in SQL, not in Python, is what makes a double tap count once even when
    two taps (or two bot processes) race.
    """
    result = await db.execute(*_step(warmup_id, expected_version, state, on_message_id))
    return result.rowcount == 1


def store_step(
    db: Connection,
    warmup_id: int,
    expected_version: int,
    state: Walkthrough,
    *,
    on_message_id: int | None = None,
) -> bool:
    """`save_step` on a synchronous connection (bot/db/sqlite_lane.py)."""
    return db.execute(*_step(warmup_id, expected_version, state, on_message_id)).rowcount == 1


def _step(
    warmup_id: int, expected_version: int, state: Walkthrough, on_message_id: int | None
) -> tuple[Any, dict[str, object]]:
    statement = _SAVE_STEP if on_message_id is None else SAVE_STEP_ON_CARD
    values = {
        "key_warmup_id": warmup_id,
        "expected_version": expected_version,
        **state_values(state),
    }
    if on_message_id is not None:
        values["on_message_id"] = on_message_id
    return statement, values


def to_walkthrough(row: Any) -> Walkthrough:
    """The state of a warm-up row: an ORM WarmupSession or a Core row of its table."""
    return Walkthrough(
        exercise_index=row.exercise_index,
        set_number=row.set_number,
        sets_done=tuple(row.sets_done),
        skipped=tuple(row.skipped),
        showing_how_to=row.showing_how_to,
        status=Status(row.status),
        version=row.version,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


# Built once: every tap runs this UPDATE, and building it per call (an ORM update with nine
# values and a WHERE) cost a third of the tap's database time (bench/throughput.py). As Core
# statements on the table they also skip the ORM's bulk-update machinery; the columns' types
# (JSON, UTC datetimes) still apply to the bound values.
_TABLE = WarmupSession.__table__
STATE_COLUMNS = (
    "status",
    "exercise_index",
    "set_number",
    "sets_done",
    "skipped",
    "showing_how_to",
    "version",
    "started_at",
    "finished_at",
)
# The key's bind is not named like any column: bot/db/quick_completion.py runs this UPDATE in a
# WITH clause beside other tables' UPDATEs, and SQLAlchemy adds `SET column = :column` to an
# UPDATE for every bound value named like one of its columns.
_SAVE_STEP = (
    _TABLE.update()
    .where(
        _TABLE.c.id == bindparam("key_warmup_id"),
        _TABLE.c.version == bindparam("expected_version"),
    )
    .values({name: bindparam(name) for name in STATE_COLUMNS})
)
SAVE_STEP_ON_CARD = _SAVE_STEP.where(_TABLE.c.message_id == bindparam("on_message_id"))
_LOAD = select(_TABLE).where(_TABLE.c.id == bindparam("warmup_id"))
_SET_MESSAGE_ID = (
    _TABLE.update()
    .where(_TABLE.c.id == bindparam("warmup_id"))
    .values(message_id=bindparam("message_id"))
)


def state_values(state: Walkthrough) -> dict[str, object]:
    return {
        "status": state.status.value,
        "exercise_index": state.exercise_index,
        "set_number": state.set_number,
        "sets_done": list(state.sets_done),
        "skipped": list(state.skipped),
        "showing_how_to": state.showing_how_to,
        "version": state.version,
        "started_at": state.started_at,
        "finished_at": state.finished_at,
    }
