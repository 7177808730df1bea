"""Benchmark: what /stats costs for a runner with one week and with ten years of daily warm-ups.

    python -m bench.stats [--repeat 200] [--e2e 30] [--database-url URL]

The history is made through the bot's own completion path (`bot.db.stats.record_completion`, the
call a finished warm-up makes), in a SQLite file (or the database at --database-url), beside a
crowd of other runners so the tables are not trivially small. Then, for each runner:

- handler: what /stats does short of sending (its unit of work, then
  `bot.telegram.stats.stats_reply`): the reads (one row each of users, user_stats,
  reminder_schedules; the last 12 weeks of completions through an index), the streak view,
  the 12-week heatmap rendered to PNG. Median and p95; "reads" is the database part alone
  (`bot.db.stats.load_stats`).
- replay: for contrast, what it would cost to recompute the streak from the whole history each
  time (read every completion, `bot.coach.streaks.replay`), as a design without the stored
  running totals would.
- e2e (with --e2e N): /stats sent by a simulated user to the real Application through the local
  Bot API sandbox, timed until the photo is in the chat. Median.

The last line is `RESULT stats week_ms=… decade_ms=… ratio=…` from the handler medians; the goal
is a ratio near 1: the cost does not grow with history.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import insert, select

from bot.app import build_application, load_routine
from bot.coach.clock import ManualClock
from bot.coach.plan import Plan
from bot.coach.routine import Routine
from bot.coach.schedule import RunSchedule
from bot.coach.streaks import replay
from bot.coach.walkthrough import Status, Walkthrough
from bot.config import Settings
from bot.db import reminders, stats, warmups
from bot.db.engine import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import User, WarmupCompletion, WarmupSession
from bot.runtime import start_polling, stop_polling
from bot.sandbox.server import BotApiSandbox
from bot.telegram.stats import StatsReply, stats_reply

ROOT = Path(__file__).resolve().parents[1]
ROUTINE_FILE = ROOT / "data" / "routine.toml"
NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)  # a Wednesday morning
WEEK_USER, DECADE_USER = 1, 2
CROWD_FIRST_ID = 1000
BATCH = 200


def _finished(routine: Routine, day: date) -> Walkthrough:
    at = datetime.combine(day, clock_time(6, 15), tzinfo=UTC)
    count = len(routine.exercises)
    return Walkthrough(
        exercise_index=count,
        set_number=1,
        sets_done=tuple(exercise.sets for exercise in routine.exercises),
        skipped=(False,) * count,
        showing_how_to=False,
        status=Status.COMPLETED,
        version=1 + routine.total_sets,
        started_at=at - timedelta(minutes=10),
        finished_at=at,
    )


async def _make_runner(database: Database, routine: Routine, user_id: int, days: int) -> None:
    """A runner who started `days` ago, runs every day at 07:00 UTC and warmed up on each."""
    first_day = NOW.date() - timedelta(days=days)
    async with database.transaction() as db:
        started = datetime.combine(first_day, clock_time(6), tzinfo=UTC)
        user = await warmups.ensure_user(db, user_id, user_id, f"Runner {user_id}", started)
        rule = RunSchedule(frozenset(range(7)), clock_time(7), "UTC", 30)
        await reminders.save_schedule(db, user, rule, started)
    history = [first_day + timedelta(days=n) for n in range(days)]
    for start in range(0, len(history), BATCH):
        async with database.transaction() as db:
            for day in history[start : start + BATCH]:
                state = _finished(routine, day)
                row = await warmups.create_warmup(db, user_id, user_id, state)
                await stats.record_completion(db, row, state, Plan.of(routine))


async def _make_crowd(database: Database, routine: Routine, runners: int, days: int) -> None:
    """Other runners' warm-ups and completions, inserted in bulk: they only make the tables big."""
    first_day = NOW.date() - timedelta(days=days)
    for n in range(runners):
        user_id = CROWD_FIRST_ID + n
        async with database.transaction() as db:
            started = datetime.combine(first_day, clock_time(6), tzinfo=UTC)
            await warmups.ensure_user(db, user_id, user_id, f"Runner {user_id}", started)
            states = [_finished(routine, first_day + timedelta(days=d)) for d in range(days)]
            ids = list(
                await db.scalars(
                    insert(WarmupSession).returning(WarmupSession.id),
                    [
                        {"user_id": user_id, "chat_id": user_id, **warmups.state_values(state)}
                        for state in states
                    ],
                )
            )
            await db.execute(
                insert(WarmupCompletion),
                [
                    {
                        "warmup_id": warmup_id,
                        "user_id": user_id,
                        "local_date": state.started_at.date(),
                        "counted": True,
                        "exercises_done": len(routine.exercises),
                        "completed_at": state.finished_at,
                        "note": {},
                    }
                    for warmup_id, state in zip(ids, states, strict=True)
                ],
            )


async def _read_stats(database: Database, user_id: int) -> None:
    async with database.transaction() as db:
        await stats.load_stats(db, user_id, NOW)


async def _replay_from_history(database: Database, user_id: int) -> None:
    async with database.transaction() as db:
        days = list(
            await db.scalars(
                select(WarmupCompletion.local_date).where(
                    WarmupCompletion.user_id == user_id, WarmupCompletion.counted.is_(True)
                )
            )
        )
        user = await db.get(User, user_id)
        run_days = await stats.run_days_of(db, user_id)
    assert user is not None
    replay(days, run_days, NOW.date())


