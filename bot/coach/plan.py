"""What one warm-up asks of the runner: every exercise at the runner's level, in full or quick
(one set of each). Fixed when the warm-up starts; a level changed meanwhile applies next time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.coach.routine import Exercise, Level, Routine

# The quick version: one set of each exercise, at the runner's levels.
QUICK_SETS = 1


@dataclass(frozen=True, slots=True)
class Dose:
    """One exercise of the plan: the exercise, the runner's level of it, and how many sets."""

    exercise: Exercise
    level_number: int
    sets: int

    @property
    def level(self) -> Level:
        return self.exercise.level(self.level_number)

    @property
    def reps(self) -> int:
        return self.level.reps


@dataclass(frozen=True, slots=True)
class Plan:
    exercises: tuple[Dose, ...]
    quick: bool = False

    @classmethod
    def of(
        cls, routine: Routine, levels: Mapping[str, int] | None = None, quick: bool = False
    ) -> Plan:
        """The routine at `levels` (by exercise key; a missing key, or None: level 1). A level
        beyond what the routine now defines (an edited file) is held to its highest."""
        known = levels or {}
        doses = []
        for exercise in routine.exercises:
            number = min(max(known.get(exercise.key, 1), 1), exercise.top_level)
            level = exercise.level(number)
            doses.append(Dose(exercise, number, QUICK_SETS if quick else level.sets))
        return cls(tuple(doses), quick)

    @property
    def total_sets(self) -> int:
        return sum(dose.sets for dose in self.exercises)

    @property
    def levels(self) -> dict[str, int]:
        """The levels it was made at, by exercise key: what a stored warm-up keeps."""
        return {dose.exercise.key: dose.level_number for dose in self.exercises}
