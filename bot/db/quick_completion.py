"""The completing tap on PostgreSQL in one round trip: one statement that stores the step, the
streak, the completion and the check-in, all or nothing.

Why: in a transaction the same work is six round trips (BEGIN, the step, the context locked,
the streak with the completion, the check-in, COMMIT), about 3.5 ms against 0.8 ms for a
regular tap; it made the completing tap the single runner's p99 (bench/throughput.py).

The streak is worked out in Python from the runner's context (time zone, run days, check-in
setting, totals: `bot.db.stats.read_context`). The bot reads it when the warm-up begins and
keeps it with the warm-up (`WarmupRecord.context`); a warm-up it knows only from a careful tap
has none, and then it is read first: two round trips.

How it stays right without a transaction or a lock:
- The statement runs in autocommit, so it is atomic by itself: every part of it is stored, or
  none.
- The step is the same compare-and-set as any quick tap (version and card), and with a kept
  context also "the context is still this" (`CONTEXT_WATCHED`). If another tap or process moved
  the warm-up, or changed the runner's time zone, settings or streak since, nothing happens and
  the caller takes the careful path.
- The streak's UPDATE applies only where the watched totals columns still hold the values it was
  worked out from (`bot.db.stats.STREAK_WATCHED`). PostgreSQL re-checks that condition on the
  newest row version after waiting for any writer, so a streak moved by another process after
  the read is caught. Then the statement aborts itself (a failing cast, the only way plain SQL
  has to raise), which undoes the step too; the caller takes the careful path, which locks the
  totals.

SQLite has no data-modifying WITH clauses; its quick taps run in a transaction on the event
loop's thread, where statements cost no round trips (bot/db/sqlite_lane.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    case,
    cast,
    exists,
    literal,
    literal_column,
    select,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.coach.routine import Routine
from bot.coach.walkthrough import Walkthrough
from bot.db import checkins, stats, warmups
from bot.db.checkins import EXPIRED, PENDING
from bot.db.models import CheckIn, User, UserStats, WarmupCompletion, WarmupSession
from bot.db.stats import (
    CONTEXT_COLUMNS,
    CONTEXT_FROM,
    CONTEXT_UNLOCKED,
    CONTEXT_WATCHED,
    STORE_TOTALS,
    STREAK_WATCHED,
)
from bot.db.warmups import SAVE_STEP_ON_CARD, WarmupRecord

# In the error PostgreSQL raises when the statement aborts itself; nothing else says it.
_ABORT_MARK = "warmup-coach: the streak moved meanwhile"


@dataclass(frozen=True, slots=True)
class QuickCompletion:
    recorded: stats.RecordedCompletion
    checkin_due: datetime | None  # when the after-run check-in was planned for, if it was


async def complete(
    connection: AsyncConnection,
    warmup: WarmupRecord,
    expected_version: int,
    state: Walkthrough,
    routine: Routine,
) -> QuickCompletion | None:
    """Store the completing step of `warmup` (shown on its card, at `expected_version`) with all
    it sets off. None when nothing was stored: the warm-up or the runner's context moved
    meanwhile, or the runner has no totals yet; the careful path then does it in a transaction.

    `connection` must be in autocommit (bot.db.engine.single_statement_engine)."""
    assert state.finished_at is not None and warmup.message_id is not None
    context = warmup.context
    known_context = context is not None
    if context is None:
        context = (
            await connection.execute(CONTEXT_UNLOCKED, {"user_id": warmup.user_id})
        ).one_or_none()
        if context is None:
            return None  # no totals row yet: the careful path creates it
    plan = stats.plan_completion(context, warmup, state, routine)
    checkin_due = checkins.checkin_due(state.finished_at, plan.checkin_minutes)
    values: dict[str, object] = {
        "key_user_id": warmup.user_id,
        "key_warmup_id": warmup.id,
        "expected_version": expected_version,
        "on_message_id": warmup.message_id,
        **warmups.state_values(state),
        **plan.record,
    }
    if plan.totals is not None:
        values |= plan.totals
    # What the statement checks is unchanged: the kept context, and the totals the streak was
    # worked out from.
    watched = {
        *(CONTEXT_WATCHED if known_context else ()),
        *(STREAK_WATCHED if plan.totals is not None else ()),
    }
    values |= {f"was_{name}": getattr(context, name) for name in watched}
    if checkin_due is not None:
        values |= {
            "k_user_id": warmup.user_id,
            "k_warmup_id": warmup.id,
            "k_chat_id": warmup.chat_id,
            "k_due_at": checkin_due,
        }
    statement = _statement(
        counted=plan.totals is not None,
        checkin=checkin_due is not None,
        checked_context=known_context,
    )
    try:
        stored = (await connection.execute(statement, values)).one_or_none()
    except DBAPIError as error:
        if _ABORT_MARK in str(error.orig):
            return None
        raise
    if stored is None:
        return None  # the warm-up moved: nothing was stored
    return QuickCompletion(stats.RecordedCompletion(plan.note, plan.checkin_minutes), checkin_due)


async def ready_for_completion(session: AsyncSession, user_id: int, now: datetime) -> Any | None:
    """For a warm-up the runner begins: their totals row made sure of (a completion without
    one takes the careful path), and on PostgreSQL their context, to keep with the warm-up so
    that its completion needs no read (`WarmupRecord.context`). None on SQLite, whose quick
    completion reads it in its own transaction."""
    await stats.ensure_totals(session, user_id, now)
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return None
    return await stats.read_context(session, user_id)


@cache
def _statement(*, counted: bool, checkin: bool, checked_context: bool) -> Select[Any]:
    """The one statement, for a completion that counts or not, with a check-in or not, worked
    out from a context kept since the warm-up began (`checked_context`: the step is stored only
    where it is still the runner's context) or just read."""
    stepping = SAVE_STEP_ON_CARD
    if checked_context:
        unchanged_context = [
            CONTEXT_COLUMNS[name].is_not_distinct_from(
                bindparam(f"was_{name}", type_=CONTEXT_COLUMNS[name].type)
            )
            for name in CONTEXT_WATCHED
        ]
        stepping = stepping.where(
            exists(
                select(literal_column("1"))
                .select_from(CONTEXT_FROM)
                .where(_USERS_ID == bindparam("key_user_id"), *unchanged_context)
            )
        )
    stepped = stepping.returning(_WARMUPS_ID).cte("stepped")
    was_stepped = exists(select(stepped.c.id))
    ctes = []
    columns = [stepped.c.id]
    if counted:
        unchanged = [
            _TOTALS.c[name].is_not_distinct_from(
                bindparam(f"was_{name}", type_=_TOTALS.c[name].type)
            )
            for name in STREAK_WATCHED
        ]
        stored_totals = (
            STORE_TOTALS.where(was_stepped, *unchanged)
            .returning(_TOTALS.c.user_id)
            .cte("stored_totals")
        )
        ctes.append(stored_totals)
        # A step stored without its streak must not stand: cast a text to integer, which fails
        # and takes the whole statement back. Never evaluated when the streak was stored.
        aborts = select(literal_column(f"'{_ABORT_MARK}'")).select_from(stepped)
        columns.append(
            cast(
                case((~exists(select(stored_totals.c.user_id)), aborts.scalar_subquery())),
                Integer,
            ).label("abort")
        )
    completion_columns = [column.name for column in _COMPLETIONS.c]
    ctes.append(
        _COMPLETIONS.insert()
        .from_select(
            completion_columns,
            select(
                *(
                    bindparam(f"c_{name}", type_=_COMPLETIONS.c[name].type)
                    for name in completion_columns
                )
            ).select_from(stepped),
        )
        .cte("stored_completion")
    )
    if checkin:
        # One question about the latest run: a newer warm-up replaces a check-in not yet asked.
        # On the statement's snapshot, so it cannot touch the row inserted beside it.
        ctes.append(
            _CHECK_INS.update()
            .where(
                _CHECK_INS.c.user_id == bindparam("key_user_id"),
                _CHECK_INS.c.status == PENDING,
                was_stepped,
            )
            .values(status=EXPIRED)
            .cte("expired_checkins")
        )
        added = (
            _CHECK_INS.insert()
            .from_select(
                ["user_id", "warmup_id", "chat_id", "due_at", "status"],
                select(
                    bindparam("k_user_id", type_=_CHECK_INS.c.user_id.type),
                    bindparam("k_warmup_id", type_=_CHECK_INS.c.warmup_id.type),
                    bindparam("k_chat_id", type_=_CHECK_INS.c.chat_id.type),
                    bindparam("k_due_at", type_=_CHECK_INS.c.due_at.type),
                    literal(PENDING, _CHECK_INS.c.status.type),
                ).select_from(stepped),
            )
            .returning(_CHECK_INS.c.id)
            .cte("added_checkin")
        )
        ctes.append(added)
        columns.append(select(added.c.id).scalar_subquery().label("checkin_id"))
    return select(*columns).select_from(stepped).add_cte(*ctes)


_CHECK_INS, _COMPLETIONS = CheckIn.__table__, WarmupCompletion.__table__
_TOTALS, _USERS_ID = UserStats.__table__, User.__table__.c.id
_WARMUPS_ID = WarmupSession.__table__.c.id
