"""The runner's own data end to end: /export as a JSON document, /forget after a confirmation."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.db.models import Base
from bot.sandbox.server import BotApiSandbox
from bot.telegram import texts
from bot.telegram.checkin_jobs import dispatch_checkins
from bot.telegram.reminder_jobs import dispatch_due
from tests.e2e.flows import complete_warmup
from tests.harness import BotRunner, button_data, message_by_id, say


async def row_counts(bot: BotRunner) -> dict[str, int]:
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        return {
            name: await db.scalar(select(func.count()).select_from(table))
            for name, table in Base.metadata.tables.items()
        }


async def test_export_sends_everything_as_one_json_document(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(6001, "Ada")
    await say(sandbox, runner, "/remind mon,wed,fri 07:00 Europe/Berlin 30")
    settings = await say(sandbox, runner, "/settings")
    await runner.tap(settings.message_id, button_data(settings, "60 min"))
    await complete_warmup(sandbox, runner)
    bot.clock.advance(minutes=60)
    await dispatch_checkins(bot.application)
    question = runner.last_bot_message()
    await runner.tap(question.message_id, button_data(question, "4"))

    reply = await say(sandbox, runner, "/export")
    assert reply.document_name == "warmup-coach-export.json"
    assert reply.caption == texts.EXPORT_CAPTION
    exported = json.loads(reply.document.decode("utf-8"))
    assert exported["exported_at"] == bot.clock().isoformat()
    assert exported["user"]["id"] == 6001 and exported["user"]["first_name"] == "Ada"
    assert exported["user"]["timezone"] == "Europe/Berlin"
    assert exported["settings"]["checkin_minutes"] == 60
    assert exported["reminder_schedule"]["run_days"] == "0,2,4"
    assert exported["reminder_schedule"]["run_time"] == "07:00"
    [warmup] = exported["warmups"]
    assert warmup["status"] == "completed" and warmup["sets_done"] == [2] * 6
    assert warmup["completion"]["local_date"] == "2026-11-25"
    assert warmup["completion"]["counted"] is True
    [checkin] = exported["check_ins"]
    assert (checkin["status"], checkin["feel"], checkin["pain"]) == ("asked", 4, None)
    assert checkin["warmup_id"] == warmup["id"]
    streak = exported["streak"]
    assert (streak["current"], streak["total"], streak["last_day"]) == (1, 1, "2026-11-25")
    assert (streak["feel_sum"], streak["feel_count"]) == (4, 1)


async def test_forget_after_confirmation_deletes_everything_and_starts_afresh(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner, other = sandbox.user(6002), sandbox.user(6003)
    for user in (runner, other):
        await say(sandbox, user, "/remind daily 18:00 UTC 30")
        await complete_warmup(sandbox, user)
    before = await row_counts(bot)
    assert before["users"] == 2 and before["check_ins"] == 2 and before["user_stats"] == 2

    confirm = await say(sandbox, runner, "/forget")
    assert confirm.text == texts.FORGET_CONFIRM
    await runner.tap(confirm.message_id, button_data(confirm, "Keep"))
    assert message_by_id(runner, confirm.message_id).text == texts.FORGET_CANCELLED
    assert await row_counts(bot) == before

    confirm = await say(sandbox, runner, "/forget")
    await runner.tap(confirm.message_id, button_data(confirm, "Delete everything"))
    done = message_by_id(runner, confirm.message_id)
    assert done.text == texts.FORGOTTEN and done.buttons == []
    after = await row_counts(bot)
    # Exactly the other runner's rows are left, in every table.
    assert after == {name: count // 2 for name, count in before.items()}

    # No reminder and no check-in for the forgotten runner; the other one still gets both.
    bot.clock.advance(minutes=90)
    assert await dispatch_checkins(bot.application) == 1
    bot.clock.set(datetime(2026, 11, 25, 17, 30, tzinfo=UTC))
    assert await dispatch_due(bot.application) == 0  # today's warm-up is done: skipped
    bot.clock.set(datetime(2026, 11, 26, 17, 30, tzinfo=UTC))
    assert await dispatch_due(bot.application) == 1
    assert other.last_bot_message().text.startswith("Run at 18:00")
    assert not runner.last_bot_message().text.startswith(("Run at", "🏃"))

    # Afterwards the runner is new again.
    stats = await say(sandbox, runner, "/stats")
    assert stats.text == texts.STATS_EMPTY
    assert (await say(sandbox, runner, "/reminders")).text == texts.NO_SCHEDULE
    exported = json.loads((await say(sandbox, runner, "/export")).document)
    assert exported["warmups"] == [] and exported["streak"] is None


async def test_buttons_of_a_forgotten_runner_say_so_and_go(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    """After /forget, the old warm-up card, reminder and check-in still show buttons in the
    chat. A tap on one is answered in words, and the message loses its buttons."""
    runner = sandbox.user(6004)
    await say(sandbox, runner, "/remind daily 07:00 UTC 30")
    await complete_warmup(sandbox, runner)
    bot.clock.advance(minutes=90)
    await dispatch_checkins(bot.application)
    question = runner.last_bot_message()
    bot.clock.set(datetime(2026, 11, 26, 6, 30, tzinfo=UTC))
    await dispatch_due(bot.application)
    reminder = runner.last_bot_message()
    assert reminder.text.startswith("Run at 07:00")
    card = await say(sandbox, runner, "/warmup")
    await runner.tap(card.message_id, button_data(card, "Done set"))
    confirm = await say(sandbox, runner, "/forget")
    await runner.tap(confirm.message_id, button_data(confirm, "Delete everything"))

    for message, label, answer in (
        (card, "Done set", texts.ANSWER_WARMUP_OVER),
        (question, "4", texts.ANSWER_CHECKIN_CLOSED),
        (reminder, "Snooze", texts.ANSWER_REMINDER_GONE),
    ):
        shown = message_by_id(runner, message.message_id)
        tapped = await runner.tap(message.message_id, button_data(shown, label))
        assert tapped.text == answer
        after = message_by_id(runner, message.message_id)
        assert after.buttons == [] and after.text == shown.text
    assert await row_counts(bot) == dict.fromkeys(Base.metadata.tables, 0), "nothing re-created"
