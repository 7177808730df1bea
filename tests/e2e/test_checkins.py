"""After-run check-ins and /settings end to end: asked once, answered in two taps, or closed."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.coach.progress import CHECKIN_OPEN_FOR
from bot.db import checkins
from bot.db.models import CheckIn
from bot.sandbox.server import BotApiSandbox, SimulatedUser
from bot.telegram import texts
from bot.telegram.checkin_jobs import dispatch_checkins
from tests.e2e.flows import complete_warmup
from tests.harness import BotRunner, button_data, message_by_id, say


async def stored_checkins(bot: BotRunner) -> list[CheckIn]:
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        return list((await db.execute(select(CheckIn).order_by(CheckIn.id))).scalars())


def questions(runner: SimulatedUser) -> list[int]:
    """Ids of the check-in messages the runner got (whatever they show now)."""
    return [
        m.message_id
        for m in runner.bot_messages()
        if any(data and data.startswith("ci:") for row in m.buttons for _, data in row)
        or (m.text or "").startswith(("🏃", "🙏"))
    ]


async def answer_checkin(runner: SimulatedUser, message_id: int, feel: str, pain: str) -> str:
    question = message_by_id(runner, message_id)
    await runner.tap(message_id, button_data(question, feel))
    asked = message_by_id(runner, message_id)
    await runner.tap(message_id, button_data(asked, pain))
    return message_by_id(runner, message_id).text


async def test_checkin_is_asked_90_minutes_later_and_answered_in_two_taps(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(5001)
    await complete_warmup(sandbox, runner)
    [pending] = await stored_checkins(bot)
    assert pending.status == "pending" and pending.due_at == bot.clock() + timedelta(minutes=90)
    # Not yet due: nothing is asked.
    bot.clock.advance(minutes=89)
    assert await dispatch_checkins(bot.application) == 0
    bot.clock.advance(minutes=1)
    assert await dispatch_checkins(bot.application) == 1
    question = runner.last_bot_message()
    assert question.text == texts.CHECKIN_FEEL
    labels = [[label for label, _ in row] for row in question.buttons]
    # Three and two to a row, with words: wide enough for a gloved thumb.
    assert labels == [["1 😣 Rough", "2 😕 Heavy", "3 😐 OK"], ["4 🙂 Good", "5 🤩 Great"]]
    # Asked exactly once, also when the dispatcher runs again or after a restart.
    assert await dispatch_checkins(bot.application) == 0
    await bot.restart()
    assert await dispatch_checkins(bot.application) == 0
    assert len(questions(runner)) == 1

    await runner.tap(question.message_id, button_data(question, "4"))
    pain = message_by_id(runner, question.message_id)
    assert pain.text == texts.CHECKIN_PAIN.format(feel=4)
    assert [label for row in pain.buttons for label, _ in row] == [
        "👍 None",
        "Knee",
        "Hip",
        "Ankle",
        "Back",
        "Other",
    ]
    # A second tap on the feel (a kept copy of the message) changes nothing.
    again = await runner.tap(question.message_id, button_data(question, "2"))
    assert again.text == texts.ANSWER_CHECKIN_NOTED
    answer = await runner.tap(question.message_id, button_data(pain, "None"))
    assert answer.text == texts.ANSWER_THANKS
    thanks = message_by_id(runner, question.message_id)
    assert thanks.text == texts.CHECKIN_THANKS.format(feel=4, pain=texts.CHECKIN_NO_PAIN)
    assert thanks.buttons == []
    [answered] = await stored_checkins(bot)
    assert (answered.status, answered.feel, answered.pain) == ("answered", 4, "none")
    assert answered.message_id == question.message_id

    stats = await say(sandbox, runner, "/stats")
    assert texts.STATS_FEEL.format(1, average="4.0") in stats.caption.splitlines()
    assert not sandbox.unanswered_callback_queries()


async def test_pain_after_two_runs_in_a_row_gets_a_gentle_suggestion(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(5002)
    texts_seen = []
    for feel, pain in (("5", "None"), ("3", "Knee"), ("2", "Knee")):
        await complete_warmup(sandbox, runner)
        bot.clock.advance(minutes=90)
        assert await dispatch_checkins(bot.application) == 1
        message_id = runner.last_bot_message().message_id
        texts_seen.append(await answer_checkin(runner, message_id, feel, pain))
        bot.clock.advance(days=1)
    assert str(texts.EASE_OFF) not in texts_seen[0] and str(texts.EASE_OFF) not in texts_seen[1]
    assert texts_seen[1] == texts.CHECKIN_THANKS.format(
        feel=3, pain=texts.CHECKIN_SOME_PAIN["knee"]
    )
    assert texts_seen[2].endswith(str(texts.EASE_OFF))
    stats = await say(sandbox, runner, "/stats")
    assert texts.STATS_FEEL.format(3, average="3.3") in stats.caption.splitlines()


async def test_an_unanswered_checkin_closes_quietly_and_is_not_asked_again(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(5003)
    await complete_warmup(sandbox, runner)
    bot.clock.advance(minutes=90)
    assert await dispatch_checkins(bot.application) == 1
    question = runner.last_bot_message()
    sent_before = sandbox.count("sendMessage")
    bot.clock.advance(hours=12)
    assert await dispatch_checkins(bot.application) == 0
    [closed] = await stored_checkins(bot)
    assert closed.status == "expired"
    assert sandbox.count("sendMessage") == sent_before, "closing is quiet"
    answer = await runner.tap(question.message_id, button_data(question, "5"))
    assert answer.text == texts.ANSWER_CHECKIN_CLOSED
    assert message_by_id(runner, question.message_id).text == question.text
    bot.clock.advance(days=2)
    assert await dispatch_checkins(bot.application) == 0
    assert len(questions(runner)) == 1


async def test_a_checkin_overdue_by_half_a_day_is_closed_unasked(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    # The bot was down from the warm-up until the next day: that run is old news.
    runner = sandbox.user(5004)
    await complete_warmup(sandbox, runner)
    bot.clock.advance(hours=14)
    assert await dispatch_checkins(bot.application) == 0
    [closed] = await stored_checkins(bot)
    assert closed.status == "expired" and closed.asked_at is None
    assert questions(runner) == []


async def test_settings_change_the_delay_and_turn_checkins_off(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(5005)
    shown = await say(sandbox, runner, "/settings")
    assert texts.SETTINGS_CHECKIN_AFTER.format(minutes=90) in shown.text
    assert "✓ 90 min" in str(shown.buttons)

    # A check-in waiting at 90 minutes moves when the delay changes.
    await complete_warmup(sandbox, runner)
    finished = bot.clock()
    answer = await runner.tap(shown.message_id, button_data(shown, "30 min"))
    assert answer.text == texts.ANSWER_SETTINGS_SAVED
    changed = message_by_id(runner, shown.message_id)
    assert texts.SETTINGS_CHECKIN_AFTER.format(minutes=30) in changed.text
    assert "✓ 30 min" in str(changed.buttons) and "✓ 90 min" not in str(changed.buttons)
    [moved] = await stored_checkins(bot)
    assert moved.due_at == finished + timedelta(minutes=30)
    bot.clock.advance(minutes=30)
    assert await dispatch_checkins(bot.application) == 1

    # Off: no check-in after the next warm-up, and none is asked however long we wait.
    await runner.tap(shown.message_id, button_data(changed, "Off"))
    off = message_by_id(runner, shown.message_id)
    assert texts.SETTINGS.format(checkin="off", timezone="UTC", language="English") == off.text
    bot.clock.advance(days=1)
    await complete_warmup(sandbox, runner)
    bot.clock.advance(hours=3)
    assert await dispatch_checkins(bot.application) == 0
    assert len(await stored_checkins(bot)) == 1
    assert (await say(sandbox, runner, "/settings")).text == off.text


async def test_checkin_buttons_of_someone_else_are_refused_quietly(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    owner, intruder = sandbox.user(5006), sandbox.user(5007)
    await complete_warmup(sandbox, owner)
    bot.clock.advance(minutes=90)
    await dispatch_checkins(bot.application)
    [checkin] = await stored_checkins(bot)
    reply = await say(sandbox, intruder, "/settings")
    for data in (f"ci:{checkin.id}:f3", "ci:1:f9", "ci:x:f1", f"ci:{checkin.id}:pz", "st:c:45"):
        assert (await intruder.tap(reply.message_id, data)).text is None
    [untouched] = await stored_checkins(bot)
    assert untouched.feel is None and untouched.status == "asked"
    assert not sandbox.unanswered_callback_queries()


async def test_a_second_warmup_before_the_question_replaces_the_first_checkin(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    # One question about the latest run, whichever way the completing tap was stored.
    runner = sandbox.user(5005)
    await complete_warmup(sandbox, runner)
    bot.clock.advance(minutes=30)
    await complete_warmup(sandbox, runner)
    first, second = await stored_checkins(bot)
    assert (first.status, second.status) == ("expired", "pending")
    assert first.warmup_id < second.warmup_id, "each still points at its own warm-up"
    bot.clock.advance(minutes=90)
    assert await dispatch_checkins(bot.application) == 1
    assert len(questions(runner)) == 1


async def test_a_checkin_a_stopped_process_was_asking_is_marked_lost_once_with_a_warning(
    sandbox: BotApiSandbox, bot: BotRunner, caplog: pytest.LogCaptureFixture
) -> None:
    runner = sandbox.user(5090)
    await complete_warmup(sandbox, runner)
    bot.clock.advance(minutes=90)
    [pending] = await stored_checkins(bot)
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:  # a process claims it, then dies before asking
        assert await checkins.claim(db, pending.id, bot.clock(), CHECKIN_OPEN_FOR)
    assert await dispatch_checkins(bot.application) == 0, "never asked twice"
    bot.clock.set(bot.clock() + checkins.LOST_AFTER + timedelta(minutes=1))
    with caplog.at_level(logging.WARNING, logger="bot.telegram.checkin_jobs"):
        assert await dispatch_checkins(bot.application) == 0
        assert await dispatch_checkins(bot.application) == 0
    [lost] = await stored_checkins(bot)
    assert lost.status == checkins.LOST
    warnings = [r.getMessage() for r in caplog.records if "marked lost" in r.getMessage()]
    assert len(warnings) == 1 and "user 5090" in warnings[0]
    assert questions(runner) == []
