"""The streak calendar grid: shape, week alignment and what each day shows."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coach.calendar import DayCell, calendar_grid, grid_days
from bot.coach.streaks import RunDays

MONDAY = date(2024, 1, 1)  # a Monday
MWF = frozenset({0, 2, 4})


def d(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def test_grid_is_weekdays_by_weeks_with_today_in_the_last_column() -> None:
    today = d(15)  # Tuesday of the third week
    days = grid_days(today, weeks=3)
    assert len(days) == 7
    assert all(len(row) == 3 for row in days)
    assert days[0] == [d(0), d(7), d(14)]  # Mondays, oldest first
    assert days[6] == [d(6), d(13), d(20)]  # Sundays
    assert days[1][-1] == today


def test_cells() -> None:
    today = d(9)  # Wednesday of the second week
    grid = calendar_grid({d(0), d(4), d(5)}, {d(2)}, MWF, today, weeks=2)
    assert [row[0] for row in grid] == [
        DayCell.DONE,  # Mon
        DayCell.REST,  # Tue
        DayCell.FROZEN,  # Wed
        DayCell.REST,  # Thu
        DayCell.DONE,  # Fri
        DayCell.DONE,  # Sat: an unplanned warm-up still shows
        DayCell.REST,  # Sun
    ]
    assert [row[1] for row in grid] == [
        DayCell.MISSED,  # Mon
        DayCell.REST,  # Tue
        DayCell.TODAY_PENDING,  # Wed: planned, not done yet, not missed either
        DayCell.FUTURE,
        DayCell.FUTURE,
        DayCell.FUTURE,
        DayCell.FUTURE,
    ]


def test_today_done_and_today_unplanned() -> None:
    assert calendar_grid({d(2)}, set(), MWF, d(2), weeks=1)[2][0] is DayCell.DONE
    assert calendar_grid(set(), set(), MWF, d(3), weeks=1)[3][0] is DayCell.REST


def test_without_schedule_nothing_is_missed_and_today_is_pending() -> None:
    grid = calendar_grid({d(0)}, {d(2)}, None, d(3), weeks=1)
    assert [row[0] for row in grid] == [
        DayCell.DONE,
        DayCell.REST,
        DayCell.FROZEN,
        DayCell.TODAY_PENDING,
        DayCell.FUTURE,
        DayCell.FUTURE,
        DayCell.FUTURE,
    ]


def test_days_before_since_are_not_missed() -> None:
    # Started on Monday d(7); today is Thursday d(10).
    grid = calendar_grid({d(8)}, set(), MWF, d(10), weeks=2, since=d(7))
    assert [row[0] for row in grid][:5] == [DayCell.BEFORE_START] * 5
    assert grid[0][1] is DayCell.MISSED  # Mon d(7), the first day counts
    assert grid[1][1] is DayCell.DONE  # Tue d(8)
    assert grid[2][1] is DayCell.MISSED  # Wed d(9)
    assert grid[3][1] is DayCell.REST  # Thu d(10), today, unplanned
    assert grid[4][1] is DayCell.FUTURE


def test_weeks_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        calendar_grid(set(), set(), MWF, d(0), weeks=0)


schedules = st.one_of(st.none(), st.frozensets(st.integers(0, 6)))


@settings(max_examples=100, deadline=None)
@given(
    st.sets(st.integers(-120, 30).map(d), max_size=60),
    st.sets(st.integers(-120, 30).map(d), max_size=20),
    schedules,
    st.integers(-30, 30).map(d),
    st.integers(1, 16),
)
def test_grid_shape_and_done_cells(
    done: set[date], frozen: set[date], run_days: RunDays, today: date, weeks: int
) -> None:
    grid = calendar_grid(done, frozen, run_days, today, weeks)
    days = grid_days(today, weeks)
    assert len(grid) == 7
    assert all(len(row) == weeks for row in grid)

    cells = {
        day: cell
        for row_days, row in zip(days, grid, strict=True)
        for day, cell in zip(row_days, row, strict=True)
    }
    assert len(cells) == 7 * weeks  # every day once
    assert min(cells).weekday() == 0
    assert max(cells) == today + timedelta(days=6 - today.weekday())  # the Sunday of this week
    assert {day for day, cell in cells.items() if cell is DayCell.DONE} == done & cells.keys()
    for day, cell in cells.items():
        if day > today and day not in done:
            assert cell is DayCell.FUTURE
        if cell is DayCell.MISSED:
            assert run_days and day.weekday() in run_days and day < today
        if cell is DayCell.FROZEN:
            assert day in frozen
        if cell is DayCell.TODAY_PENDING:
            assert day == today
