"""Draws one instant of a demonstration with Pillow: the runner, the floor and the props.

The runner is a friendly mannequin, not a stick man: tapered limbs with rounded joints, a torso
in shirt and shorts, a head with a cap whose brim shows which way they face. The limbs nearer
the camera are light blue and the far ones deep blue, so left and right never swap in the
viewer's mind. Everything is drawn at twice the size and halved, which smooths the edges without
an anti-aliasing library, and nothing depends on fonts or files: the same numbers give the same
pixels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw

from bot.demos.kinematics import Camera, Motion, Posed, Vec, surface_height
from bot.demos.pose import SIDES, Demo

SIZE = 512  # pixels square; a multiple of 128, see encode.py
SUPERSAMPLE = 2
METRES_ACROSS = 2.2  # the same scale in every clip, so the runner is the same size in all six
FLOOR_ROW = 0.88  # where the floor meets the runner, as a fraction of the height

Colour = tuple[int, int, int]
BACKGROUND: Colour = (245, 242, 235)
FLOOR: Colour = (228, 222, 209)
FLOOR_EDGE: Colour = (196, 187, 170)
BOARD_LINE: Colour = (216, 209, 194)
SHADOW: Colour = (214, 207, 192)
INK: Colour = (36, 40, 50)  # outlines
NEAR: Colour = (90, 155, 232)
FAR: Colour = (34, 78, 146)
NEAR_SHOE: Colour = (250, 250, 250)
FAR_SHOE: Colour = (196, 200, 210)
SHIRT: Colour = (238, 114, 74)
SHORTS: Colour = (54, 58, 72)
SKIN: Colour = (240, 200, 164)
CAP: Colour = (222, 92, 58)
HAIR: Colour = (92, 62, 46)
BAND: Colour = (32, 168, 98)  # a green exercise band
BAND_STRETCHED: Colour = (128, 214, 160)
STEP_TOP: Colour = (219, 182, 134)
STEP_FRONT: Colour = (192, 150, 101)
STEP_SIDE: Colour = (170, 128, 84)
WALL_FACE: Colour = (206, 214, 226)
WALL_SIDE: Colour = (182, 192, 207)
WALL_TOP: Colour = (222, 228, 236)

OUTLINE = 0.009  # metres of ink around every shape
FLOOR_DEPTH = 1.2  # metres of floor behind the runner before its far edge
BOARD = 0.4  # metres between the floor's board lines

# Radii in metres at each end of a limb segment.
THIGH = (0.074, 0.052)
SHIN = (0.050, 0.036)
UPPER_ARM = (0.046, 0.038)
FOREARM = (0.037, 0.030)
HAND = 0.042
HEAD = 0.11
SHOE_HALF_WIDTH = 0.036
SHOE_ROUNDING = 0.024
BAND_RADIUS = 0.02  # the elastic's half-width when just taut
BAND_REST = 0.18  # metres between the legs at which the band is taut but not stretched


@dataclass(frozen=True)
class Framing:
    """Metres to pixels for one clip: fixed for the whole loop, so nothing jumps."""

    camera: Camera
    centre_across: float  # the across-coordinate drawn at the middle of the picture
    size: int  # pixels

    @property
    def scale(self) -> float:
        return self.size / METRES_ACROSS

    def pixel(self, point: Vec) -> tuple[float, float]:
        across, up, _ = self.camera.project(point)
        return (
            self.size / 2 + (across - self.centre_across) * self.scale,
            self.size * FLOOR_ROW - up * self.scale,
        )

    def depth(self, point: Vec) -> float:
        return self.camera.project(point)[2]


def framing_for(motion: Motion, size: int = SIZE) -> Framing:
    """Centre the runner (and the props they use) across the picture, over the whole loop."""
    camera = Camera.from_view(motion.demo.view)
    points = [p for time in motion.frame_times(10) for p in motion.at(time).joints.values()]
    if motion.demo.props.step is not None:
        points.append((motion.demo.props.step.front, 0.0, 0.0))  # the edge the foot goes over
    if motion.demo.props.wall is not None:
        points.append((motion.demo.props.wall.x, 0.0, 0.0))  # the face: the rest may be cut
    across = [camera.project(point)[0] for point in points]
    return Framing(camera=camera, centre_across=(min(across) + max(across)) / 2, size=size)


def figure_bounds(posed: Posed, framing: Framing) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) in pixels around the runner, with room for head and limbs."""
    pixels = [framing.pixel(point) for point in posed.joints.values()]
    margin = 0.14 * framing.scale
    return (
        min(x for x, _ in pixels) - margin,
        min(y for _, y in pixels) - margin,
        max(x for x, _ in pixels) + margin,
        max(y for _, y in pixels) + margin,
    )


