"""Asking after-run check-ins: one scheduler job wakes at the next due instant, like reminders.

Every check-in keeps its due instant in UTC in an indexed column, so the dispatcher is one job
whatever the number of runners (see bot/telegram/reminder_jobs.py for why not one job each). It
asks what is due, closes questions left unanswered for `CHECKIN_OPEN_FOR`, and re-arms itself
for the earliest next instant. It is re-armed whenever a check-in is created or moved, and a
safety-net job picks up check-ins another process created.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.coach.progress import CHECKIN_OPEN_FOR, FEEL_SCORES, PAIN_AREAS
from bot.db import broadcasts, checkins
from bot.db.models import CheckIn, User
from bot.i18n import DEFAULT_LOCALE, use
from bot.metrics import DISPATCHER_LAG
from bot.telegram import texts
from bot.telegram.callbacks import CheckInTap
from bot.telegram.delivery import with_retries
from bot.telegram.dispatching import dispatching_in, leads
from bot.telegram.services import services_in
from bot.telegram.wakeups import (
    arm_dispatcher,
    arm_dispatcher_by,
    start_dispatcher,
    stop_dispatcher,
)

logger = logging.getLogger(__name__)

DISPATCH_JOB_ID = "checkins-dispatch"
LOCK_KEY = "checkin_dispatch_lock"  # one dispatch at a time in this process
SAFETY_NET_JOB_ID = "checkins-safety-net"
BATCH_SIZE = 500
# Check-ins claimed but not yet asked, at most (as reminder_jobs.IN_FLIGHT).
IN_FLIGHT = 8
# The dispatcher's job is never dropped for lateness (see bot.telegram.wakeups): a check-in due a
# little while ago is asked late; one overdue by more than CHECKIN_OPEN_FOR is closed unasked.


def feel_keyboard(checkin_id: int) -> InlineKeyboardMarkup:
    def button(score: int) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            str(texts.CHECKIN_FEEL_LABELS[score]),
            callback_data=CheckInTap(checkin_id, "f", str(score)).encode(),
        )

    # Three and two to a row, each with a word: wide enough for a gloved thumb (five in one
    # row came out about 42 px wide each on a phone).
    return InlineKeyboardMarkup(
        [[button(score) for score in FEEL_SCORES[:3]], [button(score) for score in FEEL_SCORES[3:]]]
    )


def pain_keyboard(checkin_id: int) -> InlineKeyboardMarkup:
    def button(code: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            str(texts.CHECKIN_PAIN_LABELS[PAIN_AREAS[code]]),
            callback_data=CheckInTap(checkin_id, "p", code).encode(),
        )

    return InlineKeyboardMarkup(
        [[button("n")], [button("k"), button("h"), button("a")], [button("b"), button("o")]]
    )


async def dispatch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduler entry point: ask what is due, close what is overdue, then re-arm."""
    if leads(context.application):
        await dispatch_checkins(context.application)


async def dispatch_checkins(application: Application) -> int:
    """Ask every check-in due now; returns how many questions were handed to Telegram."""
    services = services_in(application)
    lock: asyncio.Lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    asked = 0
    async with lock:
        now = services.clock()
        async with services.db.transaction() as db:
            closed = await checkins.expire_overdue(db, now, CHECKIN_OPEN_FOR)
            lost = await checkins.close_lost(db, now)
        if closed:
            logger.info("Closed %d unanswered check-ins", closed)
        for user_id, due_at in lost:
            logger.warning(
                "Check-in for user %s (due %s) was being asked when a bot process stopped; "
                "it may not have arrived and is not asked again (marked lost)",
                user_id,
                due_at.isoformat(timespec="minutes"),
            )
        seen: set[int] = set()
        while True:
            async with services.db.transaction() as db:
                due_at = await checkins.oldest_due(db, now)
                due = [i for i in await checkins.due_checkins(db, now, BATCH_SIZE) if i not in seen]
            DISPATCHER_LAG.labels("checkins").set(
                (now - due_at).total_seconds() if due_at is not None and due else 0
            )
            if not due:
                break
            seen.update(due)
            # Claimed one at a time by a few workers, as reminders are: a crash mid-burst
            # leaves at most IN_FLIGHT claimed and unasked (marked lost later, never re-asked).
            gate = asyncio.Semaphore(IN_FLIGHT)
            sent = await asyncio.gather(*(_claim_and_ask(application, gate, i, now) for i in due))
            asked += sum(sent)
    await arm(application)
    return asked


async def _claim_and_ask(
    application: Application, gate: asyncio.Semaphore, checkin_id: int, now: datetime
) -> int:
    services = services_in(application)
    async with gate:
        async with services.db.transaction() as db:
            checkin = await checkins.claim(db, checkin_id, now, CHECKIN_OPEN_FOR)
            runner = await db.get(User, checkin.user_id) if checkin is not None else None
        if checkin is None:
            return 0  # another process or an earlier run asked it: never ask twice
        # No update of the runner's is in flight: their stored language is the one to speak.
        with use(runner.language if runner is not None and runner.language else DEFAULT_LOCALE):
            await _ask(application, checkin)
        return 1


async def _ask(application: Application, checkin: CheckIn) -> None:
    services = services_in(application)
    options = dispatching_in(application).send_options()
    blocked = False
    try:
        message = await with_retries(
            lambda: application.bot.send_message(
                checkin.chat_id,
                str(texts.CHECKIN_FEEL),
                reply_markup=feel_keyboard(checkin.id),
                **options,
            ),
            "sendMessage (check-in)",
        )
    except Forbidden as error:
        logger.warning("User %s blocked the bot (%s); check-in closed", checkin.user_id, error)
        message, blocked = None, True
    except TelegramError as error:
        logger.error("Check-in %s to user %s failed: %s", checkin.id, checkin.user_id, error)
        message = None
    async with services.db.transaction() as db:
        if blocked:
            await broadcasts.set_blocked(db, checkin.user_id, services.clock())
        if message is None:
            await checkins.expire(db, checkin.id)
        else:
            await checkins.mark_asked(db, checkin.id, message.message_id)


async def arm(application: Application) -> None:
    """(Re)schedule the dispatcher for the earliest due check-in, or remove it if none."""
    if not leads(application):
        return
    async with services_in(application).db.transaction() as db:
        wake = await checkins.next_wake(db)
    arm_dispatcher(application, DISPATCH_JOB_ID, dispatch_job, wake)


async def arm_if_sooner(application: Application) -> None:
    """The leader's regular check: wake earlier for check-ins another process planned."""
    lock = application.bot_data.get(LOCK_KEY)
    if lock is not None and lock.locked():
        return
    async with services_in(application).db.transaction() as db:
        wake = await checkins.next_wake(db)
    if wake is not None:
        arm_dispatcher_by(application, DISPATCH_JOB_ID, dispatch_job, wake)


def stop_checkin_jobs(application: Application) -> None:
    stop_dispatcher(application, DISPATCH_JOB_ID, SAFETY_NET_JOB_ID)


def arm_by(application: Application, due: datetime) -> None:
    """A check-in was just planned for `due`: wake the dispatcher by then (no query)."""
    arm_dispatcher_by(application, DISPATCH_JOB_ID, dispatch_job, due)


def start_checkin_jobs(application: Application) -> None:
    """At start-up: the safety net, and a dispatch at once to catch up after downtime."""
    start_dispatcher(application, DISPATCH_JOB_ID, SAFETY_NET_JOB_ID, dispatch_job)
