"""Sending pre-run reminders: one scheduler job wakes at the next due instant and sends all due.

Why one job and not one APScheduler job per runner: bench/reminders.py measured 100,000 cron
jobs at 22.6 s and 509 MB to register, against 0.10 s and 85 MB here. Every schedule keeps its
next reminder instant in UTC in an indexed column, start-up is one MIN() query, and memory does
not grow with the number of runners. Arming and the safety net are bot.telegram.wakeups.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.coach.routine import Routine
from bot.coach.send_plan import decide
from bot.coach.timezones import get_zone
from bot.db import broadcasts, reminders
from bot.db.models import ReminderSchedule, SentReminder, User
from bot.i18n import DEFAULT_LOCALE, use
from bot.metrics import (
    DISPATCHER_LAG,
    REMINDER_EARLY_SECONDS,
    REMINDER_LATE_SECONDS,
    REMINDERS,
    count_when_committed,
)
from bot.telegram import dates, texts
from bot.telegram.callbacks import ReminderChoice
from bot.telegram.cards import start_rows
from bot.telegram.delivery import with_retries
from bot.telegram.dispatching import dispatching_in, leads
from bot.telegram.services import Services, services_in
from bot.telegram.wakeups import (
    arm_dispatcher,
    arm_dispatcher_by,
    start_dispatcher,
    stop_dispatcher,
)

logger = logging.getLogger(__name__)

DISPATCH_JOB_ID = "reminders-dispatch"
LOCK_KEY = "reminder_dispatch_lock"  # one dispatch at a time in this process
SAFETY_NET_JOB_ID = "reminders-safety-net"
BATCH_SIZE = 500
# Reminders taken per pass while the send plan says to send: about this many seconds' worth at
# the limit, so the plan is weighed again every few seconds through a peak.
CHUNK_SECONDS = 2.0
SNOOZE = timedelta(minutes=10)
# Reminders claimed but not yet sent, at most: enough to keep a 30/s limiter busy while one
# waits for the database, few enough that a crash mid-burst loses only these (never sends twice).
IN_FLIGHT = 8
# A reminder is worth waiting out any number of 429s for: Telegram says how long to wait, and a
# dropped reminder is the failure runners notice most.
REMINDER_RETRIES_ON_429 = 50
# The id a demonstration reminder's buttons carry (bot/telegram/demo_reminder.py): no stored
# reminder has it, so Snooze and Not today on one change nothing and say so.
DEMO_REMINDER_ID = 0


@dataclass(frozen=True)
class Outgoing:
    reminder_id: int
    user_id: int
    chat_id: int
    run_time: time
    language: str | None  # the runner's locale; None: English
    snoozed: bool = False
    quick: bool = False  # the runner made the quick version the reminder's first choice
    due_at: datetime | None = None  # the reminder's instant (a snooze: None)


def reminder_message(
    routine: Routine, run_time: time, reminder_id: int, *, quick: bool, snoozed: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """A reminder's text and buttons, in the language in force: the runner's default version
    (full or quick) first, the other below it, then Snooze and Not today."""
    template = texts.REMINDER_AGAIN if snoozed else texts.REMINDER
    minutes = routine.quick_minutes if quick else routine.minutes
    text = template.format(time=dates.clock(run_time), minutes=minutes)
    return text, reminder_keyboard(routine, reminder_id, quick)


def reminder_keyboard(routine: Routine, reminder_id: int, quick: bool) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            *start_rows(routine, quick_first=quick),
            [
                InlineKeyboardButton(
                    str(texts.SNOOZE_BUTTON),
                    callback_data=ReminderChoice(reminder_id, "z").encode(),
                ),
                InlineKeyboardButton(
                    str(texts.NOT_TODAY_BUTTON),
                    callback_data=ReminderChoice(reminder_id, "x").encode(),
                ),
            ],
        ]
    )


async def dispatch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduler entry point: send what is due, then re-arm for the next due instant."""
    if leads(context.application):
        await dispatch_due(context.application)