def draw_frame(motion: Motion, posed: Posed, framing: Framing) -> Image.Image:
    """The picture of `posed`, `framing.size` pixels square."""
    big = Framing(framing.camera, framing.centre_across, framing.size * SUPERSAMPLE)
    image = Image.new("RGB", (big.size, big.size), BACKGROUND)
    pen = _Pen(ImageDraw.Draw(image), big)
    _floor(pen, posed)
    for box in _prop_boxes(motion.demo):
        _box(pen, box)
    _shadow(pen, posed, motion.demo)
    _runner(pen, posed, motion.demo)
    return image.reduce(SUPERSAMPLE)


# --- Drawing primitives ---------------------------------------------------------------------


class _Pen:
    """Draws shapes given in metres (3D points, radii) onto the supersampled image."""

    def __init__(self, draw: ImageDraw.ImageDraw, framing: Framing) -> None:
        self.draw = draw
        self.framing = framing

    def px(self, metres: float) -> float:
        return metres * self.framing.scale

    def capsule(self, a: Vec, b: Vec, radii: tuple[float, float], fill: Colour) -> None:
        """A limb segment: two spheres and the cone between them, as the camera sees them (an
        orthographic camera shows a sphere as a circle, so this is exact)."""
        _tapered(
            self.draw, self.framing.pixel(a), self.framing.pixel(b), *map(self.px, radii), fill
        )

    def disc(self, centre: Vec, radius: float, fill: Colour) -> None:
        x, y = self.framing.pixel(centre)
        r = self.px(radius)
        self.draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)

    def rounded_hull(self, points: Iterable[Vec], rounding: float, fill: Colour) -> None:
        """The convex outline of `points`, grown by `rounding` with round corners."""
        hull = _convex_hull([self.framing.pixel(point) for point in points])
        r = self.px(rounding)
        if len(hull) >= 3:
            self.draw.polygon(hull, fill=fill)
        for index, start in enumerate(hull):
            end = hull[(index + 1) % len(hull)]
            _tapered(self.draw, start, end, r, r, fill)

    def polygon(self, points: Sequence[Vec], fill: Colour) -> None:
        self.draw.polygon([self.framing.pixel(point) for point in points], fill=fill)


def _tapered(
    draw: ImageDraw.ImageDraw,
    a: tuple[float, float],
    b: tuple[float, float],
    radius_a: float,
    radius_b: float,
    fill: Colour,
) -> None:
    """Two circles and the band tangent to both: a limb drawn as one smooth shape."""
    for (x, y), r in ((a, radius_a), (b, radius_b)):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)
    length = math.dist(a, b)
    if length <= abs(radius_a - radius_b) + 1e-6:
        return
    ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    nx, ny = -uy, ux
    sine = (radius_a - radius_b) / length
    cosine = math.sqrt(max(0.0, 1 - sine * sine))
    corners = []
    for sign in (1, -1):
        wx, wy = sine * ux + sign * cosine * nx, sine * uy + sign * cosine * ny
        corners.append((a[0] + radius_a * wx, a[1] + radius_a * wy))
        corners.append((b[0] + radius_b * wx, b[1] + radius_b * wy))
    draw.polygon([corners[0], corners[1], corners[3], corners[2]], fill=fill)


