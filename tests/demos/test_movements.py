"""Each demonstration moves as the card's cues say: joint-angle checks on named keyframes and on
every frame, measured on the drawn body (the joints' positions), not read back from the file."""

import math
from collections.abc import Iterator

import pytest

from bot.demos.clips import FPS, load_poses
from bot.demos.figure import HAND, band_stretch
from bot.demos.kinematics import BODY, Motion, Posed, Vec

DEMOS = load_poses()
HIP_WIDTH = 2 * BODY.hip_half_width  # between the hip joints


def motion(slug: str) -> Motion:
    return Motion(DEMOS[slug])


def at(slug: str, keyframe: str) -> dict[str, Vec]:
    return motion(slug).keyframe_poses[keyframe].joints


def frames(slug: str, per_second: int = FPS) -> Iterator[Posed]:
    loop = motion(slug)
    return (loop.at(time) for time in loop.frame_times(per_second))


def _sub(a: Vec, b: Vec) -> Vec:
    return (a[0] - b[0], a[1] - b[1], a[2] - b[2])


def angle_between(u: Vec, v: Vec) -> float:
    dot = sum(a * b for a, b in zip(u, v, strict=True))
    return math.degrees(math.acos(max(-1.0, min(1.0, dot / (math.hypot(*u) * math.hypot(*v))))))


def flexion(joints: dict[str, Vec], side: str, joint: str = "knee") -> float:
    """How far a knee (or elbow) is bent: 0 is straight."""
    chain = {"knee": ("hip", "knee", "ankle"), "elbow": ("shoulder", "elbow", "hand")}[joint]
    a, b, c = (joints[f"{side}_{name}"] for name in chain)
    return angle_between(_sub(b, a), _sub(c, b))


def trunk_from_vertical(joints: dict[str, Vec]) -> float:
    return angle_between(_sub(joints["neck"], joints["pelvis"]), (0.0, 1.0, 0.0))


def thigh_out_of_line(joints: dict[str, Vec], side: str) -> float:
    """Abduction measured on the body: the thigh's angle out of the sagittal plane."""
    across = _sub(joints["right_hip"], joints["left_hip"])
    thigh = _sub(joints[f"{side}_knee"], joints[f"{side}_hip"])
    return 90 - angle_between(thigh, across if side == "right" else _sub((0, 0, 0), across))


def ankle_gap(joints: dict[str, Vec]) -> float:
    """Sideways distance between the feet."""
    return abs(joints["right_ankle"][2] - joints["left_ankle"][2])


def foot_flat_on(joints: dict[str, Vec], side: str, height: float) -> bool:
    return all(abs(joints[f"{side}_{p}"][1] - height) < 0.01 for p in ("heel", "toe"))


# --- Standing Banded Fire Hydrant -----------------------------------------------------------


def test_fire_hydrant_opens_the_bent_knee_35_to_70_degrees() -> None:
    top = at("standing-banded-fire-hydrant", "knee-out")
    assert 35 <= thigh_out_of_line(top, "right") <= 70
    assert 80 <= flexion(top, "right") <= 100
    ready = at("standing-banded-fire-hydrant", "ready")
    assert thigh_out_of_line(ready, "right") <= 15
    assert 80 <= flexion(ready, "right") <= 100
    assert band_stretch(top, "knees") > 1.6 * band_stretch(ready, "knees")


def test_fire_hydrant_keeps_the_trunk_square_on_a_soft_standing_knee() -> None:
    for posed in frames("standing-banded-fire-hydrant"):
        joints = posed.joints
        assert abs(joints["left_shoulder"][1] - joints["right_shoulder"][1]) < 0.005
        assert trunk_from_vertical(joints) <= 8
        assert 5 <= flexion(joints, "left") <= 25
        assert foot_flat_on(joints, "left", 0.0)
        assert DEMOS["standing-banded-fire-hydrant"].keyframes[0].support == posed.support


# --- Single Leg RDL to March ----------------------------------------------------------------


