"""The walk-through state machine, driven with plain values and a fixed clock."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.coach.plan import Plan
from bot.coach.routine import parse_routine
from bot.coach.walkthrough import Action, ExerciseResult, Outcome, Status, Walkthrough, apply

# The routine at level 1, in full: what a runner new to the bot walks through.
PLAN = Plan.of(
    parse_routine((Path(__file__).resolve().parents[2] / "data" / "routine.toml").read_text())
)
T0 = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


def tap(state: Walkthrough, action: Action, minutes: int = 0):
    return apply(state, PLAN, action, state.version, T0 + timedelta(minutes=minutes))


def test_twelve_done_sets_complete_all_six_in_order() -> None:
    state = Walkthrough.start(PLAN, T0)
    seen = []
    for n in range(12):
        seen.append((state.exercise_index, state.set_number))
        step = tap(state, Action.DONE_SET, minutes=n + 1)
        state = step.state
    assert seen == [(i, s) for i in range(6) for s in (1, 2)]
    assert step.outcome is Outcome.COMPLETED
    assert state.status is Status.COMPLETED
    assert state.results(PLAN) == [ExerciseResult.DONE] * 6
    assert state.duration_seconds() == 12 * 60


def test_outcomes_name_what_happened() -> None:
    state = Walkthrough.start(PLAN, T0)
    first = tap(state, Action.DONE_SET)
    assert first.outcome is Outcome.SET_DONE
    assert (first.state.exercise_index, first.state.set_number) == (0, 2)
    second = tap(first.state, Action.DONE_SET)
    assert second.outcome is Outcome.EXERCISE_DONE
    assert (second.state.exercise_index, second.state.set_number) == (1, 1)


def test_a_tap_for_an_older_version_changes_nothing() -> None:
    state = Walkthrough.start(PLAN, T0)
    after_first = apply(state, PLAN, Action.DONE_SET, state.version, T0).state
    double = apply(after_first, PLAN, Action.DONE_SET, state.version, T0)
    assert double.outcome is Outcome.STALE
    assert double.state == after_first
    assert not double.changed


def test_skip_moves_on_and_is_reported() -> None:
    state = Walkthrough.start(PLAN, T0)
    state = tap(state, Action.DONE_SET).state
    step = tap(state, Action.SKIP)
    assert step.outcome is Outcome.SKIPPED
    assert step.state.exercise_index == 1
    step = tap(step.state, Action.SKIP)
    results = step.state.results(PLAN)
    assert results[:3] == [
        ExerciseResult.PARTIAL,
        ExerciseResult.SKIPPED,
        ExerciseResult.NOT_REACHED,
    ]


def test_skipping_the_last_exercise_completes() -> None:
    state = Walkthrough.start(PLAN, T0)
    for _ in range(6):
        step = tap(state, Action.SKIP)
        state = step.state
    assert step.outcome is Outcome.COMPLETED
    assert state.exercises_done(PLAN) == 0
    assert state.results(PLAN) == [ExerciseResult.SKIPPED] * 6


def test_how_to_toggles_and_resets_on_next_exercise() -> None:
    state = Walkthrough.start(PLAN, T0)
    shown = tap(state, Action.HOW_TO)
    assert shown.outcome is Outcome.HOW_TO_SHOWN and shown.state.showing_how_to
    hidden = tap(shown.state, Action.HOW_TO)
    assert hidden.outcome is Outcome.HOW_TO_HIDDEN and not hidden.state.showing_how_to
    shown = tap(hidden.state, Action.HOW_TO).state
    moved = tap(tap(shown, Action.DONE_SET).state, Action.DONE_SET).state
    assert moved.exercise_index == 1 and not moved.showing_how_to


def test_end_stops_and_later_taps_change_nothing() -> None:
    state = tap(Walkthrough.start(PLAN, T0), Action.DONE_SET).state
    ended = tap(state, Action.END, minutes=3)
    assert ended.outcome is Outcome.ENDED
    assert ended.state.status is Status.ENDED
    assert ended.state.finished_at == T0 + timedelta(minutes=3)
    for action in Action:
        after = apply(ended.state, PLAN, action, ended.state.version, T0)
        assert after.outcome is Outcome.FINISHED and after.state == ended.state


@pytest.mark.parametrize("action", list(Action))
def test_every_change_bumps_the_version(action: Action) -> None:
    state = Walkthrough.start(PLAN, T0)
    assert tap(state, action).state.version == state.version + 1


GAP = timedelta(seconds=2)


def at(state: Walkthrough, action: Action, seconds: float) -> Outcome:
    return apply(state, PLAN, action, state.version, T0 + timedelta(seconds=seconds), GAP).outcome


def test_a_done_set_right_after_the_last_set_counts_nothing() -> None:
    counted = apply(Walkthrough.start(PLAN, T0), PLAN, Action.DONE_SET, 1, T0, GAP)
    assert counted.outcome is Outcome.SET_DONE and counted.state.moved_at == T0
    # The second tap of a gloved double tap lands on the redrawn card (the new version).
    too_soon = apply(counted.state, PLAN, Action.DONE_SET, 2, T0 + timedelta(seconds=0.15), GAP)
    assert too_soon.outcome is Outcome.TOO_SOON and not too_soon.changed
    assert too_soon.state == counted.state
    assert at(counted.state, Action.DONE_SET, 1.99) is Outcome.TOO_SOON
    assert at(counted.state, Action.DONE_SET, 2.0) is Outcome.EXERCISE_DONE


def test_the_double_tap_guard_leaves_skip_end_how_to_and_the_first_set_alone() -> None:
    start = Walkthrough.start(PLAN, T0)
    assert at(start, Action.DONE_SET, 0) is Outcome.SET_DONE, "no set before the first"
    moved = apply(start, PLAN, Action.DONE_SET, 1, T0, GAP).state
    assert at(moved, Action.SKIP, 0.1) is Outcome.SKIPPED
    assert at(moved, Action.END, 0.1) is Outcome.ENDED
    shown = apply(moved, PLAN, Action.HOW_TO, moved.version, T0 + timedelta(seconds=5), GAP)
    assert shown.state.moved_at == T0, "a how-to toggle is not a set"
    skipped = apply(moved, PLAN, Action.SKIP, moved.version, T0 + timedelta(seconds=9), GAP)
    assert at(skipped.state, Action.DONE_SET, 9.5) is Outcome.TOO_SOON, "nobody sets in 0.5 s"


def test_without_a_gap_every_done_set_counts() -> None:
    state = Walkthrough.start(PLAN, T0)
    for _ in range(3):
        step = apply(state, PLAN, Action.DONE_SET, state.version, T0)
        assert step.changed
        state = step.state
