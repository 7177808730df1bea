"""The quick tap (bot/db/recent_warmups.py): one statement per tap, and never trusted over the
database. Another process is played here by writing to the database behind the bot's back.

/warmup records its card's message id after sending it; a tap of that user is handled only
after that, so the first tap of each test is a sync point before watching or writing."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import Select, event, func, make_url, select, update
from sqlalchemy.util import await_

from bot.coach.walkthrough import Action, apply
from bot.db import warmups
from bot.db.engine import create_engine
from bot.db.models import CheckIn, User, UserStats, WarmupCompletion, WarmupSession
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.users import ChatMessage, SimulatedUser
from bot.telegram import texts
from tests.harness import BotRunner, button_data, message_by_id, say


@contextmanager
def statements_of(bot: BotRunner) -> Iterator[list[str]]:
    """The SQL statements the bot runs inside the block (BEGIN/COMMIT are not statements)."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        seen.append(" ".join(statement.split()))

    with before_each_statement(bot, record):
        yield seen


@contextmanager
def before_each_statement(bot: BotRunner, listener: Callable[..., None]) -> Iterator[None]:
    """`listener` hears each statement the bot runs, through its engine or SQLite's lane."""
    services = bot.application.bot_data["services"]
    engines = [services.engine.sync_engine]
    if services.quick.lane is not None:
        engines.append(services.quick.lane.engine)
    for engine in engines:
        event.listen(engine, "before_cursor_execute", listener)
    try:
        yield
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", listener)


