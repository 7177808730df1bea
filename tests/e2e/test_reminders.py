"""Pre-run reminders end to end: setup, exactly-once sending, snooze, downtime, blocked users."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.coach.clock import RunningClock
from bot.db import warmups
from bot.db.models import ReminderSchedule, SentReminder
from bot.sandbox.server import BotApiSandbox
from bot.telegram import texts
from bot.telegram.reminder_jobs import dispatch_due
from tests.harness import BotRunner, button_data, message_by_id, say

# The clock fixture starts Wed 2026-11-25 06:30 UTC, 07:30 in Berlin.
BERLIN_MWF = "/remind mon,wed,fri 07:00 Europe/Berlin 30"
FRI_REMIND_AT = datetime(2026, 11, 27, 5, 30, tzinfo=UTC)  # 06:30 Berlin
FRI_RUN_AT = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


async def rows(bot: BotRunner, model: type) -> list:
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        return list((await db.execute(select(model))).scalars())


async def test_one_line_setup_answers_with_the_summary(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3001)
    reply = await say(sandbox, runner, BERLIN_MWF)
    assert reply.text == (
        "Runs Mon, Wed, Fri at 07:00 (Europe/Berlin). Reminder at 06:30. Next: Fri, 27 Nov, 06:30"
    )
    [schedule] = await rows(bot, ReminderSchedule)
    assert schedule.next_remind_at == FRI_REMIND_AT
    shown = await say(sandbox, runner, "/reminders")
    assert shown.text == reply.text
    off = await say(sandbox, runner, "/remind off")
    assert off.text == texts.REMINDERS_OFF
    assert (await say(sandbox, runner, "/reminders")).text.endswith(
        "Reminders are off: /remind on to resume."
    )
    on = await say(sandbox, runner, "/remind on")
    assert on.text == str(texts.REMINDERS_ON) + reply.text
    # Days as ranges and groups; the time zone is remembered when left out.
    weekdays = await say(sandbox, runner, "/remind mon-fri 06:15 45")
    assert weekdays.text.startswith("Runs Mon–Fri at 06:15 (Europe/Berlin). Reminder at 05:30.")


async def test_malformed_input_gets_one_line_and_changes_nothing(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3002)
    await say(sandbox, runner, BERLIN_MWF)
    before = await rows(bot, ReminderSchedule)
    for command, expected in [
        ("/remind banana", "banana"),
        ("/remind mon 25:99", "25:99"),
        ("/remind mon 07:00 Mars/Olympus", "Mars/Olympus"),
        ("/remind mon 07:00 UTC -5", "-5"),
        ("/remind daily 07:00 UTC 181", "181"),
    ]:
        reply = await say(sandbox, runner, command)
        assert "\n" not in reply.text and expected in reply.text, (command, reply.text)
    after = await rows(bot, ReminderSchedule)
    assert [(r.run_days, r.run_time, r.lead_minutes) for r in after] == [
        (r.run_days, r.run_time, r.lead_minutes) for r in before
    ]


async def test_due_reminder_is_sent_once_with_its_buttons(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3003)
    await say(sandbox, runner, BERLIN_MWF)
    bot.clock.set(FRI_REMIND_AT)
    assert await dispatch_due(bot.application) == 1
    reminder = runner.last_bot_message()
    assert reminder.text == "Run at 07:00: time to warm up (about 10 min)"
    labels = [label for row in reminder.buttons for label, _ in row]
    assert labels == [
        "Full · about 10 min",
        "Quick · about 5 min",
        "⏰ Snooze 10 min",
        "🛌 Not today",
    ]
    # Again, and after a restart: the (user, run date) row stops a second send.
    assert await dispatch_due(bot.application) == 0
    await bot.restart()
    assert await dispatch_due(bot.application) == 0
    assert [m.text for m in runner.bot_messages()].count(reminder.text) == 1
    [schedule] = await rows(bot, ReminderSchedule)
    assert schedule.next_remind_at == datetime(2026, 11, 30, 5, 30, tzinfo=UTC)  # Mon 06:30 CET


async def test_start_warmup_from_the_reminder_edits_it_in_place(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3004)
    await say(sandbox, runner, BERLIN_MWF)
    bot.clock.set(FRI_REMIND_AT)
    await dispatch_due(bot.application)
    reminder = runner.last_bot_message()
    await runner.tap(reminder.message_id, button_data(reminder, "Full ·"))
    card = message_by_id(runner, reminder.message_id)
    assert "Exercise 1 of 6" in card.text and "Set 1 of 2 · 10 per leg" in card.text


async def test_no_reminder_when_todays_warmup_is_done(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3005)
    await say(sandbox, runner, "/remind daily 18:00 UTC 30")
    card = await say(sandbox, runner, "/warmup")
    for _ in range(6):
        shown = message_by_id(runner, card.message_id)
        await runner.tap(card.message_id, button_data(shown, "Skip"))
    bot.clock.set(datetime(2026, 11, 25, 17, 30, tzinfo=UTC))
    assert await dispatch_due(bot.application) == 0
    [sent] = await rows(bot, SentReminder)
    assert sent.status == "skipped"


async def test_after_downtime_late_is_sent_and_passed_is_dropped(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    late, missed = sandbox.user(3006), sandbox.user(3007)
    await say(sandbox, late, "/remind daily 08:00 UTC 60")
    await say(sandbox, missed, "/remind daily 07:10 UTC 30")
    # Down from 06:30 until 07:20: late's reminder (07:00) is still before its run (08:00);
    # missed's run (07:10) has started, so its reminder would be useless.
    bot.clock.set(datetime(2026, 11, 25, 7, 20, tzinfo=UTC))
    assert await dispatch_due(bot.application) == 1
    assert late.last_bot_message().text == "Run at 08:00: time to warm up (about 10 min)"
    assert all("Run at 07:10" not in (m.text or "") for m in missed.bot_messages())
    statuses = sorted(r.status for r in await rows(bot, SentReminder))
    assert statuses == ["missed", "sent"]


async def test_snooze_sends_again_and_not_today_closes(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3008)
    await say(sandbox, runner, BERLIN_MWF)
    bot.clock.set(FRI_REMIND_AT)
    await dispatch_due(bot.application)
    reminder = runner.last_bot_message()
    answer = await runner.tap(reminder.message_id, button_data(reminder, "Snooze"))
    assert answer.text == texts.ANSWER_SNOOZED
    assert message_by_id(runner, reminder.message_id).text == texts.SNOOZED.format(time="06:40")
    assert await dispatch_due(bot.application) == 0, "not before the snooze ends"
    bot.clock.advance(minutes=10)
    assert await dispatch_due(bot.application) == 1
    again = runner.last_bot_message()
    assert again.message_id != reminder.message_id
    assert again.text == "⏰ Snooze over. Run at 07:00: time to warm up (about 10 min)"
    assert await dispatch_due(bot.application) == 0
    await runner.tap(again.message_id, button_data(again, "Not today"))
    assert message_by_id(runner, again.message_id).text == texts.NOT_TODAY
    stale = await runner.tap(again.message_id, button_data(again, "Snooze"))
    assert stale.text == texts.ANSWER_REMINDER_HANDLED
    [sent] = await rows(bot, SentReminder)
    assert sent.status == "dismissed"


async def test_blocked_user_is_switched_off_others_still_reminded(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    blocker, keen = sandbox.user(3009), sandbox.user(3010)
    await say(sandbox, blocker, BERLIN_MWF)
    await say(sandbox, keen, BERLIN_MWF)
    blocker.block()
    bot.clock.set(FRI_REMIND_AT)
    await dispatch_due(bot.application)
    assert keen.last_bot_message().text.startswith("Run at 07:00")
    schedules = {r.user_id: r for r in await rows(bot, ReminderSchedule)}
    assert not schedules[3009].enabled and schedules[3009].next_remind_at is None
    assert schedules[3010].enabled
    statuses = {r.user_id: r.status for r in await rows(bot, SentReminder)}
    assert statuses == {3009: "blocked", 3010: "sent"}


async def test_429_storm_during_fan_out_is_waited_out(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runners = [sandbox.user(3100 + n) for n in range(5)]
    for runner in runners:
        await say(sandbox, runner, BERLIN_MWF)
    sandbox.fail_next(3, status=429, retry_after=1, methods={"sendMessage"})
    bot.clock.set(FRI_REMIND_AT)
    assert await dispatch_due(bot.application) == 5
    for runner in runners:
        assert [m.text for m in runner.bot_messages()].count(
            "Run at 07:00: time to warm up (about 10 min)"
        ) == 1
    assert sorted(r.status for r in await rows(bot, SentReminder)) == ["sent"] * 5


async def test_daylight_saving_keeps_local_time(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(3011)
    bot.clock.set(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    await say(sandbox, runner, "/remind daily 07:00 Europe/Berlin 30")
    bot.clock.set(datetime(2026, 3, 28, 5, 30, tzinfo=UTC))  # Sat 06:30 CET
    assert await dispatch_due(bot.application) == 1
    [schedule] = await rows(bot, ReminderSchedule)
    # Sunday the clocks go forward: 06:30 CEST is 04:30 UTC.
    assert schedule.next_remind_at == datetime(2026, 3, 29, 4, 30, tzinfo=UTC)


async def test_guided_setup_in_one_message(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(3012)
    setup = await say(sandbox, runner, "/remind")
    assert setup.text.startswith(str(texts.SETUP_TITLE))
    for day in ("Mon", "Wed", "Fri"):
        shown = message_by_id(runner, setup.message_id)
        await runner.tap(setup.message_id, button_data(shown, day))
    shown = message_by_id(runner, setup.message_id)
    await runner.tap(setup.message_id, button_data(shown, "07:00"))
    shown = message_by_id(runner, setup.message_id)
    await runner.tap(setup.message_id, button_data(shown, "Time zone"))
    reply = await say(sandbox, runner, "Europ/Berlim")
    assert reply.text == texts.SETUP_TIMEZONE_TAP.format(value="Europ/Berlim")
    assert "Europe/Berlin" not in reply.text, "suggestions are buttons, not names to retype"
    shown = message_by_id(runner, setup.message_id)
    assert "🌍 Europe/Berlin" in [label for row in shown.buttons for label, _ in row]
    await runner.tap(setup.message_id, button_data(shown, "🌍 Europe/Berlin"))
    shown = message_by_id(runner, setup.message_id)
    assert "Time zone: Europe/Berlin" in shown.text
    assert "Run days: Mon, Wed, Fri" in shown.text and "Run time: 07:00" in shown.text
    await runner.tap(setup.message_id, button_data(shown, "Save"))
    done = message_by_id(runner, setup.message_id)
    assert (done.text, done.buttons) == (texts.SETUP_SAVED, [])
    assert runner.last_bot_message().text == (
        "Runs Mon, Wed, Fri at 07:00 (Europe/Berlin). Reminder at 06:30. Next: Fri, 27 Nov, 06:30"
    )
    # The zone is remembered for the next setup.
    again = await say(sandbox, runner, "/remind")
    assert "Time zone: Europe/Berlin" in again.text


async def test_typed_time_and_city_in_setup(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(3013)
    setup = await say(sandbox, runner, "/remind")
    await runner.tap(setup.message_id, button_data(setup, "Sat"))
    shown = message_by_id(runner, setup.message_id)
    await runner.tap(setup.message_id, button_data(shown, "Other time"))
    assert (await say(sandbox, runner, "25:99")).text.count("25:99") == 1
    noted = (await say(sandbox, runner, "08:45")).text
    assert noted == texts.SETUP_TIME_NOTED.format(time="08:45"), "a draft until Save, and says so"
    shown = message_by_id(runner, setup.message_id)
    await runner.tap(setup.message_id, button_data(shown, "Time zone"))
    await say(sandbox, runner, "kolkata")
    shown = message_by_id(runner, setup.message_id)
    assert "Time zone: Asia/Kolkata" in shown.text
    await runner.tap(setup.message_id, button_data(shown, "15 min"))
    shown = message_by_id(runner, setup.message_id)
    saved = await runner.tap(setup.message_id, button_data(shown, "Save"))
    assert saved.text == texts.ANSWER_SETUP_SAVED
    assert message_by_id(runner, setup.message_id).text == texts.SETUP_SAVED
    # The confirmation is at the bottom of the chat, where the runner is looking.
    assert runner.last_bot_message().text.startswith(
        "Runs Sat at 08:45 (Asia/Kolkata). Reminder at 08:30. Next: Sat, 28 Nov, 08:30"
    )
    # Once saved, text is text again.
    assert (await say(sandbox, runner, "hello")).text == texts.PLAIN_TEXT


async def test_a_city_the_bot_does_not_know_gets_a_hint_on_what_to_type(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3017)
    setup = await say(sandbox, runner, "/remind")
    await runner.tap(setup.message_id, button_data(setup, "Time zone"))
    reply = await say(sandbox, runner, "Qxyzzy")
    assert reply.text == texts.SETUP_CITY_HINT.format(value="Qxyzzy")
    assert "biggest city near you" in reply.text


async def test_a_typed_time_reaches_the_setup_card_through_a_telegram_5xx(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3016)
    setup = await say(sandbox, runner, "/remind")
    await runner.tap(setup.message_id, button_data(setup, "Other time"))
    sandbox.fail_next(1, status=502, methods={"editMessageText"})
    # The card is edited before the answer is sent: once the answer is here, so is the card.
    noted = (await say(sandbox, runner, "06:15")).text
    assert noted == texts.SETUP_TIME_NOTED.format(time="06:15")
    assert "Run time: 06:15" in message_by_id(runner, setup.message_id).text
    assert [call.status for call in sandbox.calls_to("editMessageText")][-2:] == [502, 200]


async def test_the_setup_card_arrives_through_a_telegram_5xx(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(3015)
    sandbox.fail_next(1, status=502, methods={"sendMessage"})
    setup = await say(sandbox, runner, "/remind")
    assert setup.text.startswith(str(texts.SETUP_TITLE))
    await runner.tap(setup.message_id, button_data(setup, "Mon"))
    assert "Run days: Mon" in message_by_id(runner, setup.message_id).text


async def test_a_real_scheduler_job_fires_and_starts_the_warmup(
    sandbox: BotApiSandbox, database_url: str
) -> None:
    # Two seconds before Friday's reminder, on a clock that moves with real time: the
    # dispatcher's APScheduler job fires by itself; nothing here triggers it.
    clock = RunningClock(FRI_REMIND_AT - timedelta(days=2))
    runner_bot = BotRunner(sandbox, database_url, clock)
    await runner_bot.start()
    try:
        runner = sandbox.user(3014)
        await say(sandbox, runner, BERLIN_MWF)
        clock.set(FRI_REMIND_AT - timedelta(seconds=2))
        # Re-arm as any schedule change would; the job is due in two real seconds.
        await say(sandbox, runner, "/remind on")
        await sandbox.wait_for(
            lambda: (runner.last_bot_message().text or "").startswith("Run at 07:00"), timeout=15
        )
        reminder = runner.last_bot_message()
        await runner.tap(reminder.message_id, button_data(reminder, "Full ·"))
        assert "Exercise 1 of 6" in message_by_id(runner, reminder.message_id).text
    finally:
        await runner_bot.stop()


async def test_a_reminder_left_sending_by_a_stopped_process_is_marked_lost_and_logged(
    bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    """At most once: a reminder claimed by a process that died before confirming it is never
    sent again; an hour after its run the dispatcher marks it lost and says so in the log."""
    now = bot.clock()
    services = bot.application.bot_data["services"]
    left = {  # user: (status, run started this long ago)
        8601: ("sending", timedelta(hours=2)),  # left by a stopped process
        8602: ("sending", timedelta(minutes=10)),  # maybe still on its way (a late snooze)
        8603: ("sent", timedelta(hours=2)),
    }
    async with services.db.transaction() as db:
        for user_id, (status, ago) in left.items():
            await warmups.ensure_user(db, user_id, user_id, "R", now)
            db.add(
                SentReminder(
                    user_id=user_id,
                    run_date=(now - ago).date(),
                    run_at=now - ago,
                    status=status,
                    created_at=now - ago - timedelta(minutes=30),
                )
            )
    with caplog.at_level(logging.WARNING, logger="bot.telegram.reminder_jobs"):
        await dispatch_due(bot.application)
        await dispatch_due(bot.application)  # said once
    statuses = {row.user_id: row.status for row in await rows(bot, SentReminder)}
    assert statuses == {8601: "lost", 8602: "sending", 8603: "sent"}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "user 8601" in warnings[0] and "lost" in warnings[0]