def _convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; the corners in order."""
    unique = sorted(set(points))
    if len(unique) <= 2:
        return unique

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    upper: list[tuple[float, float]] = []
    for chain, ordered in ((lower, unique), (upper, list(reversed(unique)))):
        for point in ordered:
            while len(chain) >= 2 and cross(chain[-2], chain[-1], point) <= 0:
                chain.pop()
            chain.append(point)
    return lower[:-1] + upper[:-1]


# --- Vectors (small helpers kept here so the drawing reads as geometry) ---------------------


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def _scaled(v: Vec, k: float) -> Vec:
    return (v[0] * k, v[1] * k, v[2] * k)


def _plus(first: Vec, *others: Vec) -> Vec:
    x, y, z = first
    for v in others:  # a plain loop: generator sums were a fifth of the drawing time
        x, y, z = x + v[0], y + v[1], z + v[2]
    return (x, y, z)


def _unit(v: Vec) -> Vec:
    length = math.sqrt(v[0] ** 2 + v[1] ** 2 + v[2] ** 2) or 1.0
    return _scaled(v, 1 / length)


def _cross(a: Vec, b: Vec) -> Vec:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _along(a: Vec, b: Vec, share: float) -> Vec:
    return _plus(a, _scaled(_sub(b, a), share))


# --- Floor and props ------------------------------------------------------------------------

Box = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[Colour, ...]]


def _prop_boxes(demo: Demo) -> list[Box]:
    """Props as boxes ((x from, to), (y from, to), (z from, to), (top, front, side colours))."""
    boxes: list[Box] = []
    if demo.props.step is not None:
        step = demo.props.step
        boxes.append(((step.back, step.front), (0.0, step.height), (-0.45, 0.45), _STEP_COLOURS))
    if demo.props.wall is not None:
        x = demo.props.wall.x
        boxes.append(((x, x + 3.0), (0.0, 2.6), (-1.4, 1.4), _WALL_COLOURS))
    return boxes


_STEP_COLOURS = (STEP_TOP, STEP_FRONT, STEP_SIDE)
_WALL_COLOURS = (WALL_TOP, WALL_FACE, WALL_SIDE)


def _corners(box: Box) -> list[Vec]:
    (x0, x1), (y0, y1), (z0, z1), _ = box
    return [(x, y, z) for y in (y1, y0) for x in (x0, x1) for z in (z0, z1)]


def _box(pen: _Pen, box: Box) -> None:
    """The faces of a box that look at the camera, each in its own shade."""
    (x0, x1), (y0, y1), (z0, z1), (top, front, side) = box
    toward = pen.framing.camera.toward
    faces: list[tuple[float, list[Vec], Colour]] = [
        (toward[1], [(x0, y1, z0), (x1, y1, z0), (x1, y1, z1), (x0, y1, z1)], top),
        (-toward[0], [(x0, y0, z0), (x0, y1, z0), (x0, y1, z1), (x0, y0, z1)], front),
        (toward[0], [(x1, y0, z0), (x1, y1, z0), (x1, y1, z1), (x1, y0, z1)], front),
        (-toward[2], [(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0)], side),
        (toward[2], [(x0, y0, z1), (x1, y0, z1), (x1, y1, z1), (x0, y1, z1)], side),
    ]
    for facing, corners, colour in faces:
        if facing > 1e-6:
            pen.polygon(corners, colour)
            outline = [pen.framing.pixel(corner) for corner in corners]
            pen.draw.line([*outline, outline[0]], fill=_darker(colour, 0.8), width=2)


def _floor(pen: _Pen, posed: Posed) -> None:
    """The floor from a line behind the runner down to the picture's bottom edge, with faint
    boards across it when the camera looks down enough to see them: fixed to the ground, they
    slide past when the camera walks with the runner."""
    camera = pen.framing.camera
    far_edge = _scaled(camera.toward, -FLOOR_DEPTH)
    _, row = pen.framing.pixel((far_edge[0], 0.0, far_edge[2]))
    size = pen.framing.size
    pen.draw.rectangle((0, row, size, size), fill=FLOOR)
    if camera.up[1] < 0.995:  # looking down by more than about 6 degrees
        travel_x, travel_z = posed.camera_travel
        first = math.floor((travel_x - 3) / BOARD) * BOARD
        for index in range(round(6 / BOARD) + 1):
            x = first + index * BOARD - travel_x
            a, b = (x, 0.0, -3.0 - travel_z), (x, 0.0, 3.0 - travel_z)
            pen.draw.line((pen.framing.pixel(a), pen.framing.pixel(b)), fill=BOARD_LINE, width=2)
        pen.draw.rectangle((0, 0, size, row), fill=BACKGROUND)  # what lies beyond the far edge
    pen.draw.line((0, row, size, row), fill=FLOOR_EDGE, width=max(2, round(pen.px(0.012))))


def _shadow(pen: _Pen, posed: Posed, demo: Demo) -> None:
    """A soft patch under each foot near the ground, fading as the foot lifts: it shows where
    the runner stands and how high a foot is off the floor."""
    for side in SIDES:
        heel, toe = posed.joints[f"{side}_heel"], posed.joints[f"{side}_toe"]
        ground = surface_height(demo, posed.joints[f"{side}_ankle"][0])
        lift = min(heel[1], toe[1]) - ground
        if lift > 0.3:
            continue
        radius = 0.05 * (1 - lift * 2.5) if lift > 0 else 0.05
        if radius <= 0.005:
            continue
        a = pen.framing.pixel((heel[0], ground, heel[2]))
        b = pen.framing.pixel((toe[0], ground, toe[2]))
        colour = SHADOW if ground == 0 else _darker(STEP_FRONT, 0.85)  # on the step's wood
        _tapered(pen.draw, a, b, pen.px(radius), pen.px(radius), colour)


# --- The runner -----------------------------------------------------------------------------


def _runner(pen: _Pen, posed: Posed, demo: Demo) -> None:
    """Body parts from the farthest to the nearest, each outlined then filled."""
    joints = posed.joints
    near = pen.framing.camera.near_side
    band = demo.props.band.at if demo.props.band is not None else None
    parts: list[tuple[float, Callable[[], None]]] = []
    leg_depths = []
    for side in SIDES:
        leg_depth = pen.framing.depth(_along(joints[f"{side}_hip"], joints[f"{side}_knee"], 0.5))
        leg_depths.append(leg_depth)
        arm_depth = pen.framing.depth(joints[f"{side}_elbow"])
        is_near = side == near
        parts.append(
            (leg_depth, _part(lambda ink, s=side, n=is_near: _leg(pen, joints, s, n, ink, band)))
        )
        parts.append(
            (arm_depth, _part(lambda ink, s=side, n=is_near: _arm(pen, joints, s, n, ink)))
        )
    # The torso sorts as its back surface, so arms at its sides (hands on hips, seen from the
    # front) are drawn over it, while the far arm in a side view stays behind it.
    torso_depth = pen.framing.depth(joints["pelvis"]) - 0.05
    parts.append((torso_depth, _part(lambda ink: _torso(pen, joints, ink))))
    if band is not None:  # between the legs: over the far one, under the near one
        parts.append((sum(leg_depths) / 2, lambda: _band(pen, joints, band)))
    for _, paint in sorted(parts, key=lambda part: part[0]):
        paint()


def _part(shape: Callable[[bool], None]) -> Callable[[], None]:
    """Outline pass, then fill pass: joints inside one part show no seams."""

    def paint() -> None:
        shape(True)
        shape(False)

    return paint


def _leg(
    pen: _Pen, joints: dict[str, Vec], side: str, near: bool, ink: bool, band: str | None
) -> None:
    grow = OUTLINE if ink else 0.0
    hip, knee, ankle = joints[f"{side}_hip"], joints[f"{side}_knee"], joints[f"{side}_ankle"]
    colour = INK if ink else (NEAR if near else FAR)
    pen.capsule(hip, knee, (THIGH[0] + grow, THIGH[1] + grow), colour)
    pen.capsule(knee, ankle, (SHIN[0] + grow, SHIN[1] + grow), colour)
    shoe = INK if ink else (NEAR_SHOE if near else FAR_SHOE)
    pen.rounded_hull(_shoe_points(joints, side), SHOE_ROUNDING + grow, shoe)
    if band is not None and not ink:
        _cuff(pen, joints, side, band)


def _shoe_points(joints: dict[str, Vec], side: str) -> list[Vec]:
    """A shoe around the sole points, as wide as a foot, its rounding kept above the sole."""
    ankle, heel, toe = joints[f"{side}_ankle"], joints[f"{side}_heel"], joints[f"{side}_toe"]
    forward = _unit(_sub(toe, heel))
    across = _unit(_cross(forward, _sub(ankle, heel)))
    up = _cross(across, forward)
    inset = SHOE_ROUNDING
    outline = [
        _plus(heel, _scaled(forward, inset), _scaled(up, inset)),
        _plus(toe, _scaled(forward, -inset), _scaled(up, inset)),
        _plus(ankle, _scaled(forward, 0.03), _scaled(up, -0.01)),
        _plus(ankle, _scaled(forward, -0.02), _scaled(up, -0.005)),
    ]
    return [_plus(p, _scaled(across, k * SHOE_HALF_WIDTH)) for p in outline for k in (-1, 1)]


def _arm(pen: _Pen, joints: dict[str, Vec], side: str, near: bool, ink: bool) -> None:
    grow = OUTLINE if ink else 0.0
    shoulder, elbow = joints[f"{side}_shoulder"], joints[f"{side}_elbow"]
    hand = joints[f"{side}_hand"]
    colour = INK if ink else (NEAR if near else FAR)
    pen.capsule(shoulder, elbow, (UPPER_ARM[0] + grow, UPPER_ARM[1] + grow), colour)
    pen.capsule(elbow, hand, (FOREARM[0] + grow, FOREARM[1] + grow), colour)
    pen.disc(hand, HAND + grow, colour)


def _torso(pen: _Pen, joints: dict[str, Vec], ink: bool) -> None:
    """Shorts, shirt, neck and head, in the trunk's own frame (it leans and tilts as one)."""
    grow = OUTLINE if ink else 0.0
    pelvis, neck, head = joints["pelvis"], joints["neck"], joints["head"]
    up = _unit(_sub(neck, pelvis))
    across = _unit(_sub(joints["right_hip"], joints["left_hip"]))
    forward = _cross(up, across)

    def ring(height: float, half_width: float, front: float, back: float) -> list[Vec]:
        centre = _plus(pelvis, _scaled(up, height))
        return [
            _plus(centre, _scaled(across, w), _scaled(forward, d))
            for w in (-half_width, half_width)
            for d in (front, -back)
        ]

    rounding = 0.03 + grow
    # Half-widths and depths in metres, the back of the hips fuller than the front (glutes).
    shorts = ring(-0.06, 0.12, 0.07, 0.10) + ring(0.12, 0.12, 0.07, 0.07)
    shirt = ring(0.08, 0.12, 0.08, 0.07) + ring(0.30, 0.12, 0.09, 0.07)
    shirt += ring(0.45, 0.15, 0.08, 0.07)
    pen.rounded_hull(shorts, rounding, INK if ink else SHORTS)
    pen.rounded_hull(shirt, rounding, INK if ink else SHIRT)
    pen.capsule(neck, _along(neck, head, 0.6), (0.045 + grow, 0.045 + grow), INK if ink else SKIN)
    _head(pen, head, up, forward, ink)


