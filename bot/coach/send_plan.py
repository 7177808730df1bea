"""When to send reminders so that a peak bigger than the rate limit still arrives on time.

A reminder may go out early, up to `window` before its instant. The plan is "as late as
possible, by deadline": reminders are sent in order of their instants, and sending starts just
early enough that, at `rate` messages a second, every reminder inside the window is handed over
by its instant. With no peak that means at its instant; a peak of 6,000 at 30/s starts about
200 s ahead. When even the whole window is not enough, sending runs flat out from the window's
start and the rest is late; which runners are late changes from day to day (the dispatcher
orders ties by a rank drawn per run date: `fair_rank`).

Pure: instants and counts in, a decision out (bot/telegram/reminder_jobs.py asks the database).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Planning assumes a little less than the limit: the limiter's own margin (2%), the database
# work per reminder, and a loop that is sometimes busy. A plan kept at 90% ends early, not late.
PLANNING_SHARE = 0.9
# Start this much before the last moment the plan allows: the first sends of a batch wait for a
# claim in the database and a slot in the limiter.
HEADROOM = timedelta(seconds=3)
# A wait shorter than this is no wait: the scheduler's own delay is longer (and an instant
# rounded to microseconds could otherwise ask for the same wake-up again and again).
SHORTEST_WAIT_S = 0.05


@dataclass(frozen=True)
class SendDecision:
    """Send now (`send_now` True), or sleep until `wake_at` (None: nothing inside the window)."""

    send_now: bool
    wake_at: datetime | None


def decide(
    loads: Sequence[tuple[datetime, int]],
    now: datetime,
    rate: float,
    *,
    share: float = PLANNING_SHARE,
    headroom: timedelta = HEADROOM,
) -> SendDecision:
    """`loads`: (instant, how many reminders are due then) for every reminder still to send whose
    window is open (instant <= now + window), earliest first.

    The slack of instant k is the time left before it minus the time its backlog takes at the
    planning rate: (instant_k - now) - (reminders due by instant_k) / rate. Sending starts once
    the smallest slack is down to the headroom; until then the dispatcher sleeps that long."""
    planning_rate = rate * share
    backlog = 0
    slack: float | None = None
    for instant, count in loads:
        backlog += count
        left = (instant - now).total_seconds() - backlog / planning_rate
        slack = left if slack is None else min(slack, left)
    if slack is None:
        return SendDecision(False, None)
    wait = slack - headroom.total_seconds()
    if wait < SHORTEST_WAIT_S:
        return SendDecision(True, None)
    return SendDecision(False, now + timedelta(seconds=wait))


def fair_rank(user_id: int, run_date: date) -> int:
    """A tie-break among reminders due at the same instant, drawn anew for every run date: a
    runner last in today's peak is anywhere in tomorrow's."""
    digest = hashlib.blake2b(f"{user_id}:{run_date.isoformat()}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF
