"""Faults injected through the sandbox and the database: storms of 429s, 5xx and timeouts, a
locked database, a process killed mid fan-out. Nothing completed is lost, nothing sent twice."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.app import load_routine
from bot.coach.clock import ManualClock
from bot.coach.plan import Plan
from bot.coach.walkthrough import Walkthrough
from bot.db import checkins, warmups
from bot.db.engine import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import CheckIn, SentReminder, WarmupSession
from bot.sandbox.server import BotApiSandbox, SimulatedUser
from bot.telegram import checkin_jobs, texts
from bot.telegram.reminder_jobs import IN_FLIGHT, dispatch_due
from tests.e2e.processes import BotProcess
from tests.e2e.tcp_proxy import proxied
from tests.e2e.test_processes import _schedule_due_reminders
from tests.harness import (
    ROUTINE_FILE,
    BotRunner,
    button_data,
    commit_fails_once,
    message_by_id,
    running,
    say,
)

ROUTINE = load_routine(ROUTINE_FILE)

FAULTY = {"editMessageText", "answerCallbackQuery", "sendMessage"}


async def finish_warmup(sandbox: BotApiSandbox, runner: SimulatedUser) -> int:
    """Tap what the card shows until the warm-up is complete, as a patient runner would."""
    card = await say(sandbox, runner, "/warmup")
    taps = 0
    while not message_by_id(runner, card.message_id).text.startswith("🏁"):
        shown = message_by_id(runner, card.message_id)
        await runner.tap(card.message_id, button_data(shown, "Done set"), timeout=30)
        taps += 1
        assert taps < 40, "the warm-up should finish despite the faults"
    return taps


async def test_storm_of_429_5xx_and_timeouts_mid_warmups(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runners = [sandbox.user(8000 + n) for n in range(4)]
    # Rules apply in order: a timeout, then 5xx, then 429s, spread over whoever calls next.
    sandbox.fail_next(1, status="timeout", methods={"editMessageText"})
    sandbox.fail_next(6, status=502, methods=FAULTY)
    sandbox.fail_next(2, status=503, methods=FAULTY)
    sandbox.fail_next(4, status=429, retry_after=1, methods=FAULTY)
    taps = await asyncio.gather(*(finish_warmup(sandbox, r) for r in runners))
    assert all(t >= 12 for t in taps)
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        sessions = list((await db.execute(select(WarmupSession))).scalars())
    assert sorted(s.user_id for s in sessions) == [r.id for r in runners]
    assert all(s.status == "completed" and s.sets_done == [2] * 6 for s in sessions)
    assert not sandbox.unanswered_callback_queries()


async def test_storm_during_reminder_fan_out_sends_each_once(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runners = [sandbox.user(8100 + n) for n in range(20)]
    for runner in runners:
        await say(sandbox, runner, "/remind daily 07:00 UTC 30")
    sandbox.fail_next(4, status=502, methods={"sendMessage"})
    sandbox.fail_next(1, status="timeout", methods={"sendMessage"})
    sandbox.fail_next(3, status=429, retry_after=1, methods={"sendMessage"})
    bot.clock.set(datetime(2026, 11, 26, 6, 30, tzinfo=UTC))
    assert await dispatch_due(bot.application) == 20
    for runner in runners:
        reminders = [m for m in runner.bot_messages() if (m.text or "").startswith("Run at")]
        assert len(reminders) == 1
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        statuses = [r.status for r in (await db.execute(select(SentReminder))).scalars()]
    assert statuses == ["sent"] * 20


@contextlib.asynccontextmanager
async def database_locked(database_url: str) -> AsyncIterator[None]:
    """Another client holds the warm-up table locked until the block ends."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("COMMIT")
            holder.close()
    else:
        holder = await asyncpg.connect(
            host=url.host, port=url.port, user=url.username, database=url.database
        )
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute("LOCK TABLE warmup_sessions IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            await transaction.commit()
            await holder.close()


async def test_a_briefly_locked_database_delays_but_loses_nothing(
    sandbox: BotApiSandbox, bot: BotRunner, database_url: str
) -> None:
    runner = sandbox.user(8200)
    card = await say(sandbox, runner, "/warmup")
    async with database_locked(database_url):
        before = sandbox.max_delivered_update_id
        answer = runner.tap_nowait(card.message_id, button_data(card, "Done set"), timeout=30)
        await sandbox.wait_for(lambda: sandbox.max_delivered_update_id > before)
        assert not answer.done(), "the tap waits for the lock"
    assert (await answer).text == texts.ANSWER_SET_DONE.format(set_number=1)
    assert "Set 2 of 2" in message_by_id(runner, card.message_id).text


@dataclass(frozen=True)
class _Killed:
    delivered: int  # runners who had their message when the first process was killed
    between: int  # what `between` found then


async def _kill_mid_fan_out_and_restart(
    sandbox: BotApiSandbox,
    database_url: str,
    runners: list[SimulatedUser],
    in_flight: int,
    between: Callable[[], Awaitable[int]] | None = None,
) -> _Killed:
    """A bot process fans out one message to each runner and is killed with SIGKILL after
    ten; a second one finishes the fan-out (all but the `in_flight` the first may have left
    claimed) and stops with SIGTERM. `between` looks at the database in between."""

    def delivered() -> int:
        return sum(1 for r in runners if r.bot_messages())

    first = BotProcess(sandbox, database_url)
    await first.start_polling(sandbox)
    await sandbox.wait_for(lambda: delivered() >= 10, timeout=60)
    first.signal(signal.SIGKILL)
    await first.wait(timeout=10)
    killed = _Killed(delivered(), await between() if between is not None else 0)
    second = BotProcess(sandbox, database_url)
    await second.start_polling(sandbox)
    await sandbox.wait_for(lambda: delivered() >= len(runners) - in_flight, timeout=60)
    # SIGTERM lets the second process finish its fan-out before it exits.
    second.signal(signal.SIGTERM)
    assert await second.wait(timeout=30) == 0
    return killed


async def test_sigkill_mid_fan_out_then_restart_never_sends_twice(database_url: str) -> None:
    # A sandbox with Telegram's limit at 10/s, so the burst takes a few seconds to go out.
    async with running(BotApiSandbox(global_rate_limit=10)) as sandbox:
        user_ids = list(range(8300, 8340))
        runners = [sandbox.user(user_id) for user_id in user_ids]
        await _schedule_due_reminders(
            database_url, user_ids, datetime.now(UTC) - timedelta(seconds=1)
        )

        killed_at = await _kill_mid_fan_out_and_restart(sandbox, database_url, runners, IN_FLIGHT)
    database = Database(database_url)
    try:
        async with database.transaction() as db:
            rows = {r.user_id: r.status for r in (await db.execute(select(SentReminder))).scalars()}
    finally:
        await database.dispose()
    counts = {r.id: len(r.bot_messages()) for r in runners}
    assert max(counts.values()) == 1, "no reminder sent twice"
    lost = [user for user, n in counts.items() if n == 0]
    # Lost at most the few claimed when the process died, each recorded as never confirmed.
    assert len(lost) <= IN_FLIGHT
    assert all(rows[user] == "sending" for user in lost)
    assert killed_at.delivered < len(user_ids), "the kill happened mid fan-out"
    assert sorted(rows) == user_ids


async def test_a_database_briefly_out_of_reach_loses_nothing(
    sandbox: BotApiSandbox, bot: BotRunner, database_url: str
) -> None:
    """PostgreSQL drops every connection (a restart, a failover); SQLite stays locked past its
    busy timeout. The tap in the outage is answered and apologised for at worst; the warm-up
    carries on afterwards, and no set is counted twice or lost once it was confirmed."""
    runner = sandbox.user(8400)
    card = await say(sandbox, runner, "/warmup")
    done = button_data(card, "Done set")
    # A set before the outage: on PostgreSQL the tap's connection then waits in the pool for
    # the next one, and the outage closes it.
    first = await runner.tap(card.message_id, done)
    assert first.text == texts.ANSWER_SET_DONE.format(set_number=1)
    done = button_data(message_by_id(runner, card.message_id), "Done set")
    if make_url(database_url).get_backend_name() == "sqlite":
        async with database_locked(database_url):
            before = len(runner.bot_messages())
            answer = await runner.tap(card.message_id, done, timeout=30)
            # The write waited out the busy timeout and failed: nothing stored, user told.
            assert answer.text is None
            await sandbox.wait_for(lambda: len(runner.bot_messages()) > before)
            assert runner.bot_messages()[-1].text == texts.SOMETHING_WENT_WRONG
    else:
        url = make_url(database_url)
        admin = await asyncpg.connect(
            host=url.host, port=url.port, user=url.username, database="postgres"
        )
        try:
            # With a timeout, pg_terminate_backend waits until each backend has exited (without
            # one it only signals them, and a tap could still meet a connection mid-death).
            dropped = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                url.database,
            )
        finally:
            await admin.close()
        assert dropped >= 1, "the bot's pooled connection was dropped"
    answer = await runner.tap(card.message_id, done, timeout=30)
    assert answer.text == texts.ANSWER_EXERCISE_DONE.format(name="Wall Abs")
    assert "Exercise 2 of 6" in message_by_id(runner, card.message_id).text
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        [session] = list((await db.execute(select(WarmupSession))).scalars())
    assert session.sets_done[0] == 2