def test_rdl_hinges_to_a_near_level_back_on_a_soft_knee() -> None:
    hinge = at("single-leg-rdl-to-march", "hinge")
    assert 70 <= trunk_from_vertical(hinge) <= 110  # within 20 degrees of horizontal
    assert 10 <= flexion(hinge, "left") <= 30
    # The free leg reaches back in line with the back, hips square to the floor.
    back = _sub(hinge["pelvis"], hinge["neck"])
    assert angle_between(back, _sub(hinge["right_knee"], hinge["right_hip"])) <= 15
    assert flexion(hinge, "right") <= 15
    assert abs(hinge["left_hip"][1] - hinge["right_hip"][1]) < 0.01


def test_rdl_stands_tall_into_a_high_march() -> None:
    march = at("single-leg-rdl-to-march", "march")
    assert trunk_from_vertical(march) <= 10
    assert march["right_knee"][1] >= march["right_hip"][1] - 0.02
    assert 80 <= flexion(march, "right") <= 100
    assert 5 <= flexion(march, "left") <= 25
    for posed in frames("single-leg-rdl-to-march"):
        assert 5 <= flexion(posed.joints, "left") <= 30  # the standing knee is never locked
        assert foot_flat_on(posed.joints, "left", 0.0)


# --- Band Monster Walk ----------------------------------------------------------------------


def test_monster_walk_feet_never_closer_than_hip_width() -> None:
    gaps = [ankle_gap(posed.joints) for posed in frames("band-monster-walk", 4 * FPS)]
    assert min(gaps) >= HIP_WIDTH
    for name in ("right-forward", "left-forward"):
        assert ankle_gap(at("band-monster-walk", name)) >= 2 * HIP_WIDTH


def test_monster_walk_steps_forward_diagonally_in_a_squat_with_the_band_taut() -> None:
    right = at("band-monster-walk", "right-forward")
    left = at("band-monster-walk", "left-forward")
    assert right["right_ankle"][0] - right["left_ankle"][0] > 0.2
    assert left["left_ankle"][0] - left["right_ankle"][0] > 0.2
    assert motion("band-monster-walk").drift[0] > 0.4  # it travels forward
    for posed in frames("band-monster-walk"):
        joints = posed.joints
        assert band_stretch(joints, "ankles") > 1.5
        assert abs(joints["left_hip"][1] - joints["right_hip"][1]) < 0.005  # hips level
        assert all(40 <= flexion(joints, side) <= 80 for side in ("left", "right"))


# --- Banded Side Steps ----------------------------------------------------------------------


def test_side_steps_go_from_hip_width_to_wide_and_back() -> None:
    for name in ("squat", "together"):
        assert HIP_WIDTH <= ankle_gap(at("banded-side-steps", name)) <= 0.3
    for name in ("wide-right", "wide-left"):
        assert ankle_gap(at("banded-side-steps", name)) >= 0.45
    start, middle = at("banded-side-steps", "squat"), at("banded-side-steps", "together")
    assert middle["pelvis"][2] - start["pelvis"][2] > 0.2  # one step to the right, then back


def test_side_steps_lead_with_the_heel_toes_forward() -> None:
    for side in ("right", "left"):
        reach = at("banded-side-steps", f"reach-{side}")
        assert reach[f"{side}_heel"][1] < reach[f"{side}_toe"][1]
        assert reach[f"{side}_heel"][1] > 0.02  # in the air
    for posed in frames("banded-side-steps"):
        for side in ("left", "right"):
            heel, toe = posed.joints[f"{side}_heel"], posed.joints[f"{side}_toe"]
            assert abs(math.degrees(math.atan2(toe[2] - heel[2], toe[0] - heel[0]))) <= 15


