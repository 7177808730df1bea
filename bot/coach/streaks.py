"""Warm-up streaks that respect rest days: current and longest streak, freezes, totals, milestones.

Runners rest on purpose, so a streak that broke on every rest day would punish the very habit it
is meant to build. The rules:

* The caller passes only *counted* warm-ups (whether one counts is decided elsewhere), each as the
  user's local date. Several on one date are fine; order does not matter to `replay`.
* With a schedule (``run_days``: weekdays 0=Mon..6=Sun) the current streak is the number of
  consecutive *planned* run days that had a warm-up. A day that is not planned never breaks it.
  A warm-up on an unplanned day counts in ``total`` but does NOT add to the streak: the streak
  measures keeping the plan, and letting bonus days add would make "3 a week" and "7 a week"
  plans incomparable. Doing Thursday instead of a planned Wednesday does not cover Wednesday.
* Without a schedule (``None`` or empty) the streak counts distinct warm-up days in a row where
  one rest day between two warm-ups is free: days d and d+2 continue, d and d+3 break. Put as a
  rule per day: a day is *missed* when neither it nor the day before had a warm-up.
* Today never counts as missed: the day isn't over.
* Freezes: every ``FREEZE_EVERY`` streak increments within the current unbroken streak earn one,
  at most ``MAX_FREEZES`` banked (an earning with a full bank is lost, the count restarts). Each
  missed day spends one automatically and the streak survives without growing; with none left
  the streak breaks to 0 and the next counted warm-up starts it at 1 again. Freezes only guard a
  live streak: nothing is spent while the streak is 0.
* ``total`` counts warm-ups (two on one date are two); the streak counts days.
* Milestones (3, 7, 14, 30, 50, 100) are announced whenever the current streak reaches one, also
  when a streak is rebuilt after a break.
* The schedule can change over time. To stay simple every call evaluates the days it has to look
  at with the ``run_days`` it is given; days already folded into a `StreakState` are not revisited.

`StreakState` is an incrementally kept summary so that /stats costs the same after a week or after
ten years: `record_warmup` and `as_of` only look at the days since ``last_day`` and stop as soon as
the outcome is known (3 missed days exhaust 2 freezes; with a schedule they fall within 3 weeks).
`replay` is the batch definition over a whole history, the reference the incremental path is
tested against.
"""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta

MILESTONES: tuple[int, ...] = (3, 7, 14, 30, 50, 100)
MAX_FREEZES = 2
FREEZE_EVERY = 7
# The calendar shows about 12 weeks; 100 frozen days covers that for any schedule without letting
# the stored state grow for ever.
FROZEN_DAYS_KEPT = 100

# None or an empty set: no schedule.
RunDays = frozenset[int] | None

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class StreakState:
    """Everything needed to continue the streak from ``last_day``; store it per user."""

    current: int = 0
    longest: int = 0
    freezes: int = 0
    total: int = 0
    last_day: date | None = None  # the latest local date with a counted warm-up
    frozen_days: tuple[date, ...] = ()  # oldest first, at most FROZEN_DAYS_KEPT
    earned_since_freeze: int = 0  # streak increments towards the next freeze


@dataclass(frozen=True)
class StreakEvents:
    """What happened while recording one warm-up, so the reply can mention it."""

    freezes_used: tuple[date, ...] = ()  # the missed days a freeze covered, oldest first
    freeze_earned: bool = False  # a freeze was added to the bank (False when the bank was full)
    milestone: int | None = None
    streak_saved_from: int | None = None  # the streak freezes kept alive; None if it broke anyway
    broke_from: int | None = None  # the streak that was lost to a missed day


@dataclass(frozen=True)
class StreakView:
    """The streak as seen on a given day, missed days since the last warm-up applied."""

    current: int
    longest: int
    freezes: int
    total: int
    last_day: date | None
    frozen_days: tuple[date, ...]
    next_freeze_in: int  # streak increments until the next freeze is earned


@dataclass(frozen=True)
class _Gap:
    state: StreakState
    used: tuple[date, ...] = ()
    saved_from: int | None = None
    broke_from: int | None = None


def _schedule(run_days: RunDays) -> frozenset[int] | None:
    """Normalise ``run_days``: an empty schedule means "no schedule"."""
    if not run_days:
        return None
    if not all(0 <= weekday <= 6 for weekday in run_days):
        raise ValueError(f"run_days must be weekdays 0..6, got {sorted(run_days)}")
    return frozenset(run_days)


def _missed_days(last_day: date, end: date, schedule: frozenset[int] | None) -> Iterator[date]:
    """Days after ``last_day`` and before ``end`` that needed a warm-up, oldest first.

    Lazy, because callers stop after at most MAX_FREEZES + 1 of them.
    """
    if schedule is None:
        # The first rest day after a warm-up is free; every later one is missed.
        day = last_day + 2 * _DAY
        while day < end:
            yield day
            day += _DAY
        return
    day = last_day + _DAY
    while day < end:
        if day.weekday() in schedule:
            yield day
        day += _DAY


def _keep_recent(frozen_days: tuple[date, ...]) -> tuple[date, ...]:
    return frozen_days[-FROZEN_DAYS_KEPT:]


