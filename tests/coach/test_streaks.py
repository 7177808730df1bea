"""Streaks: rest days never break them, freezes save them, incremental equals the batch replay."""

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.coach.streaks import (
    FREEZE_EVERY,
    FROZEN_DAYS_KEPT,
    MAX_FREEZES,
    MILESTONES,
    RunDays,
    StreakEvents,
    StreakState,
    StreakView,
    as_of,
    milestone_reached,
    record_warmup,
    replay,
    week_progress,
)

MONDAY = date(2024, 1, 1)  # a Monday
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
MWF = frozenset({MON, WED, FRI})


def d(offset: int) -> date:
    """The day ``offset`` days after MONDAY, so weekdays read off as offset % 7."""
    return MONDAY + timedelta(days=offset)


def mwf_weeks(weeks: int) -> list[date]:
    return [d(7 * week + weekday) for week in range(weeks) for weekday in (MON, WED, FRI)]


def fold(
    days: Iterable[date], run_days: RunDays, state: StreakState | None = None
) -> tuple[StreakState, list[StreakEvents]]:
    state = state or StreakState()
    events = []
    for day in days:
        state, event = record_warmup(state, day, run_days)
        events.append(event)
    return state, events


# --- examples ------------------------------------------------------------------------------


def test_three_weeks_of_mon_wed_fri_is_a_9_streak() -> None:
    days = mwf_weeks(3)
    state, _ = fold(days, MWF)
    view = as_of(state, d(19), MWF)  # the last Friday
    assert (view.current, view.longest, view.total) == (9, 9, 9)
    assert as_of(state, d(20), MWF).current == 9  # Saturday and Sunday are rest days
    assert as_of(state, d(21), MWF).current == 9  # next Monday is pending, not missed
    assert replay(days, MWF, d(21)) == as_of(state, d(21), MWF)


def test_unplanned_warmup_counts_in_total_not_in_streak_and_does_not_break_it() -> None:
    state, events = fold([d(MON), d(TUE), d(WED)], MWF)
    assert (state.current, state.total) == (2, 3)
    assert events[1] == StreakEvents()
    assert state.last_day == d(WED)


def test_unplanned_warmup_does_not_cover_a_missed_planned_day() -> None:
    # Thursday instead of Wednesday: Wednesday is still missed.
    state, events = fold([d(MON), d(THU)], MWF)
    assert events[1].broke_from == 1
    assert (state.current, state.longest, state.total) == (0, 1, 2)


def test_a_streak_already_at_zero_does_not_break_again() -> None:
    state, _ = fold([d(MON), d(SAT)], MWF)  # Wednesday broke it; Saturday doesn't add
    assert state.current == 0
    state, event = record_warmup(state, d(10), MWF)  # Thursday: Mon and Wed were missed too
    assert event == StreakEvents()
    assert state.current == 0


def test_missed_wednesday_breaks_the_streak_without_freezes() -> None:
    state, _ = fold([d(MON)], MWF)
    assert as_of(state, d(WED), MWF).current == 1  # Wednesday still pending
    assert as_of(state, d(THU), MWF).current == 0  # Wednesday is over
    state, events = fold([d(FRI)], MWF, state)
    assert events[0].broke_from == 1
    assert events[0].streak_saved_from is None
    assert events[0].freezes_used == ()
    assert state.current == 1  # the next warm-up starts again at 1


def test_seven_in_a_row_earns_a_freeze_that_saves_a_missed_day() -> None:
    seven = [*mwf_weeks(2), d(14)]  # 2 weeks of M/W/F plus the third Monday
    state, events = fold(seven, MWF)
    assert events[-1].freeze_earned
    assert events[-1].milestone == 7
    assert not any(e.freeze_earned for e in events[:-1])
    assert (state.current, state.freezes) == (7, 1)

    # Skip Wednesday, warm up on Friday.
    assert as_of(state, d(17), MWF).current == 7
    assert as_of(state, d(17), MWF).freezes == 0
    state, event = record_warmup(state, d(18), MWF)
    assert event.freezes_used == (d(16),)
    assert event.streak_saved_from == 7
    assert event.broke_from is None
    assert (state.current, state.freezes, state.frozen_days) == (8, 0, (d(16),))


def test_at_most_two_freezes_are_banked() -> None:
    days = [d(i) for i in range(3 * FREEZE_EVERY)]
    state, events = fold(days, None)
    earned = [i + 1 for i, event in enumerate(events) if event.freeze_earned]
    assert earned == [7, 14]  # the third, at 21, finds the bank full
    assert state.freezes == MAX_FREEZES == 2
    assert state.earned_since_freeze == 0