def test_side_steps_hold_the_quarter_squat_knees_out_band_taut() -> None:
    standing_pelvis = BODY.thigh + BODY.shin - BODY.toe[1]
    for posed in frames("banded-side-steps"):
        joints = posed.joints
        assert joints["pelvis"][1] < standing_pelvis - 0.08
        for side in ("left", "right"):
            assert 45 <= flexion(joints, side) <= 80
            # No caving in: the knee is not inside the line from hip to ankle (seen from front).
            hip, knee, ankle = (joints[f"{side}_{j}"] for j in ("hip", "knee", "ankle"))
            share = (hip[1] - knee[1]) / (hip[1] - ankle[1])
            line_z = hip[2] + (ankle[2] - hip[2]) * share
            outward = 1 if side == "right" else -1
            assert (knee[2] - line_z) * outward >= -0.01
        assert band_stretch(joints, "knees") >= 1.0  # never slack
    wide = band_stretch(at("banded-side-steps", "wide-right"), "knees")
    assert wide > 1.4 * band_stretch(at("banded-side-steps", "squat"), "knees")


# --- Slow Eccentric Heel Taps ---------------------------------------------------------------


def test_heel_taps_bend_the_standing_knee_more_at_the_bottom() -> None:
    top, tap = at("slow-eccentric-heel-taps", "top"), at("slow-eccentric-heel-taps", "tap")
    assert flexion(tap, "right") > flexion(top, "right") + 50
    assert flexion(top, "right") <= 15
    # The knee travels forward over the toes, not inward.
    assert tap["right_knee"][0] > tap["right_ankle"][0] + 0.1
    assert abs(tap["right_knee"][2] - tap["right_ankle"][2]) < 0.01


def test_heel_taps_tap_the_free_heel_on_the_floor_beyond_the_step() -> None:
    step = DEMOS["slow-eccentric-heel-taps"].props.step
    assert step is not None
    tap = at("slow-eccentric-heel-taps", "tap")
    assert tap["left_heel"][1] == pytest.approx(0.0, abs=0.015)
    assert tap["left_heel"][1] < tap["left_toe"][1]  # the heel, not the toes
    assert tap["left_heel"][0] > step.front + 0.03
    top = at("slow-eccentric-heel-taps", "top")
    assert top["left_heel"][1] > 0.1  # hanging off the edge at the top
    for posed in frames("slow-eccentric-heel-taps"):
        heel, toe = posed.joints["right_heel"], posed.joints["right_toe"]
        assert foot_flat_on(posed.joints, "right", step.height)
        assert step.back <= heel[0] and toe[0] <= step.front


def test_heel_taps_lower_slowly_and_rise_briskly() -> None:
    top, tap = (DEMOS["slow-eccentric-heel-taps"].keyframe(name) for name in ("top", "tap"))
    assert top.move >= 2.5
    assert top.move >= 3 * tap.move


# --- Wall Abs -------------------------------------------------------------------------------


def test_wall_abs_drive_each_knee_to_hip_height() -> None:
    for side in ("right", "left"):
        up = at("wall-abs", f"{side}-knee-up")
        assert up[f"{side}_knee"][1] == pytest.approx(up[f"{side}_hip"][1], abs=0.05)
        assert 80 <= flexion(up, side) <= 100
        assert DEMOS["wall-abs"].keyframe(f"{side}-knee-up").hold >= 0.5


def test_wall_abs_keep_a_straight_lean_with_hands_on_the_wall() -> None:
    wall = DEMOS["wall-abs"].props.wall
    assert wall is not None
    lean = at("wall-abs", "lean")
    trunk = _sub(lean["neck"], lean["pelvis"])
    assert angle_between(trunk, _sub(lean["right_hip"], lean["right_ankle"])) <= 5
    assert 10 <= trunk_from_vertical(lean) <= 35
    for posed in frames("wall-abs"):
        joints = posed.joints
        assert joints["neck"] == pytest.approx(lean["neck"])  # the trunk stays braced
        for side in ("left", "right"):
            assert joints[f"{side}_hand"][0] + HAND == pytest.approx(wall.x, abs=0.015)
            assert abs(joints[f"{side}_hand"][1] - joints[f"{side}_shoulder"][1]) < 0.08
            assert flexion(joints, side, "elbow") <= 15
