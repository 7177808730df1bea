"""A tap's one path: read the warm-up, take the step, store it with a compare-and-set on its
version, all in one transaction. The database decides double taps, also across processes;
another process's writes are always seen, never overwritten."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import Select, event, func, make_url, select, update
from sqlalchemy.util import await_

from bot.coach.clock import ManualClock
from bot.coach.walkthrough import Action, apply
from bot.db import warmups
from bot.db.models import User, UserStats, WarmupCompletion, WarmupSession
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.users import ChatMessage, SimulatedUser
from bot.telegram import texts
from tests.harness import BotRunner, button_data, message_by_id, say, take_updates


@contextmanager
def both_read_before_either_writes(*bots: BotRunner) -> Iterator[list[str]]:
    """Hold each bot's first UPDATE of a warm-up until every bot has reached its own: the two
    taps have both read the same version. (PostgreSQL only: SQLite's BEGIN IMMEDIATE lets the
    second transaction in only after the first has committed.)"""
    barrier = asyncio.Barrier(len(bots))
    held: list[str] = []

    def hold(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        if statement.startswith("UPDATE warmup_sessions") and len(held) < len(bots):
            held.append(statement)
            await_(barrier.wait())

    engines = [bot.application.bot_data["services"].db.engine.sync_engine for bot in bots]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", hold)
    try:
        yield held
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", hold)


@pytest.mark.parametrize("sets_before", [0, 11], ids=["a set", "the completing set"])
async def test_a_double_tap_through_two_processes_counts_once(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock, sets_before: int
) -> None:
    """Two bot processes behind one webhook each get one of two taps on the same button at
    the same instant. Exactly one counts; the other is told so; the streak moves once."""
    first, second = BotRunner(sandbox, database_url, clock), BotRunner(sandbox, database_url, clock)
    await first.start(polling=False)
    await second.start(polling=False)
    try:
        runner = sandbox.user(9201)
        await runner.send("/warmup")
        [command] = await take_updates(sandbox)
        await first.deliver(command)
        await sandbox.wait_for(lambda: len(runner.bot_messages()) == 1)
        card = runner.bot_messages()[0]
        for _ in range(sets_before):
            current = message_by_id(runner, card.message_id)
            pending = runner.tap_nowait(card.message_id, button_data(current, "Done set"))
            [tap] = await take_updates(sandbox)
            await first.deliver(tap)
            await pending
        current = message_by_id(runner, card.message_id)
        done = button_data(current, "Done set")
        answers = [runner.tap_nowait(card.message_id, done) for _ in range(2)]
        taps = await take_updates(sandbox)
        on_postgresql = make_url(database_url).get_backend_name() == "postgresql"
        with both_read_before_either_writes(first, second) if on_postgresql else _nothing():
            await asyncio.gather(first.deliver(taps[0]), second.deliver(taps[1]))
            texts_seen = sorted(str(answer.text) for answer in await asyncio.gather(*answers))
        if sets_before == 11:
            expected = [texts.ANSWER_COMPLETED, texts.ANSWER_WARMUP_OVER]
        else:
            expected = [texts.ANSWER_SET_DONE.format(set_number=1), texts.ANSWER_ALREADY_COUNTED]
        assert texts_seen == sorted(expected), "one counted; the other answered as the second"
        services = first.application.bot_data["services"]
        async with services.db.transaction() as db:
            [row] = (await db.scalars(_warmups_of(9201))).all()
            totals = await db.get(UserStats, 9201)
            completions = await db.scalar(
                select(func.count()).where(WarmupCompletion.user_id == 9201)
            )
        assert sum(row.sets_done) == sets_before + 1
        if sets_before == 11:
            assert (row.status, completions, totals.total, totals.current) == ("completed", 1, 1, 1)
        # The process whose tap was stale repaints the card, which the other process has just
        # edited into the same thing; Telegram answers "not modified" and the bot takes that as
        # done. (Within one process the bot knows what it last showed and sends no such edit.)
        repaints = [call for call in sandbox.calls if "not modified" in str(call.response)]
        assert len(repaints) <= 1
        sandbox.calls[:] = [call for call in sandbox.calls if call not in repaints]
    finally:
        await first.stop()
        await second.stop()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


async def test_a_step_taken_elsewhere_is_seen_and_the_card_repainted(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner, card = await _card_of(sandbox, 9102)
    done = button_data(card, "Done set")
    await _set_done_elsewhere(bot, 9102)  # the first set, counted by another process
    answer = await runner.tap(card.message_id, done)
    assert answer.text == texts.ANSWER_ALREADY_COUNTED, "counted once, by the other process"
    current = message_by_id(runner, card.message_id)
    assert "Set 2 of 2" in current.text
    answer = await runner.tap(card.message_id, button_data(current, "Done set"))
    assert answer.text == texts.ANSWER_EXERCISE_DONE.format(name="Wall Abs")
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        [row] = (await db.scalars(_warmups_of(9102))).all()
    assert row.sets_done[0] == 2 and row.exercise_index == 1


async def test_a_card_moved_elsewhere_makes_the_old_card_old(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner, card = await _card_of(sandbox, 9103)
    services = bot.application.bot_data["services"]
    # Another process resumed the warm-up on a newer message (no step taken, same version).
    async with services.db.transaction() as db:
        await db.execute(
            update(WarmupSession)
            .where(WarmupSession.user_id == 9103)
            .values(message_id=card.message_id + 100)
        )
    answer = await runner.tap(card.message_id, button_data(card, "Done set"))
    assert answer.text == texts.ANSWER_OLD_CARD
    async with services.db.transaction() as db:
        [row] = (await db.scalars(_warmups_of(9103))).all()
    assert row.sets_done[0] == 0, "nothing counted from the old card"


async def test_a_streak_moved_elsewhere_mid_warmup_is_counted_on(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    """Another process records yesterday's warm-up while this one is under way: the completing
    tap reads the totals as they are then, and neither day is lost."""
    runner, card = await _card_of(sandbox, 9105)
    await _done_sets(runner, card.message_id, 11)
    services = bot.application.bot_data["services"]
    yesterday = (bot.clock() - timedelta(days=1)).date()  # the runner's zone is UTC
    async with services.db.transaction() as db:
        db.add(
            UserStats(
                user_id=9105,
                current=1,
                longest=1,
                freezes=0,
                total=1,
                last_day=yesterday,
                frozen_days=[],
                earned_since_freeze=1,
                feel_sum=0,
                feel_count=0,
                updated_at=bot.clock(),
            )
        )
    await _done_sets(runner, card.message_id, 1)
    assert texts.STREAK_LINE.format(2) in message_by_id(runner, card.message_id).text
    async with services.db.transaction() as db:
        totals = await db.get(UserStats, 9105)
    assert (totals.current, totals.longest, totals.total) == (2, 2, 2)
    assert totals.last_day == bot.clock().date()


async def test_a_time_zone_changed_elsewhere_mid_warmup_dates_the_completion_anew(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner, card = await _card_of(sandbox, 9106)
    await _done_sets(runner, card.message_id, 11)
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:  # another process: the runner moved west
        await db.execute(update(User).where(User.id == 9106).values(timezone="America/Los_Angeles"))
    await _done_sets(runner, card.message_id, 1)
    async with services.db.transaction() as db:
        completion = await db.scalar(
            select(WarmupCompletion).where(WarmupCompletion.user_id == 9106)
        )
    # 06:30 UTC on the 25th is 22:30 on the 24th in Los Angeles.
    assert completion is not None and completion.local_date == date(2026, 11, 24)


async def test_a_card_whose_message_id_was_never_recorded_is_adopted_by_its_first_tap(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    """/warmup records the card's message id after sending it; a crash in between (or a send
    that timed out but arrived) leaves the runner a card the database does not know."""
    runner, card = await _card_of(sandbox, 9107)
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        await db.execute(
            update(WarmupSession).where(WarmupSession.user_id == 9107).values(message_id=None)
        )
    answer = await runner.tap(card.message_id, button_data(card, "Done set"))
    assert answer.text == texts.ANSWER_SET_DONE.format(set_number=1)
    async with services.db.transaction() as db:
        [row] = (await db.scalars(_warmups_of(9107))).all()
    assert (row.message_id, row.sets_done[0]) == (card.message_id, 1)


async def test_a_card_that_never_arrived_is_sent_again_by_the_next_warmup(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(9108)
    sandbox.fail_next(3, status=502, methods=["sendMessage"])  # every retry of the card fails
    await runner.send("/warmup")
    await sandbox.wait_for(lambda: runner.bot_messages() != [])
    assert [m.text for m in runner.bot_messages()] == [texts.SOMETHING_WENT_WRONG]
    card = await say(sandbox, runner, "/warmup")
    assert "Exercise 1 of 6" in card.text, "the card itself, not an offer to resume"
    answer = await runner.tap(card.message_id, button_data(card, "Done set"))
    assert answer.text == texts.ANSWER_SET_DONE.format(set_number=1)


async def _card_of(sandbox: BotApiSandbox, user_id: int) -> tuple[SimulatedUser, ChatMessage]:
    """A runner with a new warm-up card. /warmup records its card's message id after sending
    it, and a tap of that user is handled only after that: the first tap is a sync point."""
    runner = sandbox.user(user_id)
    card = await say(sandbox, runner, "/warmup")
    await runner.tap(card.message_id, "sync")
    return runner, card


async def _set_done_elsewhere(bot: BotRunner, user_id: int) -> None:
    """Another process counts a set of the runner's warm-up, behind this bot's back."""
    services = bot.application.bot_data["services"]
    async with services.db.transaction() as db:
        [row] = (await db.scalars(_warmups_of(user_id))).all()
        state = warmups.to_walkthrough(row)
        moved = apply(state, services.routine, Action.DONE_SET, state.version, bot.clock()).state
        assert await warmups.save_step(db, row.id, state.version, moved)


async def _done_sets(runner: SimulatedUser, message_id: int, count: int) -> None:
    """Tap ✅ Done set `count` times on the card, each on the card as it then is."""
    for _ in range(count):
        current = message_by_id(runner, message_id)
        await runner.tap(message_id, button_data(current, "Done set"))


def _warmups_of(user_id: int) -> Select[tuple[WarmupSession]]:
    return select(WarmupSession).where(WarmupSession.user_id == user_id)