async def dispatch_due(application: Application) -> int:
    """Send every snooze due now and every reminder the send plan says to send now (up to the
    early window before its instant: bot/coach/send_plan.py); returns how many were handed to
    Telegram. Re-arms itself for when the plan says to send next."""
    services = services_in(application)
    dispatching = dispatching_in(application)
    lock: asyncio.Lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    handed_over = 0
    chunk = max(1, min(BATCH_SIZE, math.ceil(dispatching.messages_per_second * CHUNK_SECONDS)))
    async with lock:
        await _close_lost(services, services.clock())
        seen: set[tuple[str, int]] = set()
        while True:
            now = services.clock()
            horizon = now + dispatching.early
            async with services.db.transaction() as db:
                loads = await reminders.due_loads(db, horizon)
                plan = decide(loads, now, dispatching.messages_per_second)
                # What is due already needs no plan: all of it (up to a batch) at once, so the
                # limiter never idles between passes through a burst.
                overdue = sum(count for instant, count in loads if instant <= now)
                take = min(BATCH_SIZE, max(chunk, overdue))
                due = await reminders.due_schedules(db, horizon, take) if plan.send_now else []
                snoozes = [row.id for row in await reminders.due_snoozes(db, now, BATCH_SIZE)]
            oldest = loads[0][0] if loads else now
            DISPATCHER_LAG.labels("reminders").set(max(0.0, (now - oldest).total_seconds()))
            fresh = [d for d in due if ("s", d.user_id) not in seen]
            fresh_snoozes = [i for i in snoozes if ("z", i) not in seen]
            if not fresh and not fresh_snoozes:
                break
            seen.update(("s", d.user_id) for d in fresh)
            seen.update(("z", i) for i in fresh_snoozes)
            # A few workers claim and send one reminder at a time. Claiming the whole batch
            # first would idle the rate limiter at the start of a burst, and a crash would lose
            # every claimed-but-unsent reminder; this way a crash loses at most IN_FLIGHT.
            gate = asyncio.Semaphore(IN_FLIGHT)
            claims = [_claim_scheduled(services, item, now, dispatching.early) for item in fresh]
            claims += [_claim_snooze(services, reminder_id) for reminder_id in fresh_snoozes]
            sent = await asyncio.gather(*(_claim_and_send(application, gate, c) for c in claims))
            handed_over += sum(sent)
        # Wake for the plan's next send inside the window, the window's next arrival (which
        # may bring a peak that must start sooner), or the next snooze, whichever is first.
        async with services.db.transaction() as db:
            arriving = await reminders.next_after(db, horizon)
            snoozed = await reminders.next_snooze(db)
        opens = arriving - dispatching.early if arriving is not None else None
        wake = min((t for t in (plan.wake_at, opens, snoozed) if t is not None), default=None)
    arm_dispatcher(application, DISPATCH_JOB_ID, dispatch_job, wake)
    return handed_over


async def _close_lost(services: Services, now: datetime) -> None:
    """Say once, in the log, which reminders a stopped process may not have sent (see
    `reminders.close_lost`): the one thing at-most-once sending can lose, made visible."""
    async with services.db.transaction() as db:
        lost = await reminders.close_lost(db, now)
    REMINDERS.labels("lost").inc(len(lost))
    for user_id, run_date in lost:
        logger.warning(
            "Reminder for user %s (run on %s) was being sent when a bot process stopped; "
            "it may not have arrived and is not sent again (marked lost)",
            user_id,
            run_date,
        )


async def _claim_and_send(
    application: Application, gate: asyncio.Semaphore, claim: Awaitable[Outgoing | None]
) -> int:
    async with gate:
        outgoing = await claim
        if outgoing is None:
            return 0
        await deliver(application, outgoing)
        return 1


async def _claim_scheduled(
    services: Services,
    due: reminders.DueSchedule,
    now: datetime,
    early: timedelta = timedelta(0),
) -> Outgoing | None:
    """Record the due reminder (exactly once) and move the schedule on to the next one."""
    async with services.db.transaction() as db:
        row = await db.get(ReminderSchedule, due.user_id, with_for_update=True)
        if row is None or not row.enabled or row.next_remind_at is None:
            return None
        if row.next_run_at is None or row.next_run_date is None:
            return None
        if row.next_remind_at > now + early:
            return None  # another process got here first and moved it on
        rule = reminders.to_rule(row, due.timezone)
        run_date, run_at, remind_at = row.next_run_date, row.next_run_at, row.next_remind_at
        if now >= run_at:
            # Down or asleep past the run: a reminder now would be useless. Skip to the next.
            if await reminders.claim(db, due.user_id, run_date, run_at, "missed", now):
                count_when_committed(db, REMINDERS.labels("missed"))
            reminders.plan(row, rule, now)
            logger.info("Reminder for user %s on %s dropped: run passed", due.user_id, run_date)
            return None
        reminders.plan(row, rule, remind_at)
        zone = get_zone(due.timezone)
        # "Today's warm-up" is one done on the run's local date, whatever time the reminder is.
        day_start = datetime.combine(run_date, time(0), tzinfo=zone).astimezone(UTC)
        day_end = datetime.combine(run_date + timedelta(days=1), time(0), tzinfo=zone)
        done = await reminders.warmed_up_between(db, due.user_id, day_start, day_end)
        status = "skipped" if done else "sending"
        claimed = await reminders.claim(db, due.user_id, run_date, run_at, status, now)
        if claimed is None or done:
            if claimed is not None:
                count_when_committed(db, REMINDERS.labels("skipped"))
            return None
        return Outgoing(
            claimed.id,
            due.user_id,
            due.chat_id,
            rule.run_time,
            due.language,
            quick=row.quick,
            due_at=remind_at,
        )


