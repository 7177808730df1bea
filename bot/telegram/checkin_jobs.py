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
from bot.db import checkins
from bot.db.models import CheckIn
from bot.telegram import texts
from bot.telegram.callbacks import CheckInTap
from bot.telegram.delivery import with_retries
from bot.telegram.services import SERVICES_KEY, Services
from bot.telegram.wakeups import arm_dispatcher, arm_dispatcher_by, start_dispatcher

logger = logging.getLogger(__name__)

DISPATCH_JOB_ID = "checkins-dispatch"
SAFETY_NET_JOB_ID = "checkins-safety-net"
BATCH_SIZE = 500
# The dispatcher's job is never dropped for lateness (see bot.telegram.wakeups): a check-in due a
# little while ago is asked late; one overdue by more than CHECKIN_OPEN_FOR is closed unasked.


def feel_keyboard(checkin_id: int) -> InlineKeyboardMarkup:
    def label(score: int) -> str:
        if score == FEEL_SCORES[0]:
            return texts.CHECKIN_FEEL_LOW
        if score == FEEL_SCORES[-1]:
            return texts.CHECKIN_FEEL_HIGH
        return str(score)

    # One row of five: each answer is a single tap.
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    label(score), callback_data=CheckInTap(checkin_id, "f", str(score)).encode()
                )
                for score in FEEL_SCORES
            ]
        ]
    )


def pain_keyboard(checkin_id: int) -> InlineKeyboardMarkup:
    def button(code: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            texts.CHECKIN_PAIN_LABELS[PAIN_AREAS[code]],
            callback_data=CheckInTap(checkin_id, "p", code).encode(),
        )

    return InlineKeyboardMarkup(
        [[button("n")], [button("k"), button("h"), button("a")], [button("b"), button("o")]]
    )


async def dispatch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduler entry point: ask what is due, close what is overdue, then re-arm."""
    await dispatch_checkins(context.application)


async def dispatch_checkins(application: Application) -> int:
    """Ask every check-in due now; returns how many questions were handed to Telegram."""
    services: Services = application.bot_data[SERVICES_KEY]
    lock: asyncio.Lock = application.bot_data.setdefault("checkin_dispatch_lock", asyncio.Lock())
    asked = 0
    async with lock:
        now = services.clock()
        async with services.sessions.begin() as db:
            closed = await checkins.expire_overdue(db, now, CHECKIN_OPEN_FOR)
        if closed:
            logger.info("Closed %d unanswered check-ins", closed)
        seen: set[int] = set()
        while True:
            async with services.sessions() as db:
                due = [i for i in await checkins.due_checkins(db, now, BATCH_SIZE) if i not in seen]
            if not due:
                break
            seen.update(due)
            claimed = [row for i in due if (row := await _claim(services, i, now)) is not None]
            await asyncio.gather(*(_ask(application, row) for row in claimed))
            asked += len(claimed)
    await arm(application)
    return asked


async def _claim(services: Services, checkin_id: int, now: datetime) -> CheckIn | None:
    async with services.sessions.begin() as db:
        if not await checkins.claim(db, checkin_id, now, CHECKIN_OPEN_FOR):
            return None  # another process or an earlier run asked it: never ask twice
        return await db.get(CheckIn, checkin_id)


async def _ask(application: Application, checkin: CheckIn) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    try:
        message = await with_retries(
            lambda: application.bot.send_message(
                checkin.chat_id, texts.CHECKIN_FEEL, reply_markup=feel_keyboard(checkin.id)
            ),
            "sendMessage (check-in)",
        )
    except Forbidden as error:
        logger.warning("User %s blocked the bot (%s); check-in closed", checkin.user_id, error)
        message = None
    except TelegramError as error:
        logger.error("Check-in %s to user %s failed: %s", checkin.id, checkin.user_id, error)
        message = None
    async with services.sessions.begin() as db:
        if message is None:
            await checkins.expire(db, checkin.id)
        else:
            await checkins.set_message(db, checkin.id, message.message_id)


async def arm(application: Application) -> None:
    """(Re)schedule the dispatcher for the earliest due check-in, or remove it if none."""
    services: Services = application.bot_data[SERVICES_KEY]
    async with services.sessions() as db:
        wake = await checkins.next_wake(db)
    arm_dispatcher(application, DISPATCH_JOB_ID, dispatch_job, wake)


def arm_by(application: Application, due: datetime) -> None:
    """A check-in was just planned for `due`: wake the dispatcher by then (no query)."""
    arm_dispatcher_by(application, DISPATCH_JOB_ID, dispatch_job, due)


def start_checkin_jobs(application: Application) -> None:
    """At start-up: the safety net, and a dispatch at once to catch up after downtime."""
    start_dispatcher(application, DISPATCH_JOB_ID, SAFETY_NET_JOB_ID, dispatch_job)