async def test_a_tap_on_a_warmup_in_progress_is_one_update_statement(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner, card = await _card_of(sandbox, 9101)
    expected = (
        texts.ANSWER_SET_DONE.format(set_number=1),
        texts.ANSWER_EXERCISE_DONE.format(name="Wall Abs"),
    )
    for expected_answer in expected:
        current = message_by_id(runner, card.message_id)
        with statements_of(bot) as statements:
            answer = await runner.tap(card.message_id, button_data(current, "Done set"))
        assert [kind_of(sql) for sql in statements] == ["UPDATE"], "no read: the bot knew it"
        assert answer.text == expected_answer
    assert "Exercise 2 of 6" in message_by_id(runner, card.message_id).text


async def test_quick_taps_take_no_connection_from_the_pool_tap_after_tap(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    # PostgreSQL's quick taps keep their connection between taps (bot/db/kept_connections.py);
    # SQLite's run in their own lane (bot/db/sqlite_lane.py). Either way the pool's checkout,
    # with its bookkeeping, is not paid tap after tap.
    runner, card = await _card_of(sandbox, 9108)
    await _done_sets(runner, card.message_id, 1)  # the first may take one
    pool = bot.application.bot_data["services"].engine.sync_engine.pool
    checkouts: list[object] = []
    listener = lambda *_: checkouts.append(1)  # noqa: E731
    event.listen(pool, "checkout", listener)
    try:
        await _done_sets(runner, card.message_id, 5)
    finally:
        event.remove(pool, "checkout", listener)
    assert "Exercise 4 of 6" in message_by_id(runner, card.message_id).text
    assert checkouts == []


def kind_of(sql: str) -> str:
    return sql.split(None, 1)[0].upper()


_SETS = {
    "warmup_sessions": set(warmups.STATE_COLUMNS),
    "user_stats": {
        "current",
        "longest",
        "freezes",
        "total",
        "last_day",
        "frozen_days",
        "earned_since_freeze",
        "freezes_told_through",
        "updated_at",
    },
    "check_ins": {"status"},
}


async def test_the_completing_tap_records_the_streak_without_reading_the_warmup(
    sandbox: BotApiSandbox, bot: BotRunner, database_url: str
) -> None:
    runner, card = await _card_of(sandbox, 9104)
    with statements_of(bot) as statements:
        await _done_sets(runner, card.message_id, 11)
        with statements_of(bot) as completing:
            current = message_by_id(runner, card.message_id)
            answer = await runner.tap(card.message_id, button_data(current, "Done set"))
    assert answer.text == texts.ANSWER_COMPLETED
    reads = [sql for sql in statements if kind_of(sql) == "SELECT"]
    assert not [sql for sql in reads if "FROM warmup_sessions" in sql], reads
    if make_url(database_url).get_backend_name() == "postgresql":
        # bot/db/quick_completion.py: one statement, from the context read at /warmup.
        assert [kind_of(sql) for sql in completing] == ["WITH"], completing
    # Every UPDATE sets what it means to, and no more: SQLAlchemy would add `SET x = :x` for
    # any bound value named like a column of the table, even inside a WITH clause.
    updates = re.findall(r"UPDATE (\w+) SET (.*?) WHERE", " ".join(completing))
    assert {table for table, _ in updates} == set(_SETS)
    for table, assignments in updates:
        assert {part.split("=")[0] for part in assignments.split(", ")} == _SETS[table], table
    assert texts.STREAK_LINE.format(streak=1) in message_by_id(runner, card.message_id).text
    services = bot.application.bot_data["services"]
    async with services.sessions() as db:
        totals = await db.get(UserStats, 9104)
        [checkin] = (await db.scalars(select(CheckIn).where(CheckIn.user_id == 9104))).all()
    assert (totals.current, totals.total) == (1, 1)
    assert checkin.status == "pending"


async def test_a_step_taken_elsewhere_makes_the_tap_read_the_database(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner, card = await _card_of(sandbox, 9102)
    done = button_data(card, "Done set")
    services = bot.application.bot_data["services"]
    await _set_done_elsewhere(bot, 9102)  # the first set, from this very card
    with statements_of(bot) as statements:
        answer = await runner.tap(card.message_id, done)
    assert answer.text == texts.ANSWER_ALREADY_COUNTED, "counted once, by the other process"
    kinds = [kind_of(sql) for sql in statements]
    assert kinds[0] == "UPDATE" and "SELECT" in kinds, "tried, then read the row"
    # The card is repainted from the database, and the next set counts.
    current = message_by_id(runner, card.message_id)
    assert "Set 2 of 2" in current.text
    answer = await runner.tap(card.message_id, button_data(current, "Done set"))
    assert answer.text == texts.ANSWER_EXERCISE_DONE.format(name="Wall Abs")
    async with services.sessions() as db:
        [row] = [r async for r in await db.stream_scalars(_warmups_of(9102))]
    assert row.sets_done[0] == 2 and row.exercise_index == 1


async def test_a_card_moved_elsewhere_makes_the_old_card_old(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner, card = await _card_of(sandbox, 9103)
    services = bot.application.bot_data["services"]
    # Another process resumed the warm-up on a newer message (no step taken, same version).
    async with services.sessions.begin() as db:
        await db.execute(
            update(WarmupSession)
            .where(WarmupSession.user_id == 9103)
            .values(message_id=card.message_id + 100)
        )
    answer = await runner.tap(card.message_id, button_data(card, "Done set"))
    assert answer.text == texts.ANSWER_OLD_CARD
    async with services.sessions() as db:
        [row] = [r async for r in await db.stream_scalars(_warmups_of(9103))]
    assert row.sets_done[0] == 0, "nothing counted from the old card"


@pytest.mark.parametrize("eleventh_step", ["here", "elsewhere"])
async def test_a_streak_moved_elsewhere_while_a_warmup_completes_counts_both(
    sandbox: BotApiSandbox, bot: BotRunner, database_url: str, eleventh_step: str
) -> None:
    """Another process records yesterday's warm-up while the completing tap is being stored.
    Neither day is lost.

    On PostgreSQL the write comes just before the tap's one statement. With the 11th step taken
    here, the bot kept the runner's context since /warmup and the statement finds it changed,
    so it stores nothing. With the 11th step taken by another process, the bot's tap on the
    stale button read the warm-up again (without the context), so the completing tap reads
    the context and the write comes between that read and the statement: the streak's
    compare-and-set fails and the statement must abort itself. Either way, the careful path
    then counts the warm-up. SQLite lets no writer in while the tap's transaction runs, so
    there the write comes just before it."""
    runner, card = await _card_of(sandbox, 9105)
    await _done_sets(runner, card.message_id, 10)
    current = message_by_id(runner, card.message_id)
    if eleventh_step == "elsewhere":
        await _set_done_elsewhere(bot, 9105)
        stale = await runner.tap(card.message_id, button_data(current, "Done set"))
        assert stale.text == texts.ANSWER_ALREADY_COUNTED
    else:
        await runner.tap(card.message_id, button_data(current, "Done set"))
    yesterday = (bot.clock() - timedelta(days=1)).date()  # the runner's zone is UTC
    other_process = create_engine(database_url)
    on_sqlite = make_url(database_url).get_backend_name() == "sqlite"

    async def record_yesterday() -> None:
        async with other_process.begin() as db:
            await db.execute(
                update(UserStats)
                .where(UserStats.user_id == 9105)
                .values(current=1, longest=1, total=1, last_day=yesterday)
            )

    writes: list[str] = []

    def before_the_taps_first_write(_conn, _cursor, statement, _params, _context, _many) -> None:
        if writes or kind_of(statement) not in ("WITH", "UPDATE", "INSERT"):
            return
        writes.append(statement)
        if on_sqlite:
            # SQLite's quick lane runs on the loop's thread, outside any greenlet: the other
            # process's write is made here and now, through a connection of its own.
            with sqlite3.connect(make_url(database_url).database) as other:
                other.execute(
                    "UPDATE user_stats SET current = 1, longest = 1, total = 1, last_day = ?"
                    " WHERE user_id = 9105",
                    (yesterday.isoformat(),),
                )
        else:
            await_(record_yesterday())  # in the bot's own greenlet: its statement waits

    try:
        with before_each_statement(bot, before_the_taps_first_write):
            current = message_by_id(runner, card.message_id)
            answer = await runner.tap(card.message_id, button_data(current, "Done set"))
    finally:
        await other_process.dispose()
    assert writes, "the other process wrote during the completing tap"
    assert answer.text == texts.ANSWER_COMPLETED
    assert texts.STREAK_LINE.format(streak=2) in message_by_id(runner, card.message_id).text
    services = bot.application.bot_data["services"]
    async with services.sessions() as db:
        totals = await db.get(UserStats, 9105)
        completions = await db.scalar(select(func.count()).where(WarmupCompletion.user_id == 9105))
        [row] = [r async for r in await db.stream_scalars(_warmups_of(9105))]
    assert (totals.current, totals.longest, totals.total) == (2, 2, 2)
    assert totals.last_day == bot.clock().date()
    assert completions == 1 and row.status == "completed"


async def test_a_time_zone_changed_elsewhere_mid_warmup_dates_the_completion_anew(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    """The context the bot kept since /warmup (on PostgreSQL) is checked, never trusted."""
    runner, card = await _card_of(sandbox, 9106)
    await _done_sets(runner, card.message_id, 11)
    services = bot.application.bot_data["services"]
    async with services.sessions.begin() as db:  # another process: the runner moved west
        await db.execute(update(User).where(User.id == 9106).values(timezone="America/Los_Angeles"))
    current = message_by_id(runner, card.message_id)
    answer = await runner.tap(card.message_id, button_data(current, "Done set"))
    assert answer.text == texts.ANSWER_COMPLETED
    async with services.sessions() as db:
        completion = await db.scalar(
            select(WarmupCompletion).where(WarmupCompletion.user_id == 9106)
        )
    # 06:30 UTC on the 25th is 22:30 on the 24th in Los Angeles.
    assert completion is not None and completion.local_date == date(2026, 11, 24)


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
    async with services.sessions.begin() as db:
        [row] = [r async for r in await db.stream_scalars(_warmups_of(user_id))]
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
