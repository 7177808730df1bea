"""Exercise levels: up after 3 Easy, once a week, never under pain; down after 2 Hard; by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.coach.level_rules import (
    LevelChange,
    LevelState,
    Rated,
    Rating,
    Reason,
    ease_off,
    net_changes,
    pain_holds,
    rate,
    set_level,
    with_pain,
)

# The product rules, spelled out here rather than imported, so a wrong constant is caught.
UP_AFTER_EASY = 3
DOWN_AFTER_HARD = 2
WEEK = timedelta(days=7)  # one automatic level-up per exercise per week; pain holds for a week

DAY0 = date(2024, 3, 4)
STEPS, BRIDGE, CLAMS = "banded-side-steps", "glute-bridge", "clamshells"
MAX = {STEPS: 5, BRIDGE: 4, CLAMS: 3}
ALL = frozenset(MAX)


def d(offset: int) -> date:
    return DAY0 + timedelta(days=offset)


def rate_all(
    state: LevelState,
    ratings: list[Rating],
    start: int = 0,
    done: frozenset[str] = ALL,
    every: int = 1,
) -> tuple[LevelState, list[LevelChange]]:
    """Rate one warm-up every ``every`` days from day ``start``; all changes, in order."""
    changes: list[LevelChange] = []
    for i, rating in enumerate(ratings):
        rated = rate(state, rating, done, MAX, d(start + i * every))
        state = rated.state
        changes.extend(rated.changes)
    return state, changes


E, R, H = Rating.EASY, Rating.RIGHT, Rating.HARD


# --- Easy: up after 3 in a row -------------------------------------------------------------


def test_missing_key_means_level_1() -> None:
    assert LevelState().level(STEPS) == 1


def test_three_easy_ratings_level_up_only_the_exercises_done_in_full_every_time() -> None:
    state = LevelState()
    state = rate(state, E, {STEPS, BRIDGE, CLAMS}, MAX, d(0)).state
    state = rate(state, E, {STEPS, BRIDGE}, MAX, d(2)).state  # clamshells cut short
    rated = rate(state, E, {STEPS, BRIDGE, CLAMS}, MAX, d(4))
    assert rated.changes == (
        LevelChange(STEPS, 1, 2, Reason.EASY),
        LevelChange(BRIDGE, 1, 2, Reason.EASY),
    )
    assert rated.state.levels == {STEPS: 2, BRIDGE: 2}
    assert rated.state.level(CLAMS) == 1
    # Counts restart for those that went up; clamshells has one fresh Easy.
    assert rated.state.easy_counts == {CLAMS: 1}
    assert rated.state.last_up == {STEPS: d(4), BRIDGE: d(4)}


def test_two_easy_ratings_are_not_enough_to_level_up() -> None:
    state, changes = rate_all(LevelState(), [E, E])
    assert changes == []
    assert state.easy_counts == dict.fromkeys(MAX, 2)


def test_an_about_right_rating_in_between_restarts_the_easy_count() -> None:
    state, changes = rate_all(LevelState(), [E, E, R, E, E])
    assert changes == []
    _, changes = rate_all(state, [E], start=5)
    assert {change.key for change in changes} == ALL


def test_an_exercise_not_done_in_full_in_one_easy_warmup_restarts_its_count() -> None:
    state = rate(LevelState(), E, ALL, MAX, d(0)).state
    state = rate(state, E, ALL - {STEPS}, MAX, d(1)).state
    rated = rate(state, E, ALL, MAX, d(2))
    assert STEPS not in {change.key for change in rated.changes}
    assert rated.state.easy_counts[STEPS] == 1


def test_a_second_level_up_within_a_week_is_refused_and_allowed_seven_days_after_the_first() -> (
    None
):
    state, changes = rate_all(LevelState(), [E, E, E])  # up on day 2
    assert len(changes) == len(MAX)
    state, changes = rate_all(state, [E, E, E], start=3)  # days 3-5: third Easy on day 5
    assert changes == []
    assert state.easy_counts == dict.fromkeys(MAX, UP_AFTER_EASY)  # still waiting
    rated = rate(state, E, {STEPS}, MAX, d(8))  # 6 days after the first: still refused
    assert rated.changes == ()
    rated = rate(rated.state, E, {STEPS}, MAX, d(9))
    assert rated.changes == (LevelChange(STEPS, 2, 3, Reason.EASY),)
    assert rated.state.last_up[STEPS] == d(9)


def test_pain_reported_six_days_ago_holds_level_ups() -> None:
    state = with_pain(LevelState(), d(0))
    state, changes = rate_all(state, [E, E, E], start=4)  # third Easy on day 6
    assert changes == []
    assert pain_holds(state, d(6))


def test_pain_reported_seven_days_ago_no_longer_holds_level_ups() -> None:
    state = with_pain(LevelState(), d(0))
    state, changes = rate_all(state, [E, E, E], start=5)  # third Easy on day 7
    assert not pain_holds(state, d(7))
    assert {change.key for change in changes} == ALL


def test_counting_goes_on_under_a_pain_hold_so_the_next_easy_after_it_levels_up() -> None:
    state = with_pain(LevelState(), d(0))
    state, changes = rate_all(state, [E, E, E, E], start=1, every=2)  # days 1, 3, 5, 7
    assert [change.key for change in changes] == list(MAX)
    assert all(change.reason is Reason.EASY for change in changes)


def test_with_pain_keeps_the_latest_pain_day() -> None:
    state = with_pain(with_pain(LevelState(), d(5)), d(2))
    assert state.pain_on == d(5)
    assert with_pain(state, d(6)).pain_on == d(6)


def test_an_exercise_at_its_max_level_stays_and_its_count_is_capped() -> None:
    state = LevelState(levels={CLAMS: MAX[CLAMS]})
    state, changes = rate_all(state, [E] * 5, done=frozenset({CLAMS}))
    assert changes == []
    assert state.level(CLAMS) == MAX[CLAMS]
    assert state.easy_counts == {CLAMS: UP_AFTER_EASY}


def test_an_exercise_waiting_at_max_goes_up_at_once_when_its_max_is_raised() -> None:
    state = LevelState(levels={CLAMS: 3})
    state, _ = rate_all(state, [E] * 3, done=frozenset({CLAMS}))
    rated = rate(state, E, {CLAMS}, {**MAX, CLAMS: 4}, d(3))
    assert rated.changes == (LevelChange(CLAMS, 3, 4, Reason.EASY),)


# --- Hard: down after 2 in a row -----------------------------------------------------------


def test_two_hard_ratings_in_a_row_take_every_exercise_above_1_down_one() -> None:
    state = LevelState(levels={STEPS: 3, BRIDGE: 2, CLAMS: 1})
    state, changes = rate_all(state, [H, H])
    assert changes == [
        LevelChange(STEPS, 3, 2, Reason.HARD),
        LevelChange(BRIDGE, 2, 1, Reason.HARD),
    ]
    assert state.levels == {STEPS: 2, BRIDGE: 1, CLAMS: 1}
    assert state.hard_run == 0


def test_one_hard_rating_changes_no_level() -> None:
    state, changes = rate_all(LevelState(levels={STEPS: 3}), [H])
    assert changes == []
    assert state.hard_run == 1


def test_hard_then_easy_then_hard_takes_nothing_down() -> None:
    state, changes = rate_all(LevelState(levels={STEPS: 3}), [H, E, H])
    assert changes == []
    assert state.hard_run == 1


def test_hard_then_about_right_then_hard_takes_nothing_down() -> None:
    _, changes = rate_all(LevelState(levels={STEPS: 3}), [H, R, H])
    assert changes == []


def test_a_hard_rating_restarts_every_easy_count() -> None:
    state, changes = rate_all(LevelState(), [E, E, H, E, E])
    assert changes == []
    assert state.easy_counts == dict.fromkeys(MAX, 2)


def test_four_hard_ratings_take_levels_down_twice() -> None:
    state, _ = rate_all(LevelState(levels={STEPS: 4}), [H] * (2 * DOWN_AFTER_HARD))
    assert state.level(STEPS) == 2


# --- ease-off and manual levels ------------------------------------------------------------


def test_ease_off_takes_every_exercise_above_1_down_one_and_restarts_counting() -> None:
    state, _ = rate_all(LevelState(levels={STEPS: 2, BRIDGE: 4}), [E, E, H])
    state = rate(state, E, ALL, MAX, d(3)).state
    assert state.easy_counts and not state.hard_run
    state = rate(state, H, ALL, MAX, d(4)).state
    assert state.hard_run == 1
    rated = ease_off(state, MAX, d(4))
    assert rated.changes == (
        LevelChange(STEPS, 2, 1, Reason.PAIN),
        LevelChange(BRIDGE, 4, 3, Reason.PAIN),
    )
    assert rated.state.levels == {STEPS: 1, BRIDGE: 3}
    assert (rated.state.easy_counts, rated.state.hard_run) == ({}, 0)


def test_ease_off_holds_level_ups_from_that_day() -> None:
    state = with_pain(LevelState(), d(0))
    rated = ease_off(state, MAX, d(3))
    assert rated.state.pain_on == d(3)
    assert pain_holds(rated.state, d(9)) and not pain_holds(rated.state, d(10))


def test_ease_off_with_every_exercise_at_level_1_changes_nothing() -> None:
    assert ease_off(LevelState(), MAX, d(0)).changes == ()


def test_set_level_clamps_to_between_1_and_the_exercise_max() -> None:
    assert set_level(LevelState(), STEPS, 99, MAX).state.level(STEPS) == MAX[STEPS]
    assert set_level(LevelState(levels={STEPS: 3}), STEPS, -2, MAX).state.level(STEPS) == 1
    assert set_level(LevelState(), STEPS, 0, MAX).changes == ()


def test_set_level_restarts_counting_and_records_a_manual_change() -> None:
    state, _ = rate_all(LevelState(), [H, E, E])
    state = rate(state, H, ALL, MAX, d(3)).state
    rated = set_level(state, BRIDGE, 3, MAX)
    assert rated.changes == (LevelChange(BRIDGE, 1, 3, Reason.MANUAL),)
    assert rated.state.levels == {BRIDGE: 3}
    assert (rated.state.easy_counts, rated.state.hard_run) == ({}, 0)


def test_set_level_to_the_current_level_records_no_change_but_restarts_counting() -> None:
    state, _ = rate_all(LevelState(levels={STEPS: 2}), [E, E])
    rated = set_level(state, STEPS, 2, MAX)
    assert rated.changes == ()
    assert rated.state.easy_counts == {}
    _, changes = rate_all(rated.state, [E, E], start=2)
    assert changes == []


def test_set_level_of_an_exercise_no_longer_in_the_routine_changes_nothing() -> None:
    state, _ = rate_all(LevelState(), [E])
    rated = set_level(state, "donkey-kicks", 3, MAX)
    assert rated == Rated(state)


# --- the routine changing, inputs, validation ----------------------------------------------


def test_removed_exercises_are_dropped_and_levels_clamped_to_a_lowered_max() -> None:
    state = LevelState(
        levels={STEPS: 5, "donkey-kicks": 4},
        easy_counts={STEPS: 1, "donkey-kicks": 2},
        last_up={"donkey-kicks": d(-1)},
    )
    rated = rate(state, R, ALL, {STEPS: 3}, d(0))
    assert rated.changes == ()
    assert rated.state.levels == {STEPS: 3}
    assert rated.state.last_up == {}
    assert rate(state, E, {"donkey-kicks"}, {STEPS: 3}, d(0)).state.easy_counts == {}


def test_rating_accepts_the_stored_string_value() -> None:
    state, _ = rate_all(LevelState(), [E, E])
    rated = rate(state, "easy", ALL, MAX, d(2))  # type: ignore[arg-type]
    assert len(rated.changes) == len(MAX)
    assert Rating("right") is Rating.RIGHT and Reason("manual") is Reason.MANUAL


def test_a_max_level_below_1_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        rate(LevelState(), E, ALL, {STEPS: 0}, d(0))


def test_rules_never_mutate_the_state_passed_in() -> None:
    levels, counts, last_up = {STEPS: 2, BRIDGE: 3}, {STEPS: 2, BRIDGE: 2}, {CLAMS: d(-30)}
    state = LevelState(levels=levels, easy_counts=counts, last_up=last_up, hard_run=1)
    for rated in (
        rate(state, E, ALL, MAX, d(0)),
        rate(state, H, ALL, MAX, d(0)),
        ease_off(state, MAX, d(0)),
        set_level(state, STEPS, 4, MAX),
    ):
        assert rated.changes
    assert state.levels == {STEPS: 2, BRIDGE: 3}
    assert state.easy_counts == {STEPS: 2, BRIDGE: 2}
    assert state.last_up == {CLAMS: d(-30)}
    assert state.hard_run == 1


# --- properties over arbitrary histories ---------------------------------------------------

KEYS = (STEPS, BRIDGE, CLAMS)
GONE = "donkey-kicks"  # an exercise since removed from the routine


@dataclass(frozen=True)
class Rate:
    rating: Rating
    done_in_full: frozenset[str]
    days_later: int


@dataclass(frozen=True)
class Pain:
    days_ago: int


@dataclass(frozen=True)
class Manual:
    key: str
    level: int


@dataclass(frozen=True)
class EaseOff:
    pass


Event = Rate | Pain | Manual | EaseOff

ratings = st.builds(
    Rate,
    # Mostly Easy, mostly with everything done in full: level-ups (and their limits) need runs.
    st.sampled_from((Rating.EASY,) * 6 + (Rating.RIGHT, Rating.HARD)),
    st.just(frozenset(KEYS)) | st.frozensets(st.sampled_from((*KEYS, GONE))),
    st.integers(0, 9),
)
interruptions = st.one_of(
    st.builds(Pain, st.integers(0, 8)),
    st.builds(Manual, st.sampled_from((*KEYS, GONE)), st.integers(-1, 7)),
    st.just(EaseOff()),
)
# About one event in six interrupts the ratings (one_of would pick the kinds evenly).
events = st.integers(0, 5).flatmap(lambda n: interruptions if n == 0 else ratings)
max_levels_st = st.fixed_dictionaries({key: st.integers(1, 5) for key in KEYS})
initial_states = st.builds(
    LevelState,
    levels=st.dictionaries(st.sampled_from((*KEYS, GONE)), st.integers(-2, 8)),
    last_up=st.dictionaries(st.sampled_from(KEYS), st.integers(-10, 0).map(d)),
    pain_on=st.none() | st.integers(-20, 0).map(d),
)


@dataclass
class Observer:
    """What the tests remember independently of the state, to check the rules from outside."""

    latest_pain: date | None
    last_up: dict[str, date]
    easy_in_a_row: dict[str, int]  # fresh Easy ratings done in full since counting restarted
    hard_in_a_row: int = 0

    def restart_counting(self) -> None:
        self.easy_in_a_row = {}
        self.hard_in_a_row = 0


def clamped(state: LevelState, key: str, max_levels: dict[str, int]) -> int:
    """The level the rules see for a stored level, whatever was stored."""
    return min(max(state.level(key), 1), max_levels[key])


def check_levels(state: LevelState, max_levels: dict[str, int]) -> None:
    assert set(state.levels) <= set(max_levels)
    for key, top in max_levels.items():
        assert 1 <= state.level(key) <= top


def check_changes(before: LevelState, rated: Rated, max_levels: dict[str, int]) -> None:
    """Every change is one step from the level before to the level after, reported once."""
    assert len({change.key for change in rated.changes}) == len(rated.changes)
    order = list(max_levels)
    assert [order.index(c.key) for c in rated.changes] == sorted(
        order.index(c.key) for c in rated.changes
    )
    for change in rated.changes:
        assert change.from_level == clamped(before, change.key, max_levels)
        assert change.to_level == rated.state.level(change.key) != change.from_level
        if change.reason is not Reason.MANUAL:
            step = 1 if change.reason is Reason.EASY else -1
            assert change.to_level == change.from_level + step


def run(
    state: LevelState, history: list[Event], max_levels: dict[str, int]
) -> list[tuple[LevelState, Event, Rated, date]]:
    """Apply the history from DAY0; every step as (state before, event, result, day)."""
    steps = []
    today = DAY0
    for event in history:
        match event:
            case Rate(rating, done, days_later):
                today += timedelta(days=days_later)
                rated = rate(state, rating, done, max_levels, today)
            case Pain(days_ago):
                rated = Rated(with_pain(state, today - timedelta(days=days_ago)))
            case Manual(key, level):
                rated = set_level(state, key, level, max_levels)
            case EaseOff():
                rated = ease_off(state, max_levels, today)
        steps.append((state, event, rated, today))
        state = rated.state
    return steps


histories = st.lists(events, min_size=8, max_size=40)


@settings(max_examples=300, deadline=None)
@given(initial_states, histories, max_levels_st)
def test_levels_always_stay_between_1_and_max_and_changes_are_single_steps(
    state: LevelState, history: list[Event], max_levels: dict[str, int]
) -> None:
    for before, event, rated, _ in run(state, history, max_levels):
        if isinstance(event, Pain):
            # with_pain knows no maxima; it leaves the levels as they were.
            assert rated.state.levels == before.levels and rated.changes == ()
            continue
        check_levels(rated.state, max_levels)
        check_changes(before, rated, max_levels)


@settings(max_examples=300, deadline=None)
@given(initial_states, histories, max_levels_st)
def test_automatic_level_ups_respect_pain_the_week_rule_and_need_three_fresh_easy_ratings(
    state: LevelState, history: list[Event], max_levels: dict[str, int]
) -> None:
    seen = Observer(latest_pain=state.pain_on, last_up=dict(state.last_up), easy_in_a_row={})
    for before, event, rated, today in run(state, history, max_levels):
        ups = {c.key for c in rated.changes if c.reason is Reason.EASY}
        if ups:
            # Never while pain was reported within the last 7 days.
            assert seen.latest_pain is None or today - seen.latest_pain >= WEEK
        for key in ups:
            # Never two automatic level-ups of one exercise less than 7 days apart.
            assert key not in seen.last_up or today - seen.last_up[key] >= WEEK
            seen.last_up[key] = today
        match event:
            case Rate(Rating.EASY, done, _):
                seen.hard_in_a_row = 0
                counted = {
                    key: seen.easy_in_a_row.get(key, 0) + 1 for key in max_levels if key in done
                }
                for key in ups:
                    # Three Easy ratings in a row done in full since counting last restarted
                    # (a manual set, an ease-off, a Hard or About right rating, or a level-up).
                    assert counted[key] >= UP_AFTER_EASY
                    del counted[key]
                seen.easy_in_a_row = counted
                for key, count in counted.items():
                    # And it does go up when it may: the rules are not satisfied by doing nothing.
                    may = (
                        clamped(before, key, max_levels) < max_levels[key]
                        and (key not in seen.last_up or today - seen.last_up[key] >= WEEK)
                        and not (seen.latest_pain is not None and today - seen.latest_pain < WEEK)
                    )
                    assert not (count >= UP_AFTER_EASY and may)
            case Rate(Rating.RIGHT, _, _):
                assert not ups
                seen.restart_counting()
            case Rate(Rating.HARD, _, _):
                assert not ups
                seen.easy_in_a_row = {}
            case Pain(days_ago):
                pain = today - timedelta(days=days_ago)
                seen.latest_pain = max(seen.latest_pain or pain, pain)
            case Manual(key, _) if key in max_levels:
                seen.restart_counting()
            case EaseOff():
                seen.latest_pain = max(seen.latest_pain or today, today)
                seen.restart_counting()


@settings(max_examples=300, deadline=None)
@given(initial_states, histories, max_levels_st)
def test_two_hard_ratings_in_a_row_take_every_exercise_above_1_one_lower(
    state: LevelState, history: list[Event], max_levels: dict[str, int]
) -> None:
    hard_in_a_row = 0
    for before, event, rated, _ in run(state, history, max_levels):
        match event:
            case Rate(Rating.HARD, _, _):
                hard_in_a_row += 1
                if hard_in_a_row == DOWN_AFTER_HARD:
                    hard_in_a_row = 0
                    for key in max_levels:
                        was = clamped(before, key, max_levels)
                        assert rated.state.level(key) == max(was - 1, 1)
                    assert all(change.reason is Reason.HARD for change in rated.changes)
                else:
                    assert rated.changes == ()
            case Rate():
                hard_in_a_row = 0
            case Manual(key, _) if key in max_levels:
                hard_in_a_row = 0
            case EaseOff():
                hard_in_a_row = 0


@settings(max_examples=200, deadline=None)
@given(initial_states, histories, max_levels_st, st.sampled_from(KEYS), st.integers(1, 5))
def test_after_a_manual_set_the_next_level_up_needs_three_fresh_easy_ratings(
    state: LevelState,
    history: list[Event],
    max_levels: dict[str, int],
    key: str,
    level: int,
) -> None:
    state = run(state, history, max_levels)[-1][2].state
    state = set_level(state, key, level, max_levels).state
    # Easy ratings with everything done in full, long after the history (at most 40 * 9 days) and
    # a month apart, so no pain or week rule holds them: only the count decides.
    far = DAY0 + timedelta(days=400)
    for offset in (0, 30):
        rated = rate(state, Rating.EASY, set(max_levels), max_levels, far + timedelta(days=offset))
        assert rated.changes == ()
        state = rated.state
    rated = rate(state, Rating.EASY, set(max_levels), max_levels, far + timedelta(days=60))
    assert {c.key for c in rated.changes} == {
        k for k, top in max_levels.items() if state.level(k) < top
    }


def due_for_a_level_up(state: LevelState, max_levels: dict[str, int], day: date) -> LevelState:
    """Two Easy ratings with everything done in full, a month or more before ``day``."""
    for days_before in (60, 30):
        days = timedelta(days=days_before)
        state = rate(state, Rating.EASY, set(max_levels), max_levels, day - days).state
    return state


@settings(max_examples=100, deadline=None)
@given(max_levels_st, st.integers(-3, 14))
@example(MAX, 6)
@example(MAX, 7)
def test_pain_holds_a_due_level_up_exactly_while_it_was_reported_less_than_7_days_ago(
    max_levels: dict[str, int], days_ago: int
) -> None:
    today = DAY0 + timedelta(days=100)
    state = due_for_a_level_up(LevelState(), max_levels, today)
    state = with_pain(state, today - timedelta(days=days_ago))
    rated = rate(state, Rating.EASY, set(max_levels), max_levels, today)
    held = timedelta(days=days_ago) < WEEK
    assert pain_holds(state, today) is held
    expected = set() if held else {key for key, top in max_levels.items() if top > 1}
    assert {change.key for change in rated.changes} == expected


@settings(max_examples=100, deadline=None)
@given(max_levels_st, st.integers(0, 14))
@example(MAX, 6)
@example(MAX, 7)
def test_a_due_level_up_comes_exactly_when_the_last_one_was_at_least_7_days_before(
    max_levels: dict[str, int], days_since: int
) -> None:
    today = DAY0 + timedelta(days=100)
    last_up = dict.fromkeys(max_levels, today - timedelta(days=days_since))
    state = due_for_a_level_up(LevelState(last_up=last_up), max_levels, today)
    rated = rate(state, Rating.EASY, set(max_levels), max_levels, today)
    allowed = timedelta(days=days_since) >= WEEK
    expected = {key for key, top in max_levels.items() if top > 1} if allowed else set()
    assert {change.key for change in rated.changes} == expected


def test_changes_are_told_one_per_exercise_from_first_to_last_level() -> None:
    changes = [(STEPS, 1, 2), (CLAMS, 2, 1), (STEPS, 2, 3), (CLAMS, 1, 2), (BRIDGE, 3, 2)]
    assert net_changes(changes) == ((STEPS, 1, 3), (BRIDGE, 3, 2))


def test_only_the_rules_own_changes_wait_for_the_next_card() -> None:
    assert {reason for reason in Reason if not reason.told_on_the_spot} == {
        Reason.EASY,
        Reason.HARD,
    }
