"""Per-exercise difficulty levels: when a runner's exercises go up or down a level.

Each runner has a level per exercise (keyed by the exercise's string key), from 1 to that
exercise's maximum; the caller passes the maxima as ``max_levels`` on every call, and a key missing
from the runner's levels means level 1. The rules:

* After a completed warm-up the runner rates it Easy, About right or Hard (`Rating`).
* Up one level, per exercise, after ``UP_AFTER_EASY`` (3) Easy-rated warm-ups in a row in which
  that exercise was done in full. Kept as a count per exercise: an Easy rating adds one for every
  exercise done in full and sets every other exercise's count back to 0. When a count reaches 3
  the exercise goes up if it may, and its count restarts; if it may not yet, it keeps its count
  (capped at 3) and goes up on the next Easy rating that it is done in full once it may.
  An exercise may go up when it is below its maximum, its previous automatic level-up was at
  least ``ONE_UP_PER`` (7 days) ago, and no pain is holding level-ups.
* Pain reported on day P holds every level-up while ``today - P < PAIN_HOLDS_FOR`` (7 days).
  `with_pain` stores the latest pain day. `ease_off` (offered after a pain report) takes every
  exercise above level 1 down one level.
* Down one level, every exercise above level 1, after ``DOWN_AFTER_HARD`` (2) Hard ratings in a
  row. An About right rating breaks both runs (Easy counts and the Hard run); an Easy rating
  breaks the Hard run; a Hard rating breaks every Easy count.
* `set_level` sets one exercise's level by hand (clamped to [1, max]).
* Ease-off and manual sets restart all counting, so an automatic change always follows fresh
  ratings at the new levels.
* Levels stay within [1, max] whatever happens. Keys not in ``max_levels`` (exercises removed from
  the routine since) are dropped, and a stored level above a lowered maximum is clamped silently:
  that is the routine changing, not a change the runner is told about.

Every function takes a `LevelState` and returns a new one; inputs are never mutated. `Rated`
carries the level changes in ``max_levels`` order, so the reply can list them as the routine does.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

FIRST_LEVEL = 1
UP_AFTER_EASY = 3
DOWN_AFTER_HARD = 2
ONE_UP_PER = timedelta(days=7)
PAIN_HOLDS_FOR = timedelta(days=7)


class Rating(enum.StrEnum):
    """How a completed warm-up felt."""

    EASY = "easy"
    RIGHT = "right"  # about right
    HARD = "hard"


class Reason(enum.StrEnum):
    """Why a level changed."""

    EASY = "easy"  # Easy ratings in a row: the only automatic level-up
    HARD = "hard"  # Hard ratings in a row
    PAIN = "pain"  # the runner took the ease-off offered after a pain report
    MANUAL = "manual"  # the runner set the level by hand

    @property
    def told_on_the_spot(self) -> bool:
        """A change the runner made or asked for is told at once (its toast); only the rules'
        own changes wait for the next warm-up card."""
        return self in (Reason.MANUAL, Reason.PAIN)


@dataclass(frozen=True)
class LevelChange:
    key: str
    from_level: int
    to_level: int
    reason: Reason


@dataclass(frozen=True)
class LevelState:
    """Everything the rules need between warm-ups; store it per runner."""

    levels: Mapping[str, int] = field(default_factory=dict)  # a missing key means level 1
    # Easy-rated warm-ups in a row with the exercise done in full; 0 counts are not stored.
    easy_counts: Mapping[str, int] = field(default_factory=dict)
    last_up: Mapping[str, date] = field(default_factory=dict)  # the last automatic level-up
    hard_run: int = 0  # Hard ratings in a row
    pain_on: date | None = None  # the latest day pain was reported

    def level(self, key: str) -> int:
        return self.levels.get(key, FIRST_LEVEL)


@dataclass(frozen=True)
class Rated:
    """The state after an event and the level changes it made, in ``max_levels`` order."""

    state: LevelState
    changes: tuple[LevelChange, ...] = ()


def with_pain(state: LevelState, day: date) -> LevelState:
    """Record pain reported on ``day``; the latest report is the one that holds level-ups."""
    if state.pain_on is not None and state.pain_on >= day:
        return state
    return replace(state, pain_on=day)


def pain_holds(state: LevelState, today: date) -> bool:
    """Whether pain reported within the last 7 days holds level-ups ``today``."""
    # A pain day after today (a clock moved back) also holds: when in doubt, don't push harder.
    return state.pain_on is not None and today - state.pain_on < PAIN_HOLDS_FOR


def rate(
    state: LevelState,
    rating: Rating,
    done_in_full: Collection[str],
    max_levels: Mapping[str, int],
    today: date,
) -> Rated:
    """Apply the rating of a warm-up completed ``today``.

    ``done_in_full``: the exercises done in full in that warm-up. It only matters for an Easy
    rating; keys in it that are not in ``max_levels`` are ignored.
    """
    state = _normalise(state, max_levels)
    rating = Rating(rating)  # also accepts the stored string value
    if rating is Rating.EASY:
        return _rate_easy(state, frozenset(done_in_full), max_levels, today)
    if rating is Rating.RIGHT:
        return Rated(_restart_counting(state))
    hard_run = state.hard_run + 1
    if hard_run < DOWN_AFTER_HARD:
        return Rated(replace(state, easy_counts={}, hard_run=hard_run))
    return _all_down(state, max_levels, Reason.HARD)


def ease_off(state: LevelState, max_levels: Mapping[str, int], today: date) -> Rated:
    """Take every exercise above level 1 down one level, as offered after a pain report.

    Easing off is the runner confirming it hurts, so it also holds level-ups from ``today``
    (the same as `with_pain`; a no-op when the pain report was the same day).
    """
    return _all_down(with_pain(_normalise(state, max_levels), today), max_levels, Reason.PAIN)


def set_level(state: LevelState, key: str, level: int, max_levels: Mapping[str, int]) -> Rated:
    """Set one exercise's level by hand, clamped to [1, max]; all counting restarts.

    A key not in ``max_levels`` (an exercise removed from the routine since) changes nothing.
    """
    state = _normalise(state, max_levels)
    if key not in max_levels:
        return Rated(state)
    old, new = state.level(key), _clamp(level, max_levels[key])
    # Counting restarts even when the level stays: the runner has just judged the levels, so
    # earlier ratings should not trigger a change right after.
    state = _restart_counting(replace(state, levels={**state.levels, key: new}))
    changes = (LevelChange(key, old, new, Reason.MANUAL),) if new != old else ()
    return Rated(state, changes)


def _rate_easy(
    state: LevelState, done_in_full: frozenset[str], max_levels: Mapping[str, int], today: date
) -> Rated:
    levels = dict(state.levels)
    last_up = dict(state.last_up)
    counts: dict[str, int] = {}
    changes: list[LevelChange] = []
    held = pain_holds(state, today)
    for key, top in max_levels.items():
        if key not in done_in_full:
            continue  # not done in full: its run of Easy warm-ups is over (count 0, not stored)
        # Capped so that a count waiting for the week rule, pain or a raised maximum stays small.
        count = min(state.easy_counts.get(key, 0) + 1, UP_AFTER_EASY)
        level = state.level(key)
        if count >= UP_AFTER_EASY and level < top and not held and _week_passed(state, key, today):
            levels[key] = level + 1
            last_up[key] = today
            changes.append(LevelChange(key, level, level + 1, Reason.EASY))
            count = 0
        if count:
            counts[key] = count
    new_state = replace(state, levels=levels, easy_counts=counts, last_up=last_up, hard_run=0)
    return Rated(new_state, tuple(changes))


def _all_down(state: LevelState, max_levels: Mapping[str, int], reason: Reason) -> Rated:
    """Every exercise above level 1 down one level; counting restarts."""
    levels = dict(state.levels)
    changes: list[LevelChange] = []
    for key in max_levels:
        level = state.level(key)
        if level > FIRST_LEVEL:
            levels[key] = level - 1
            changes.append(LevelChange(key, level, level - 1, reason))
    return Rated(_restart_counting(replace(state, levels=levels)), tuple(changes))


def _week_passed(state: LevelState, key: str, today: date) -> bool:
    last = state.last_up.get(key)
    return last is None or today - last >= ONE_UP_PER


def _restart_counting(state: LevelState) -> LevelState:
    return replace(state, easy_counts={}, hard_run=0)


def _clamp(level: int, top: int) -> int:
    return max(FIRST_LEVEL, min(level, top))


def _normalise(state: LevelState, max_levels: Mapping[str, int]) -> LevelState:
    """Drop keys no longer in the routine and bring stored numbers back within their ranges."""
    for key, top in max_levels.items():
        if top < FIRST_LEVEL:
            raise ValueError(f"max level of {key!r} must be at least {FIRST_LEVEL}, got {top}")
    return replace(
        state,
        levels={
            key: _clamp(level, max_levels[key])
            for key, level in state.levels.items()
            if key in max_levels
        },
        easy_counts={
            key: min(count, UP_AFTER_EASY)
            for key, count in state.easy_counts.items()
            if key in max_levels and count > 0
        },
        last_up={key: day for key, day in state.last_up.items() if key in max_levels},
        hard_run=max(0, min(state.hard_run, DOWN_AFTER_HARD - 1)),
    )


def net_changes(changes: Iterable[tuple[str, int, int]]) -> tuple[tuple[str, int, int], ...]:
    """(exercise key, from level, to level) changes, oldest first, as the runner is told them:
    one per exercise, from its first level to its last (two changes in a row show as one), none
    for an exercise back where it started."""
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for key, from_level, to_level in changes:
        first.setdefault(key, from_level)
        last[key] = to_level
    return tuple((key, first[key], last[key]) for key in first if first[key] != last[key])
