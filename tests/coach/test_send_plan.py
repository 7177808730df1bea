"""The send plan: reminders as late as the limit allows, inside the early window, fairly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.coach.send_plan import HEADROOM, decide, fair_rank

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def test_a_lone_reminder_waits_until_just_before_its_instant() -> None:
    instant = NOW + timedelta(minutes=5)
    plan = decide([(instant, 1)], NOW, rate=30)
    assert not plan.send_now
    assert plan.wake_at is not None
    assert instant - timedelta(seconds=4) < plan.wake_at < instant - HEADROOM


def test_a_peak_starts_as_early_as_its_size_needs() -> None:
    """6,000 at 30/s (27/s planned) take 222 s: sending starts about 225 s ahead."""
    instant = NOW + timedelta(minutes=10)
    plan = decide([(instant, 6000)], NOW, rate=30)
    assert plan.wake_at is not None
    head_start = (instant - plan.wake_at).total_seconds()
    assert 6000 / 27 + 3 - 0.01 < head_start < 6000 / 27 + 3 + 0.01
    assert decide([(instant, 6000)], plan.wake_at, rate=30).send_now


def test_a_peak_beyond_the_window_sends_at_once() -> None:
    """The window is already too short: send now (the rest will be late), never wait."""
    assert decide([(NOW + timedelta(minutes=1), 6000)], NOW, rate=30).send_now


def test_an_earlier_small_load_counts_before_a_later_peak() -> None:
    small = (NOW + timedelta(seconds=100), 10)
    peak = (NOW + timedelta(seconds=300), 5400)  # 200 s at 27/s: starts at 100 s minus headroom
    plan = decide([small, peak], NOW, rate=30)
    assert plan.wake_at is not None
    assert (plan.wake_at - NOW).total_seconds() < 100 - 10 / 27


def test_overdue_reminders_are_sent_now_and_nothing_means_no_wake() -> None:
    assert decide([(NOW - timedelta(seconds=1), 1)], NOW, rate=30).send_now
    assert decide([], NOW, rate=30) == decide([], NOW, rate=1000)
    assert decide([], NOW, rate=30).wake_at is None and not decide([], NOW, rate=30).send_now


def test_the_tie_break_changes_with_the_run_date() -> None:
    runners = range(1, 201)
    monday = sorted(runners, key=lambda user: fair_rank(user, date(2026, 11, 23)))
    tuesday = sorted(runners, key=lambda user: fair_rank(user, date(2026, 11, 24)))
    assert monday != tuesday
    # Monday's last tenth is mostly elsewhere on Tuesday.
    assert len(set(monday[-20:]) & set(tuesday[-20:])) < 10
    assert fair_rank(7, date(2026, 11, 23)) == fair_rank(7, date(2026, 11, 23))
