"""The dispatchers a leading process runs: reminders, check-ins and broadcasts, started and
stopped together as leadership comes and goes (bot/telegram/dispatching.py)."""

from __future__ import annotations

from telegram.ext import Application

from bot.telegram import broadcast_jobs, checkin_jobs, reminder_jobs
from bot.telegram.dispatching import Leadership, dispatching_in
from bot.telegram.rate_limit import WINDOW_MARGIN_S, SendRateLimiter
from bot.telegram.services import services_in

TAKEOVER_PAUSE_S = 1.0 + WINDOW_MARGIN_S


async def start_dispatching(application: Application) -> None:
    """At start-up: lead at once if nobody does (always on SQLite), else stand by."""

    async def gain(took_over: bool) -> None:
        limiter = application.bot.rate_limiter
        if took_over and isinstance(limiter, SendRateLimiter):
            # The last leader may have sent a second's worth a moment ago: Telegram counts
            # those against this second too. (At start-up the last one, if any, is long gone.)
            limiter.pause(TAKEOVER_PAUSE_S)
        reminder_jobs.start_reminder_jobs(application)
        checkin_jobs.start_checkin_jobs(application)
        await broadcast_jobs.start_broadcast_jobs(application)

    def loss() -> None:
        reminder_jobs.stop_reminder_jobs(application)
        checkin_jobs.stop_checkin_jobs(application)
        broadcast_jobs.stop_broadcast_jobs(application)

    async def tick() -> None:
        # Work planned by other processes (a /remind, a snooze, a broadcast's Send there).
        await reminder_jobs.arm_if_sooner(application)
        await checkin_jobs.arm_if_sooner(application)
        await broadcast_jobs.arm_if_waiting(application)

    leadership = Leadership(services_in(application).db, gain, loss, tick)
    dispatching_in(application).leadership = leadership
    await leadership.start()


async def stop_dispatching(application: Application) -> None:
    leadership = dispatching_in(application).leadership
    if leadership is not None:
        await leadership.stop()
