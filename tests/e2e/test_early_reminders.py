"""Early sending: a peak larger than the limit can absorb goes out ahead of its instant, as late
as the limit allows, never before the window, never to a runner already warmed up that day."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.coach.clock import ManualClock
from bot.coach.schedule import RunSchedule
from bot.db import reminders, warmups
from bot.db.models import ReminderSchedule, SentReminder
from bot.sandbox.server import BotApiSandbox, SimulatedUser
from bot.telegram.reminder_jobs import dispatch_due
from tests.harness import BotRunner, button_data, message_by_id, say

PEAK_AT = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # the clock fixture starts at 06:30
REMINDER = "Run at"


async def remind_daily(bot: BotRunner, runners: list[SimulatedUser], run_at: time) -> None:
    """Daily runs at `run_at` UTC with a 30-minute lead, as /remind would store them."""
    services = bot.application.bot_data["services"]
    rule = RunSchedule(frozenset(range(7)), run_at, "UTC", 30)
    async with services.db.transaction() as db:
        for runner in runners:
            user = await warmups.ensure_user(db, runner.id, runner.id, "Runner", bot.clock())
            await reminders.save_schedule(db, user, rule, bot.clock())


def reminders_of(runner: SimulatedUser) -> list[str]:
    return [m.text or "" for m in runner.bot_messages() if (m.text or "").startswith(REMINDER)]


async def test_a_peak_goes_out_early_inside_the_window_and_skips_the_warmed_up(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    # 10 messages/s (9 planned): the peak of 40 needs 4.4 s, so it starts that much early.
    bot = BotRunner(sandbox, database_url, clock, telegram_messages_per_second=10)
    await bot.start()
    try:
        peak = [sandbox.user(7000 + n) for n in range(40)]
        later = sandbox.user(7100)
        warmed = peak[0]
        # Today's warm-up, done before the window opens (skipping all six completes it).
        card = await say(sandbox, warmed, "/warmup")
        for _ in range(6):
            shown = message_by_id(warmed, card.message_id)
            await warmed.tap(card.message_id, button_data(shown, "Skip"))
        await remind_daily(bot, peak, time(7, 30))  # reminders at 07:00
        await remind_daily(bot, [later], time(7, 41))  # at 07:11: outside the window below

        clock.set(PEAK_AT - timedelta(seconds=60))
        assert await dispatch_due(bot.application) == 0  # as late as the limit allows
        clock.set(PEAK_AT - timedelta(seconds=4))
        assert await dispatch_due(bot.application) == len(peak) - 1

        services = bot.application.bot_data["services"]
        async with services.db.transaction() as db:
            sent = list((await db.execute(select(SentReminder))).scalars())
            later_schedule = await db.get(ReminderSchedule, later.id)
    finally:
        await bot.stop()
    assert all(
        reminders_of(runner) == ["Run at 07:30: time to warm up (about 10 min)"]
        for runner in peak[1:]
    )
    # Sent ahead of its 07:00 instant, by the bot's clock.
    assert all(row.created_at == PEAK_AT - timedelta(seconds=4) for row in sent)
    assert reminders_of(warmed) == []
    assert {row.user_id: row.status for row in sent}[warmed.id] == "skipped"
    assert sorted(row.user_id for row in sent) == [r.id for r in peak]
    # Never before the window: 07:11 is more than 10 minutes after 06:59:56.
    assert reminders_of(later) == []
    assert later_schedule is not None
    assert later_schedule.next_remind_at == datetime(2026, 11, 25, 7, 11, tzinfo=UTC)


async def test_with_the_window_at_zero_nothing_goes_before_its_instant(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    bot = BotRunner(
        sandbox, database_url, clock, telegram_messages_per_second=10, reminder_early_minutes=0
    )
    await bot.start()
    try:
        peak = [sandbox.user(7200 + n) for n in range(40)]
        await remind_daily(bot, peak, time(7, 30))
        clock.set(PEAK_AT - timedelta(seconds=1))
        assert await dispatch_due(bot.application) == 0
        clock.set(PEAK_AT)
        assert await dispatch_due(bot.application) == len(peak)
    finally:
        await bot.stop()
    assert all(len(reminders_of(runner)) == 1 for runner in peak)


@pytest.mark.parametrize(("rate", "paid"), [(30, False), (100, True)])
async def test_reminders_pass_allow_paid_broadcast_only_above_the_free_rate(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock, rate: int, paid: bool
) -> None:
    """An operator who pays for more than Telegram's free 30 messages a second sets the rate;
    the reminders then ask for it with allow_paid_broadcast (replies never do)."""
    bot = BotRunner(sandbox, database_url, clock, telegram_messages_per_second=rate)
    await bot.start()
    try:
        runner = sandbox.user(17100 + rate)
        await say(sandbox, runner, "/remind daily 08:00 UTC 30")
        clock.set(datetime(2026, 11, 25, 7, 30, tzinfo=UTC))
        assert await dispatch_due(bot.application) == 1
        await sandbox.wait_for(lambda: len(reminders_of(runner)) == 1)
    finally:
        await bot.stop()
    [reminder] = [c for c in sandbox.calls_to("sendMessage") if "Run at" in c.params["text"]]
    assert ("allow_paid_broadcast" in reminder.params) is paid
    replies = [c for c in sandbox.calls_to("sendMessage") if c is not reminder]
    assert replies and not any("allow_paid_broadcast" in c.params for c in replies)