def test_freezes_run_out_and_the_streak_breaks_in_the_same_gap() -> None:
    state, _ = fold([d(i) for i in range(14)], None)
    assert state.freezes == 2
    # Last warm-up on d(13); d(14) is the free rest day; d(15), d(16) frozen; d(17) breaks.
    view = as_of(state, d(17), None)
    assert (view.current, view.freezes) == (14, 0)
    state, event = record_warmup(state, d(18), None)
    assert event.freezes_used == (d(15), d(16))
    assert event.broke_from == 14
    assert event.streak_saved_from is None  # it broke anyway, nothing to celebrate
    assert state.frozen_days == (d(15), d(16))  # the freezes were spent on their days
    assert (state.current, state.longest, state.freezes) == (1, 14, 0)


def test_todays_pending_planned_day_does_not_break_the_streak() -> None:
    state, _ = fold([d(MON), d(WED)], MWF)
    assert as_of(state, d(FRI), MWF).current == 2
    assert as_of(state, d(SAT), MWF).current == 0


def test_without_schedule_one_rest_day_is_free_two_break() -> None:
    state, events = fold([d(0), d(2)], None)
    assert state.current == 2
    assert events[1] == StreakEvents()

    state, events = fold([d(0), d(3)], None)
    assert state.current == 1
    assert events[1].broke_from == 1

    state, _ = fold([d(0)], None)
    assert as_of(state, d(2), None).current == 1  # today would continue it
    assert as_of(state, d(3), None).current == 0


def test_empty_schedule_means_no_schedule() -> None:
    days = [d(0), d(2), d(4), d(5)]
    assert replay(days, frozenset(), d(9)) == replay(days, None, d(9))
    assert fold(days, frozenset())[0] == fold(days, None)[0]


def test_longest_is_kept_after_a_break() -> None:
    state, _ = fold([d(i) for i in range(5)] + [d(8), d(9)], None)
    assert (state.current, state.longest) == (2, 5)


def test_several_warmups_on_one_day_count_in_total_not_in_streak() -> None:
    state, events = fold([d(0), d(0), d(1)], None)
    assert (state.current, state.total) == (2, 3)
    assert events[1] == StreakEvents()


def test_late_warmup_before_last_day_only_adds_to_total() -> None:
    state, _ = fold([d(0), d(1), d(5)], None)
    later, event = record_warmup(state, d(3), None)
    assert later == replace(state, total=state.total + 1)
    assert event == StreakEvents()


def test_milestones() -> None:
    assert MILESTONES == (3, 7, 14, 30, 50, 100)
    assert milestone_reached(2, 3) == 3
    assert milestone_reached(3, 4) is None
    assert milestone_reached(6, 7) == 7
    assert milestone_reached(99, 100) == 100
    assert milestone_reached(0, 100) == 100  # the highest one passed
    assert milestone_reached(5, 3) is None
    assert milestone_reached(0, 0) is None
    _, events = fold([d(i) for i in range(31)], None)
    assert [i + 1 for i, e in enumerate(events) if e.milestone] == [3, 7, 14, 30]
    assert events[29].milestone == 30


def test_milestone_is_announced_again_when_a_streak_is_rebuilt() -> None:
    _, events = fold([d(0), d(1), d(2), d(10), d(11), d(12)], None)
    assert [e.milestone for e in events] == [None, None, 3, None, None, 3]


def test_frozen_days_keep_only_the_most_recent() -> None:
    old = tuple(d(i) for i in range(0, 2 * FROZEN_DAYS_KEPT, 2))
    state = StreakState(
        current=50, longest=50, freezes=2, total=60, last_day=d(300), frozen_days=old
    )
    state, event = record_warmup(state, d(304), None)
    assert event.freezes_used == (d(302), d(303))
    assert len(state.frozen_days) == FROZEN_DAYS_KEPT
    assert state.frozen_days[-2:] == (d(302), d(303))
    assert state.frozen_days[0] == old[2]


def test_a_years_long_gap_is_cheap_and_breaks() -> None:
    state = StreakState(current=40, longest=40, freezes=2, total=40, last_day=d(0))
    view = as_of(state, d(3650), MWF)
    assert (view.current, view.freezes, view.longest) == (0, 0, 40)
    assert view.frozen_days == (d(WED), d(FRI))


def test_no_history() -> None:
    empty = StreakView(0, 0, 0, 0, None, (), FREEZE_EVERY)
    assert replay([], MWF, d(5)) == empty
    assert as_of(StreakState(), d(5), MWF) == empty


def test_invalid_run_days_are_refused() -> None:
    with pytest.raises(ValueError, match=r"0\.\.6"):
        record_warmup(StreakState(), d(0), frozenset({7}))


def test_week_progress() -> None:
    history = [d(-1), d(MON), d(MON), d(TUE), d(7)]  # last Sunday, this Mon twice, Tue, next Mon
    assert week_progress(history, d(WED), MWF) == (2, 3)
    assert week_progress(history, d(SUN), None) == (2, None)
    assert week_progress(history, d(SUN), frozenset()) == (2, None)
    assert week_progress([], d(WED), MWF) == (0, 3)


# --- properties ----------------------------------------------------------------------------