def _head(pen: _Pen, head: Vec, up: Vec, forward: Vec, ink: bool) -> None:
    """Face, hair and a running cap with its brim: which way the runner faces, from any side."""
    across = _cross(forward, up)
    toward = pen.framing.camera.toward
    grow = OUTLINE if ink else 0.0
    ponytail = (
        _plus(head, _scaled(forward, -0.1), _scaled(up, 0.01)),
        _plus(head, _scaled(forward, -0.15), _scaled(up, -0.1)),
    )
    # The brim is a flat half-disc: a bar from the side, a band across the brow from the front.
    brim = [
        _plus(head, _scaled(up, 0.03 - 0.1 * f), _scaled(forward, 0.06 + f), _scaled(across, w))
        for f, w in ((0.0, -0.085), (0.0, 0.085), (0.06, -0.06), (0.06, 0.06), (0.085, 0.0))
    ]
    facing_camera = _dot(forward, toward) > 0  # then the ponytail is behind the head, the brim not

    def draw_ponytail() -> None:
        pen.capsule(*ponytail, (0.032 + grow, 0.02 + grow), INK if ink else HAIR)

    def draw_brim() -> None:
        pen.rounded_hull(brim, 0.012 + grow, INK if ink else CAP)

    draw_ponytail() if facing_camera else draw_brim()
    pen.disc(head, HEAD + grow, INK if ink else SKIN)
    if not ink:
        # Hair on the back of the head, as much of it as faces the camera. The hairline slants
        # (further forward higher up), and the region is convex, so its outline is its hull.
        hair = [
            _plus(head, _scaled(direction, HEAD))
            for direction in _sphere_directions(up, forward, across)
            if _dot(direction, forward) < -0.05 + 0.5 * _dot(direction, up)
            and _dot(direction, toward) >= 0
        ]
        if len(hair) >= 3:
            pen.rounded_hull(hair, 0.0, HAIR)
        _crown(pen, head, up)
    draw_brim() if facing_camera else draw_ponytail()


