"""Levels, the quick version and the runner's rating, end to end: the real bot, the sandbox and a
real database, with the clock moved by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.db.models import (
    ExerciseLevel,
    LevelChange,
    LevelProgress,
    UserStats,
    WarmupCompletion,
    WarmupRating,
)
from bot.sandbox.server import BotApiSandbox, ChatMessage, SimulatedUser
from bot.telegram import texts
from bot.telegram.callbacks import LevelTap
from bot.telegram.checkin_jobs import dispatch_checkins
from bot.telegram.reminder_jobs import dispatch_due as dispatch_reminders
from tests.e2e.flows import complete_warmup, warm_up_on
from tests.harness import BotRunner, button_data, message_by_id, say

MON = date(2026, 11, 16)
SIDE_STEPS, WALL_ABS = "banded-side-steps", "wall-abs"


async def stored(bot: BotRunner, model: type) -> list:
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        return list((await db.execute(select(model))).scalars())


async def rate(runner: SimulatedUser, summary: ChatMessage, label: str) -> str | None:
    """Tap a rating button on a summary card; the toast."""
    shown = message_by_id(runner, summary.message_id)
    return (await runner.tap(summary.message_id, button_data(shown, label))).text


async def test_three_easy_warmups_then_the_fourth_card_is_at_level_2_with_its_dose(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16001)
    for offset in range(3):
        summary = await warm_up_on(bot, sandbox, runner, MON + timedelta(days=offset))
        assert summary.text.endswith(str(texts.RATE_QUESTION))
        toast = await rate(runner, summary, "Easy")
        rated = message_by_id(runner, summary.message_id)
        assert str(texts.RATED["easy"]) in rated.text and rated.buttons == []
        if offset < 2:
            assert toast == texts.ANSWER_RATED
    assert toast == texts.RATED_CHANGED.format(6), "every exercise was done in full"
    bot.clock.set(datetime(2026, 11, 19, 7, 0, tzinfo=UTC))
    card = await say(sandbox, runner, "/warmup")
    assert "⬆️ Banded Side Steps: level 2, band at the ankles" in card.text
    assert "⬆️ Wall Abs: level 2, 2 × 12 per leg" in card.text
    assert "Level 2 · band at the ankles · light band" in card.text
    assert "Set 1 of 2 · 10 per leg" in card.text
    # Announced once: gone after the first tap, and from the next warm-up's card.
    await runner.tap(card.message_id, button_data(card, "Done set"))
    shown = message_by_id(runner, card.message_id)
    assert "⬆️" not in shown.text and "Set 2 of 2" in shown.text
    await runner.tap(card.message_id, button_data(shown, "Done set"))
    shown = message_by_id(runner, card.message_id)
    assert "Wall Abs" in shown.text and "Level 2" in shown.text
    assert "Set 1 of 2 · 12 per leg" in shown.text, "level 2's dose"
    await runner.tap(card.message_id, button_data(shown, "End"))
    again = await say(sandbox, runner, "/warmup")
    assert "⬆️" not in again.text
    assert {(row.exercise_key, row.level) for row in await stored(bot, ExerciseLevel)} >= {
        (SIDE_STEPS, 2),
        (WALL_ABS, 2),
    }
    changes = await stored(bot, LevelChange)
    assert len(changes) == 6 and all(c.reason == "easy" and c.announced for c in changes)


async def test_a_quick_warmup_is_one_set_each_and_counts_for_the_streak(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16002)
    summary = await warm_up_on(bot, sandbox, runner, MON, quick=True)
    assert texts.STREAK_LINE.format(1) in summary.text
    [completion] = await stored(bot, WarmupCompletion)
    assert completion.counted and completion.quick and completion.exercises_done == 6
    await warm_up_on(bot, sandbox, runner, MON + timedelta(days=1))
    [totals] = await stored(bot, UserStats)
    assert (totals.current, totals.total, totals.quick_total) == (2, 2, 1)
    bot.clock.set(datetime(2026, 11, 17, 20, 0, tzinfo=UTC))
    stats = await say(sandbox, runner, "/stats")
    assert texts.STATS_TOTAL_SPLIT.format(total=2, full=1, quick=1) in str(stats.caption)
    assert "📶 Levels: Banded Side Steps 1 · Wall Abs 1" in str(stats.caption)


async def test_a_quick_warmup_resumes_after_a_restart_still_quick(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16003)
    card = await say(sandbox, runner, "/warmup quick")
    assert card.text.startswith("⚡ Quick warm-up · Exercise 1 of 6")
    assert "Set 1 of 1 · 10 per leg" in card.text
    for _ in range(3):
        shown = message_by_id(runner, card.message_id)
        await runner.tap(card.message_id, button_data(shown, "Done set"))
    await bot.restart()
    shown = message_by_id(runner, card.message_id)
    assert "Exercise 4 of 6" in shown.text and "Set 1 of 1" in shown.text
    for _ in range(3):
        shown = message_by_id(runner, card.message_id)
        await runner.tap(card.message_id, button_data(shown, "Done set"))
    final = message_by_id(runner, card.message_id)
    assert final.text.startswith("🏁 Quick warm-up complete")
    [completion] = await stored(bot, WarmupCompletion)
    assert completion.quick and completion.counted


async def test_a_double_tap_on_the_rating_counts_once(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16004)
    summary = await complete_warmup(sandbox, runner)
    data = button_data(summary, "Easy")
    first = await runner.tap(summary.message_id, data)
    second = await runner.tap(summary.message_id, data)  # the same button, again
    assert first.text == texts.ANSWER_RATED
    assert second.text == texts.ANSWER_ALREADY_COUNTED
    assert [r.rating for r in await stored(bot, WarmupRating)] == ["easy"]
    counts = {row.exercise_key: row.easy_count for row in await stored(bot, ExerciseLevel)}
    assert set(counts.values()) == {1}, "one Easy counted for each exercise"


async def test_a_rating_button_from_an_old_summary_is_answered_not_counted(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16005)
    first = await warm_up_on(bot, sandbox, runner, MON)
    easy_on_first = button_data(first, "Easy")
    await runner.tap(first.message_id, easy_on_first)
    unrated = await warm_up_on(bot, sandbox, runner, MON + timedelta(days=1))
    hard_on_unrated = button_data(unrated, "Hard")
    latest = await warm_up_on(bot, sandbox, runner, MON + timedelta(days=2))
    # The first summary's button again (it was rated): answered, nothing counted.
    again = await runner.tap(first.message_id, easy_on_first)
    assert again.text == texts.ANSWER_ALREADY_COUNTED
    # An older summary never rated: answered, not counted, its buttons go.
    old = await runner.tap(unrated.message_id, hard_on_unrated)
    assert old.text == texts.ANSWER_RATE_OLD
    assert message_by_id(runner, unrated.message_id).buttons == []
    assert [r.rating for r in await stored(bot, WarmupRating)] == ["easy"]
    [progress] = await stored(bot, LevelProgress)
    assert progress.hard_run == 0
    # The latest one still takes its rating.
    assert await rate(runner, latest, "Hard") == texts.ANSWER_RATED


async def test_two_hard_warmups_in_a_row_take_every_exercise_down_a_level(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16006)
    shown = await say(sandbox, runner, "/levels")
    for label in ("➕ Side steps", "➕ Wall abs"):
        menu = message_by_id(runner, shown.message_id)
        await runner.tap(shown.message_id, button_data(menu, label))
    for offset in range(2):
        summary = await warm_up_on(bot, sandbox, runner, MON + timedelta(days=offset))
        await rate(runner, summary, "Hard")
    levels = {row.exercise_key: row.level for row in await stored(bot, ExerciseLevel)}
    assert levels[SIDE_STEPS] == 1 and levels[WALL_ABS] == 1
    reasons = [c.reason for c in await stored(bot, LevelChange)]
    assert reasons == ["manual", "manual", "hard", "hard"]
    bot.clock.set(datetime(2026, 11, 18, 7, 0, tzinfo=UTC))
    card = await say(sandbox, runner, "/warmup")
    assert "⬇️ Banded Side Steps: level 1, band above the knees" in card.text
    assert "⬇️ Wall Abs: level 1, 2 × 10 per leg" in card.text


async def test_levels_by_hand_move_once_per_tap_stay_in_range_and_restart_the_counting(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16007)
    for offset in range(2):
        summary = await warm_up_on(bot, sandbox, runner, MON + timedelta(days=offset))
        await rate(runner, summary, "Easy")
    menu = await say(sandbox, runner, "/levels")
    assert "Wall Abs: level 1 of 3 · 2 × 10 per leg" in menu.text
    [minus, plus] = next(row for row in menu.buttons if "Wall abs" in row[0][0])
    assert (minus[0], plus[0]) == ("➖ Wall abs", "➕ Wall abs")
    assert (await runner.tap(menu.message_id, minus[1])).text == texts.ANSWER_LEVEL_LOWEST
    assert (await runner.tap(menu.message_id, plus[1])).text == "Wall abs: level 2 ✅"
    # The same ➕ again (a double tap): it was made for level 1, so it moves nothing.
    assert (await runner.tap(menu.message_id, plus[1])).text == texts.ANSWER_LEVELS_OLD
    shown = message_by_id(runner, menu.message_id)
    assert "Wall Abs: level 2 of 3 · 2 × 12 per leg" in shown.text
    # The name button of a /levels message from before the buttons were two to a row explains.
    explained = await runner.tap(menu.message_id, LevelTap(1, "i", 2).encode())
    assert explained.text == "Level 2 · 2 × 12 per leg"
    # The setting restarted the counting: a third Easy moves nothing.
    summary = await warm_up_on(bot, sandbox, runner, MON + timedelta(days=2))
    assert await rate(runner, summary, "Easy") == texts.ANSWER_RATED
    levels = {row.exercise_key: row.level for row in await stored(bot, ExerciseLevel)}
    assert levels[WALL_ABS] == 2 and levels.get(SIDE_STEPS, 1) == 1
    # The highest level is the end of the range.
    for _ in range(5):
        current = message_by_id(runner, menu.message_id)
        await runner.tap(menu.message_id, button_data(current, "➕ Side steps"))
    current = message_by_id(runner, menu.message_id)
    top_plus = button_data(current, "➕ Side steps")
    assert (await runner.tap(menu.message_id, top_plus)).text == texts.ANSWER_LEVEL_HIGHEST
    assert "Banded Side Steps: level 5 of 5" in message_by_id(runner, menu.message_id).text


async def test_pain_holds_level_ups_and_the_ease_off_offer_goes_down_a_level(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16008)
    menu = await say(sandbox, runner, "/levels")
    await runner.tap(menu.message_id, button_data(menu, "➕"))  # side steps to level 2
    for offset in range(3):
        summary = await warm_up_on(bot, sandbox, runner, MON + timedelta(days=offset))
        toast = await rate(runner, summary, "Easy")
        bot.clock.advance(minutes=90)
        assert await dispatch_checkins(bot.application) == 1
        question = runner.last_bot_message()
        await runner.tap(question.message_id, button_data(question, "3"))
        asked = message_by_id(runner, question.message_id)
        await runner.tap(question.message_id, button_data(asked, "Knee"))
    assert toast == texts.RATED_HELD, "three Easy in a row, but pain this week"
    levels = {row.exercise_key: row.level for row in await stored(bot, ExerciseLevel)}
    assert levels[SIDE_STEPS] == 2 and levels[WALL_ABS] == 1
    thanks = message_by_id(runner, question.message_id)
    assert str(texts.EASE_OFF) in thanks.text
    ease_off = button_data(thanks, "Go down a level")
    assert (await runner.tap(question.message_id, ease_off)).text == texts.ANSWER_EASED_OFF
    assert (await runner.tap(question.message_id, ease_off)).text == texts.ANSWER_ALREADY_COUNTED
    eased = message_by_id(runner, question.message_id)
    assert str(texts.EASED_OFF) in eased.text and eased.buttons == []
    levels = {row.exercise_key: row.level for row in await stored(bot, ExerciseLevel)}
    assert levels[SIDE_STEPS] == 1, "one level down, once"
    # A week after the last pain, Easy ratings move levels again.
    for offset in (10, 11, 12):
        summary = await warm_up_on(bot, sandbox, runner, MON + timedelta(days=offset))
        toast = await rate(runner, summary, "Easy")
    assert toast == texts.RATED_CHANGED.format(6)


async def test_quick_can_be_the_reminders_first_choice(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16009)
    bot.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))  # a Tuesday
    reply = await say(sandbox, runner, "/remind mon,wed,fri 07:00 UTC 30 quick")
    assert str(texts.SCHEDULE_QUICK) in reply.text
    bot.clock.set(datetime(2026, 11, 25, 6, 30, tzinfo=UTC))
    assert await dispatch_reminders(bot.application) == 1
    reminder = runner.last_bot_message()
    assert reminder.text == "Run at 07:00: time to warm up (about 5 min)"
    assert reminder.buttons[0][0][0] == "Quick · about 5 min"
    assert reminder.buttons[1][0][0] == "Full · about 10 min"
    await runner.tap(reminder.message_id, reminder.buttons[0][0][1])
    card = message_by_id(runner, reminder.message_id)
    assert card.text.startswith("⚡ Quick warm-up")
    # A left-out version keeps the runner's choice; `full` changes it back.
    await say(sandbox, runner, "/remind mon,wed 07:00")
    assert str(texts.SCHEDULE_QUICK) in runner.last_bot_message().text
    reply = await say(sandbox, runner, "/remind mon,wed 07:00 full")
    assert str(texts.SCHEDULE_QUICK) not in reply.text
    # The guided setup has the same choice.
    setup = await say(sandbox, runner, "/remind")
    assert str(texts.SETUP_FULL) in setup.text
    await runner.tap(setup.message_id, button_data(setup, "⚡ Quick"))
    shown = message_by_id(runner, setup.message_id)
    assert str(texts.SETUP_QUICK) in shown.text
    await runner.tap(setup.message_id, button_data(shown, "Save"))
    assert str(texts.SCHEDULE_QUICK) in runner.last_bot_message().text


async def test_warmup_with_a_word_it_does_not_know_explains_itself(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(16010)
    reply = await say(sandbox, runner, "/warmup quickly")
    assert reply.text == texts.WARMUP_USAGE
    card = await say(sandbox, runner, "/warmup FULL")
    assert card.text.startswith("🔥 Warm-up · Exercise 1 of 6")
    offer = await say(sandbox, runner, "/warmup quick")
    assert "Resume where you left off" in offer.text
    await runner.tap(offer.message_id, button_data(offer, "Start over"))
    restarted = message_by_id(runner, offer.message_id)
    assert restarted.text.startswith("⚡ Quick warm-up"), "start over, as asked: quick"


async def test_a_level_beyond_an_edited_routines_highest_shows_and_moves_as_the_highest(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    """Wall Abs has three levels; a runner stored at 5 (the file once had more) sees level 3,
    and ➖ takes them to 2 rather than answering that the buttons are out of date."""
    runner = sandbox.user(16020)
    await say(sandbox, runner, "/levels")  # the runner is stored
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        db.add(ExerciseLevel(user_id=runner.id, exercise_key=WALL_ABS, level=5, easy_count=0))
    menu = await say(sandbox, runner, "/levels")
    assert "Wall Abs: level 3 of 3" in menu.text
    answer = await runner.tap(menu.message_id, button_data(menu, "➖ Wall abs"))
    assert answer.text == "Wall abs: level 2 ✅"
    assert "Wall Abs: level 2 of 3" in message_by_id(runner, menu.message_id).text
