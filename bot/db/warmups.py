"""Repository for runners and warm-up sessions. Takes an AsyncSession; never commits."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach.plan import Plan
from bot.coach.routine import Routine
from bot.coach.schedule import local_date
from bot.coach.walkthrough import Status, Walkthrough
from bot.db.models import User, WarmupSession

# How a warm-up's card is shown (WarmupSession.card_kind).
ANIMATION, TEXT = "animation", "text"


async def ensure_user(
    session: AsyncSession,
    user_id: int,
    chat_id: int,
    first_name: str,
    now: datetime,
    language: str | None = None,
) -> User:
    """The runner's row, created on first contact (speaking `language`, automatically)."""
    user = await session.get(User, user_id)
    if user is None:
        user = User(
            id=user_id,
            chat_id=chat_id,
            first_name=first_name[:128],
            created_at=now,
            language=language,
            language_chosen=False,
        )
        session.add(user)
        await session.flush()
    elif user.chat_id != chat_id or user.first_name != first_name[:128]:
        user.chat_id, user.first_name = chat_id, first_name[:128]
    return user


async def local_today(session: AsyncSession, user_id: int, now: datetime) -> date:
    """The runner's date at `now`, in their time zone (UTC for a runner not stored)."""
    timezone = await session.scalar(select(_USERS.c.timezone).where(_USERS.c.id == user_id))
    return local_date(now, timezone or "UTC")


async def runner_language(session: AsyncSession, user_id: int) -> tuple[str | None, bool] | None:
    """The runner's stored language and whether they chose it; None for a runner not stored."""
    row = (await session.execute(_LANGUAGE, {"user_id": user_id})).one_or_none()
    return (row.language, row.language_chosen) if row is not None else None


async def set_runner_language(
    session: AsyncSession, user_id: int, language: str, chosen: bool
) -> None:
    await session.execute(
        _SET_LANGUAGE, {"key_id": user_id, "language": language, "language_chosen": chosen}
    )


@dataclass(frozen=True, slots=True)
class StoredWarmup:
    """A warm-up as stored: who it is for, the card that shows it, and where it stands."""

    id: int
    user_id: int
    chat_id: int
    message_id: int | None
    card_kind: str
    state: Walkthrough
    levels: dict[str, int] | None = None  # by exercise key; None: from before levels, all 1
    quick: bool = False
    # Level changes its first card announces: (exercise key, from level, to level).
    announced: tuple[tuple[str, int, int], ...] = ()

    def plan(self, routine: Routine) -> Plan:
        return Plan.of(routine, self.levels, self.quick)


async def active_warmup(session: AsyncSession, user_id: int) -> StoredWarmup | None:
    row = (await session.execute(_ACTIVE, {"user_id": user_id})).one_or_none()
    return _stored(row) if row is not None else None


async def load_warmup(session: AsyncSession, warmup_id: int) -> StoredWarmup | None:
    row = (await session.execute(_LOAD, {"warmup_id": warmup_id})).one_or_none()
    return _stored(row) if row is not None else None


async def load_for_runner(
    session: AsyncSession, warmup_id: int, user_id: int
) -> tuple[StoredWarmup | None, tuple[str | None, bool] | None]:
    """A tap's one read: the runner's warm-up (None when it is not theirs or gone) and their
    stored language (None for a runner not stored), as `runner_language` gives it."""
    row = (
        await session.execute(_FOR_RUNNER, {"warmup_id": warmup_id, "user_id": user_id})
    ).one_or_none()
    if row is None:
        return None, None
    language = (row.runner_language, row.runner_language_chosen)
    return (_stored(row) if row.id is not None else None), language


async def shown_on(session: AsyncSession, user_id: int, message_id: int) -> int | None:
    """The id of the runner's warm-up whose card is this message, if any."""
    return await session.scalar(_SHOWN_ON, {"user_id": user_id, "message_id": message_id})


async def create_warmup(
    session: AsyncSession,
    user_id: int,
    chat_id: int,
    state: Walkthrough,
    message_id: int | None = None,
    *,
    card_kind: str = TEXT,
    plan: Plan | None = None,
    announced: tuple[tuple[str, int, int], ...] = (),
) -> StoredWarmup:
    """A new warm-up following `plan` (None: level 1, full); `message_id` is its card's message
    when that is known already."""
    levels = plan.levels if plan is not None else None
    quick = plan.quick if plan is not None else False
    values = {
        "user_id": user_id,
        "chat_id": chat_id,
        "message_id": message_id,
        "card_kind": card_kind,
        "levels": levels,
        "quick": quick,
        "announced": [list(change) for change in announced] or None,
        **state_values(state),
    }
    warmup_id = (await session.execute(_INSERT, values)).scalar_one()
    return StoredWarmup(
        warmup_id, user_id, chat_id, message_id, card_kind, state, levels, quick, announced
    )


