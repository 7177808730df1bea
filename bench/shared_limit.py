"""Benchmarks of the shared limit, run by `python -m bench.reminders --processes 1,2,4 | --peak`.

--processes: the same burst of reminders through 1, 2 and 4 real `python -m bot` processes
(webhook mode, as behind one URL) on one throwaway PostgreSQL, against the sandbox with its
strict global limit. Each: fan-out rate / limit (first to last arrival), 429s, lost and
duplicates. Then the leader is killed with SIGKILL a third of the way through a burst through
2 processes: the other takes over and sends the rest, none twice.

--peak: 100,000 runners whose reminders fall over one day (a third on the six most popular run
times in the three largest zones, one instant carrying 6,000; the rest spread over the day),
sent by the bot's own send plan (bot/coach/send_plan.py: the same `decide` and `fair_rank`
the dispatcher calls, fed the loads its query returns) through a limiter that sends exactly at
the paced rate, in simulated time: a day of sends in seconds rather than the 56 minutes of
real sending they take. Lateness and earliness are each reminder's send time against its
instant. The real path at the limit is what --processes and the default fan-out measure.
"""

from __future__ import annotations

import asyncio
import gc
import random
import signal
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

REMINDER_TEXT = "Run at"
LEADING = "now runs the reminder, check-in and broadcast dispatchers"


# ------------------------------------------------------------------------------ processes


async def _schedule(database_url: str, user_ids: list[int], due: datetime) -> None:
    """Every runner's next reminder at `due`, their run an hour later."""
    from bot.coach.schedule import RunSchedule
    from bot.db import reminders, warmups
    from bot.db.engine import Database
    from bot.db.migrate import upgrade_to_head

    database = Database(database_url)
    await upgrade_to_head(database.engine)
    rule = RunSchedule(frozenset(range(7)), time(6, 0), "UTC", 30)
    try:
        async with database.transaction() as db:
            now = datetime.now(UTC)
            for user_id in user_ids:
                user = await warmups.ensure_user(db, user_id, user_id, "Runner", now)
                row, _ = await reminders.save_schedule(db, user, rule, now)
                row.next_remind_at, row.next_run_at = due, due + timedelta(hours=1)
                row.next_run_date = (due + timedelta(hours=1)).date()
    finally:
        await database.dispose()


async def _stuck(database_url: str) -> set[int]:
    """Runners whose reminder a killed process left `sending` (claimed, maybe never sent)."""
    from sqlalchemy import select

    from bot.db.engine import Database
    from bot.db.models import SentReminder

    database = Database(database_url)
    try:
        async with database.transaction() as db:
            found = await db.scalars(
                select(SentReminder.user_id).where(SentReminder.status == "sending")
            )
            return set(found.all())
    finally:
        await database.dispose()


