"""/metrics: scraped over HTTP from the running bot, the counters move with what it does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.coach.clock import ManualClock
from bot.sandbox.server import BotApiSandbox
from bot.telegram.reminder_jobs import dispatch_due
from tests.e2e.flows import complete_warmup
from tests.e2e.processes import free_port
from tests.harness import BotRunner, button_data, commit_fails_once, message_by_id, say

Sample = tuple[str, tuple[tuple[str, str], ...]]


async def scrape(url: str) -> dict[Sample, float]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        body = await response.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def moved(
    before: dict[Sample, float], after: dict[Sample, float], name: str, **labels: str
) -> float:
    key = (name, tuple(sorted(labels.items())))
    assert key in after, f"{key} not scraped"
    return after[key] - before.get(key, 0.0)


@dataclass
class Metered:
    """The real bot with its /metrics endpoint on a port of its own."""

    bot: BotRunner
    url: str


@pytest.fixture
async def metered(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> AsyncIterator[Metered]:
    port = free_port()
    bot = BotRunner(sandbox, database_url, clock, metrics_port=port, webhook_listen="127.0.0.1")
    await bot.start()
    try:
        yield Metered(bot, f"http://127.0.0.1:{port}/metrics")
    finally:
        await bot.stop()


async def test_metrics_move_after_a_warmup_and_a_reminder(
    sandbox: BotApiSandbox, metered: Metered, clock: ManualClock
) -> None:
    bot, url = metered.bot, metered.url
    before = await scrape(url)
    await complete_warmup(sandbox, sandbox.user(4101))
    reminded, blocker = sandbox.user(4102), sandbox.user(4103)
    await say(sandbox, reminded, "/remind daily 08:00 UTC 30")
    await say(sandbox, blocker, "/remind daily 08:00 UTC 30")
    blocker.block()
    clock.set(datetime(2026, 11, 25, 7, 30, tzinfo=UTC))
    assert await dispatch_due(bot.application) == 2  # handed over: one sent, one refused
    after = await scrape(url)
    assert moved(before, after, "warmup_warmups_started_total") == 1
    assert moved(before, after, "warmup_warmups_completed_total") == 1
    assert moved(before, after, "warmup_reminders_total", outcome="sent") == 1
    assert moved(before, after, "warmup_reminders_total", outcome="blocked") == 1
    # Sent at its instant by the bot's clock: on time, so counted as 0 s late.
    assert moved(before, after, "warmup_reminder_late_seconds_count") == 1
    assert moved(before, after, "warmup_reminder_late_seconds_bucket", le="0.5") == 1
    assert moved(before, after, "warmup_updates_total", kind="callback_query") == 12
    assert moved(before, after, "warmup_updates_total", kind="command") == 3
    assert moved(before, after, "warmup_update_handling_seconds_count", kind="callback_query") == 12
    assert (
        moved(
            before,
            after,
            "warmup_bot_api_requests_total",
            method="answerCallbackQuery",
            outcome="ok",
        )
        == 12
    )
    assert (
        moved(before, after, "warmup_bot_api_requests_total", method="sendMessage", outcome="403")
        == 1
    )
    assert (
        moved(before, after, "warmup_bot_api_requests_total", method="sendMessage", outcome="ok")
        >= 4
    )
    assert after[("warmup_dispatch_leader", ())] == 1
    assert ("warmup_send_queue_length", (("lane", "bulk"),)) in after
    assert ("warmup_dispatcher_lag_seconds", (("dispatcher", "reminders"),)) in after


async def test_a_completion_whose_transaction_fails_is_counted_only_when_it_commits(
    sandbox: BotApiSandbox, metered: Metered
) -> None:
    bot, url = metered.bot, metered.url
    before = await scrape(url)
    runner = sandbox.user(4104)
    card = await say(sandbox, runner, "/warmup quick")
    for _ in range(5):
        done = button_data(message_by_id(runner, card.message_id), "Done set")
        await runner.tap(card.message_id, done)
    assert "Exercise 6 of 6" in message_by_id(runner, card.message_id).text
    done = button_data(message_by_id(runner, card.message_id), "Done set")
    with commit_fails_once(bot, "INSERT INTO warmup_completions") as refused:
        await runner.tap(card.message_id, done)  # rolled back: nothing kept, nothing counted
    assert refused and "Exercise 6 of 6" in message_by_id(runner, card.message_id).text
    await runner.tap(card.message_id, done)  # the same tap again: now it completes
    assert message_by_id(runner, card.message_id).text.startswith("🏁 Quick warm-up complete")
    after = await scrape(url)
    assert moved(before, after, "warmup_warmups_started_total") == 1
    assert moved(before, after, "warmup_warmups_completed_total") == 1