async def _interleaved(call, repeat: int) -> dict[int, list[float]]:
    """Milliseconds per call of `call(user_id)` for both runners, after one warm-up call each."""
    samples: dict[int, list[float]] = {WEEK_USER: [], DECADE_USER: []}
    for user_id in samples:
        await call(user_id)  # first-use imports, font loading, statement caches
    for _ in range(repeat):
        for user_id, times in samples.items():
            began = time.perf_counter()
            await call(user_id)
            times.append((time.perf_counter() - began) * 1000)
    return samples


def _summary(samples: list[float]) -> str:
    p95 = statistics.quantiles(samples, n=20)[-1] if len(samples) >= 20 else max(samples)
    return f"median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms"


async def _measure_e2e(database_url: str, repeat: int) -> dict[int, list[float]]:
    sandbox = BotApiSandbox()
    await sandbox.start()
    settings = Settings(
        telegram_bot_token=sandbox.token,
        telegram_api_base_url=sandbox.base_url,
        database_url=database_url,
        routine_file=ROUTINE_FILE,
        # A scripted user asks faster than a person; the flood guard would rightly stop them.
        flood_rate=1000.0,
        _env_file=None,
    )
    application = build_application(settings, clock=ManualClock(NOW))
    await start_polling(application, poll_timeout=2)
    results: dict[int, list[float]] = {}
    try:
        for user_id in (WEEK_USER, DECADE_USER):
            user = sandbox.user(user_id, f"Runner {user_id}")
            samples = []
            for attempt in range(repeat + 1):
                before = len(user.bot_messages())
                began = time.perf_counter()
                await user.send("/stats")
                await sandbox.wait_for(lambda u=user, b=before: len(u.bot_messages()) > b, 10)
                elapsed = (time.perf_counter() - began) * 1000
                assert user.bot_messages()[-1].photo is not None, "no picture came back"
                if attempt:  # the first one warms up
                    samples.append(elapsed)
            results[user_id] = samples
    finally:
        await stop_polling(application)
        await sandbox.stop()
    return results


async def run(args: argparse.Namespace, database_url: str) -> None:
    routine = load_routine(ROUTINE_FILE)
    database = Database(database_url)
    await upgrade_to_head(database.engine)
    began = time.perf_counter()
    await _make_runner(database, routine, WEEK_USER, 7)
    await _make_runner(database, routine, DECADE_USER, 3652)
    await _make_crowd(database, routine, args.crowd, 730)
    print(
        f"made a 1-week runner, a 10-year runner (3652 warm-ups) and {args.crowd} runners with "
        f"2 years each in {time.perf_counter() - began:.1f} s"
    )

    async def build_stats(user_id: int) -> StatsReply:
        """What /stats does short of sending: the unit of work, the text and the picture."""
        async with database.transaction() as db:
            snapshot = await stats.load_stats(db, user_id, NOW)
        return await stats_reply(snapshot, routine)

    labels = {WEEK_USER: "week", DECADE_USER: "decade"}
    for user_id in labels:
        reply = await build_stats(user_id)
        assert reply.picture is not None and reply.picture.startswith(b"\x89PNG")
    # Interleaved, one call each in turn, so a busy moment on the machine hits both runners.
    handler = await _interleaved(build_stats, args.repeat)
    reads = await _interleaved(lambda u: _read_stats(database, u), args.repeat)
    contrast = await _interleaved(lambda u: _replay_from_history(database, u), args.repeat)
    for user_id, label in labels.items():
        print(f"{label:>6}  handler {_summary(handler[user_id])}")
    for user_id, label in labels.items():
        print(f"{label:>6}  reads   {_summary(reads[user_id])}  (of which: the database part)")
    for user_id, label in labels.items():
        print(f"{label:>6}  replay  {_summary(contrast[user_id])}  (whole history, for contrast)")
    await database.dispose()

    if args.e2e:
        for user_id, samples in (await _measure_e2e(database_url, args.e2e)).items():
            label = "week" if user_id == WEEK_USER else "decade"
            median = statistics.median(samples)
            print(f"{label:>6}  e2e     median {median:7.2f} ms  (/stats sent to photo shown)")

    week_ms = statistics.median(handler[WEEK_USER])
    decade_ms = statistics.median(handler[DECADE_USER])
    ratio = decade_ms / week_ms
    print(f"RESULT stats week_ms={week_ms:.2f} decade_ms={decade_ms:.2f} ratio={ratio:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="timed calls per runner")
    parser.add_argument(
        "--e2e", type=int, default=30, help="/stats round trips per runner (0: skip)"
    )
    parser.add_argument("--crowd", type=int, default=20, help="other runners with 2 years each")
    parser.add_argument("--database-url", help="an empty database to use instead of a SQLite file")
    args = parser.parse_args()
    print(f"{platform.python_version()} on {platform.machine()}, {_cpu_name()}")
    if args.database_url:
        asyncio.run(run(args, args.database_url))
        return
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(run(args, f"sqlite+aiosqlite:///{Path(folder) / 'stats.db'}"))


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
