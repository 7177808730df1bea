"""Whole warm-ups as a runner does them through the sandbox, for the streak and check-in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.sandbox.server import BotApiSandbox, ChatMessage, SimulatedUser
from tests.harness import BotRunner, button_data, message_by_id, say

EXERCISES = 6
SETS = 2


async def complete_warmup(
    sandbox: BotApiSandbox, runner: SimulatedUser, *, skip: int = 0, quick: bool = False
) -> ChatMessage:
    """Send /warmup (/warmup quick: one set of each) and go to the end, skipping the first
    `skip` exercises; the final card."""
    card = await say(sandbox, runner, "/warmup quick" if quick else "/warmup")
    for exercise in range(EXERCISES):
        if exercise < skip:
            shown = message_by_id(runner, card.message_id)
            await runner.tap(card.message_id, button_data(shown, "Skip"))
            continue
        for _ in range(1 if quick else SETS):
            shown = message_by_id(runner, card.message_id)
            await runner.tap(card.message_id, button_data(shown, "Done set"))
    final = message_by_id(runner, card.message_id)
    headline = "🏁 Quick warm-up complete" if quick else "🏁 Warm-up complete"
    assert final.text.startswith(headline), final.text
    return final


async def warm_up_on(
    bot: BotRunner,
    sandbox: BotApiSandbox,
    runner: SimulatedUser,
    day: date,
    *,
    at: time = time(7, 0),
    skip: int = 0,
    quick: bool = False,
) -> ChatMessage:
    """Move the clock to `day` at `at` (UTC) and complete a warm-up there."""
    bot.clock.set(datetime.combine(day, at, tzinfo=UTC))
    return await complete_warmup(sandbox, runner, skip=skip, quick=quick)
