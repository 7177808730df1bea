"""Demonstration keyframes as typed data: the pose-file model and its validating TOML loader.

A pose file (`data/demos/<slug>.toml`) holds one exercise's loop: the viewpoint, the props, and
named keyframes of joint angles in degrees with their timing. Angles are anatomical, relative to
the parent segment, so a file reads like a coach's description ("hip flexed 80, knee soft 15").
The ranges below are what a human joint allows; a knee bending backwards is refused here, long
before anyone sees it drawn.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

# The routine names where a level puts the band; each position gets a clip of its own.
from bot.coach.routine import BandPosition

SIDES: tuple[Literal["left", "right"], ...] = ("left", "right")


class DemoError(ValueError):
    """A pose file that cannot be used; the message is one line naming the file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Trunk(_Strict):
    """The pelvis and trunk as one rigid piece ("back flat"): lean forward, tilt to the right."""

    lean: float = Field(default=0, ge=-30, le=100)
    tilt: float = Field(default=0, ge=-30, le=30)


class Leg(_Strict):
    """Hip flexion (thigh forward) and abduction (out to the side); knee and ankle flexion.

    `ankle` is plantar flexion: 0 is the foot square to the shin, positive points the toes.
    """

    hip_flex: float = Field(default=0, ge=-40, le=130)
    hip_abd: float = Field(default=0, ge=-25, le=75)
    knee: float = Field(default=0, ge=0, le=150)
    ankle: float = Field(default=0, ge=-35, le=60)


class Arm(_Strict):
    """Shoulder flexion, abduction and inward rotation (about the upper arm); elbow flexion."""

    shoulder_flex: float = Field(default=0, ge=-60, le=180)
    shoulder_abd: float = Field(default=0, ge=-20, le=180)
    shoulder_rot: float = Field(default=0, ge=-90, le=100)
    elbow: float = Field(default=0, ge=0, le=150)


class Keyframe(_Strict):
    """One named pose, held for `hold` seconds, then eased over `move` seconds into the next
    (the last one moves back into the first, so the clip loops). `support` is the foot, or
    both, that carries the body until the next keyframe: it stays put on the ground."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=24)
    hold: float = Field(default=0, ge=0, le=2)
    move: float = Field(gt=0, le=4)
    ease: Literal["in-out", "in", "out", "linear"] = "in-out"
    support: Literal["both", "left", "right"]
    trunk: Trunk = Trunk()
    left_leg: Leg = Leg()
    right_leg: Leg = Leg()
    left_arm: Arm = Arm()
    right_arm: Arm = Arm()

    def leg(self, side: str) -> Leg:
        return self.left_leg if side == "left" else self.right_leg

    def arm(self, side: str) -> Arm:
        return self.left_arm if side == "left" else self.right_arm


class View(_Strict):
    """Where the camera stands, orthographic: `yaw` 0 in front of the runner, 90 at their right
    side (they face right on screen), 180 behind; `pitch` looks down from above. `follow` keeps
    a figure that walks forward in the picture, as a camera walking with it would."""

    yaw: float = Field(ge=-180, le=360)
    pitch: float = Field(default=0, ge=0, le=40)
    follow: bool = False


class Wall(_Strict):
    """A wall whose face stands `x` metres in front of where the pelvis starts."""

    x: float = Field(gt=0.2, lt=2)


class Step(_Strict):
    """A step (a box on the floor) from `back` to `front` metres along the facing direction."""

    height: float = Field(ge=0.08, le=0.4)
    back: float = Field(ge=-1.5, le=1.5)
    front: float = Field(ge=-1.5, le=1.5)

    @model_validator(mode="after")
    def _front_beyond_back(self) -> Step:
        if self.front - self.back < 0.2:
            raise ValueError("front must be at least 0.2 m beyond back")
        return self


BAND_POSITIONS: tuple[BandPosition, ...] = ("knees", "ankles", "feet")


class Band(_Strict):
    """An elastic loop around both legs: just above the knees, around the ankles or around the
    feet (the routine's levels move it down; each position gets a clip of its own)."""

    at: BandPosition


class Props(_Strict):
    wall: Wall | None = None
    step: Step | None = None
    band: Band | None = None


class Demo(_Strict):
    """One exercise's looping demonstration, as its pose file describes it."""

    title: str = Field(min_length=1, max_length=60)
    view: View
    props: Props = Props()
    keyframes: tuple[Keyframe, ...] = Field(min_length=2, max_length=12)

    @model_validator(mode="after")
    def _sound_loop(self) -> Demo:
        names = [keyframe.name for keyframe in self.keyframes]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"keyframe names must differ; repeated: {', '.join(repeated)}")
        # Long enough to read the movement, short enough to loop while a runner watches.
        if not 1.5 <= self.duration <= 4.5:
            raise ValueError(f"the loop lasts {self.duration:.2f} s; it must last 1.5 to 4.5 s")
        return self

    @property
    def duration(self) -> float:
        """Seconds of one loop."""
        return sum(keyframe.hold + keyframe.move for keyframe in self.keyframes)

    def keyframe(self, name: str) -> Keyframe:
        """The keyframe called `name` (KeyError when there is none)."""
        for keyframe in self.keyframes:
            if keyframe.name == name:
                return keyframe
        raise KeyError(name)


