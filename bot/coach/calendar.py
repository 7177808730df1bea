"""The streak calendar: what happened on each day of the last weeks, as a grid for /stats to draw.

The grid has 7 rows (Mon..Sun) and one column per week, oldest first; the last column is the week
containing ``today``. Past days are judged against the schedule given now: like the streak rules
(see `bot.coach.streaks`) the calendar keeps no history of schedule changes.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from enum import Enum

from bot.coach.streaks import RunDays

_DAY = timedelta(days=1)


class DayCell(Enum):
    """How one day is shown."""

    DONE = "done"  # a counted warm-up
    MISSED = "missed"  # a planned run day in the past without a warm-up
    FROZEN = "frozen"  # a missed day a freeze covered
    REST = "rest"  # not planned and no warm-up; every past empty day when there is no schedule
    FUTURE = "future"
    TODAY_PENDING = "today_pending"  # today, a warm-up is expected and not done yet: not missed
    BEFORE_START = "before_start"  # before ``since``: nothing was expected then


def grid_days(today: date, weeks: int = 12) -> list[list[date]]:
    """The dates behind `calendar_grid`: ``grid[weekday][week]``, oldest week first."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1, got {weeks}")
    first_monday = today - today.weekday() * _DAY - (weeks - 1) * 7 * _DAY
    return [
        [first_monday + (week * 7 + weekday) * _DAY for week in range(weeks)]
        for weekday in range(7)
    ]


def calendar_grid(
    done_days: Iterable[date],
    frozen_days: Iterable[date],
    run_days: RunDays,
    today: date,
    weeks: int = 12,
    *,
    since: date | None = None,
) -> list[list[DayCell]]:
    """7 rows (Mon..Sun) × ``weeks`` columns of `DayCell`, the last column holding ``today``.

    ``since`` (e.g. the day the user started) keeps a new user's calendar from opening on weeks
    of misses they were never asked to do.
    """
    done = frozenset(done_days)
    frozen = frozenset(frozen_days)
    schedule = frozenset(run_days) if run_days else None

    def cell(day: date) -> DayCell:
        # A recorded warm-up wins over everything, even a "future" one from a timezone change.
        if day in done:
            return DayCell.DONE
        if day > today:
            return DayCell.FUTURE
        if day in frozen:
            return DayCell.FROZEN
        if since is not None and day < since:
            return DayCell.BEFORE_START
        # Without a schedule any day may be a run day, but no past day was promised.
        planned = schedule is None or day.weekday() in schedule
        if day == today:
            return DayCell.TODAY_PENDING if planned else DayCell.REST
        if schedule is not None and planned:
            return DayCell.MISSED
        return DayCell.REST

    return [[cell(day) for day in row] for row in grid_days(today, weeks)]