def _crown(pen: _Pen, head: Vec, up: Vec) -> None:
    """The cap's crown: the top of the head, cut square to the head's own up."""
    x, y = pen.framing.pixel(head)
    top_x, top_y = pen.framing.pixel(_plus(head, up))
    towards_top = math.degrees(math.atan2(top_y - y, top_x - x))
    r = pen.px(HEAD)
    pen.draw.chord((x - r, y - r, x + r, y + r), towards_top - 82, towards_top + 82, fill=CAP)


def _sphere_directions(up: Vec, forward: Vec, across: Vec) -> list[Vec]:
    """Unit directions spread over a sphere, turned into the head's frame."""
    return [
        (
            f * forward[0] + a * across[0] + u * up[0],
            f * forward[1] + a * across[1] + u * up[1],
            f * forward[2] + a * across[2] + u * up[2],
        )
        for f, a, u in _SPHERE
    ]


_SPHERE: tuple[Vec, ...] = tuple(
    (
        math.cos(math.radians(elevation)) * math.cos(math.radians(azimuth)),
        math.cos(math.radians(elevation)) * math.sin(math.radians(azimuth)),
        math.sin(math.radians(elevation)),
    )
    for elevation in range(-60, 91, 15)
    for azimuth in range(0, 360, 15)
)


