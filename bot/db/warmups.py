"""Repository for runners and warm-up sessions. Takes an AsyncSession; never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

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


async def shown_on(session: AsyncSession, user_id: int, message_id: int) -> int | None:
    """The id of the runner's warm-up whose card is this message, if any."""
    return await session.scalar(
        select(WarmupSession.id)
        .where(WarmupSession.user_id == user_id, WarmupSession.message_id == message_id)
        .limit(1)
    )


async def create_warmup(
    session: AsyncSession,
    user_id: int,
    chat_id: int,
    state: Walkthrough,
    message_id: int | None = None,
    *,
    card_kind: str = TEXT,
) -> WarmupSession:
    """A new warm-up; `message_id` is its card's message when that is known already."""
    row = WarmupSession(
        user_id=user_id, chat_id=chat_id, message_id=message_id, card_kind=card_kind
    )
    _set_state(row, state)
    session.add(row)
    await session.flush()
    return row


async def set_message_id(session: AsyncSession, warmup_id: int, message_id: int) -> None:
    """Record the message that shows the warm-up: buttons on any other message are old."""
    await session.execute(
        update(WarmupSession)
        .where(WarmupSession.id == warmup_id)
        .values(message_id=message_id)
        .execution_options(synchronize_session=False)
    )


async def save_step(
    session: AsyncSession, row: WarmupSession, expected_version: int, state: Walkthrough
) -> bool:
    """Store a new state only if nobody moved the warm-up since `expected_version`; False (and
    `row` refreshed to what is stored) when another tap or process got there first.

    The compare-and-set is in SQL, not in Python: two taps that both read the same version, in
    two bot processes at once, cannot both count (the second UPDATE waits for the first's row
    lock, then matches nothing)."""
    result = await session.execute(
        update(WarmupSession)
        .where(WarmupSession.id == row.id, WarmupSession.version == expected_version)
        .values(**state_values(state))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        await session.refresh(row)
        return False
    _set_state(row, state, committed=True)
    return True


def to_walkthrough(row: WarmupSession) -> Walkthrough:
    """The state of a warm-up row."""
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
        moved_at=row.moved_at,
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
        "moved_at": state.moved_at,
    }


def _set_state(row: WarmupSession, state: Walkthrough, *, committed: bool = False) -> None:
    for name, value in state_values(state).items():
        if committed:  # written by save_step's UPDATE already: the ORM must not write it again
            set_committed_value(row, name, value)
        else:
            setattr(row, name, value)
