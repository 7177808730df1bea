"""Fuzzing through the sandbox: random text, commands with random arguments, and random or
mutated callback data. No unhandled exception, every tap answered, the database consistent."""

from __future__ import annotations

import itertools
import logging
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db.models import ReminderSchedule, SentReminder, WarmupSession
from bot.sandbox.server import BotApiSandbox, SimulatedUser
from bot.telegram import texts
from tests.harness import BotRunner, say

COMMANDS = [f"/{name}" for name, _ in texts.COMMANDS] + [
    "/nope",
    "/remind",
    "/warmup@warmup_coach_bot",
]
user_ids = itertools.count(90_000)


def _fits_callback_data(data: str) -> bool:
    return 1 <= len(data.encode()) <= 64


words = st.text(min_size=1, max_size=30).filter(str.strip)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("text"), st.text(min_size=1, max_size=120).filter(str.strip)),
        st.tuples(
            st.just("command"),
            st.builds(
                lambda c, args: " ".join([c, *args]),
                st.sampled_from(COMMANDS),
                st.lists(
                    st.one_of(words, st.sampled_from(["mon,wed", "07:00", "UTC", "30", "off"])),
                    max_size=5,
                ),
            ),
        ),
        st.tuples(
            st.just("tap_random"), st.text(min_size=1, max_size=64).filter(_fits_callback_data)
        ),
        st.tuples(st.just("tap_button"), st.integers(0, 40)),
        st.tuples(st.just("tap_mutated"), st.tuples(st.integers(0, 40), st.integers(0, 10**9))),
    ),
    min_size=1,
    max_size=25,
)


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _buttons(user: SimulatedUser) -> list[tuple[int, str]]:
    return [
        (message.message_id, data)
        for message in user.bot_messages()
        for row in message.buttons
        for _, data in row
        if data
    ]


def _mutate(data: str, seed: int) -> str:
    # Change a number in the data (another warm-up, version or reminder) or cut it short.
    parts = data.split(":")
    index = seed % len(parts)
    if parts[index].isdigit():
        parts[index] = str(int(parts[index]) + 1 + seed % 7)
    else:
        parts[index] = parts[index][: seed % 3]
    mutated = ":".join(parts)
    return mutated if _fits_callback_data(mutated) else data


async def _play(sandbox: BotApiSandbox, user: SimulatedUser, steps) -> None:
    # The welcome message is there to aim random taps at, and for the last, syncing tap.
    welcome = await say(sandbox, user, "/start")
    for kind, value in steps:
        if kind in ("text", "command"):
            await user.send(value)
            continue
        buttons = _buttons(user)
        if kind == "tap_random":
            target, data = welcome.message_id, value
        elif not buttons:
            continue
        elif kind == "tap_button":
            target, data = buttons[value % len(buttons)]
        else:
            target, data = buttons[value[0] % len(buttons)]
            data = _mutate(data, value[1])
        await user.tap(target, data, timeout=15)
    # A last tap is answered only after everything the user sent before it was handled.
    await user.tap(welcome.message_id, "sync", timeout=15)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=actions, second_steps=actions)
async def test_random_input_never_breaks_the_bot(
    sandbox: BotApiSandbox, bot: BotRunner, steps, second_steps
) -> None:
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        first, second = sandbox.user(next(user_ids)), sandbox.user(next(user_ids))
        await _play(sandbox, first, steps)
        await _play(sandbox, second, second_steps)
    finally:
        logging.getLogger().removeHandler(errors)
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert not sandbox.unanswered_callback_queries()
    assert not sandbox.violations
    await _assert_database_consistent(bot)


async def _assert_database_consistent(bot: BotRunner) -> None:
    services = bot.application.bot_data["services"]
    routine = services.routine
    async with services.db.transaction() as db:
        sessions = list((await db.execute(select(WarmupSession))).scalars())
        schedules = list((await db.execute(select(ReminderSchedule))).scalars())
        sent = list((await db.execute(select(SentReminder))).scalars())
    active = Counter(s.user_id for s in sessions if s.status == "active")
    assert all(n == 1 for n in active.values()), "at most one warm-up in progress per runner"
    for session in sessions:
        assert session.status in ("active", "completed", "ended")
        assert len(session.sets_done) == len(routine.exercises)
        for done, exercise in zip(session.sets_done, routine.exercises, strict=True):
            assert 0 <= done <= exercise.sets
        assert (session.finished_at is None) == (session.status == "active")
        assert session.version >= 1
        if session.status == "completed":
            assert session.exercise_index == len(routine.exercises)
    for schedule in schedules:
        assert (schedule.next_remind_at is not None) == schedule.enabled
    assert len({(r.user_id, r.run_date) for r in sent}) == len(sent)
