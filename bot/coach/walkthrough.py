"""The warm-up walk-through as a pure state machine: one exercise at a time, set by set, through
the warm-up's plan (`bot.coach.plan`: the runner's levels, full or quick)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TypeVar

from bot.coach.plan import Plan


class Status(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"  # went through to the end of the last exercise
    ENDED = "ended"  # the runner pressed End before the end


class Action(enum.StrEnum):
    """What a button asks for. The values are short because they travel in callback data."""

    DONE_SET = "d"
    HOW_TO = "h"
    SKIP = "s"
    END = "e"


class Outcome(enum.StrEnum):
    SET_DONE = "set_done"
    EXERCISE_DONE = "exercise_done"
    SKIPPED = "skipped"
    HOW_TO_SHOWN = "how_to_shown"
    HOW_TO_HIDDEN = "how_to_hidden"
    COMPLETED = "completed"
    ENDED = "ended"
    STALE = "stale"  # made for an earlier step: a double tap or an old message
    TOO_SOON = "too_soon"  # a Done set right after the last one: a human double tap
    FINISHED = "finished"  # the warm-up is over; nothing changes


class ExerciseResult(enum.StrEnum):
    DONE = "done"  # every set done
    PARTIAL = "partial"  # some sets done, then skipped or ended
    SKIPPED = "skipped"
    NOT_REACHED = "not_reached"


@dataclass(frozen=True)
class Walkthrough:
    """Where a runner is in the routine.

    `version` grows with every change; buttons carry the version they were drawn for, so a tap
    made for an older picture (a double tap, an old message) is recognised and changes nothing.
    `moved_at` is when a set was last counted or an exercise skipped: a second ✅ Done set a
    moment later landed on the redrawn card (a gloved double tap), not after another set.
    """

    exercise_index: int  # 0-based; == len(plan.exercises) once finished
    set_number: int  # 1-based within the current exercise
    sets_done: tuple[int, ...]  # per exercise
    skipped: tuple[bool, ...]  # per exercise
    showing_how_to: bool
    status: Status
    version: int
    started_at: datetime
    finished_at: datetime | None = None
    moved_at: datetime | None = None

    @classmethod
    def start(cls, plan: Plan, now: datetime) -> Walkthrough:
        count = len(plan.exercises)
        return cls(
            exercise_index=0,
            set_number=1,
            sets_done=(0,) * count,
            skipped=(False,) * count,
            showing_how_to=False,
            status=Status.ACTIVE,
            version=1,
            started_at=now,
        )

    @property
    def is_active(self) -> bool:
        return self.status is Status.ACTIVE

    def results(self, plan: Plan) -> list[ExerciseResult]:
        """What happened to each exercise, for the completion summary and for streaks."""
        results = []
        for index, exercise in enumerate(plan.exercises):
            done = self.sets_done[index]
            if done >= exercise.sets:
                results.append(ExerciseResult.DONE)
            elif done > 0:
                results.append(ExerciseResult.PARTIAL)
            elif self.skipped[index] or index < self.exercise_index:
                results.append(ExerciseResult.SKIPPED)
            else:
                results.append(ExerciseResult.NOT_REACHED)
        return results

    def exercises_done(self, plan: Plan) -> int:
        return len(self.done_in_full(plan))

    def done_in_full(self, plan: Plan) -> frozenset[str]:
        """The keys of the exercises done in full: the ones an Easy rating may move up."""
        return frozenset(
            dose.exercise.key
            for dose, result in zip(plan.exercises, self.results(plan), strict=True)
            if result is ExerciseResult.DONE
        )

    def duration_seconds(self) -> int:
        end = self.finished_at or self.started_at
        return max(0, int((end - self.started_at).total_seconds()))


@dataclass(frozen=True)
class Step:
    """The result of applying a tap: the new state and what happened, for the reply."""

    state: Walkthrough
    outcome: Outcome

    @property
    def changed(self) -> bool:
        return self.outcome not in (Outcome.STALE, Outcome.TOO_SOON, Outcome.FINISHED)


def apply(
    state: Walkthrough,
    plan: Plan,
    action: Action,
    version: int,
    now: datetime,
    min_set_gap: timedelta = timedelta(0),
) -> Step:
    """Apply one tap made for `version` of the walk-through. A ✅ Done set less than
    `min_set_gap` after the last set or skip counts nothing: no real set is that quick."""
    if not state.is_active:
        return Step(state, Outcome.FINISHED)
    if version != state.version:
        return Step(state, Outcome.STALE)
    if (
        action is Action.DONE_SET
        and state.moved_at is not None
        and now - state.moved_at < min_set_gap
    ):
        return Step(state, Outcome.TOO_SOON)
    advanced = replace(state, version=state.version + 1)
    if action is Action.HOW_TO:
        shown = not state.showing_how_to
        outcome = Outcome.HOW_TO_SHOWN if shown else Outcome.HOW_TO_HIDDEN
        return Step(replace(advanced, showing_how_to=shown), outcome)
    if action is Action.END:
        return Step(replace(advanced, status=Status.ENDED, finished_at=now), Outcome.ENDED)
    index = state.exercise_index
    advanced = replace(advanced, moved_at=now)
    if action is Action.SKIP:
        skipped = _with(state.skipped, index, True)
        return _next_exercise(replace(advanced, skipped=skipped), plan, now, Outcome.SKIPPED)
    # Action.DONE_SET
    sets_done = _with(state.sets_done, index, state.sets_done[index] + 1)
    counted = replace(advanced, sets_done=sets_done)
    if state.set_number < plan.exercises[index].sets:
        return Step(replace(counted, set_number=state.set_number + 1), Outcome.SET_DONE)
    return _next_exercise(counted, plan, now, Outcome.EXERCISE_DONE)


def _next_exercise(state: Walkthrough, plan: Plan, now: datetime, outcome: Outcome) -> Step:
    following = state.exercise_index + 1
    moved = replace(state, exercise_index=following, set_number=1, showing_how_to=False)
    if following >= len(plan.exercises):
        return Step(replace(moved, status=Status.COMPLETED, finished_at=now), Outcome.COMPLETED)
    return Step(moved, outcome)


T = TypeVar("T")


def _with(values: tuple[T, ...], index: int, value: T) -> tuple[T, ...]:
    return (*values[:index], value, *values[index + 1 :])