async def _claim_snooze(services: Services, reminder_id: int) -> Outgoing | None:
    async with services.db.transaction() as db:
        if not await reminders.claim_snooze(db, reminder_id):
            return None
        sent = await db.get(SentReminder, reminder_id)
        if sent is None:
            return None
        user = await db.get(User, sent.user_id)
        if user is None:
            return None
        local_run = sent.run_at.astimezone(get_zone(user.timezone))
        schedule = await db.get(ReminderSchedule, user.id)
        quick = schedule is not None and schedule.quick
        return Outgoing(
            sent.id,
            user.id,
            user.chat_id,
            local_run.time(),
            user.language,
            snoozed=True,
            quick=quick,
        )


async def deliver(application: Application, outgoing: Outgoing) -> None:
    """Send one claimed reminder and record how it went."""
    services = services_in(application)
    # No update of the runner's is in flight: their stored language is the one to speak.
    with use(outgoing.language or DEFAULT_LOCALE):
        text, keyboard = reminder_message(
            services.routine,
            outgoing.run_time,
            outgoing.reminder_id,
            quick=outgoing.quick,
            snoozed=outgoing.snoozed,
        )
    status, message_id = "sent", None
    options = dispatching_in(application).send_options()
    try:
        message = await with_retries(
            lambda: application.bot.send_message(
                outgoing.chat_id,
                text,
                reply_markup=keyboard,
                rate_limit_args=REMINDER_RETRIES_ON_429,
                **options,
            ),
            "sendMessage (reminder)",
        )
        message_id = message.message_id
        _observe_timing(services.clock(), outgoing.due_at)
        logger.info(
            "Reminder sent to user %s for their run at %s",
            outgoing.user_id,
            outgoing.run_time.strftime("%H:%M"),
        )
    except Forbidden as error:
        status = "blocked"
        logger.warning(
            "User %s blocked the bot (%s); their reminders are switched off",
            outgoing.user_id,
            error,
        )
    except TelegramError as error:
        status = "failed"
        logger.error(
            "Reminder %s to user %s failed: %s", outgoing.reminder_id, outgoing.user_id, error
        )
    REMINDERS.labels(status).inc()
    async with services.db.transaction() as db:
        await reminders.set_reminder_status(db, outgoing.reminder_id, status, message_id)
        if status == "blocked":
            await reminders.disable_schedule(db, outgoing.user_id)
            await broadcasts.set_blocked(db, outgoing.user_id, services.clock())


def _observe_timing(sent_at: datetime, due_at: datetime | None) -> None:
    if due_at is None:
        return
    seconds = (sent_at - due_at).total_seconds()
    if seconds < 0:
        REMINDER_EARLY_SECONDS.observe(-seconds)
    else:
        REMINDER_LATE_SECONDS.observe(seconds)


async def arm(application: Application) -> None:
    """(Re)schedule the dispatcher for the earliest instant it may have work (a reminder's
    early window opening, a snooze), or remove it if none. The dispatcher then plans."""
    if not leads(application):
        return
    services = services_in(application)
    async with services.db.transaction() as db:
        wake = await reminders.next_wake(db, dispatching_in(application).early)
    arm_dispatcher(application, DISPATCH_JOB_ID, dispatch_job, wake)


async def arm_if_sooner(application: Application) -> None:
    """The leader's regular check: wake earlier for work another process planned (a /remind or
    a snooze there). Skipped while a dispatch runs: it re-arms itself when done."""
    lock = application.bot_data.get(LOCK_KEY)
    if lock is not None and lock.locked():
        return
    services = services_in(application)
    async with services.db.transaction() as db:
        wake = await reminders.next_wake(db, dispatching_in(application).early)
    if wake is not None:
        arm_dispatcher_by(application, DISPATCH_JOB_ID, dispatch_job, wake)


def stop_reminder_jobs(application: Application) -> None:
    stop_dispatcher(application, DISPATCH_JOB_ID, SAFETY_NET_JOB_ID)


def start_reminder_jobs(application: Application) -> None:
    """At start-up: the safety net, and a dispatch at once to catch up after downtime."""
    start_dispatcher(application, DISPATCH_JOB_ID, SAFETY_NET_JOB_ID, dispatch_job)
