"""The warm-up routine as typed data, parsed and validated from its TOML text."""

from __future__ import annotations

import re
import tomllib

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class RoutineError(ValueError):
    """A routine file that cannot be used; the message names the line and field at fault."""


class Exercise(BaseModel):
    """One movement of the routine: `sets` x `reps` (per leg when `per_leg`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    sets: int = Field(ge=1, le=10)
    reps: int = Field(ge=1, le=100)
    per_leg: bool = True
    band: bool = False
    cues: tuple[str, ...] = Field(min_length=2, max_length=3)
    mistake: str = Field(min_length=1)
    no_band: str | None = None
    # The moving demonstration drawn for it: a pose file data/demos/<demo>.toml (bot/demos).
    demo: str | None = Field(default=None, pattern=r"^[a-z0-9-]{1,60}$")

    @model_validator(mode="after")
    def _band_needs_alternative(self) -> Exercise:
        # A runner without a band must still be able to do every exercise.
        if self.band and not self.no_band:
            raise ValueError("an exercise that uses a band needs a 'no_band' alternative")
        return self


class Routine(BaseModel):
    """The whole warm-up, exercises in the order they are done."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    source: str = ""
    minutes: int = Field(default=10, ge=1, le=120)
    band_note: str = ""
    exercises: tuple[Exercise, ...] = Field(min_length=1, max_length=20)

    @property
    def total_sets(self) -> int:
        return sum(exercise.sets for exercise in self.exercises)


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
                return index + 1
    return start + 1 if start or location[:1] == ("exercises",) else None
