"""The guided warm-up end to end: the real Application over HTTP, the sandbox, a SQLite file."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.coach.clock import ManualClock
from bot.db.models import WarmupSession
from bot.sandbox.server import BotApiSandbox
from bot.telegram import texts
from tests.harness import BotRunner, button_data, message_by_id, say

EXERCISES = [
    "Banded Side Steps",
    "Wall Abs",
    "Band Monster Walk",
    "Slow Eccentric Heel Taps",
    "Standing Banded Fire Hydrant",
    "Single Leg RDL to March",
]
REPS = [10, 10, 15, 8, 12, 8]


async def stored_sessions(bot: BotRunner) -> list[WarmupSession]:
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        return list((await db.execute(select(WarmupSession).order_by(WarmupSession.id))).scalars())


async def test_full_warmup_walks_all_six_exercises_in_one_message(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(1001, "Ada")
    card = await say(sandbox, runner, "/warmup")
    seen = []
    for _ in range(12):
        current = message_by_id(runner, card.message_id)
        seen.append(current.text)
        bot.clock.advance(seconds=45)
        answer = await runner.tap(card.message_id, button_data(current, "Done set"))
        assert answer.text in (
            texts.ANSWER_SET_DONE.format(set_number=1),
            texts.ANSWER_COMPLETED,
        ) or answer.text.startswith("Exercise done")
    for index, text in enumerate(seen):
        exercise, set_number = divmod(index, 2)
        assert f"Exercise {exercise + 1} of 6" in text
        assert EXERCISES[exercise] in text
        assert f"Set {set_number + 1} of 2 · {REPS[exercise]} per leg" in text
    final = message_by_id(runner, card.message_id)
    assert final.text.startswith("🏁 Warm-up complete in 9 min!")
    for name in EXERCISES:
        assert f"✅ {name}" in final.text
    assert final.text.endswith("How did that feel?")
    assert [label for row in final.buttons for label, _ in row] == [
        "😌 Easy",
        "👍 About right",
        "😓 Hard",
    ]
    assert len(runner.bot_messages()) == 1, "every step edits the one card"
    assert final.edit_count == 12
    [session] = await stored_sessions(bot)
    assert session.status == "completed" and session.sets_done == [2] * 6


async def test_concurrent_double_tap_counts_once(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(1002)
    card = await say(sandbox, runner, "/warmup")
    data = button_data(card, "Done set")
    first, second = (
        runner.tap_nowait(card.message_id, data),
        runner.tap_nowait(card.message_id, data),
    )
    answers = sorted([(await first).text, (await second).text])
    assert answers == sorted(
        [texts.ANSWER_SET_DONE.format(set_number=1), texts.ANSWER_ALREADY_COUNTED]
    )
    shown = message_by_id(runner, card.message_id)
    assert "Set 2 of 2 · 10 per leg" in shown.text and "Exercise 1 of 6" in shown.text
    [session] = await stored_sessions(bot)
    assert session.sets_done[0] == 1
    assert not sandbox.unanswered_callback_queries()


async def test_a_human_double_tap_on_the_redrawn_card_counts_one_set(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    """Gloved thumbs tap twice, 30 ms and 150 ms apart: the second tap lands on the card the
    first one redrew (its new version). With the default MIN_SET_SECONDS only one set counts."""
    bot = BotRunner(sandbox, database_url, clock, min_set_seconds=2)
    await bot.start()
    try:
        runner = sandbox.user(1020)
        card = await say(sandbox, runner, "/warmup")
        first = await runner.tap(card.message_id, button_data(card, "Done set"))
        assert first.text == texts.ANSWER_SET_DONE.format(set_number=1)
        for seconds in (0.03, 0.12):
            clock.advance(seconds=seconds)
            redrawn = message_by_id(runner, card.message_id)
            again = await runner.tap(card.message_id, button_data(redrawn, "Done set"))
            assert again.text == texts.ANSWER_ALREADY_COUNTED
        [session] = await stored_sessions(bot)
        assert session.sets_done[0] == 1
        # The next real set, seconds later, counts; Skip is never held back.
        clock.advance(seconds=20)
        redrawn = message_by_id(runner, card.message_id)
        second = await runner.tap(card.message_id, button_data(redrawn, "Done set"))
        assert second.text == texts.ANSWER_EXERCISE_DONE.format(name="Wall Abs")
        skip = await runner.tap(
            card.message_id, button_data(message_by_id(runner, card.message_id), "Skip")
        )
        assert skip.text == texts.ANSWER_SKIPPED
    finally:
        await bot.stop()


async def test_skip_and_summary_name_what_was_skipped(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(1003)
    card = await say(sandbox, runner, "/warmup")
    answer = await runner.tap(card.message_id, button_data(card, "Skip"))
    assert answer.text == texts.ANSWER_SKIPPED
    shown = message_by_id(runner, card.message_id)
    assert "Exercise 2 of 6" in shown.text and "Wall Abs" in shown.text
    for _ in range(10):
        shown = message_by_id(runner, card.message_id)
        await runner.tap(card.message_id, button_data(shown, "Done set"))
    final = message_by_id(runner, card.message_id)
    assert "⏭ Banded Side Steps (skipped)" in final.text
    assert "✅ Single Leg RDL to March" in final.text


async def test_how_to_toggles_and_back(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(1004)
    card = await say(sandbox, runner, "/warmup")
    await runner.tap(card.message_id, button_data(card, "How to"))
    shown = message_by_id(runner, card.message_id)
    assert "⚠️ Common mistake:" in shown.text and "🔁 No band?" in shown.text
    assert "Set 1 of 2 · 10 per leg" in shown.text, "progress stays visible"
    await runner.tap(card.message_id, button_data(shown, "Back"))
    assert message_by_id(runner, card.message_id).text == card.text


async def test_end_early_then_old_buttons_change_nothing(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(1005)
    card = await say(sandbox, runner, "/warmup")
    done = button_data(card, "Done set")
    await runner.tap(card.message_id, done)
    shown = message_by_id(runner, card.message_id)
    assert (await runner.tap(card.message_id, button_data(shown, "End"))).text == texts.ANSWER_ENDED
    ended = message_by_id(runner, card.message_id)
    assert ended.text.startswith("✖ Warm-up ended after")
    assert "◐ Banded Side Steps (1 of 2 sets)" in ended.text
    assert (await runner.tap(card.message_id, done)).text == texts.ANSWER_WARMUP_OVER
    assert message_by_id(runner, card.message_id).text == ended.text
    [session] = await stored_sessions(bot)
    assert session.status == "ended" and session.sets_done[0] == 1


async def test_forged_and_malformed_buttons_are_refused_quietly(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    owner, intruder = sandbox.user(1006), sandbox.user(1007)
    card = await say(sandbox, owner, "/warmup")
    other = await say(sandbox, intruder, "/warmup")
    session_id = button_data(card, "Done set").split(":")[1]
    for data in ("garbage", "w:abc:1:d", "w:1:1:x", f"w:{session_id}:1:d:extra", "w:999999:1:d"):
        answer = await intruder.tap(other.message_id, data)
        assert answer.text is None
    # Someone else's session id on your own card is forged too.
    answer = await intruder.tap(other.message_id, f"w:{session_id}:1:d")
    assert answer.text is None
    sessions = await stored_sessions(bot)
    assert [s.sets_done[0] for s in sessions] == [0, 0]
    assert not sandbox.unanswered_callback_queries()


async def test_warmup_while_running_offers_resume(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(1008)
    card = await say(sandbox, runner, "/warmup")
    await runner.tap(card.message_id, button_data(card, "Done set"))
    offer = await say(sandbox, runner, "/warmup")
    assert "exercise 1 of 6 (Banded Side Steps), set 2" in offer.text
    await runner.tap(offer.message_id, button_data(offer, "Resume"))
    resumed = message_by_id(runner, offer.message_id)
    assert "Set 2 of 2 · 10 per leg" in resumed.text
    old = message_by_id(runner, card.message_id)
    assert old.text == texts.MOVED_BELOW and old.buttons == []
    # A button kept from the old card (e.g. a client that has not refreshed) is refused.
    answer = await runner.tap(card.message_id, button_data(card, "Done set"))
    assert answer.text in (texts.ANSWER_OLD_CARD, texts.ANSWER_ALREADY_COUNTED)
    await runner.tap(offer.message_id, button_data(resumed, "Done set"))
    assert "Exercise 2 of 6" in message_by_id(runner, offer.message_id).text


async def test_start_over_ends_the_old_warmup(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(1009)
    card = await say(sandbox, runner, "/warmup")
    await runner.tap(card.message_id, button_data(card, "Done set"))
    offer = await say(sandbox, runner, "/warmup")
    await runner.tap(offer.message_id, button_data(offer, "Start over"))
    fresh = message_by_id(runner, offer.message_id)
    assert "Exercise 1 of 6" in fresh.text and "Set 1 of 2" in fresh.text
    assert message_by_id(runner, card.message_id).text == texts.ENDED_CARD
    # The offer's buttons are gone with the offer; tapping a kept copy changes nothing.
    again = await runner.tap(offer.message_id, button_data(offer, "Start over"))
    assert again.text == texts.ANSWER_WARMUP_OVER
    sessions = await stored_sessions(bot)
    assert [s.status for s in sessions] == ["ended", "active"]


async def test_restart_mid_warmup_loses_nothing_and_old_buttons_work(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(1010)
    card = await say(sandbox, runner, "/warmup")
    for _ in range(3):
        shown = message_by_id(runner, card.message_id)
        await runner.tap(card.message_id, button_data(shown, "Done set"))
    await bot.restart()
    shown = message_by_id(runner, card.message_id)
    assert "Exercise 2 of 6" in shown.text and "Set 2 of 2" in shown.text
    answer = await runner.tap(card.message_id, button_data(shown, "Done set"))
    assert answer.text.startswith("Exercise done")
    assert "Exercise 3 of 6" in message_by_id(runner, card.message_id).text
    [session] = await stored_sessions(bot)
    assert session.sets_done[:3] == [2, 2, 0]


async def test_429_mid_warmup_is_waited_out(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(1011)
    card = await say(sandbox, runner, "/warmup")
    sandbox.fail_next(1, status=429, retry_after=1, methods={"editMessageText"})
    answer = await runner.tap(card.message_id, button_data(card, "Done set"), timeout=10)
    assert answer.text == texts.ANSWER_SET_DONE.format(set_number=1)
    assert "Set 2 of 2" in message_by_id(runner, card.message_id).text
    assert [c.status for c in sandbox.calls if c.method == "editMessageText"] == [429, 200]


async def test_5xx_mid_warmup_is_retried(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(1012)
    card = await say(sandbox, runner, "/warmup")
    sandbox.fail_next(1, status=502, methods={"editMessageText"})
    await runner.tap(card.message_id, button_data(card, "Done set"))
    assert "Set 2 of 2" in message_by_id(runner, card.message_id).text


async def test_outage_longer_than_retries_loses_no_set_and_heals(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(1013)
    card = await say(sandbox, runner, "/warmup")
    done = button_data(card, "Done set")
    sandbox.fail_next(3, status=502, methods={"editMessageText"})
    before = len(runner.bot_messages())
    answer = await runner.tap(card.message_id, done)
    assert answer.text == texts.ANSWER_SET_DONE.format(set_number=1)
    await sandbox.wait_for(lambda: len(runner.bot_messages()) > before)
    assert runner.bot_messages()[-1].text == texts.SOMETHING_WENT_WRONG
    assert "Set 1 of 2" in message_by_id(runner, card.message_id).text, "the edit was lost"
    # The set was stored; tapping again does not count twice and repaints the card.
    answer = await runner.tap(card.message_id, done)
    assert answer.text == texts.ANSWER_ALREADY_COUNTED
    assert "Set 2 of 2" in message_by_id(runner, card.message_id).text
    [session] = await stored_sessions(bot)
    assert session.sets_done[0] == 1


async def test_blocked_user_does_not_stop_the_bot(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    blocker, other = sandbox.user(1014), sandbox.user(1015)
    blocker.block()
    await blocker.send("/warmup")
    await sandbox.wait_for(
        lambda: any(c.status == 403 for c in sandbox.calls if c.method == "sendMessage")
    )
    card = await say(sandbox, other, "/warmup")
    assert "Exercise 1 of 6" in card.text
    blocker.unblock()
    card = await say(sandbox, blocker, "/warmup")
    # The warm-up created before the 403 is kept; its card never arrived, so it is sent now.
    assert "Exercise 1 of 6" in card.text
    assert [(s.user_id, s.status) for s in await stored_sessions(bot)] == [
        (1014, "active"),
        (1015, "active"),
    ]


async def test_start_help_menu_and_bad_input(sandbox: BotApiSandbox, bot: BotRunner) -> None:
    runner = sandbox.user(1016, "Grace")
    welcome = await say(sandbox, runner, "/start")
    assert welcome.text.startswith("Hi Grace!")
    await runner.tap(welcome.message_id, button_data(welcome, "Full ·"))
    assert "Exercise 1 of 6" in message_by_id(runner, welcome.message_id).text
    help_text = (await say(sandbox, runner, "/help")).text
    for command, _ in texts.COMMANDS:
        assert f"/{command}" in help_text
    assert [c["command"] for c in sandbox.commands] == [c for c, _ in texts.COMMANDS]
    unknown = await say(sandbox, runner, "/fly to the moon")
    assert unknown.text == texts.UNKNOWN_COMMAND.format(command="/fly")
    # The unknown command is shown as code, so Telegram does not make it a link that sends it.
    start = unknown.text.index("/fly")
    assert {"type": "code", "offset": start, "length": 4} in unknown.entities
    assert (await say(sandbox, runner, "hello?")).text == texts.PLAIN_TEXT
    answer = await runner.tap(welcome.message_id, "not-a-button-we-made")
    assert answer.text is None


async def test_many_users_at_once_each_get_their_own_card(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    users = [sandbox.user(2000 + n) for n in range(10)]
    cards = await asyncio.gather(*(say(sandbox, u, "/warmup") for u in users))
    taps = [
        u.tap(c.message_id, button_data(c, "Done set")) for u, c in zip(users, cards, strict=True)
    ]
    await asyncio.gather(*taps)
    for user, card in zip(users, cards, strict=True):
        assert "Set 2 of 2" in message_by_id(user, card.message_id).text
