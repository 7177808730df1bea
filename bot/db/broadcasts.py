"""Repository for the operator's broadcasts and runners who blocked the bot. Never commits.

A broadcast is sent from a queue: one `broadcast_recipients` row per runner, written when the
admin taps Send. Each row moves pending -> sending with a conditional UPDATE right before its
message goes out, so a restart resumes with the pending ones and nobody is sent it twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Broadcast, BroadcastRecipient, User

WRITING, PREVIEW, SENDING, DONE, CANCELLED = "writing", "preview", "sending", "done", "cancelled"
# A recipient's status.
PENDING, SENT, BLOCKED, FAILED, UNCONFIRMED = "pending", "sent", "blocked", "failed", "unconfirmed"


async def set_blocked(session: AsyncSession, user_id: int, blocked_at: datetime | None) -> None:
    """The runner blocked the bot (a send refused with 403, or Telegram said so): broadcasts skip
    them, from the first instant we knew; or, with None, they unblocked it."""
    query = update(User).where(User.id == user_id)
    if blocked_at is not None:
        query = query.where(User.blocked_at.is_(None))
    await session.execute(
        query.values(blocked_at=blocked_at).execution_options(synchronize_session=False)
    )


async def start_writing(
    session: AsyncSession, admin_user_id: int, admin_chat_id: int, now: datetime
) -> Broadcast:
    """A new broadcast waiting for its text; the admin's earlier unsent drafts are cancelled."""
    await session.execute(
        update(Broadcast)
        .where(Broadcast.admin_user_id == admin_user_id, Broadcast.status.in_((WRITING, PREVIEW)))
        .values(status=CANCELLED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    broadcast = Broadcast(
        admin_user_id=admin_user_id, admin_chat_id=admin_chat_id, status=WRITING, created_at=now
    )
    session.add(broadcast)
    await session.flush()
    return broadcast


async def waiting_for_text(session: AsyncSession, admin_user_id: int) -> Broadcast | None:
    return await session.scalar(
        select(Broadcast)
        .where(Broadcast.admin_user_id == admin_user_id, Broadcast.status == WRITING)
        .order_by(Broadcast.id.desc())
        .limit(1)
    )


async def audience(session: AsyncSession) -> int:
    """How many runners a broadcast would reach now: everyone who has not blocked the bot."""
    return await session.scalar(select(func.count()).where(User.blocked_at.is_(None))) or 0


async def get(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


async def start_sending(session: AsyncSession, broadcast_id: int, now: datetime) -> int | None:
    """Send the previewed broadcast: one pending row per runner who has not blocked the bot.
    Returns how many; None if it is not (or no longer) a preview (a second tap, a cancel)."""
    moved = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == PREVIEW)
        .values(status=SENDING, started_at=now)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        return None
    audience_rows = select(
        literal(broadcast_id, BigInteger), User.id, User.chat_id, literal(PENDING, String(16))
    ).where(User.blocked_at.is_(None))
    result = await session.execute(
        insert(BroadcastRecipient).from_select(
            ["broadcast_id", "user_id", "chat_id", "status"], audience_rows
        )
    )
    return result.rowcount


async def cancel(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Cancel a broadcast not yet sent; False if it was sent (or cancelled) already."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status.in_((WRITING, PREVIEW)))
        .values(status=CANCELLED, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def sending(session: AsyncSession) -> list[Broadcast]:
    """Broadcasts being sent, oldest first."""
    return list(
        (
            await session.scalars(
                select(Broadcast).where(Broadcast.status == SENDING).order_by(Broadcast.id)
            )
        ).all()
    )


async def pending_recipients(
    session: AsyncSession, broadcast_id: int, limit: int
) -> list[tuple[int, int]]:
    """(user id, chat id) of recipients still to send to."""
    rows = await session.execute(
        select(BroadcastRecipient.user_id, BroadcastRecipient.chat_id)
        .where(
            BroadcastRecipient.broadcast_id == broadcast_id, BroadcastRecipient.status == PENDING
        )
        .order_by(BroadcastRecipient.user_id)
        .limit(limit)
    )
    return [(user_id, chat_id) for user_id, chat_id in rows.all()]


async def claim_recipient(session: AsyncSession, broadcast_id: int, user_id: int) -> bool:
    """Take a recipient for sending, right before the send; False if already taken."""
    return await _move(session, broadcast_id, user_id, PENDING, SENDING)


async def record(session: AsyncSession, broadcast_id: int, user_id: int, status: str) -> None:
    """How the send went: sent, blocked or failed."""
    await _move(session, broadcast_id, user_id, SENDING, status)


async def close_unconfirmed(session: AsyncSession) -> int:
    """Mark `unconfirmed` the recipients a stopped process left `sending` (it may have sent
    them; they are never sent again). Run by a new leader before it dispatches."""
    result = await session.execute(
        update(BroadcastRecipient)
        .where(BroadcastRecipient.status == SENDING)
        .values(status=UNCONFIRMED)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def counts(session: AsyncSession, broadcast_id: int) -> dict[str, int]:
    """How many recipients are in each status."""
    rows = await session.execute(
        select(BroadcastRecipient.status, func.count())
        .where(BroadcastRecipient.broadcast_id == broadcast_id)
        .group_by(BroadcastRecipient.status)
    )
    return {status: count for status, count in rows.all()}


async def finish(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.status == SENDING)
        .values(status=DONE, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def _move(
    session: AsyncSession, broadcast_id: int, user_id: int, expected: str, status: str
) -> bool:
    result = await session.execute(
        update(BroadcastRecipient)
        .where(
            BroadcastRecipient.broadcast_id == broadcast_id,
            BroadcastRecipient.user_id == user_id,
            BroadcastRecipient.status == expected,
        )
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
