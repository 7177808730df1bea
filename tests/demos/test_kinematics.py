"""Forward kinematics: joints bend the way a body bends, bones keep their length, feet stay put."""

import itertools
import math

import pytest

from bot.demos.clips import FPS, load_poses
from bot.demos.kinematics import BODY, BONES, Camera, Motion, angles_of, skeleton, surface_height
from bot.demos.pose import Keyframe, View

NEUTRAL = angles_of(Keyframe(name="neutral", move=1, support="both"))


def pose(**changes: float) -> dict[str, tuple[float, float, float]]:
    return skeleton(NEUTRAL | changes)


def test_standing_upright_stacks_the_joints() -> None:
    joints = pose()
    for side, sign in (("left", -1), ("right", 1)):
        hip, knee, ankle = (joints[f"{side}_{j}"] for j in ("hip", "knee", "ankle"))
        assert hip == pytest.approx((0, 0, sign * BODY.hip_half_width))
        assert knee == pytest.approx((0, -BODY.thigh, sign * BODY.hip_half_width))
        assert ankle == pytest.approx((0, -BODY.thigh - BODY.shin, sign * BODY.hip_half_width))
        assert joints[f"{side}_toe"][0] > joints[f"{side}_heel"][0]  # feet point forward
    assert joints["head"][1] > joints["neck"][1] > 0


def test_each_joint_bends_the_right_way() -> None:
    upright = pose()
    # Hip flexion brings the knee forward; knee flexion folds the shin back.
    assert pose(**{"right_leg.hip_flex": 45})["right_knee"][0] > 0.25
    assert pose(**{"right_leg.knee": 60})["right_ankle"][0] < -0.3
    # Abduction takes each leg out to its own side (z is the runner's right).
    assert pose(**{"right_leg.hip_abd": 40})["right_knee"][2] > upright["right_knee"][2] + 0.2
    assert pose(**{"left_leg.hip_abd": 40})["left_knee"][2] < upright["left_knee"][2] - 0.2
    # Plantar flexion points the toes down; a negative one pulls them up.
    assert pose(**{"right_leg.ankle": 30})["right_toe"][1] < upright["right_toe"][1] - 0.05
    assert pose(**{"right_leg.ankle": -20})["right_toe"][1] > upright["right_toe"][1] + 0.05
    # Leaning takes the neck forward; tilting takes it to the right.
    assert pose(**{"trunk.lean": 30})["neck"][0] > 0.2
    assert pose(**{"trunk.tilt": 10})["neck"][2] > 0.05
    # Shoulder flexion raises the arm in front; the elbow folds the forearm forward and up.
    assert pose(**{"right_arm.shoulder_flex": 90})["right_hand"][0] > 0.5
    bent = pose(**{"right_arm.elbow": 90})
    assert bent["right_hand"][0] == pytest.approx(BODY.forearm)
    # Inward rotation turns a bent forearm toward the belly.
    rotated = pose(**{"right_arm.elbow": 90, "right_arm.shoulder_rot": 60})
    assert rotated["right_hand"][2] < bent["right_hand"][2] - 0.15


def test_limb_lengths_never_change_in_any_frame() -> None:
    reference = pose()
    lengths = {bone: math.dist(reference[bone[0]], reference[bone[1]]) for bone in BONES}
    assert lengths[("left_hip", "left_knee")] == pytest.approx(BODY.thigh)
    assert lengths[("right_knee", "right_ankle")] == pytest.approx(BODY.shin)
    checked = 0
    for demo in load_poses().values():
        motion = Motion(demo)
        for time in motion.frame_times(FPS):
            joints = motion.at(time).joints
            for bone, length in lengths.items():
                assert math.dist(joints[bone[0]], joints[bone[1]]) == pytest.approx(
                    length, abs=1e-9
                )
                checked += 1
    assert checked > 400 * len(BONES)


def test_no_foot_goes_through_the_floor_or_the_step() -> None:
    for slug, demo in load_poses().items():
        motion = Motion(demo)
        for time in motion.frame_times(4 * FPS):
            joints = motion.at(time).joints
            for point in ("left_heel", "left_toe", "right_heel", "right_toe"):
                x, y, _ = joints[point]
                assert y >= surface_height(demo, x) - 0.002, (slug, time, point)


def test_a_supporting_foot_stays_where_it_was_put() -> None:
    for slug, demo in load_poses().items():
        motion = Motion(demo)
        times = motion.frame_times(FPS)
        for before, after in itertools.pairwise(times):
            first, second = motion.at(before), motion.at(after)
            if first.support != second.support:
                continue
            for side in ("left", "right") if first.support == "both" else (first.support,):
                a, b = first.joints[f"{side}_ankle"], second.joints[f"{side}_ankle"]
                # With the camera walking along, the ground itself moves back by its travel.
                moved_x = b[0] - a[0] + second.camera_travel[0] - first.camera_travel[0]
                moved_z = b[2] - a[2] + second.camera_travel[1] - first.camera_travel[1]
                if first.support == "both":  # the midpoint of both is kept; each may roll
                    assert math.hypot(moved_x, moved_z) < 0.01, (slug, before, side)
                else:
                    assert math.hypot(moved_x, moved_z) < 1e-9, (slug, before, side)


def test_no_joint_jumps_between_keyframes_or_when_the_loop_repeats() -> None:
    for slug, demo in load_poses().items():
        motion = Motion(demo)
        for keyframe in demo.keyframes:
            arrival = motion.keyframe_time(keyframe.name)
            before = motion.at((arrival - 1e-9) % motion.duration)
            after = motion.at(arrival)
            for name, point in after.joints.items():
                # Within a millimetre: where the weight passes from one foot to the other, both
                # must stand on the ground.
                assert math.dist(before.joints[name], point) < 0.001, (slug, keyframe.name, name)


def test_the_camera_sees_the_runner_from_where_the_view_says() -> None:
    front = Camera.from_view(View(yaw=0))
    assert front.project((0, 1, 0))[1] == pytest.approx(1)  # up is up
    assert front.project((0, 0, 1))[0] == pytest.approx(-1)  # their right is our left
    assert front.project((1, 0, 0))[2] == pytest.approx(1)  # they face us
    side = Camera.from_view(View(yaw=90))
    assert side.project((1, 0, 0))[0] == pytest.approx(1)  # facing right on screen
    assert side.near_side == "right"
    behind = Camera.from_view(View(yaw=160))
    assert behind.near_side == "right"
    assert behind.project((1, 0, 0))[2] < -0.9  # facing away
    above = Camera.from_view(View(yaw=0, pitch=20))
    assert above.project((1, 0, 0))[1] < 0  # nearer floor is lower in the picture
