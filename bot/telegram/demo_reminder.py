"""A demonstration of the runner's next pre-run reminder, sent now (the offline sandbox's button).

It is the real reminder's message (its text and buttons, built as the dispatcher builds them)
for the runner's next run day, but nothing in the database is claimed or moved: the real
reminder still goes out at its time, however often the demonstration is sent.
"""

from __future__ import annotations

import logging
from datetime import date

from telegram.ext import Application

from bot.db import reminders
from bot.db.models import User
from bot.i18n import DEFAULT_LOCALE, use
from bot.telegram.reminder_jobs import DEMO_REMINDER_ID, reminder_message
from bot.telegram.services import services_in

logger = logging.getLogger(__name__)


async def send_demo_reminder(application: Application, user_id: int) -> date | None:
    """Send the reminder of the runner's next run now; returns that run's local date, or None
    (and sends nothing) when they have no reminder coming (none set, or switched off)."""
    services = services_in(application)
    async with services.db.transaction() as db:
        user = await db.get(User, user_id)
        schedule = await reminders.get_schedule(db, user_id) if user is not None else None
    if user is None or schedule is None or not schedule.enabled:
        return None
    if schedule.next_run_date is None:
        return None
    rule = reminders.to_rule(schedule, user.timezone)
    with use(user.language or DEFAULT_LOCALE):
        text, keyboard = reminder_message(
            services.routine, rule.run_time, DEMO_REMINDER_ID, quick=schedule.quick
        )
    await application.bot.send_message(user.chat_id, text, reply_markup=keyboard)
    logger.info(
        "Demonstration reminder sent to user %s for their run on %s",
        user_id,
        schedule.next_run_date,
    )
    return schedule.next_run_date