async def set_message_id(session: AsyncSession, warmup_id: int, message_id: int) -> None:
    """Record the message that shows the warm-up: buttons on any other message are old."""
    await session.execute(_SET_MESSAGE_ID, {"key_id": warmup_id, "message_id": message_id})


async def save_step(
    session: AsyncSession, warmup_id: int, expected_version: int, state: Walkthrough
) -> bool:
    """Store a new state only if nobody moved the warm-up since `expected_version`; False when
    another tap or process got there first.

    The compare-and-set is in SQL, not in Python: two taps that both read the same version, in
    two bot processes at once, cannot both count (the second UPDATE waits for the first's row
    lock, then matches nothing)."""
    values = {"key_id": warmup_id, "expected_version": expected_version, **state_values(state)}
    return (await session.execute(_SAVE_STEP, values)).rowcount == 1


# A warm-up's state columns are named as Walkthrough's fields; the tuples are stored as JSON lists.
_STATE_COLUMNS = tuple(field.name for field in fields(Walkthrough))


def to_walkthrough(row: Any) -> Walkthrough:
    """The state of a warm-up row (a Core row or an ORM WarmupSession)."""
    stored = {name: getattr(row, name) for name in _STATE_COLUMNS}
    typed = {
        "status": Status(row.status),
        "sets_done": tuple(row.sets_done),
        "skipped": tuple(row.skipped),
    }
    return Walkthrough(**(stored | typed))


def state_values(state: Walkthrough) -> dict[str, object]:
    values = {name: getattr(state, name) for name in _STATE_COLUMNS}
    return values | {
        "status": state.status.value,
        "sets_done": list(state.sets_done),
        "skipped": list(state.skipped),
    }


def _stored(row: Any) -> StoredWarmup:
    announced = tuple((key, int(old), int(new)) for key, old, new in row.announced or ())
    return StoredWarmup(
        row.id,
        row.user_id,
        row.chat_id,
        row.message_id,
        row.card_kind,
        to_walkthrough(row),
        row.levels,
        row.quick,
        announced,
    )


_USERS = User.__table__
# Every update reads the runner's language (bot/telegram/language.py).
_LANGUAGE = select(_USERS.c.language, _USERS.c.language_chosen).where(
    _USERS.c.id == bindparam("user_id")
)
_SET_LANGUAGE = (
    _USERS.update()
    .where(_USERS.c.id == bindparam("key_id"))
    .values(language=bindparam("language"), language_chosen=bindparam("language_chosen"))
)
# Built once, as Core statements on the table: every tap reads and steps a warm-up, and through
# the ORM (Session.get, an ORM update built per call) those took twice the CPU
# (docs/performance.md).
_TABLE = WarmupSession.__table__
_LOAD = select(_TABLE).where(_TABLE.c.id == bindparam("warmup_id"))
_ACTIVE = (
    select(_TABLE)
    .where(_TABLE.c.user_id == bindparam("user_id"), _TABLE.c.status == Status.ACTIVE.value)
    .order_by(_TABLE.c.id.desc())
    .limit(1)
)
# The runner's row, with their warm-up beside it when it is theirs: one statement per tap.
_FOR_RUNNER = (
    select(
        _TABLE,
        _USERS.c.language.label("runner_language"),
        _USERS.c.language_chosen.label("runner_language_chosen"),
    )
    .select_from(
        _USERS.outerjoin(
            _TABLE,
            (_TABLE.c.id == bindparam("warmup_id")) & (_TABLE.c.user_id == _USERS.c.id),
        )
    )
    .where(_USERS.c.id == bindparam("user_id"))
)
_SHOWN_ON = (
    select(_TABLE.c.id)
    .where(_TABLE.c.user_id == bindparam("user_id"), _TABLE.c.message_id == bindparam("message_id"))
    .limit(1)
)
_INSERT = _TABLE.insert().returning(_TABLE.c.id)
# The key's binds are not named like columns: SQLAlchemy would add `SET x = :x` for them.
_SET_MESSAGE_ID = (
    _TABLE.update()
    .where(_TABLE.c.id == bindparam("key_id"))
    .values(message_id=bindparam("message_id"))
)
_SAVE_STEP = (
    _TABLE.update()
    .where(
        _TABLE.c.id == bindparam("key_id"),
        _TABLE.c.version == bindparam("expected_version"),
    )
    .values({name: bindparam(name) for name in _STATE_COLUMNS})
)
