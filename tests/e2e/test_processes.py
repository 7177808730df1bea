"""The bot as real processes: SIGTERM, SIGKILL and restart, two processes, no token in logs."""

from __future__ import annotations

import asyncio
import json
import signal
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from bot.coach.schedule import RunSchedule
from bot.db import reminders, warmups
from bot.db.engine import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import SentReminder, WarmupSession
from bot.sandbox.server import BotApiSandbox
from tests.e2e.processes import BotProcess, webhook_settings
from tests.harness import button_data, message_by_id, say

REMINDER_TEXT = "Run at"


async def stored_warmups(database_url: str) -> list[WarmupSession]:
    database = Database(database_url)
    try:
        async with database.transaction() as db:
            return list((await db.execute(select(WarmupSession))).scalars())
    finally:
        await database.dispose()


async def test_sigterm_mid_tap_exits_0_and_loses_nothing(
    sandbox: BotApiSandbox, database_url: str
) -> None:
    bot = BotProcess(sandbox, database_url)
    await bot.start_polling(sandbox)
    try:
        runner = sandbox.user(6001)
        card = await say(sandbox, runner, "/warmup")
        before = sandbox.max_delivered_update_id
        answer = runner.tap_nowait(card.message_id, button_data(card, "Done set"), timeout=30)
        # SIGTERM once the tap has been handed to the bot: it is either handled before the
        # process exits, or (if it was still in the long-poll response being cancelled) never
        # confirmed to Telegram, which hands it to the next process. Either way, nothing lost.
        await sandbox.wait_for(lambda: sandbox.max_delivered_update_id > before)
        bot.signal(signal.SIGTERM)
        assert await bot.wait(timeout=10) == 0
    finally:
        await bot.kill()
    if not answer.done():
        restarted = BotProcess(sandbox, database_url)
        await restarted.start_polling(sandbox)
        try:
            await answer
        finally:
            restarted.signal(signal.SIGTERM)
            assert await restarted.wait(timeout=10) == 0
    assert (await answer).text == "Set 1 done 💪"
    assert "Set 2 of 2" in message_by_id(runner, card.message_id).text
    [session] = await stored_warmups(database_url)
    assert session.sets_done[0] == 1
    # One JSON object per line, and the token in none of them (DEBUG logs included).
    assert bot.lines and all(json.loads(line) for line in bot.lines)
    assert sandbox.token not in bot.output
    assert sandbox.token.split(":")[1] not in bot.output


async def test_sigkill_mid_warmup_then_restart_loses_nothing(
    sandbox: BotApiSandbox, database_url: str
) -> None:
    runner = sandbox.user(6002)
    first = BotProcess(sandbox, database_url)
    await first.start_polling(sandbox)
    try:
        card = await say(sandbox, runner, "/warmup")
        for _ in range(5):
            shown = message_by_id(runner, card.message_id)
            await runner.tap(card.message_id, button_data(shown, "Done set"))
    finally:
        first.signal(signal.SIGKILL)
        await first.wait(timeout=10)
    second = BotProcess(sandbox, database_url)
    await second.start_polling(sandbox)
    try:
        for _ in range(7):
            shown = message_by_id(runner, card.message_id)
            await runner.tap(card.message_id, button_data(shown, "Done set"), timeout=15)
    finally:
        second.signal(signal.SIGTERM)
        assert await second.wait(timeout=10) == 0
    assert message_by_id(runner, card.message_id).text.startswith("🏁 Warm-up complete")
    [session] = await stored_warmups(database_url)
    assert session.status == "completed" and session.sets_done == [2] * 6


async def _schedule_due_reminders(database_url: str, user_ids: list[int], due: datetime) -> None:
    """Runners whose next reminder is at `due` (real time), their run an hour later."""
    database = Database(database_url)
    await upgrade_to_head(database.engine)
    try:
        async with database.transaction() as db:
            now = datetime.now(UTC)
            for user_id in user_ids:
                user = await warmups.ensure_user(db, user_id, user_id, "Runner", now)
                rule = RunSchedule(frozenset(range(7)), time(6, 0), "UTC", 30)
                row, _ = await reminders.save_schedule(db, user, rule, now)
                row.next_remind_at, row.next_run_at = due, due + timedelta(hours=1)
                row.next_run_date = (due + timedelta(hours=1)).date()
    finally:
        await database.dispose()


async def test_two_processes_send_each_reminder_once(
    sandbox: BotApiSandbox, database_url: str
) -> None:
    user_ids = list(range(6100, 6140))
    runners = [sandbox.user(user_id) for user_id in user_ids]
    # Due a few seconds after both processes are up, so both dispatchers wake for it together.
    due = datetime.now(UTC) + timedelta(seconds=6)
    await _schedule_due_reminders(database_url, user_ids, due)
    processes = [BotProcess(sandbox, database_url, **webhook_settings()) for _ in range(2)]
    try:
        await asyncio.gather(*(process.start() for process in processes))
        await sandbox.wait_for(
            lambda: all(
                any((m.text or "").startswith(REMINDER_TEXT) for m in r.bot_messages())
                for r in runners
            ),
            timeout=60,
        )
        database = Database(database_url)
        try:
            async with database.transaction() as db:
                rows = list((await db.execute(select(SentReminder))).scalars())
        finally:
            await database.dispose()
    finally:
        for process in processes:
            process.signal(signal.SIGTERM)
        codes = [await process.wait(timeout=15) for process in processes]
    assert codes == [0, 0]
    # Both dispatchers ran against the same rows; the unique (user, run date) decided.
    assert sorted(r.user_id for r in rows) == user_ids
    for runner in runners:
        sent = [m for m in runner.bot_messages() if (m.text or "").startswith(REMINDER_TEXT)]
        assert len(sent) == 1, (runner.id, [m.text for m in sent])
    # Each process logs the reminders it sent: together, every runner exactly once.
    sent_by = [p.output.count('"Reminder sent to user') for p in processes]
    assert sum(sent_by) == len(user_ids), sent_by