def _dot(a: Vec, b: Vec) -> float:
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


# --- The band -------------------------------------------------------------------------------


def _band_point(joints: dict[str, Vec], side: str, at: str) -> Vec:
    if at == "knees":  # just above the knee
        return _along(joints[f"{side}_hip"], joints[f"{side}_knee"], 0.8)
    if at == "feet":  # over the middle of the foot, on the shoe's upper
        ankle, heel, toe = joints[f"{side}_ankle"], joints[f"{side}_heel"], joints[f"{side}_toe"]
        return _along(_along(heel, toe, 0.6), ankle, 0.35)
    return _along(joints[f"{side}_knee"], joints[f"{side}_ankle"], 0.82)


# The joint above where the band wraps: its cuff is drawn across the line from that joint.
_ABOVE_BAND = {"knees": "hip", "ankles": "knee", "feet": "ankle"}


def _band_upper(joints: dict[str, Vec], side: str, at: str) -> Vec:
    return joints[f"{side}_{_ABOVE_BAND[at]}"]


def band_ends(joints: dict[str, Vec], at: str) -> tuple[Vec, Vec]:
    """Where the band meets the left and the right leg."""
    return _band_point(joints, "left", at), _band_point(joints, "right", at)


def band_stretch(joints: dict[str, Vec], at: str) -> float:
    """The band's length between the legs over its length when just taut (below 1 is slack)."""
    return math.dist(*band_ends(joints, at)) / BAND_REST


def _band(pen: _Pen, joints: dict[str, Vec], at: str) -> None:
    """The elastic between the legs: thinner and paler the more it stretches."""
    stretch = max(1.0, band_stretch(joints, at))  # drawn no fatter when slack
    radius = BAND_RADIUS / math.sqrt(stretch)  # the same rubber, drawn out longer
    colour = _mix(BAND, BAND_STRETCHED, min(1.0, (stretch - 1) / 1.5))
    ends = band_ends(joints, at)
    pen.capsule(ends[0], ends[1], (radius + OUTLINE, radius + OUTLINE), INK)
    pen.capsule(ends[0], ends[1], (radius, radius), colour)


def _cuff(pen: _Pen, joints: dict[str, Vec], side: str, at: str) -> None:
    """The band where it wraps a leg: a strip across the limb, drawn with that leg."""
    end = _band_point(joints, side, at)
    a, b = pen.framing.pixel(_band_upper(joints, side, at)), pen.framing.pixel(end)
    length = math.dist(a, b) or 1.0
    nx, ny = -(b[1] - a[1]) / length, (b[0] - a[0]) / length
    # The limb's (or the shoe's) half-width there.
    half = pen.px({"knees": 0.058, "ankles": 0.04, "feet": SHOE_HALF_WIDTH}[at] + OUTLINE)
    start, stop = (b[0] - nx * half, b[1] - ny * half), (b[0] + nx * half, b[1] + ny * half)
    width = pen.px(BAND_RADIUS * 1.2)
    _tapered(pen.draw, start, stop, width + pen.px(OUTLINE), width + pen.px(OUTLINE), INK)
    _tapered(pen.draw, start, stop, width, width, BAND)


def _mix(a: Colour, b: Colour, share: float) -> Colour:
    return tuple(round(x + (y - x) * share) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _darker(colour: Colour, factor: float) -> Colour:
    return tuple(round(channel * factor) for channel in colour)  # type: ignore[return-value]