def _advance(state: StreakState, end: date, schedule: frozenset[int] | None) -> _Gap:
    """Apply the missed days between ``state.last_day`` and ``end`` (exclusive)."""
    if state.last_day is None or state.current == 0:
        return _Gap(state)
    freezes = state.freezes
    used: list[date] = []
    for day in _missed_days(state.last_day, end, schedule):
        if freezes == 0:
            # Freezes spent earlier in this gap stay spent: they were used on their day, before
            # anyone knew the streak would break later.
            broken = replace(
                state,
                current=0,
                freezes=0,
                earned_since_freeze=0,
                frozen_days=_keep_recent(state.frozen_days + tuple(used)),
            )
            return _Gap(broken, tuple(used), broke_from=state.current)
        freezes -= 1
        used.append(day)
    if not used:
        return _Gap(state)
    saved = replace(
        state, freezes=freezes, frozen_days=_keep_recent(state.frozen_days + tuple(used))
    )
    return _Gap(saved, tuple(used), saved_from=state.current)


def _view(state: StreakState) -> StreakView:
    return StreakView(
        current=state.current,
        longest=state.longest,
        freezes=state.freezes,
        total=state.total,
        last_day=state.last_day,
        frozen_days=state.frozen_days,
        next_freeze_in=FREEZE_EVERY - state.earned_since_freeze,
    )


def milestone_reached(before: int, after: int) -> int | None:
    """The highest milestone passed going from streak ``before`` to ``after``, if any."""
    reached = [m for m in MILESTONES if before < m <= after]
    return reached[-1] if reached else None


def record_warmup(
    state: StreakState, day: date, run_days: RunDays
) -> tuple[StreakState, StreakEvents]:
    """Add one counted warm-up on local date ``day``; return the new state and what happened.

    A second warm-up on ``last_day``, or one dated before it (a late sync, a timezone change),
    only adds to ``total``: the streak counts days and is never rewritten backwards.
    """
    schedule = _schedule(run_days)
    if state.last_day is not None and day <= state.last_day:
        return replace(state, total=state.total + 1), StreakEvents()

    gap = _advance(state, day, schedule)
    after_gap = gap.state
    current = after_gap.current
    freezes = after_gap.freezes
    earned = after_gap.earned_since_freeze
    freeze_earned = False
    if schedule is None or day.weekday() in schedule:
        current += 1
        earned += 1
        if earned == FREEZE_EVERY:
            earned = 0
            if freezes < MAX_FREEZES:
                freezes += 1
                freeze_earned = True

    new_state = replace(
        after_gap,
        current=current,
        longest=max(after_gap.longest, current),
        freezes=freezes,
        total=after_gap.total + 1,
        last_day=day,
        earned_since_freeze=earned,
    )
    events = StreakEvents(
        freezes_used=gap.used,
        freeze_earned=freeze_earned,
        milestone=milestone_reached(after_gap.current, current),
        streak_saved_from=gap.saved_from,
        broke_from=gap.broke_from,
    )
    return new_state, events


def as_of(state: StreakState, today: date, run_days: RunDays) -> StreakView:
    """The streak as seen on ``today``: missed days before today spend freezes or break it.

    Pure: the stored state is not changed, the same days are applied again by the next
    `record_warmup`. Today itself is never missed; a ``today`` before ``last_day`` sees no gap.
    """
    return _view(_advance(state, today, _schedule(run_days)).state)


def replay(days: Iterable[date], run_days: RunDays, today: date) -> StreakView:
    """The streak from a whole history, walked day by day: the batch definition.

    Equal to folding `record_warmup` over the sorted days, then `as_of(today)`, which the tests
    check. Written independently, one calendar day at a time, so that check means something.
    """
    schedule = _schedule(run_days)
    counts = Counter(days)
    if not counts:
        return _view(StreakState())
    first, last = min(counts), max(counts)

    current = longest = freezes = earned = 0
    frozen: list[date] = []
    day = first
    while day < max(last + _DAY, today):
        if day in counts:
            if schedule is None or day.weekday() in schedule:
                current += 1
                earned += 1
                if earned == FREEZE_EVERY:
                    earned = 0
                    freezes = min(freezes + 1, MAX_FREEZES)
                longest = max(longest, current)
        else:
            missed = day.weekday() in schedule if schedule else day - _DAY not in counts
            if missed and current > 0:
                if freezes > 0:
                    freezes -= 1
                    frozen.append(day)
                else:
                    current = earned = 0
        day += _DAY

    return _view(
        StreakState(
            current=current,
            longest=longest,
            freezes=freezes,
            total=sum(counts.values()),
            last_day=last,
            frozen_days=_keep_recent(tuple(frozen)),
            earned_since_freeze=earned,
        )
    )


def week_progress(days: Iterable[date], today: date, run_days: RunDays) -> tuple[int, int | None]:
    """This week's (Mon..Sun of ``today``) distinct warm-up days, and the planned number of runs.

    ``days`` may be the whole history or just this week's; the planned number is None without a
    schedule.
    """
    schedule = _schedule(run_days)
    monday = today - today.weekday() * _DAY
    sunday = monday + 6 * _DAY
    done = len({day for day in days if monday <= day <= sunday})
    return done, len(schedule) if schedule is not None else None
