"""A flooding user is answered at a sane rate and does not slow anyone else down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.coach.clock import ManualClock
from bot.config import Settings
from bot.sandbox.server import BotApiSandbox
from bot.telegram import texts
from tests.harness import BotRunner, button_data, say

DEFAULTS = Settings(_env_file=None)


@pytest.fixture
async def guarded_bot(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> AsyncIterator[BotRunner]:
    # The production limits, not the relaxed ones other end-to-end tests use; the guard's
    # refill runs on the test's clock, so a slow machine cannot refill the bucket mid-flood.
    runner = BotRunner(
        sandbox,
        database_url,
        clock,
        flood_clock=lambda: clock().timestamp(),
        flood_burst=DEFAULTS.flood_burst,
        flood_rate=DEFAULTS.flood_rate,
    )
    await runner.start()
    try:
        yield runner
    finally:
        await runner.stop()


async def test_flood_of_messages_is_answered_at_a_sane_rate(
    sandbox: BotApiSandbox, guarded_bot: BotRunner
) -> None:
    flooder, neighbour = sandbox.user(7001), sandbox.user(7002)
    for n in range(40):
        await flooder.send(f"spam {n}")
    # The neighbour is served while the flood is in the queue.
    card = await say(sandbox, neighbour, "/warmup")
    assert "Exercise 1 of 6" in card.text
    answer = await neighbour.tap(card.message_id, button_data(card, "Done set"))
    assert answer.text == texts.ANSWER_SET_DONE.format(set_number=1)
    # A final tap from the flooder is a sync point: their updates are handled in order.
    await flooder.tap(1, "sync")
    replies = [m.text for m in flooder.bot_messages()]
    assert replies.count(texts.SLOW_DOWN) == 1
    # A burst's worth of answers: the clock stood still, so nothing was refilled.
    assert replies.count(texts.PLAIN_TEXT) == DEFAULTS.flood_burst


async def test_flood_of_taps_is_answered_every_time(
    sandbox: BotApiSandbox, guarded_bot: BotRunner
) -> None:
    flooder = sandbox.user(7003)
    card = await say(sandbox, flooder, "/warmup")
    data = button_data(card, "Done set")
    taps = [flooder.tap_nowait(card.message_id, data) for _ in range(25)]
    answers = [a.text for a in await asyncio.gather(*taps)]
    assert len(answers) == 25, "every callback query answered"
    assert answers.count(texts.ANSWER_SET_DONE.format(set_number=1)) == 1
    # /warmup took one of the burst; the clock stood still, so nothing was refilled.
    assert answers.count(texts.SLOW_DOWN) == 25 - (DEFAULTS.flood_burst - 1)
    assert not sandbox.unanswered_callback_queries()