# The empty schedule is covered by test_empty_schedule_means_no_schedule.
schedules = st.one_of(st.frozensets(st.integers(0, 6), min_size=1), st.none())


@st.composite
def histories(draw: st.DrawFn) -> list[date]:
    """Blocks of consecutive warm-up days separated by gaps, some days twice, shuffled.

    Blocks rather than independent days, so that freezes are earned and spent often.
    """
    start = draw(st.integers(0, 6))
    blocks = draw(st.lists(st.tuples(st.integers(1, 16), st.integers(0, 9)), max_size=7))
    days: list[date] = []
    offset = start
    for length, gap in blocks:
        days.extend(d(offset + i) for i in range(length) if draw(st.integers(0, 9)) > 0)
        offset += length + gap
    if days:
        days += draw(st.lists(st.sampled_from(days), max_size=3))
    return draw(st.permutations(days))


@st.composite
def histories_and_today(draw: st.DrawFn) -> tuple[list[date], date]:
    days = draw(histories())
    last = max(days, default=d(0))
    return days, last + timedelta(days=draw(st.integers(-2, 25)))


def check_invariants(view: StreakView | StreakState) -> None:
    assert 0 <= view.current <= view.longest
    assert 0 <= view.freezes <= MAX_FREEZES
    assert view.current > 0 or view.freezes == 0
    assert len(view.frozen_days) <= FROZEN_DAYS_KEPT
    assert list(view.frozen_days) == sorted(set(view.frozen_days))


def check_events(before: StreakState, after: StreakState, event: StreakEvents) -> None:
    """What the reply will say must be true: no "lost your 0-day streak", no phantom freezes."""
    assert event.broke_from is None or 0 < event.broke_from <= before.current
    assert event.streak_saved_from is None or event.streak_saved_from == before.current > 0
    assert not (event.broke_from and event.streak_saved_from)
    if event.streak_saved_from:
        assert event.freezes_used
        assert after.current in (before.current, before.current + 1)
    assert len(event.freezes_used) <= before.freezes
    if event.freezes_used:
        assert after.frozen_days[-len(event.freezes_used) :] == event.freezes_used
    if event.freeze_earned:
        assert after.earned_since_freeze == 0 < after.freezes
    if event.milestone is not None:
        assert event.milestone == after.current in MILESTONES


@settings(max_examples=250, deadline=None)
@given(histories_and_today(), schedules)
def test_incremental_equals_replay(history: tuple[list[date], date], run_days: RunDays) -> None:
    days, today = history
    state = StreakState()
    for day in sorted(days):
        before = state
        state, event = record_warmup(state, day, run_days)
        check_invariants(state)
        check_events(before, state, event)
        assert state.earned_since_freeze == state.current % FREEZE_EVERY
    view = as_of(state, today, run_days)
    check_invariants(view)
    assert view == replay(days, run_days, today)
    assert view.total == len(days)
    planned = {day for day in days if not run_days or day.weekday() in run_days}
    assert view.longest <= len(planned)


@settings(max_examples=100, deadline=None)
@given(histories_and_today(), schedules)
def test_a_warmup_today_never_lowers_the_streak(
    history: tuple[list[date], date], run_days: RunDays
) -> None:
    days, today = history
    state, _ = fold(sorted(days), run_days)
    after, _ = record_warmup(state, today, run_days)
    assert as_of(after, today, run_days).current >= as_of(state, today, run_days).current
    assert after.total == state.total + 1


@settings(max_examples=100, deadline=None)
@given(histories_and_today(), st.frozensets(st.integers(0, 6), min_size=1, max_size=6))
def test_an_unplanned_day_passing_never_changes_the_streak(
    history: tuple[list[date], date], run_days: frozenset[int]
) -> None:
    days, today = history
    while today.weekday() in run_days:  # move to the next unplanned day; max_size=6 leaves one
        today += timedelta(days=1)
    state, _ = fold(sorted(days), run_days)
    # Whatever was pending stays pending: passing a rest day applies no missed day.
    assert as_of(state, today + timedelta(days=1), run_days) == as_of(state, today, run_days)


@settings(max_examples=60, deadline=None)
@given(histories())
def test_without_schedule_the_day_after_a_warmup_is_free(days: list[date]) -> None:
    assume(days)
    state, _ = fold(sorted(days), None)
    last = max(days)
    rest_day, day_after = last + timedelta(days=1), last + timedelta(days=2)
    assert as_of(state, day_after, None) == as_of(state, rest_day, None) == as_of(state, last, None)


@settings(max_examples=60, deadline=None)
@given(histories_and_today(), schedules, st.integers(0, 10))
def test_a_longer_absence_never_raises_the_streak(
    history: tuple[list[date], date], run_days: RunDays, extra: int
) -> None:
    days, today = history
    state, _ = fold(sorted(days), run_days)
    now = as_of(state, today, run_days)
    later = as_of(state, today + timedelta(days=extra), run_days)
    assert later.current <= now.current
    assert later.freezes <= now.freezes
    assert later.longest == now.longest
