"""The sandbox's demonstration reminder: the real reminder's message, for the next run, sent now
without claiming or moving anything, so the real reminder still goes out at its time."""

from __future__ import annotations

from datetime import date

from bot.db.models import ReminderSchedule, SentReminder
from bot.sandbox.server import BotApiSandbox
from bot.telegram import texts
from bot.telegram.demo_reminder import send_demo_reminder
from bot.telegram.reminder_jobs import dispatch_due
from tests.e2e.test_reminders import BERLIN_MWF, FRI_REMIND_AT, rows
from tests.harness import BotRunner, message_by_id, say

FRIDAY = date(2026, 11, 27)  # the next run after the clock's Wednesday 07:30 in Berlin


def schedule_state(schedule: ReminderSchedule) -> tuple:
    return (schedule.next_run_date, schedule.next_run_at, schedule.next_remind_at)


async def test_a_demo_reminder_is_the_real_message_and_moves_nothing(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3101)
    await say(sandbox, runner, BERLIN_MWF)
    [before] = await rows(bot, ReminderSchedule)
    for pressed in (1, 2):  # pressed twice, it stands for the same run both times
        assert await send_demo_reminder(bot.application, runner.id) == FRIDAY
        assert len(runner.bot_messages()) == 1 + pressed
    demo = runner.last_bot_message()
    assert demo.text == texts.REMINDER.format(time="07:00", minutes=10)
    labels = [label for row in demo.buttons for label, _ in row]
    assert labels == [
        texts.FULL_BUTTON.format(minutes=10),
        texts.QUICK_BUTTON.format(minutes=5),
        texts.SNOOZE_BUTTON,
        texts.NOT_TODAY_BUTTON,
    ]
    [after] = await rows(bot, ReminderSchedule)
    assert schedule_state(after) == schedule_state(before)
    assert await rows(bot, SentReminder) == [], "nothing claimed"
    # Friday's real reminder still goes out at its time, with the same message.
    bot.clock.set(FRI_REMIND_AT)
    assert await dispatch_due(bot.application) == 1
    real = runner.last_bot_message()
    assert real.message_id != demo.message_id
    assert (real.text, [[label for label, _ in row] for row in real.buttons]) == (
        demo.text,
        [[label for label, _ in row] for row in demo.buttons],
    )


async def test_a_demo_reminder_starts_the_warmup_and_its_other_buttons_change_nothing(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3102)
    await say(sandbox, runner, BERLIN_MWF)
    await send_demo_reminder(bot.application, runner.id)
    demo = runner.last_bot_message()
    for label in (texts.SNOOZE_BUTTON, texts.NOT_TODAY_BUTTON):
        answer = await runner.tap_button(label, demo.message_id)
        assert answer.text == texts.ANSWER_DEMO_REMINDER, "says it was a demonstration"
    assert message_by_id(runner, demo.message_id).text == demo.text
    await runner.tap_button(texts.FULL_BUTTON.format(minutes=10), demo.message_id)
    assert "Exercise 1 of 6" in (message_by_id(runner, demo.message_id).text or "")
    assert await rows(bot, SentReminder) == []


async def test_no_demo_reminder_without_a_reminder_coming(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3103)
    assert await send_demo_reminder(bot.application, runner.id) is None, "unknown to the bot"
    await say(sandbox, runner, "/start")
    assert await send_demo_reminder(bot.application, runner.id) is None, "no reminders set"
    await say(sandbox, runner, BERLIN_MWF)
    await say(sandbox, runner, "/remind off")
    sent = len(runner.bot_messages())
    assert await send_demo_reminder(bot.application, runner.id) is None, "reminders off"
    assert len(runner.bot_messages()) == sent
