"""Sending broadcasts from their queue, in the leader, behind reminders and check-ins.

The dispatcher takes the pending recipients of each broadcast being sent and sends them through
the rate limiter's bulk lane: a message waits while any reminder or check-in is waiting, and
its recipient is claimed (pending -> sending) only once its slot has come, right before the
request. So a crash or a SIGKILL leaves at most the messages on the wire `sending`; the next
leader marks those `unconfirmed` (never sent again) and carries on with the pending ones. A
runner who blocked the bot (403) is marked, and skipped by the next broadcast. Every few
seconds the counts are edited into the admin's message, and a final count when done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable

from telegram import MessageEntity
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes

from bot.db import broadcasts, warmups
from bot.db.models import Broadcast
from bot.i18n import DEFAULT_LOCALE, use
from bot.metrics import BROADCAST_MESSAGES, DISPATCHER_LAG
from bot.telegram import texts
from bot.telegram.delivery import edit_in_place, with_retries
from bot.telegram.dispatching import dispatching_in, leads
from bot.telegram.rate_limit import SendWithdrawn, bulk_lane
from bot.telegram.services import services_in
from bot.telegram.wakeups import arm_dispatcher, start_dispatcher, stop_dispatcher

logger = logging.getLogger(__name__)

DISPATCH_JOB_ID = "broadcasts-dispatch"
SAFETY_NET_JOB_ID = "broadcasts-safety-net"
BATCH_SIZE = 200
# Seconds between progress edits of the admin's message.
PROGRESS_EVERY = 3.0
# Sends in flight: one keeps up with 30/s (a send and its two statements take a few ms of the
# 33 ms between slots); a paid rate needs more.
SENDS_PER_WORKER = 25
LOCK_KEY = "broadcast_dispatch_lock"


def entities_of(stored: list[dict[str, object]] | None) -> list[MessageEntity] | None:
    """The admin's formatting, as stored with the broadcast."""
    return [MessageEntity.de_json(entity, None) for entity in stored] if stored else None


def progress_text(counts: dict[str, int], total: int) -> str:
    sent, blocked = counts.get(broadcasts.SENT, 0), counts.get(broadcasts.BLOCKED, 0)
    failed, unconfirmed = counts.get(broadcasts.FAILED, 0), counts.get(broadcasts.UNCONFIRMED, 0)
    return texts.BROADCAST_PROGRESS.format(
        done=sent + blocked + failed + unconfirmed,
        total=total,
        sent=sent,
        blocked=blocked,
        failed=failed,
    )


def final_text(counts: dict[str, int]) -> str:
    sent, blocked = counts.get(broadcasts.SENT, 0), counts.get(broadcasts.BLOCKED, 0)
    failed, unconfirmed = counts.get(broadcasts.FAILED, 0), counts.get(broadcasts.UNCONFIRMED, 0)
    text = texts.BROADCAST_DONE.format(
        sum(counts.values()), sent=sent, blocked=blocked, failed=failed
    )
    if unconfirmed:
        text += "\n" + texts.BROADCAST_UNCONFIRMED.format(unconfirmed)
    return text


