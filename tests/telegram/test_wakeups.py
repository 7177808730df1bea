"""Arming a dispatcher job: moved earlier for earlier work, left alone for later work."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from telegram.ext import ContextTypes

from bot.telegram.wakeups import arm_dispatcher, arm_dispatcher_by
from tests.harness import BotRunner

NAME = "test-dispatch"


async def nothing(_context: ContextTypes.DEFAULT_TYPE) -> None:
    """A dispatcher with nothing to do."""


def wakes(bot: BotRunner) -> list[datetime]:
    return [job.next_t for job in bot.application.job_queue.get_jobs_by_name(NAME) if job.next_t]


def about(expected: datetime, actual: datetime) -> bool:
    # The job's time is real time: the bot's clock gives the delay, added to now.
    return abs((actual - expected).total_seconds()) < 60


async def test_arm_by_moves_the_job_earlier_never_later(bot: BotRunner) -> None:
    application, now = bot.application, bot.clock()
    arm_dispatcher_by(application, NAME, nothing, now + timedelta(minutes=90))
    [first] = wakes(bot)
    assert about(datetime.now(UTC) + timedelta(minutes=90), first)
    arm_dispatcher_by(application, NAME, nothing, now + timedelta(minutes=120))
    assert wakes(bot) == [first], "later work: the job already wakes in time"
    arm_dispatcher_by(application, NAME, nothing, now + timedelta(minutes=30))
    [earlier] = wakes(bot)
    assert about(datetime.now(UTC) + timedelta(minutes=30), earlier)


async def test_arm_with_nothing_due_removes_the_job(bot: BotRunner) -> None:
    arm_dispatcher(bot.application, NAME, nothing, bot.clock() + timedelta(minutes=5))
    assert len(wakes(bot)) == 1
    arm_dispatcher(bot.application, NAME, nothing, None)
    assert wakes(bot) == []
