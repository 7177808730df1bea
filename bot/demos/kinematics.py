"""Keyframes to joint positions: easing, forward kinematics, placing the body on the ground, and
the camera's projection. Plain arithmetic, no drawing, the same numbers on every machine.

One model serves every viewpoint. Each joint turns in the body's two planes (flexion in the
sagittal plane, abduction in the frontal plane), so the chain is computed in three coordinates:
x forward, y up, z to the runner's right; the floor is y = 0. The camera then projects it
orthographically from the side, the front, behind or anywhere between, so a side step seen from
the front and a hip hinge seen from the side are the same body with the same limb lengths.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from bot.demos.pose import SIDES, Demo, Keyframe, View

Vec = tuple[float, float, float]
Matrix = tuple[Vec, Vec, Vec]  # rows

SIDE_SIGN = {"left": -1.0, "right": 1.0}  # z points to the runner's right


@dataclass(frozen=True)
class Body:
    """Segment lengths in metres: an adult of about 1.72 m, proportioned as drawing guides do."""

    trunk: float = 0.50  # hip joints' midpoint to the base of the neck
    neck: float = 0.14  # base of the neck to the centre of the head
    head_radius: float = 0.11
    hip_half_width: float = 0.09
    shoulder_half_width: float = 0.18
    shoulder_drop: float = 0.04  # the shoulder joints sit below the base of the neck
    thigh: float = 0.44
    shin: float = 0.43
    upper_arm: float = 0.29
    forearm: float = 0.27  # elbow to the middle of the hand
    # The sole, from the ankle, with the foot square to the shin: heel behind, toes in front.
    heel: Vec = (-0.05, -0.075, 0.0)
    toe: Vec = (0.19, -0.075, 0.0)


BODY = Body()

# Pairs of joints joined by something rigid: their distance never changes, in any frame.
BONES: tuple[tuple[str, str], ...] = (
    ("pelvis", "neck"),
    ("neck", "head"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "right_shoulder"),
    *(
        pair
        for side in SIDES
        for pair in (
            (f"{side}_hip", f"{side}_knee"),
            (f"{side}_knee", f"{side}_ankle"),
            (f"{side}_ankle", f"{side}_heel"),
            (f"{side}_ankle", f"{side}_toe"),
            (f"{side}_heel", f"{side}_toe"),
            (f"{side}_shoulder", f"{side}_elbow"),
            (f"{side}_elbow", f"{side}_hand"),
            ("pelvis", f"{side}_hip"),
            ("neck", f"{side}_shoulder"),
        )
    ),
)


# --- Rotations ------------------------------------------------------------------------------


def _rot_x(degrees: float) -> Matrix:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((1.0, 0.0, 0.0), (0.0, c, -s), (0.0, s, c))


def _rot_y(degrees: float) -> Matrix:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((c, 0.0, s), (0.0, 1.0, 0.0), (-s, 0.0, c))


def _rot_z(degrees: float) -> Matrix:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def _mul(a: Matrix, b: Matrix) -> Matrix:
    b0, b1, b2 = b
    return tuple(  # type: ignore[return-value]
        (
            r[0] * b0[0] + r[1] * b1[0] + r[2] * b2[0],
            r[0] * b0[1] + r[1] * b1[1] + r[2] * b2[1],
            r[0] * b0[2] + r[1] * b1[2] + r[2] * b2[2],
        )
        for r in a
    )


def _apply(m: Matrix, v: Vec) -> Vec:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def add(a: Vec, b: Vec) -> Vec:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2])


def distance(a: Vec, b: Vec) -> float:
    return math.dist(a, b)


# --- Angles and easing ----------------------------------------------------------------------

Angles = dict[str, float]  # "right_leg.knee" -> degrees


def angles_of(keyframe: Keyframe) -> Angles:
    """Every joint angle of a keyframe, flat, so two keyframes blend key by key."""
    angles: Angles = {f"trunk.{name}": value for name, value in keyframe.trunk}
    for side in SIDES:
        angles.update({f"{side}_leg.{name}": value for name, value in keyframe.leg(side)})
        angles.update({f"{side}_arm.{name}": value for name, value in keyframe.arm(side)})
    return angles


EASINGS: dict[str, Callable[[float], float]] = {
    "linear": lambda u: u,
    # Cosine in-out: starts and stops at rest, the way a controlled repetition moves.
    "in-out": lambda u: 0.5 - 0.5 * math.cos(math.pi * u),
    "in": lambda u: 1 - math.cos(math.pi * u / 2),
    "out": lambda u: math.sin(math.pi * u / 2),
}


def blend(start: Angles, end: Angles, u: float) -> Angles:
    return {key: start[key] + (end[key] - start[key]) * u for key in start}


# --- Forward kinematics ---------------------------------------------------------------------


def skeleton(angles: Mapping[str, float], body: Body = BODY) -> dict[str, Vec]:
    """Joint positions with the pelvis (the hip joints' midpoint) at the origin."""
    pelvis = _mul(_rot_z(-angles["trunk.lean"]), _rot_x(angles["trunk.tilt"]))
    joints: dict[str, Vec] = {
        "pelvis": (0.0, 0.0, 0.0),
        "neck": _apply(pelvis, (0.0, body.trunk, 0.0)),
        "head": _apply(pelvis, (0.0, body.trunk + body.neck, 0.0)),
    }
    for side in SIDES:
        sign = SIDE_SIGN[side]
        leg = f"{side}_leg."
        hip = _apply(pelvis, (0.0, 0.0, sign * body.hip_half_width))
        # Abduct first, then flex: the knee's hinge turns with the thigh, as a real knee's does.
        thigh = _mul(
            pelvis, _mul(_rot_z(angles[leg + "hip_flex"]), _rot_x(-sign * angles[leg + "hip_abd"]))
        )
        knee = add(hip, _apply(thigh, (0.0, -body.thigh, 0.0)))
        shin = _mul(thigh, _rot_z(-angles[leg + "knee"]))  # the shin folds backwards
        ankle = add(knee, _apply(shin, (0.0, -body.shin, 0.0)))
        foot = _mul(shin, _rot_z(-angles[leg + "ankle"]))  # plantar flexion points the toes
        joints |= {
            f"{side}_hip": hip,
            f"{side}_knee": knee,
            f"{side}_ankle": ankle,
            f"{side}_heel": add(ankle, _apply(foot, body.heel)),
            f"{side}_toe": add(ankle, _apply(foot, body.toe)),
        }
        arm = f"{side}_arm."
        shoulder = _apply(
            pelvis, (0.0, body.trunk - body.shoulder_drop, sign * body.shoulder_half_width)
        )
        upper = _mul(
            pelvis,
            _mul(
                _mul(
                    _rot_z(angles[arm + "shoulder_flex"]),
                    _rot_x(-sign * angles[arm + "shoulder_abd"]),
                ),
                # Inward rotation turns the elbow's hinge, so a bent forearm points to the belly.
                _rot_y(sign * angles[arm + "shoulder_rot"]),
            ),
        )
        elbow = add(shoulder, _apply(upper, (0.0, -body.upper_arm, 0.0)))
        forearm = _mul(upper, _rot_z(angles[arm + "elbow"]))
        joints |= {
            f"{side}_shoulder": shoulder,
            f"{side}_elbow": elbow,
            f"{side}_hand": add(elbow, _apply(forearm, (0.0, -body.forearm, 0.0))),
        }
    return joints


# --- The body in the world, over time -------------------------------------------------------


@dataclass(frozen=True)
class Posed:
    """The body at one instant: world positions in metres (floor y = 0) of every joint."""

    time: float
    joints: dict[str, Vec]
    support: str  # "left", "right" or "both": the foot or feet on the ground
    # How far (x, z) the camera has walked along with the runner (view.follow): the floor's
    # markings are drawn shifted back by it, so the ground visibly passes under their feet.
    camera_travel: tuple[float, float] = (0.0, 0.0)


class Motion:
    """A demo's loop as a function of time: angles eased between keyframes, the body placed so
    the supporting foot stays where it was put and rests on the floor (or the step)."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.duration = demo.duration
        self._angles = [angles_of(keyframe) for keyframe in demo.keyframes]
        self._starts: list[float] = []
        start = 0.0
        for keyframe in demo.keyframes:
            self._starts.append(start)
            start += keyframe.hold + keyframe.move
        # Where the pelvis stands (x, z) when each keyframe begins. A supporting foot does not
        # slide, so the pelvis moves by whatever that foot moves relative to it.
        self._pelvis_at_start: list[tuple[float, float]] = [(0.0, 0.0)]
        count = len(demo.keyframes)
        for index, keyframe in enumerate(demo.keyframes):
            following = self._angles[(index + 1) % count]
            before = self._anchor(self._angles[index], keyframe.support)
            after = self._anchor(following, keyframe.support)
            x, z = self._pelvis_at_start[-1]
            self._pelvis_at_start.append((x + before[0] - after[0], z + before[1] - after[1]))

    @property
    def drift(self) -> tuple[float, float]:
        """How far (x, z) the pelvis has travelled after one loop; about 0 unless it walks."""
        return self._pelvis_at_start[-1]

    def keyframe_time(self, name: str) -> float:
        """The instant the keyframe called `name` is reached (the start of its hold)."""
        for keyframe, start in zip(self.demo.keyframes, self._starts, strict=True):
            if keyframe.name == name:
                return start
        raise KeyError(name)

    def angles_at(self, time: float) -> tuple[Angles, int]:
        """The eased joint angles at `time` and the index of the keyframe the moment belongs to."""
        time %= self.duration
        index = max(i for i, start in enumerate(self._starts) if start <= time + 1e-9)
        keyframe = self.demo.keyframes[index]
        into_move = time - self._starts[index] - keyframe.hold
        if into_move <= 0:
            return dict(self._angles[index]), index
        u = EASINGS[keyframe.ease](min(1.0, into_move / keyframe.move))
        following = self._angles[(index + 1) % len(self._angles)]
        return blend(self._angles[index], following, u), index

    def at(self, time: float) -> Posed:
        """The body at `time` seconds into the loop (any time: the loop repeats)."""
        loop_time = time % self.duration
        angles, index = self.angles_at(loop_time)
        support = self.demo.keyframes[index].support
        local = skeleton(angles)
        start_x, start_z = self._pelvis_at_start[index]
        before = self._anchor(self._angles[index], support)
        now = self._anchor(angles, support)
        x, z = start_x + before[0] - now[0], start_z + before[1] - now[1]
        travel = (0.0, 0.0)
        if self.demo.view.follow:
            # The camera walks along at the loop's average speed.
            share = loop_time / self.duration
            travel = (self.drift[0] * share, self.drift[1] * share)
            x, z = x - travel[0], z - travel[1]
        y = max(
            self._surface(x + local[f"{side}_ankle"][0])
            - min(local[f"{side}_heel"][1], local[f"{side}_toe"][1])
            for side in _feet(support)
        )
        joints = {name: (p[0] + x, p[1] + y, p[2] + z) for name, p in local.items()}
        return Posed(time=loop_time, joints=joints, support=support, camera_travel=travel)

    def frame_times(self, fps: int) -> list[float]:
        """The instants of the clip's frames: `fps` a second, the loop's end left to its start."""
        return [index / fps for index in range(round(self.duration * fps))]

    @cached_property
    def keyframe_poses(self) -> dict[str, Posed]:
        """The body at each named keyframe, in the file's order."""
        return {k.name: self.at(self.keyframe_time(k.name)) for k in self.demo.keyframes}

    def _anchor(self, angles: Angles, support: str) -> tuple[float, float]:
        """(x, z) of what stays put, relative to the pelvis: the supporting ankle, or the
        midpoint of both."""
        local = skeleton(angles)
        feet = _feet(support)
        return (
            sum(local[f"{side}_ankle"][0] for side in feet) / len(feet),
            sum(local[f"{side}_ankle"][2] for side in feet) / len(feet),
        )

    def _surface(self, x: float) -> float:
        return surface_height(self.demo, x)


def surface_height(demo: Demo, x: float) -> float:
    """Height of what a foot at `x` stands on: the step's top over the step, else the floor."""
    step = demo.props.step
    if step is not None and step.back <= x <= step.front:
        return step.height
    return 0.0


def _feet(support: str) -> tuple[str, ...]:
    return SIDES if support == "both" else (support,)


# --- The camera -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Camera:
    """An orthographic camera: `right` and `up` span the picture, `toward` points at the camera
    (larger depth is nearer)."""

    right: Vec
    up: Vec
    toward: Vec

    @classmethod
    def from_view(cls, view: View) -> Camera:
        yaw, pitch = math.radians(view.yaw), math.radians(view.pitch)
        toward = (math.cos(pitch) * math.cos(yaw), math.sin(pitch), math.cos(pitch) * math.sin(yaw))
        right = (math.sin(yaw), 0.0, -math.cos(yaw))  # level: the camera does not roll
        up = (  # toward x right, so (right, up, toward) is right-handed
            toward[1] * right[2] - toward[2] * right[1],
            toward[2] * right[0] - toward[0] * right[2],
            toward[0] * right[1] - toward[1] * right[0],
        )
        return cls(right=right, up=up, toward=toward)

    def project(self, point: Vec) -> tuple[float, float, float]:
        """(across, up, depth) in metres."""
        return (_dot(point, self.right), _dot(point, self.up), _dot(point, self.toward))

    @property
    def near_side(self) -> str:
        """The side nearer the camera (the right one when seen square from the front or back)."""
        return "right" if self.toward[2] >= -1e-9 else "left"


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
