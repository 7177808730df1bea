"""Benchmark: reminder start-up cost and fan-out, for our design and one APScheduler job per user.

    python -m bench.reminders [--users 100000] [--fanout 900] [--limit 30]
    python -m bench.reminders --processes 1,2,4 [--fanout 900]   (bench/shared_limit.py)
    python -m bench.reminders --peak [--users 100000] [--peak-size 6000]

Start-up (each design in a fresh child process, so memory is its own): N runners with schedules
in a SQLite file; seconds from "process has imported the bot" to "every reminder is registered
and the scheduler is running", and resident memory after it.
- dispatcher (what bot/telegram/reminder_jobs.py does): one MIN() query arms one job;
- per-user: one APScheduler CronTrigger job per runner (id, replace_existing), as the
  alternative design would register them.
Fan-out: M reminders due in the same minute, sent through the real bot (SendRateLimiter) to the
sandbox Bot API server with its Telegram-style global limit on (429 + retry_after beyond it).
Reports achieved rate / limit, lost, duplicates, 429s, and the lateness of the last reminder
against the ideal M / limit. The last line is the RESULT for the design the code uses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bot.coach.schedule import RunSchedule, next_reminder

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
    "Australia/Sydney",
    "America/Los_Angeles",
    "Europe/London",
)
NOW = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


def make_database(path: Path, users: int, *, due_at: datetime | None = None) -> None:
    """N runners with random schedules, their next reminder precomputed as the bot keeps it.

    With `due_at`, every schedule's next reminder is at that instant (a fan-out burst).
    """
    url = f"sqlite+aiosqlite:///{path}"
    asyncio.run(_migrate(url))
    rng = random.Random(7)
    users_rows, schedule_rows = [], []
    for user_id in range(1, users + 1):
        zone = rng.choice(ZONES)
        days = frozenset(rng.sample(range(7), rng.randint(1, 7)))
        run_time = clock_time(rng.randint(5, 20), rng.choice((0, 15, 30, 45)))
        lead = rng.choice((15, 30, 45, 60))
        rule = RunSchedule(days, run_time, zone, lead)
        upcoming = next_reminder(rule, NOW)
        assert upcoming is not None
        remind_at = due_at or upcoming.remind_at
        run_at = upcoming.run_at if due_at is None else due_at + timedelta(minutes=lead)
        users_rows.append((user_id, user_id, f"Runner {user_id}", zone, _iso(NOW)))
        schedule_rows.append(
            (
                user_id,
                ",".join(map(str, sorted(days))),
                run_time.strftime("%H:%M"),
                lead,
                True,
                _iso(remind_at),
                upcoming.run_date.isoformat() if due_at is None else due_at.date().isoformat(),
                _iso(run_at),
                _iso(NOW),
            )
        )
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO users (id, chat_id, first_name, timezone, created_at) VALUES (?,?,?,?,?)",
            users_rows,
        )
        db.executemany(
            "INSERT INTO reminder_schedules (user_id, run_days, run_time, lead_minutes, enabled,"
            " next_remind_at, next_run_date, next_run_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            schedule_rows,
        )


def _iso(instant: datetime) -> str:
    # The format SQLAlchemy's SQLite DateTime type writes.
    return instant.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


async def _migrate(url: str) -> None:
    from bot.db.engine import Database
    from bot.db.migrate import upgrade_to_head

    database = Database(url)
    await upgrade_to_head(database.engine)
    await database.dispose()


def _settings(
    database_url: str, base_url: str = "http://127.0.0.1:9/bot", token: str = "123456:BENCH"
):
    from bot.config import Settings

    return Settings(
        telegram_bot_token=token,
        telegram_api_base_url=base_url,
        database_url=database_url,
        _env_file=None,
    )


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------------------ start-up


async def _startup_dispatcher(database_url: str) -> dict[str, float]:
    from bot.app import build_application
    from bot.db.migrate import upgrade_to_head
    from bot.telegram.reminder_jobs import arm, start_reminder_jobs

    started = time.perf_counter()
    application = build_application(_settings(database_url))
    services = application.bot_data["services"]
    await upgrade_to_head(services.db.engine)
    start_reminder_jobs(application)
    await arm(application)
    await application.job_queue.start()
    elapsed = time.perf_counter() - started
    jobs = len(application.job_queue.scheduler.get_jobs())
    await application.job_queue.stop(wait=False)
    return {"startup_s": elapsed, "rss_mb": _rss_mb(), "jobs": jobs}


async def _startup_per_user(database_url: str) -> dict[str, float]:
    from apscheduler.triggers.cron import CronTrigger
    from sqlalchemy import select

    from bot.app import build_application
    from bot.db.migrate import upgrade_to_head
    from bot.db.models import ReminderSchedule, User
    from bot.telegram.reminder_jobs import dispatch_job

    started = time.perf_counter()
    application = build_application(_settings(database_url))
    services = application.bot_data["services"]
    await upgrade_to_head(services.db.engine)
    job_queue = application.job_queue
    await job_queue.start()
    async with services.db.transaction() as db:
        rows = await db.execute(
            select(
                ReminderSchedule.user_id,
                ReminderSchedule.run_days,
                ReminderSchedule.run_time,
                ReminderSchedule.lead_minutes,
                User.timezone,
            ).join(User, User.id == ReminderSchedule.user_id)
        )
        for user_id, run_days, run_time, lead, zone in rows:
            # The cron fires at the reminder's local wall time (run time minus lead).
            hour, minute = map(int, run_time.split(":"))
            total = (hour * 60 + minute - lead) % (24 * 60)
            days = ",".join(str(int(d)) for d in run_days.split(","))
            job_queue.scheduler.add_job(
                dispatch_job,
                CronTrigger(day_of_week=days, hour=total // 60, minute=total % 60, timezone=zone),
                args=(None,),
                id=f"remind-{user_id}",
                replace_existing=True,
                misfire_grace_time=None,
            )
    elapsed = time.perf_counter() - started
    jobs = len(job_queue.scheduler.get_jobs())
    await job_queue.stop(wait=False)
    return {"startup_s": elapsed, "rss_mb": _rss_mb(), "jobs": jobs}


def _child(design: str, database_url: str) -> None:
    runner = _startup_dispatcher if design == "dispatcher" else _startup_per_user
    print(json.dumps(asyncio.run(runner(database_url))))


def measure_startup(design: str, database_path: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.reminders", "--child", design, str(database_path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ fan-out


FANOUT_DUE_AT = NOW + timedelta(minutes=5)


async def measure_fanout(design: str, reminders_due: int, limit: float, path: Path) -> dict:
    from bot.coach.clock import ManualClock
    from bot.runtime import start_polling, stop_polling
    from bot.sandbox.server import BotApiSandbox
    from bot.telegram import reminder_jobs

    due_at = FANOUT_DUE_AT
    sandbox = BotApiSandbox(global_rate_limit=limit)
    await sandbox.start()
    users = [sandbox.user(user_id) for user_id in range(1, reminders_due + 1)]
    clock = ManualClock(due_at)
    from bot.app import build_application

    application = build_application(
        _settings(f"sqlite+aiosqlite:///{path}", sandbox.base_url, sandbox.token),
        clock=clock,
    )
    await start_polling(application, poll_timeout=1)
    # Let the start-up dispatch (which would send the burst itself) be the measured one.
    for job in application.job_queue.jobs():
        job.schedule_removal()
    try:
        started = time.perf_counter()
        if design == "dispatcher":
            await reminder_jobs.dispatch_due(application)
        else:
            services = application.bot_data["services"]
            job_queue = application.job_queue

            async def one(context) -> None:  # what each per-user cron job would do
                user = context.job.data
                outgoing = await reminder_jobs._claim_scheduled(services, user, clock())
                if outgoing is not None:
                    await reminder_jobs.deliver(application, outgoing)

            from bot.db.reminders import DueSchedule

            for user in users:
                job_queue.run_once(
                    one,
                    when=0,
                    data=DueSchedule(user.id, user.chat_id, "UTC"),
                    job_kwargs={"misfire_grace_time": None},
                )
            await sandbox.wait_for(
                lambda: sum(len(u.bot_messages()) for u in users) >= reminders_due,
                timeout=reminders_due / limit * 3 + 30,
            )
        elapsed = time.perf_counter() - started
    finally:
        await stop_polling(application)
        await sandbox.stop()
    delivered = [len(u.bot_messages()) for u in users]
    sends = [c for c in sandbox.calls if c.method == "sendMessage"]
    ideal = reminders_due / limit
    return {
        "reminders": reminders_due,
        "seconds": elapsed,
        "rate": reminders_due / elapsed,
        "fanout_ratio": (reminders_due / elapsed) / limit,
        "lost": sum(1 for n in delivered if n == 0),
        "duplicates": sum(n - 1 for n in delivered if n > 1),
        "429s": sum(1 for c in sends if c.status == 429),
        # Over the limit but let through: the sandbox's own loop had stalled (bot/sandbox).
        "forgiven": sandbox.forgiven,
        "last_late_s": elapsed - ideal,
        "ideal_s": ideal,
    }


# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--fanout", type=int, default=900, help="reminders due in one minute")
    parser.add_argument("--limit", type=float, default=30.0, help="sandbox messages/s")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument(
        "--processes",
        help="instead: the same burst through these numbers of processes on PostgreSQL, e.g. 1,2,4",
    )
    parser.add_argument(
        "--peak", action="store_true", help="instead: a day's peak with the early window, 10 and 0"
    )
    parser.add_argument(
        "--peak-size", type=int, default=6000, help="reminders at the busiest instant"
    )
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], f"sqlite+aiosqlite:///{args.child[1]}")
        return
    if args.processes or args.peak:
        from bench import shared_limit

        if args.processes:
            counts = [int(part) for part in args.processes.split(",")]
            shared_limit.run_processes(counts, args.fanout, args.limit)
        if args.peak:
            shared_limit.run_peak(args.users, args.peak_size, args.limit, [10, 0])
        return
    import logging

    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        database = workdir / "startup.db"
        began = time.perf_counter()
        make_database(database, args.users)
        print(f"made {args.users} schedules in {time.perf_counter() - began:.1f} s")
        results = {}
        for design in ("dispatcher", "per-user"):
            startup = measure_startup(design, database)
            burst = workdir / f"fanout-{design}.db"
            make_database(burst, args.fanout, due_at=FANOUT_DUE_AT)
            fanout = asyncio.run(measure_fanout(design, args.fanout, args.limit, burst))
            results[design] = (startup, fanout)
            print(
                f"{design:>10}: start-up {startup['startup_s']:.2f} s, "
                f"{startup['rss_mb']:.0f} MB resident, {startup['jobs']:.0f} scheduler jobs"
            )
            print(
                f"{'':>10}  fan-out {fanout['reminders']} reminders in {fanout['seconds']:.1f} s "
                f"(ideal {fanout['ideal_s']:.1f} s at {args.limit:.0f}/s): "
                f"ratio {fanout['fanout_ratio']:.3f}, lost {fanout['lost']}, "
                f"duplicates {fanout['duplicates']}, 429s {fanout['429s']} (and "
                f"{fanout['forgiven']} let through over a stall of the sandbox's loop), "
                f"last reminder {fanout['last_late_s']:+.1f} s against ideal"
            )
    ours, other = results["dispatcher"], results["per-user"]
    print(
        f"per-user / dispatcher: start-up x{other[0]['startup_s'] / ours[0]['startup_s']:.1f}, "
        f"memory x{other[0]['rss_mb'] / ours[0]['rss_mb']:.1f}"
    )
    startup, fanout = ours
    print(
        f"RESULT reminders users={args.users} startup_s={startup['startup_s']:.2f} "
        f"rss_mb={startup['rss_mb']:.0f} fanout_ratio={fanout['fanout_ratio']:.3f} "
        f"lost={fanout['lost']} duplicates={fanout['duplicates']} 429s={fanout['429s']}"
    )


if __name__ == "__main__":
    main()