async def burst_through_processes(
    postgres, processes: int, reminders_due: int, limit: float, *, kill_leader: bool = False
) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from bot.sandbox.processes import BotProcess, webhook_settings
    from bot.sandbox.server import BotApiSandbox

    # The sandbox runs in this process: the last runs' chats left for the garbage collector
    # made it pause for tens of milliseconds every 2 s, stamping arrivals late, so that 31
    # fell into one second (429s every 2.1 s in the third run, none when run alone).
    gc.collect()
    gc.freeze()
    name = f"burst_{processes}_{'kill' if kill_leader else 'plain'}"
    database_url = postgres.create_database(name).replace("postgresql://", "postgresql+asyncpg://")
    sandbox = BotApiSandbox(global_rate_limit=limit)
    await sandbox.start()
    user_ids = list(range(1, reminders_due + 1))
    users = [sandbox.user(user_id) for user_id in user_ids]

    def reminded(user) -> int:  # type: ignore[no-untyped-def]
        return sum(1 for m in user.bot_messages() if (m.text or "").startswith(REMINDER_TEXT))

    await _schedule(database_url, user_ids, datetime.now(UTC) + timedelta(hours=1))
    bots = [
        BotProcess(
            sandbox,
            database_url,
            **webhook_settings(),
            REMINDER_EARLY_MINUTES="0",  # the burst as it is due, not spread ahead
            LOG_LEVEL="INFO",
        )
        for _ in range(processes)
    ]
    killed = 0
    try:
        await asyncio.gather(*(bot.start() for bot in bots))
        await sandbox.wait_for(lambda: all(bot.says("is ready") for bot in bots), timeout=120)
        await _schedule(database_url, user_ids, datetime.now(UTC))
        timeout = reminders_due / limit * 3 + 60
        if kill_leader:
            await sandbox.wait_for(
                lambda: sum(reminded(u) for u in users) >= reminders_due // 3, timeout=timeout
            )
            [leader] = [bot for bot in bots if bot.says(LEADING)]
            await leader.stop(signal.SIGKILL)
            killed = 1
            while True:  # until every runner is reminded or was left claimed by the leader
                seen = len(sandbox.calls)
                stuck = await _stuck(database_url)
                if all(reminded(u) or u.id in stuck for u in users):
                    break
                await sandbox.wait_for(lambda seen=seen: len(sandbox.calls) > seen, timeout=60)
        else:
            await sandbox.wait_for(lambda: all(reminded(u) for u in users), timeout=timeout)
        # Who led during the burst (stopping the leader below hands the lead on).
        leaders = sum(1 for bot in bots if bot.says(LEADING))
    finally:
        for bot in bots:
            await bot.stop()
        await sandbox.stop()
    sends = [c for c in sandbox.calls if c.method == "sendMessage"]
    delivered = [c.at for c in sends if c.status == 200]
    counts = [reminded(u) for u in users]
    span = max(delivered) - min(delivered) + 1 / limit
    return {
        "processes": processes,
        "killed": killed,
        "leaders": leaders,
        "fanout_ratio": len(delivered) / span / limit,
        "429s": sum(1 for c in sends if c.status == 429),
        "lost": sum(1 for n in counts if n == 0),
        "duplicates": sum(n - 1 for n in counts if n > 1),
        "seconds": span,
        # Over the limit but let through: the sandbox's own loop had stalled (bot/sandbox).
        "forgiven": sandbox.forgiven,
    }


def run_processes(counts: list[int], reminders_due: int, limit: float) -> None:
    from bench._postgres import TempPostgres

    with TempPostgres() as postgres:
        results = []
        for processes in counts:
            result = asyncio.run(burst_through_processes(postgres, processes, reminders_due, limit))
            results.append(result)
            print(
                f"{processes} process(es): {reminders_due} reminders in {result['seconds']:.1f} s, "
                f"ratio {result['fanout_ratio']:.3f}, 429s {result['429s']} (and "
                f"{result['forgiven']} let through over a stall of the sandbox's loop), lost "
                f"{result['lost']}, duplicates {result['duplicates']}, leaders {result['leaders']}"
            )
        kill = asyncio.run(
            burst_through_processes(postgres, 2, reminders_due, limit, kill_leader=True)
        )
        print(
            f"2 processes, the leader SIGKILLed a third of the way: the other took over "
            f"({kill['leaders']:.0f} led in turn); 429s {kill['429s']} (and {kill['forgiven']} "
            f"let through over a stall of the sandbox's loop), duplicates "
            f"{kill['duplicates']}, left unsent by the killed leader {kill['lost']} (claimed, "
            f"recorded `sending`, never sent twice)"
        )
    for result in results:
        print(
            f"RESULT reminders_processes processes={result['processes']} "
            f"fanout_ratio={result['fanout_ratio']:.3f} 429s={result['429s']} "
            f"lost={result['lost']} duplicates={result['duplicates']}"
        )


# ------------------------------------------------------------------------------ peak

PEAK_DAY = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
LARGEST_ZONES = ("America/New_York", "Europe/London", "Asia/Kolkata")
OTHER_ZONES = (
    "Europe/Berlin",
    "America/Los_Angeles",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Tokyo",
    "Europe/Moscow",
    "Africa/Johannesburg",
    "Pacific/Chatham",
)
POPULAR_RUN_TIMES = (time(6, 0), time(6, 30), time(7, 0), time(7, 30), time(18, 0), time(18, 30))
LEADS = (15, 30, 45, 60)
PEAK = (time(7, 0), "America/New_York", 30)  # the instant that carries `peak` reminders