async def test_a_commit_the_database_refuses_costs_that_tap_only(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    """A COMMIT that fails (a full disk, an I/O error) leaves the database's transaction open
    on that connection: it must be rolled back before the connection serves anyone again, or
    every later tap on it fails too."""
    runner = sandbox.user(8410)
    card = await say(sandbox, runner, "/warmup")
    done = button_data(card, "Done set")
    with commit_fails_once(bot, "UPDATE warmup_sessions SET status") as refused:  # a step
        before = len(runner.bot_messages())
        answer = await runner.tap(card.message_id, done)
        assert refused and answer.text is None
        await sandbox.wait_for(lambda: len(runner.bot_messages()) > before)
        assert runner.bot_messages()[-1].text == texts.SOMETHING_WENT_WRONG
    assert "Set 1 of 2" in message_by_id(runner, card.message_id).text, "nothing was kept"
    first = await runner.tap(card.message_id, done)
    assert first.text == texts.ANSWER_SET_DONE.format(set_number=1)
    second = await runner.tap(
        card.message_id, button_data(message_by_id(runner, card.message_id), "Done set")
    )
    assert second.text == texts.ANSWER_EXERCISE_DONE.format(name="Wall Abs")
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        [session] = list((await db.execute(select(WarmupSession))).scalars())
    assert session.sets_done[0] == 2


@pytest.mark.postgresql_only
async def test_a_connection_cut_silently_costs_no_tap(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    """The network drops the bot's PostgreSQL connections without a word: the bot's end still
    looks open. The pool pings a connection before the tap's transaction uses it, finds this
    one dead and opens a new one: the runner notices nothing."""
    url = make_url(database_url)
    assert url.host is not None and url.port is not None
    async with proxied(url.host, url.port) as proxy:
        through_proxy = url.set(host="127.0.0.1", port=proxy.port)
        bot = BotRunner(sandbox, through_proxy.render_as_string(hide_password=False), clock)
        await bot.start()
        try:
            runner = sandbox.user(8410)
            card = await say(sandbox, runner, "/warmup")
            first = await runner.tap(card.message_id, button_data(card, "Done set"))
            assert first.text == texts.ANSWER_SET_DONE.format(set_number=1)
            proxy.cut_silently()
            current = message_by_id(runner, card.message_id)
            answer = await runner.tap(card.message_id, button_data(current, "Done set"))
            assert proxy.resets >= 1, "the tap met the cut"
            assert answer.text == texts.ANSWER_EXERCISE_DONE.format(name="Wall Abs")
            assert "Exercise 2 of 6" in message_by_id(runner, card.message_id).text
            assert texts.SOMETHING_WENT_WRONG not in [m.text for m in runner.bot_messages()]
        finally:
            await bot.stop()
    database = Database(database_url)
    try:
        async with database.engine.connect() as db:
            [sets_done] = (await db.execute(select(WarmupSession.sets_done))).scalars()
    finally:
        await database.dispose()
    assert sets_done[0] == 2


async def _schedule_due_checkins(database_url: str, user_ids: list[int], due: datetime) -> None:
    """Runners who finished a warm-up, each with a check-in due at `due` (real time)."""
    database = Database(database_url)
    await upgrade_to_head(database.engine)
    try:
        async with database.transaction() as db:
            for user_id in user_ids:
                await warmups.ensure_user(db, user_id, user_id, "Runner", due)
                warmup = await warmups.create_warmup(
                    db, user_id, user_id, Walkthrough.start(Plan.of(ROUTINE), due)
                )
                db.add(
                    CheckIn(
                        user_id=user_id,
                        warmup_id=warmup.id,
                        chat_id=user_id,
                        due_at=due,
                        status=checkins.PENDING,
                    )
                )
    finally:
        await database.dispose()


async def test_sigkill_mid_checkin_fan_out_loses_at_most_a_few_and_never_asks_twice(
    database_url: str,
) -> None:
    """The check-in dispatcher claims a few check-ins at a time, as reminders are claimed: a
    process killed mid fan-out leaves at most IN_FLIGHT claimed and unasked (never asked
    again), not the whole batch."""
    async with running(BotApiSandbox(global_rate_limit=10)) as sandbox:
        user_ids = list(range(8500, 8540))
        runners = [sandbox.user(user_id) for user_id in user_ids]
        await _schedule_due_checkins(
            database_url, user_ids, datetime.now(UTC) - timedelta(seconds=1)
        )

        async def claimed_unasked() -> int:
            database = Database(database_url)
            try:
                async with database.transaction() as db:
                    return await db.scalar(
                        select(func.count()).where(
                            CheckIn.status.in_((checkins.SENDING, checkins.ASKED)),
                            CheckIn.message_id.is_(None),
                        )
                    )
            finally:
                await database.dispose()

        killed_at = await _kill_mid_fan_out_and_restart(
            sandbox, database_url, runners, checkin_jobs.IN_FLIGHT, between=claimed_unasked
        )
        assert killed_at.between <= checkin_jobs.IN_FLIGHT
    counts = {r.id: len(r.bot_messages()) for r in runners}
    assert max(counts.values()) == 1, "no check-in asked twice"
    assert len([user for user, n in counts.items() if n == 0]) <= checkin_jobs.IN_FLIGHT
    assert killed_at.delivered < len(user_ids), "the kill happened mid fan-out"
