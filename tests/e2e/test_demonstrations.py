"""The warm-up card as a moving demonstration: an animation message whose caption is the card,
each clip uploaded once and reused by file_id, edited in place, and never losing a set to a
media error."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select, update

from bot.coach.clock import ManualClock
from bot.coach.plan import Plan
from bot.db.models import DemoUpload, WarmupSession
from bot.demos.clips import clip_name
from bot.i18n import LANGUAGES, use
from bot.sandbox.server import CAPTION_LIMIT, BotApiSandbox, RecordedCall
from bot.sandbox.spec import UploadedFile
from bot.sandbox.users import ChatMessage, SimulatedUser
from bot.telegram import texts
from bot.telegram.cards import CardExtras, card_text
from bot.telegram.reminder_jobs import dispatch_due
from tests.harness import ROUTINE_FILE, BotRunner, button_data, message_by_id, say

EXERCISES = 6


@pytest.fixture
async def coach(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> AsyncIterator[BotRunner]:
    bot = BotRunner(sandbox, database_url, clock, demonstrations=True)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


def uploads_in(calls: list[RecordedCall]) -> list[str]:
    """The clips the bot uploaded (rather than sent by file_id), by their file name."""
    names = []
    for call in calls:
        values: list[Any] = [call.params.get("animation")]
        media = call.params.get("media")
        if isinstance(media, dict):
            values.append(media.get("media"))
        names += [v.filename for v in values if isinstance(v, UploadedFile)]
    return names


def media_calls(sandbox: BotApiSandbox, since: int) -> list[RecordedCall]:
    return [
        call
        for call in sandbox.calls[since:]
        if call.method in ("sendAnimation", "editMessageMedia", "editMessageCaption")
    ]


async def tap_done(runner: SimulatedUser, card: ChatMessage) -> str | None:
    current = message_by_id(runner, card.message_id)
    return (await runner.tap(card.message_id, button_data(current, "Done set"))).text


async def test_a_whole_warmup_shows_each_exercise_moving_in_one_message(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    runner = sandbox.user(8801)
    before = len(sandbox.calls)
    card = await say(sandbox, runner, "/warmup")
    assert card.has_animation and card.text is None
    assert card.caption is not None and "Exercise 1 of 6" in card.caption
    assert "Set 1 of 2 · 10 per leg" in card.caption
    assert [label for label, _ in card.buttons[0]] == ["✅ Done set"]
    for exercise in range(EXERCISES):
        for set_number in (1, 2):
            start = len(sandbox.calls)
            await tap_done(runner, card)
            [call] = media_calls(sandbox, start)
            last = exercise == EXERCISES - 1 and set_number == 2
            # Within an exercise the caption changes; the next exercise swaps the clip in.
            expected = "editMessageMedia" if set_number == 2 and not last else "editMessageCaption"
            assert call.method == expected, (exercise, set_number)
            shown = message_by_id(runner, card.message_id)
            if not last:
                assert f"Exercise {exercise + 1 + (set_number == 2)} of 6" in str(shown.caption)
    final = message_by_id(runner, card.message_id)
    assert final.caption is not None and final.caption.startswith("🏁 Warm-up complete")
    assert len(final.buttons) == 3, "only the rating's buttons are left"
    assert len(runner.bot_messages()) == 1, "one message throughout"
    # Each clip was uploaded once...
    assert sorted(uploads_in(sandbox.calls[before:])) == sorted(
        f"{clip_name(exercise.demo, exercise.level(1).band_at)}.mp4"
        for exercise in coach.application.bot_data["services"].routine.exercises
    )
    # ... and a second warm-up sends every one by its file_id.
    before = len(sandbox.calls)
    again = await say(sandbox, runner, "/warmup")
    for _ in range(2 * EXERCISES):
        await tap_done(runner, again)
    assert uploads_in(sandbox.calls[before:]) == []
    assert message_by_id(runner, again.message_id).caption.startswith("🏁 Warm-up complete")


async def test_a_tap_within_an_exercise_is_one_unit_of_work_on_a_moving_card_too(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    """The card this process put on the message says which clip it shows: a caption-only step
    reads nothing more (no clip lookup in a transaction of its own); a clip swap looks it up."""
    runner = sandbox.user(8808)
    card = await say(sandbox, runner, "/warmup")
    await tap_done(runner, card)
    await tap_done(runner, card)  # exercise 2 now: each tap was answered when done
    engine = coach.application.bot_data["services"].db.engine.sync_engine
    # Statements by unit of work (its connection). The leader's own jobs run theirs meanwhile
    # on PostgreSQL: the warm-up's are those that touch warm-ups or clips.
    units: dict[object, list[str]] = {}

    def begun(connection: object) -> None:
        units[connection] = []

    def statement(connection: object, _cursor: object, sql: str, *_: object) -> None:
        units.setdefault(connection, []).append(sql)

    def taps_units() -> list[list[str]]:
        mine = ("warmup_sessions", "demo_uploads")
        return [sqls for sqls in units.values() if any(t in sql for sql in sqls for t in mine)]

    def uploads_read() -> list[str]:
        return [sql for sqls in units.values() for sql in sqls if "demo_uploads" in sql]

    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        assert await tap_done(runner, card) == "Set 1 done 💪"
        assert len(taps_units()) == 1, "set 1: the tap's own unit of work only"
        assert uploads_read() == []
        assert "Set 2 of 2" in str(message_by_id(runner, card.message_id).caption)
        units.clear()
        await tap_done(runner, card)  # the next exercise: its clip is looked up and swapped in
        assert len(taps_units()) >= 2 and uploads_read()
    finally:
        event.remove(engine, "begin", begun)
        event.remove(engine, "before_cursor_execute", statement)
    assert "Exercise 3 of 6" in str(message_by_id(runner, card.message_id).caption)


async def test_the_clip_shows_the_band_where_the_runners_level_puts_it(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    """Level 2 of side steps moves the band to the ankles: so does the clip on the card."""
    runner = sandbox.user(8809)
    first = len(sandbox.calls)
    level_one = await say(sandbox, runner, "/warmup")
    assert uploads_in(sandbox.calls[first:]) == ["banded-side-steps@knees.mp4"]
    await runner.tap(level_one.message_id, button_data(level_one, "End"))
    menu = await say(sandbox, runner, "/levels")
    await runner.tap(menu.message_id, button_data(menu, "➕ Side steps"))
    start = len(sandbox.calls)
    card = await say(sandbox, runner, "/warmup")
    assert "Level 2 · band at the ankles" in str(card.caption)
    assert uploads_in(sandbox.calls[start:]) == ["banded-side-steps@ankles.mp4"]


async def test_a_reminder_turns_into_the_moving_card_in_place(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    runner = sandbox.user(8802)
    await say(sandbox, runner, "/remind daily 07:00 UTC 30")
    coach.clock.set(datetime(2026, 11, 26, 6, 30, tzinfo=UTC))
    assert await dispatch_due(coach.application) == 1
    reminder = runner.last_bot_message()
    assert reminder.text is not None and not reminder.has_animation
    await runner.tap(reminder.message_id, button_data(reminder, "Full ·"))
    card = message_by_id(runner, reminder.message_id)
    assert card.has_animation and "Exercise 1 of 6" in str(card.caption)
    assert [c.method for c in sandbox.calls if c.method == "editMessageMedia"] == [
        "editMessageMedia"
    ]
    assert await tap_done(runner, card) == texts.ANSWER_SET_DONE.format(set_number=1)


async def test_resuming_from_the_offer_turns_the_offer_into_the_card(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    runner = sandbox.user(8803)
    card = await say(sandbox, runner, "/warmup")
    await tap_done(runner, card)
    offer = await say(sandbox, runner, "/warmup")
    assert offer.text is not None and "Resume" in str(offer.buttons)
    await runner.tap(offer.message_id, button_data(offer, "Resume"))
    resumed = message_by_id(runner, offer.message_id)
    assert resumed.has_animation and "Set 2 of 2" in str(resumed.caption)
    old = message_by_id(runner, card.message_id)
    assert old.caption == texts.MOVED_BELOW and old.buttons == [], "the old card says where"


async def test_a_failed_clip_swap_loses_no_set_and_the_card_recovers(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    runner = sandbox.user(8804)
    card = await say(sandbox, runner, "/warmup")
    await tap_done(runner, card)
    # Telegram fails the swap to the second exercise's clip, retries and all.
    sandbox.fail_next(3, status=502, methods={"editMessageMedia"})
    answer = await tap_done(runner, card)
    assert answer == texts.ANSWER_EXERCISE_DONE.format(name="Wall Abs"), "the set counted"
    shown = message_by_id(runner, card.message_id)
    assert "Exercise 2 of 6" in str(shown.caption), "the caption moved on, over the old clip"
    first_clip = shown.animation_file_id
    # The next tap swaps the right clip in.
    await tap_done(runner, card)
    shown = message_by_id(runner, card.message_id)
    assert "Exercise 2 of 6" in str(shown.caption) and "Set 2 of 2" in str(shown.caption)
    assert shown.animation_file_id != first_clip
    async with coach.application.bot_data["services"].db.transaction() as db:
        [row] = (await db.scalars(select(WarmupSession))).all()
    assert row.sets_done[:2] == [2, 1]


async def test_a_new_card_falls_back_to_text_when_the_clip_cannot_be_sent(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    runner = sandbox.user(8805)
    sandbox.fail_next(
        1, status=400, methods={"sendAnimation"}, description="Bad Request: file is too big"
    )
    card = await say(sandbox, runner, "/warmup")
    assert card.text is not None and "Exercise 1 of 6" in card.text, "a text card instead"
    assert await tap_done(runner, card) == texts.ANSWER_SET_DONE.format(set_number=1)


async def test_a_file_id_telegram_no_longer_takes_is_uploaded_again(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    runner = sandbox.user(8806)
    first = await say(sandbox, runner, "/warmup")  # uploads the first clip
    # The bot stores the upload's file_id once sent; its next update of this runner is handled
    # after that (one chat's updates in turn): a sync point.
    await runner.tap(first.message_id, "sync")
    services = coach.application.bot_data["services"]
    async with services.db.transaction() as db:
        await db.execute(update(DemoUpload).values(file_id="AAAA-gone"))
    async with services.db.transaction() as db:
        await db.execute(update(WarmupSession).values(status="ended"))
    before = len(sandbox.calls)
    card = await say(sandbox, runner, "/warmup")
    assert card.has_animation, "shown after all"
    calls = [c for c in sandbox.calls[before:] if c.method == "sendAnimation"]
    assert [c.status for c in calls] == [400, 200], "refused by file_id, then uploaded"
    assert uploads_in(calls) == ["banded-side-steps@knees.mp4"]
    await runner.tap(card.message_id, "sync")
    async with services.db.transaction() as db:
        [stored] = (await db.scalars(select(DemoUpload))).all()
    assert stored.file_id == card.animation_file_id
    # The refused file_id was this test's doing (a file Telegram forgot), not the bot's.
    refused = "sendAnimation: 400 Bad Request: wrong file identifier/HTTP URL specified"
    assert sandbox.violations == [refused]
    sandbox.violations.clear()


async def test_settings_switch_demonstrations_off_for_the_next_warmup(
    sandbox: BotApiSandbox, coach: BotRunner
) -> None:
    runner = sandbox.user(8807)
    moving = await say(sandbox, runner, "/warmup")
    assert moving.has_animation
    settings = await say(sandbox, runner, "/settings")
    assert "Warm-up card: a moving demonstration of each exercise" in settings.text
    await runner.tap(settings.message_id, button_data(settings, "Text only"))
    assert "Warm-up card: text only" in message_by_id(runner, settings.message_id).text
    # The warm-up under way keeps its moving card...
    await tap_done(runner, moving)
    assert message_by_id(runner, moving.message_id).has_animation
    async with coach.application.bot_data["services"].db.transaction() as db:
        await db.execute(update(WarmupSession).values(status="ended"))
    # ... the next one is text.
    text_card = await say(sandbox, runner, "/warmup")
    assert not text_card.has_animation and "Exercise 1 of 6" in text_card.text


async def test_a_warmup_begun_before_demonstrations_keeps_its_text_card(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    """The release that brings demonstrations: a warm-up already under way stays text to the
    end; the runner's next one moves."""
    before = BotRunner(sandbox, database_url, clock, demonstrations=False)
    await before.start()
    runner = sandbox.user(8808)
    try:
        card = await say(sandbox, runner, "/warmup")
        await tap_done(runner, card)
    finally:
        await before.stop()
    after = BotRunner(sandbox, database_url, clock, demonstrations=True)
    await after.start()
    try:
        for _ in range(11):
            await tap_done(runner, card)
        final = message_by_id(runner, card.message_id)
        assert final.text is not None and final.text.startswith("🏁 Warm-up complete")
        assert not final.has_animation
        assert (await say(sandbox, runner, "/warmup")).has_animation
    finally:
        await after.stop()


@pytest.mark.parametrize("locale", list(LANGUAGES))
def test_every_card_fits_a_caption_in_every_language(locale: str) -> None:
    """Telegram takes at most 1,024 characters of caption: the longest card (how-to shown, on
    the last set, level changes announced at its top) must fit in every language."""
    from bot.app import load_routine
    from bot.coach.walkthrough import Walkthrough

    routine = load_routine(ROUTINE_FILE)
    # The wordiest plan: every exercise at its highest level, each change announced.
    plan = Plan.of(routine, routine.top_levels)
    extras = CardExtras(announced=tuple((e.key, 1, e.top_level) for e in routine.exercises))
    start = Walkthrough.start(plan, datetime(2026, 11, 25, tzinfo=UTC))
    longest = 0
    with use(locale):
        for index, dose in enumerate(plan.exercises):
            for how_to in (False, True):
                for set_number in (1, dose.sets):
                    state = replace(
                        start,
                        exercise_index=index,
                        set_number=set_number,
                        showing_how_to=how_to,
                    )
                    longest = max(longest, len(card_text(state, plan, routine, extras)))
    assert longest <= CAPTION_LIMIT, (locale, longest)
