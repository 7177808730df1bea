"""Streaks and /stats end to end: warm-ups on chosen dates through the real bot and the sandbox."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta

from PIL import Image
from sqlalchemy import select

from bot.db.models import UserStats, WarmupCompletion
from bot.sandbox.server import BotApiSandbox
from bot.telegram import texts
from bot.telegram.heatmap import CELL, GAP, LEFT, TOP, image_size
from tests.e2e.flows import warm_up_on
from tests.harness import BotRunner, button_data, message_by_id, say

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MON = date(2026, 11, 16)  # a Monday; the clock fixture's day is Wed 25 Nov


def day(offset: int) -> date:
    return MON + timedelta(days=offset)


async def stored(bot: BotRunner, model: type) -> list:
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        return list((await db.execute(select(model))).scalars())


def decoded(png: bytes | None) -> Image.Image:
    assert png is not None and png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel: a truncated or corrupt file raises here
    return image


async def test_a_new_runner_gets_encouragement_not_an_empty_chart(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(4001)
    reply = await say(sandbox, runner, "/stats")
    assert reply.text == texts.STATS_EMPTY
    assert reply.photo is None and sandbox.count("sendPhoto") == 0
    await runner.tap(reply.message_id, button_data(reply, "Full ·"))
    assert "Exercise 1 of 6" in message_by_id(runner, reply.message_id).text


async def test_three_days_in_a_row_celebrate_a_milestone_and_stats_show_them(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(4002)
    first = await warm_up_on(bot, sandbox, runner, day(0))
    assert texts.STREAK_LINE.format(1) in first.text
    assert "🎉" not in first.text
    await warm_up_on(bot, sandbox, runner, day(1))
    third = await warm_up_on(bot, sandbox, runner, day(2))
    assert texts.MILESTONE.format(days=texts.DAYS.format(3)) in third.text
    assert texts.STREAK_LINE.format(3) in third.text
    assert third.text.endswith(str(texts.RATE_QUESTION))

    bot.clock.set(datetime(2026, 11, 19, 20, 0, tzinfo=UTC))  # Thursday evening
    reply = await say(sandbox, runner, "/stats")
    assert reply.caption is not None
    lines = reply.caption.splitlines()
    assert texts.STATS_CURRENT.format(days=texts.DAYS.format(3)) in lines
    assert texts.STATS_LONGEST.format(days=texts.DAYS.format(3)) in lines
    assert texts.STATS_TOTAL.format(total=3) in lines
    assert texts.STATS_WEEK.format(3) in lines  # no schedule: no planned count
    assert texts.STATS_FREEZES.format(4, freezes=0, max=2) in lines
    assert str(texts.STATS_FEEL_NONE) in lines
    image = decoded(reply.photo)
    assert image.format == "PNG" and image.size == image_size(12)
    [totals] = await stored(bot, UserStats)
    assert (totals.current, totals.total, totals.last_day) == (3, 3, day(2))


async def test_a_warmup_with_fewer_than_four_exercises_does_not_count(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(4003)
    await warm_up_on(bot, sandbox, runner, day(0))
    short = await warm_up_on(bot, sandbox, runner, day(1), skip=3)
    assert texts.NOT_COUNTED.format(6, needed=4) in short.text
    assert "🔥 Streak" not in short.text
    # Four of six is enough.
    enough = await warm_up_on(bot, sandbox, runner, day(2), skip=2)
    assert texts.NOT_COUNTED.format(6, needed=4) not in enough.text
    completions = sorted(await stored(bot, WarmupCompletion), key=lambda c: c.local_date)
    assert [(c.local_date, c.counted, c.exercises_done) for c in completions] == [
        (day(0), True, 6),
        (day(1), False, 3),
        (day(2), True, 4),
    ]
    reply = await say(sandbox, runner, "/stats")
    assert texts.STATS_TOTAL.format(total=2) in reply.caption.splitlines()
    # Day 1 had no counted warm-up, but one rest day between two is free without a schedule.
    assert texts.STATS_CURRENT.format(days=texts.DAYS.format(2)) in reply.caption.splitlines()


async def test_a_freeze_saves_the_streak_and_is_announced_once(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(4004)
    await say(sandbox, runner, "/remind daily 18:00 UTC 30")
    cards = [await warm_up_on(bot, sandbox, runner, day(n)) for n in range(7)]
    assert str(texts.FREEZE_EARNED) in cards[-1].text
    assert texts.MILESTONE.format(days=texts.DAYS.format(7)) in cards[-1].text
    # Day 7 is missed; on day 8 /stats already knows a freeze covered it.
    bot.clock.set(datetime.combine(day(8), time(6, 0), tzinfo=UTC))
    reply = await say(sandbox, runner, "/stats")
    lines = reply.caption.splitlines()
    assert lines[0] == texts.FREEZE_SAVED.format(days=texts.DAYS.format(7))
    assert texts.STATS_CURRENT.format(days=texts.DAYS.format(7)) in lines
    assert any(line.startswith("🧊 Freezes banked: 0 of 2") for line in lines)
    image = decoded(reply.photo).convert("RGB")
    # The frozen day, Mon 23 Nov, is in the last column (the week of today): drawn blue.
    assert _cell_colour(image, weekday=0, week=11) == (100, 181, 246)
    # Told once: neither the next /stats nor the next warm-up repeats it.
    again = await say(sandbox, runner, "/stats")
    assert texts.FREEZE_SAVED.format(days=texts.DAYS.format(7)) not in again.caption
    card = await warm_up_on(bot, sandbox, runner, day(8))
    assert "🧊 A freeze saved" not in card.text
    assert texts.STREAK_LINE.format(8) in card.text


async def test_the_completion_card_announces_a_freeze_it_spent(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(4005)
    for n in range(7):
        await warm_up_on(bot, sandbox, runner, day(n))
    # No schedule: day 7 is a free rest day, day 8 is missed; back on day 9.
    card = await warm_up_on(bot, sandbox, runner, day(9))
    assert texts.FREEZE_SAVED.format(days=texts.DAYS.format(7)) in card.text
    assert texts.STREAK_LINE.format(8) in card.text
    # The card keeps its words when it is drawn again (a tap on the finished card repaints it).
    data = f"w:{(await stored(bot, WarmupCompletion))[-1].warmup_id}:1:d"
    answer = await runner.tap(card.message_id, data)
    assert answer.text == texts.ANSWER_WARMUP_OVER
    assert message_by_id(runner, card.message_id).text == card.text


async def test_a_streak_breaks_without_freezes_and_longest_is_kept(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(4006)
    for n in range(3):
        await warm_up_on(bot, sandbox, runner, day(n))
    card = await warm_up_on(bot, sandbox, runner, day(6))
    assert texts.STREAK_BROKE.format(days=texts.DAYS.format(3)) in card.text
    assert texts.STREAK_LINE.format(1) in card.text
    reply = await say(sandbox, runner, "/stats")
    lines = reply.caption.splitlines()
    assert texts.STATS_CURRENT.format(days=texts.DAYS.format(1)) in lines
    assert texts.STATS_LONGEST.format(days=texts.DAYS.format(3)) in lines


async def test_streak_days_are_the_runners_local_dates(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(4007)
    await say(sandbox, runner, "/remind daily 07:00 Asia/Tokyo 30")
    # 23:30 UTC on Monday is already Tuesday morning in Tokyo.
    await warm_up_on(bot, sandbox, runner, day(0), at=time(23, 30))
    [completion] = await stored(bot, WarmupCompletion)
    assert completion.local_date == day(1)


def _cell_colour(image: Image.Image, *, weekday: int, week: int) -> tuple[int, int, int]:
    x = LEFT + week * (CELL + GAP) + CELL // 2
    y = TOP + weekday * (CELL + GAP) + CELL // 2
    return image.getpixel((x, y))