def peak_instants(users: int, peak: int, seed: int = 7) -> list[tuple[datetime, int]]:
    """(reminder instant, runner id) for one day: `peak` runners on PEAK; the rest of a third on
    the six popular run times in the three largest zones, leads 15-60; the others anywhere in
    the day (quarter hours, any zone)."""
    from bot.coach.schedule import RunSchedule, next_reminder

    rng = random.Random(seed)
    popular = users // 3

    def instant(run_time: time, zone: str, lead: int) -> datetime:
        upcoming = next_reminder(RunSchedule(frozenset(range(7)), run_time, zone, lead), PEAK_DAY)
        assert upcoming is not None
        return upcoming.remind_at

    busiest = instant(*PEAK)
    found = [(busiest, runner) for runner in range(peak)]
    others = [(t, z) for t in POPULAR_RUN_TIMES for z in LARGEST_ZONES if (t, z) != PEAK[:2]]
    for runner in range(peak, users):
        when = busiest
        while when == busiest:  # the busiest instant carries exactly `peak`
            if runner < popular:
                run_time, zone = rng.choice(others)
            else:
                run_time = time(rng.randint(5, 21), rng.choice((0, 15, 30, 45)))
                zone = rng.choice(LARGEST_ZONES + OTHER_ZONES)
            when = instant(run_time, zone, rng.choice(LEADS))
        found.append((when, runner))
    return found


@dataclass
class PeakResult:
    late: list[float]
    early: list[float]


def simulate_peak(
    instants: list[tuple[datetime, int]], rate: float, window: timedelta
) -> PeakResult:
    """The dispatcher's plan in simulated time: `decide` on the loads inside the window, chunks
    of CHUNK_SECONDS at the limit, sends spaced exactly as the limiter's period spaces them."""
    from bot.coach.send_plan import decide, fair_rank
    from bot.telegram.rate_limit import WINDOW_MARGIN_S
    from bot.telegram.reminder_jobs import CHUNK_SECONDS

    interval = (1.0 + WINDOW_MARGIN_S) / rate
    chunk = max(1, int(rate * CHUNK_SECONDS))
    queue = deque(sorted(instants, key=lambda item: (item[0], fair_rank(item[1], item[0].date()))))
    groups: deque[list] = deque()  # [instant, how many left], earliest first
    for when, _ in queue:
        if groups and groups[-1][0] == when:
            groups[-1][1] += 1
        else:
            groups.append([when, 1])
    now = queue[0][0] - window
    late: list[float] = []
    early: list[float] = []
    while queue:
        horizon = now + window
        loads, arriving = [], None
        for when, left in groups:
            if when > horizon:
                arriving = when
                break
            loads.append((when, left))
        plan = decide(loads, now, rate)
        if not plan.send_now:
            # Asleep until the plan's moment or the next reminder's window opening, as the
            # dispatcher arms itself.
            opens = arriving - window if arriving is not None else None
            now = min(t for t in (plan.wake_at, opens) if t is not None)
            continue
        for _ in range(min(chunk, sum(left for _, left in loads))):
            when, _runner = queue.popleft()
            groups[0][1] -= 1
            if groups[0][1] == 0:
                groups.popleft()
            seconds = (now - when).total_seconds()
            (late if seconds >= 0 else early).append(abs(seconds))
            now += timedelta(seconds=interval)
    return PeakResult(late, early)


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_peak(users: int, peak: int, limit: float, windows: list[int]) -> None:
    instants = peak_instants(users, peak)
    busiest = max((count, when) for when, count in _count_by_instant(instants).items())
    print(
        f"{users} runners over a day; the busiest instant {busiest[1]:%H:%M} UTC carries "
        f"{busiest[0]} reminders ({busiest[0] / limit:.0f} s of sending at {limit:.0f}/s)"
    )
    lines = []
    for window in windows:
        result = simulate_peak(instants, limit, timedelta(minutes=window))
        late_all = result.late + [0.0] * len(result.early)  # early ones are 0 s late
        lines.append(
            f"RESULT reminders_peak users={users} peak={busiest[0]} window_min={window} "
            f"late_p99_s={_percentile(late_all, 0.99):.1f} "
            f"late_max_s={max(late_all):.1f} "
            f"early_max_s={max(result.early, default=0.0):.1f}"
        )
        on_time = sum(1 for v in late_all if v <= 2)
        print(
            f"window {window} min: {on_time} of {len(late_all)} within 2 s of their instant; "
            f"{len(result.early)} early (max {max(result.early, default=0.0):.0f} s)"
        )
    for line in lines:
        print(line)


def _count_by_instant(instants: list[tuple[datetime, int]]) -> dict[datetime, int]:
    counts: dict[datetime, int] = {}
    for when, _ in instants:
        counts[when] = counts.get(when, 0) + 1
    return counts