async def dispatch_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduler entry point: send every broadcast being sent, to the end."""
    if leads(context.application):
        await dispatch_broadcasts(context.application)


async def dispatch_broadcasts(application: Application) -> int:
    """Send what every broadcast being sent still has pending; returns how many were sent."""
    services = services_in(application)
    lock: asyncio.Lock = application.bot_data.setdefault(LOCK_KEY, asyncio.Lock())
    handed_over = 0
    async with lock:
        async with services.db.transaction() as db:
            active = await broadcasts.sending(db)
        for broadcast in active:
            handed_over += await _send(application, broadcast)
        DISPATCHER_LAG.labels("broadcasts").set(0)
    return handed_over


async def _send(application: Application, broadcast: Broadcast) -> int:
    services = services_in(application)
    async with services.db.transaction() as db:
        stored = await warmups.runner_language(db, broadcast.admin_user_id)
        language = stored[0] if stored is not None else None
        start_counts = await broadcasts.counts(db, broadcast.id)
    total = sum(start_counts.values())
    workers = max(1, math.ceil(dispatching_in(application).messages_per_second / SENDS_PER_WORKER))
    gate = asyncio.Semaphore(workers)
    progress = asyncio.create_task(
        _keep_showing_progress(application, broadcast, total, start_counts, language)
    )
    sent = 0
    try:
        while True:
            async with services.db.transaction() as db:
                batch = await broadcasts.pending_recipients(db, broadcast.id, BATCH_SIZE)
            if not batch:
                break
            if broadcast.started_at is not None:
                lag = (services.clock() - broadcast.started_at).total_seconds()
                DISPATCHER_LAG.labels("broadcasts").set(max(0.0, lag))
            results = await asyncio.gather(
                *(_send_one(application, gate, broadcast, user, chat) for user, chat in batch)
            )
            sent += sum(results)
    finally:
        progress.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await progress
    async with services.db.transaction() as db:
        finished = await broadcasts.finish(db, broadcast.id, services.clock())
        counts = await broadcasts.counts(db, broadcast.id)
    if finished:
        logger.info("Broadcast %s finished: %s", broadcast.id, counts)
        await _show(application, broadcast, final_text, counts, language)
    return sent


async def _send_one(
    application: Application,
    gate: asyncio.Semaphore,
    broadcast: Broadcast,
    user_id: int,
    chat_id: int,
) -> int:
    services = services_in(application)
    options = dispatching_in(application).send_options()

    async def claim() -> bool:
        async with services.db.transaction() as db:
            return await broadcasts.claim_recipient(db, broadcast.id, user_id)

    async with gate:
        status = broadcasts.SENT
        try:
            with bulk_lane(claim):
                await with_retries(
                    lambda: application.bot.send_message(
                        chat_id,
                        broadcast.text or "",
                        entities=entities_of(broadcast.entities),
                        **options,
                    ),
                    "sendMessage (broadcast)",
                )
        except SendWithdrawn:
            return 0  # taken by another run: never sent twice
        except Forbidden:
            status = broadcasts.BLOCKED
        except TelegramError as error:
            status = broadcasts.FAILED
            logger.error("Broadcast %s to user %s failed: %s", broadcast.id, user_id, error)
        BROADCAST_MESSAGES.labels(status).inc()
        async with services.db.transaction() as db:
            await broadcasts.record(db, broadcast.id, user_id, status)
            if status == broadcasts.BLOCKED:
                await broadcasts.set_blocked(db, user_id, services.clock())
        return 1 if status == broadcasts.SENT else 0


async def _keep_showing_progress(
    application: Application,
    broadcast: Broadcast,
    total: int,
    counts: dict[str, int],
    language: str | None,
) -> None:
    """Every PROGRESS_EVERY seconds, the counts in the admin's message, when they moved."""
    services = services_in(application)
    shown = _done(counts)
    next_at = time.monotonic() + PROGRESS_EVERY
    while True:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        next_at = time.monotonic() + PROGRESS_EVERY
        async with services.db.transaction() as db:
            now_counts = await broadcasts.counts(db, broadcast.id)
        # Only once the count moved on: the message then differs from anything shown before
        # (a resumed broadcast's message shows an older count), never an edit to the same.
        if _done(now_counts) > shown:
            shown = _done(now_counts)
            await _show(
                application,
                broadcast,
                lambda c: progress_text(c, total),
                now_counts,
                language,
            )


def _done(counts: dict[str, int]) -> int:
    return sum(n for status, n in counts.items() if status != broadcasts.PENDING)


async def _show(
    application: Application,
    broadcast: Broadcast,
    render: Callable[[dict[str, int]], str],
    counts: dict[str, int],
    language: str | None,
) -> None:
    if broadcast.message_id is None:
        return
    with use(language or DEFAULT_LOCALE):
        text = render(counts)
    try:
        await edit_in_place(
            application.bot, broadcast.admin_chat_id, broadcast.message_id, text, None
        )
    except TelegramError as error:  # the admin deleted the message: the counts are logged
        logger.warning("Could not show broadcast %s progress: %s", broadcast.id, error)


def wake(application: Application) -> None:
    """A broadcast was just started: the leader's dispatcher runs now (elsewhere the leader's
    next check finds it)."""
    arm_dispatcher(application, DISPATCH_JOB_ID, dispatch_job, services_in(application).clock())


async def arm_if_waiting(application: Application) -> None:
    """The leader's regular check: a broadcast started in another process, or left by one."""
    lock = application.bot_data.get(LOCK_KEY)
    if lock is not None and lock.locked():
        return
    async with services_in(application).db.transaction() as db:
        waiting = await broadcasts.sending(db)
    if waiting:
        wake(application)


async def start_broadcast_jobs(application: Application) -> None:
    """On taking the lead: what a stopped leader left on the wire is unconfirmed (never sent
    again), then the dispatcher resumes what is pending."""
    async with services_in(application).db.transaction() as db:
        unconfirmed = await broadcasts.close_unconfirmed(db)
    if unconfirmed:
        BROADCAST_MESSAGES.labels(broadcasts.UNCONFIRMED).inc(unconfirmed)
        logger.warning(
            "%d broadcast messages were being sent when a bot process stopped; they may have "
            "arrived and are not sent again (marked unconfirmed)",
            unconfirmed,
        )
    start_dispatcher(application, DISPATCH_JOB_ID, SAFETY_NET_JOB_ID, dispatch_job)


def stop_broadcast_jobs(application: Application) -> None:
    stop_dispatcher(application, DISPATCH_JOB_ID, SAFETY_NET_JOB_ID)
