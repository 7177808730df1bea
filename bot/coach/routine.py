"""The warm-up routine as typed data, parsed and validated from its TOML text."""

from __future__ import annotations

import re
import tomllib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class RoutineError(ValueError):
    """A routine file that cannot be used; the message names the line and field at fault."""


# The two ways a band gets harder, named by feel (the colours are only examples: brands differ).
Resistance = Literal["none", "light", "medium", "heavy"]
BandPosition = Literal["knees", "ankles", "feet"]

# A pre-run warm-up that grows past this stops being a warm-up: the highest levels of every
# exercise together must fit (estimated as below).
MAX_MINUTES = 12
# The estimate: each rep (per leg: each side) takes this long unless the level says otherwise, and
# the runner rests this long between two sets of an exercise.
SECONDS_PER_REP = 1.5
REST_BETWEEN_SETS = 15


class Level(BaseModel):
    """One step of an exercise's progression: its dose and, for a band exercise, the band."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sets: int = Field(ge=1, le=5)
    reps: int = Field(ge=1, le=30)
    band: Resistance = "none"
    band_at: BandPosition | None = None
    # Slow movements (a three-second lowering) take longer than SECONDS_PER_REP.
    seconds_per_rep: float = Field(default=SECONDS_PER_REP, gt=0, le=10)

    def seconds(self, per_leg: bool, sets: int | None = None) -> float:
        """How long the level takes, rests included (`sets`: fewer, for the quick version)."""
        count = self.sets if sets is None else sets
        sides = 2 if per_leg else 1
        return count * self.reps * sides * self.seconds_per_rep + (count - 1) * REST_BETWEEN_SETS


class Exercise(BaseModel):
    """One movement of the routine and its levels; level 1 is the seed's `sets` x `reps` (per
    leg when `per_leg`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Names the exercise for good: runners' levels are stored by it, and its moving
    # demonstration is drawn from data/demos/<key>.toml (bot/demos).
    key: str = Field(pattern=r"^[a-z0-9-]{1,60}$")
    name: str = Field(min_length=1, max_length=60)
    short: str = Field(min_length=1, max_length=16)  # on buttons, half a phone's width
    per_leg: bool = True
    band: bool = False
    cues: tuple[str, ...] = Field(min_length=2, max_length=3)
    mistake: str = Field(min_length=1)
    no_band: str | None = None
    levels: tuple[Level, ...] = Field(min_length=3, max_length=9)

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        # A runner without a band must still be able to do every exercise.
        if self.band and not self.no_band:
            raise ValueError("an exercise that uses a band needs a 'no_band' alternative")
        for number, level in enumerate(self.levels, start=1):
            if self.band and (level.band == "none" or level.band_at is None):
                raise ValueError(f"level {number}: a band exercise names its band and band_at")
            if not self.band and (level.band != "none" or level.band_at is not None):
                raise ValueError(f"level {number}: an exercise without a band has no band")
        return self

    @property
    def demo(self) -> str:
        return self.key

    @property
    def sets(self) -> int:
        return self.levels[0].sets

    @property
    def reps(self) -> int:
        return self.levels[0].reps

    @property
    def top_level(self) -> int:
        return len(self.levels)

    def level(self, number: int) -> Level:
        """Level `number` (1-based), held within the levels there are."""
        return self.levels[min(max(number, 1), len(self.levels)) - 1]


class Routine(BaseModel):
    """The whole warm-up, exercises in the order they are done."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    source: str = ""
    # What the buttons promise: "Full · about 10 min" and "Quick · about 5 min" (one set each).
    minutes: int = Field(default=10, ge=1, le=MAX_MINUTES)
    quick_minutes: int = Field(default=5, ge=1, le=MAX_MINUTES)
    band_note: str = ""
    exercises: tuple[Exercise, ...] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _fits_before_a_run(self) -> Routine:
        keys = [exercise.key for exercise in self.exercises]
        duplicate = next((key for key in keys if keys.count(key) > 1), None)
        if duplicate is not None:
            raise ValueError(f"two exercises have the key {duplicate!r}")
        hardest = sum(exercise.levels[-1].seconds(exercise.per_leg) for exercise in self.exercises)
        if hardest > MAX_MINUTES * 60:
            raise ValueError(
                f"the highest levels take about {hardest / 60:.1f} minutes together; a pre-run "
                f"warm-up must fit in {MAX_MINUTES}"
            )
        return self

    @property
    def total_sets(self) -> int:
        return sum(exercise.sets for exercise in self.exercises)

    @property
    def top_levels(self) -> dict[str, int]:
        """Each exercise's highest level, by key: the range a runner's levels stay in."""
        return {exercise.key: exercise.top_level for exercise in self.exercises}


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def parse_routine(text: str, source_name: str = "routine.toml") -> Routine:
    """Parse and validate a routine; raise RoutineError naming the line and field at fault."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_POSITION.search(message)
        where = f"line {match.group(1)}" if match else "somewhere"
        reason = _TOML_POSITION.sub("", message).strip()
        raise RoutineError(f"{source_name}, {where}: not valid TOML ({reason})") from None
    try:
        return Routine.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        line = _line_of(text, location)
        field = _describe_location(location)
        where = f"line {line}" if line else "top level"
        reason = first["msg"].removeprefix("Value error, ")
        raise RoutineError(f"{source_name}, {where}, {field}: {reason}") from None


def _describe_location(location: tuple[int | str, ...]) -> str:
    """`('exercises', 2, 'reps')` -> `exercises[3].reps` (1-based, as a person counts)."""
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part + 1}]" if parts else f"[{part + 1}]"
        else:
            parts.append(part)
    return ".".join(parts) or "routine"


def _line_of(text: str, location: tuple[int | str, ...]) -> int | None:
    """Find the line a validation error points at.

    tomllib does not keep positions, so walk the text: find the n-th `[[exercises]]` table, then
    the key inside it. Falls back to the table's own line when the key is missing.
    """
    lines = text.splitlines()
    start, end = 0, len(lines)
    if len(location) >= 2 and location[0] == "exercises" and isinstance(location[1], int):
        headers = [i for i, line in enumerate(lines) if line.strip() == "[[exercises]]"]
        if location[1] >= len(headers):
            return None
        start = headers[location[1]]
        end = headers[location[1] + 1] if location[1] + 1 < len(headers) else len(lines)
        key = location[2] if len(location) > 2 else None
    else:
        end = next((i for i, line in enumerate(lines) if line.strip().startswith("[")), end)
        key = location[0] if location else None
    if isinstance(key, str):
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for index in range(start, end):
            if pattern.match(lines[index]):
                if key == "levels" and len(location) > 3 and isinstance(location[3], int):
                    return index + 2 + location[3]  # one level per line, as data/routine.toml
                return index + 1
    return start + 1 if start or location[:1] == ("exercises",) else None