_TOML_POSITION = re.compile(r"\(at line (\d+), column \d+\)")


def parse_demo(text: str, source_name: str) -> Demo:
    """Parse and validate one pose file; raise DemoError naming the file, line and field."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = _TOML_POSITION.search(str(error))
        where = f"line {match.group(1)}" if match else "somewhere"
        reason = _TOML_POSITION.sub("", str(error)).strip()
        raise DemoError(f"{source_name}, {where}: not valid TOML ({reason})") from None
    try:
        return Demo.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        location = tuple(first["loc"])
        line = _line_of(text, location)
        where = "".join(
            f", {part}" for part in (line and f"line {line}", _field_name(location)) if part
        )
        reason = first["msg"].removeprefix("Value error, ")
        raise DemoError(f"{source_name}{where}: {reason}") from None


def load_demo(path: Path) -> Demo:
    """Read and validate the pose file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DemoError(f"{path.name}: cannot read it ({error.strerror})") from None
    return parse_demo(text, source_name=path.name)


def _field_name(location: tuple[int | str, ...]) -> str:
    """`('keyframes', 2, 'right_leg', 'knee')` -> `keyframes[3].right_leg.knee` (counted from 1,
    as a person counts the `[[keyframes]]` tables)."""
    parts: list[str] = []
    for part in location:
        if isinstance(part, int) and parts:
            parts[-1] = f"{parts[-1]}[{part + 1}]"
        else:
            parts.append(str(part))
    return ".".join(parts)


def _line_of(text: str, location: tuple[int | str, ...]) -> int | None:
    """The line a validation error points at; tomllib keeps no positions, so walk the text.

    The block is the n-th `[[keyframes]]` table, or the `[view]`/`[props]` table, or the top
    level; inside it, the first line that sets the first key named in `location` (an inline
    table such as `right_leg = { knee = 90 }` is one line). Falls back to the block's header.
    """
    lines = text.splitlines()
    headers = [(index, line.strip()) for index, line in enumerate(lines) if line.startswith("[")]
    if not location:
        return None
    table = location[0]
    if table == "keyframes" and len(location) > 1 and isinstance(location[1], int):
        starts = [index for index, header in headers if header == "[[keyframes]]"]
        if location[1] >= len(starts):
            return None
        start, keys = starts[location[1]], location[2:]
    else:
        start = next((index for index, header in headers if header == f"[{table}]"), None)
        keys = location[1:] if start is not None else location
        start = -1 if start is None else start
    # Sub-tables such as `[keyframes.right_leg]` belong to the block they follow.
    end = next(
        (i for i, header in headers if i > start and not header.startswith(f"[{table}.")),
        len(lines),
    )
    for key in keys:
        if not isinstance(key, str):
            continue
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=|^\[\S*\.{re.escape(key)}\]")
        for index in range(start + 1, end):
            if pattern.match(lines[index]):
                return index + 1
    return start + 1 if start >= 0 else None
