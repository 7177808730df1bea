"""The pose files: the six load in routine order, and broken ones are refused in one clear line."""

import shutil
from pathlib import Path

import pytest

from bot.coach.routine import parse_routine
from bot.demos.clips import DEFAULT_FOLDER, DEMO_SLUGS, DemoError, load_poses
from bot.demos.pose import parse_demo

ROUTINE_FILE = Path(__file__).resolve().parents[2] / "data" / "routine.toml"
WALL_ABS = (DEFAULT_FOLDER / "wall-abs.toml").read_text()


def test_the_six_demos_follow_the_routine() -> None:
    routine = parse_routine(ROUTINE_FILE.read_text())
    demos = load_poses()
    assert tuple(demos) == DEMO_SLUGS
    assert [demo.title for demo in demos.values()] == [e.name for e in routine.exercises]


def test_props_match_what_each_exercise_uses() -> None:
    routine = {e.name: e for e in parse_routine(ROUTINE_FILE.read_text()).exercises}
    demos = load_poses()
    for demo in demos.values():
        assert (demo.props.band is not None) == routine[demo.title].band, demo.title
    assert demos["wall-abs"].props.wall is not None
    assert demos["slow-eccentric-heel-taps"].props.step is not None
    assert [slug for slug, d in demos.items() if d.props.wall or d.props.step] == [
        "wall-abs",
        "slow-eccentric-heel-taps",
    ]


def test_each_loop_lasts_two_to_four_seconds() -> None:
    for slug, demo in load_poses().items():
        assert 2.0 <= demo.duration <= 4.0, slug


def test_viewpoints_show_each_movement_best() -> None:
    yaws = {slug: demo.view.yaw % 360 for slug, demo in load_poses().items()}
    front = ("banded-side-steps", "band-monster-walk")
    side = ("wall-abs", "slow-eccentric-heel-taps", "single-leg-rdl-to-march")
    assert all(yaws[slug] <= 30 or yaws[slug] >= 330 for slug in front)
    assert all(yaws[slug] in (90, 270) for slug in side)
    assert 135 <= yaws["standing-banded-fire-hydrant"] <= 225  # behind, or three-quarter behind


def test_invalid_toml_names_file_and_line() -> None:
    with pytest.raises(DemoError, match=r"^wall-abs.toml, line 3: not valid TOML"):
        parse_demo('title = "Wall Abs"\n\nview = { yaw = 90\n', "wall-abs.toml")


def test_a_knee_bending_backwards_is_refused_with_line_and_field() -> None:
    text = WALL_ABS.replace("right_leg = { hip_flex = 110, knee = 95", "right_leg = { knee = -5", 1)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "knee = -5" in row)
    with pytest.raises(DemoError) as caught:
        parse_demo(text, "wall-abs.toml")
    assert str(caught.value) == (
        f"wall-abs.toml, line {line}, keyframes[3].right_leg.knee: "
        "Input should be greater than or equal to 0"
    )


def test_an_unknown_joint_is_refused() -> None:
    text = WALL_ABS.replace("left_leg = { ankle = -20 }", "left_leg = { ankel = -20 }", 1)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "ankel" in row)
    with pytest.raises(DemoError, match=rf"line {line}, keyframes\[1\]\.left_leg\.ankel: Extra"):
        parse_demo(text, "wall-abs.toml")


def test_a_missing_field_points_at_its_table() -> None:
    text = WALL_ABS.replace('support = "left"\n', "", 1)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row == "[[keyframes]]")
    with pytest.raises(DemoError, match=rf"line {line}, keyframes\[1\]\.support: Field required"):
        parse_demo(text, "wall-abs.toml")


def test_a_bad_view_names_its_table() -> None:
    text = WALL_ABS.replace("yaw = 90", "yaw = 90\npitch = 80")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row == "pitch = 80")
    with pytest.raises(DemoError, match=rf"^wall-abs.toml, line {line}, view.pitch: "):
        parse_demo(text, "wall-abs.toml")


def test_repeated_keyframe_names_are_refused() -> None:
    text = WALL_ABS.replace('name = "switch"', 'name = "lean"')
    with pytest.raises(
        DemoError, match=r"^wall-abs.toml: keyframe names must differ; repeated: lean$"
    ):
        parse_demo(text, "wall-abs.toml")


def test_a_missing_pose_file_is_named(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_FOLDER, tmp_path, dirs_exist_ok=True)
    (tmp_path / "band-monster-walk.toml").unlink()
    with pytest.raises(DemoError, match=r"^band-monster-walk.toml: missing from "):
        load_poses(tmp_path)


def test_a_loop_that_wanders_off_is_refused(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_FOLDER, tmp_path, dirs_exist_ok=True)
    walk = tmp_path / "band-monster-walk.toml"
    walk.write_text(walk.read_text().replace("follow = true", "follow = false"))
    with pytest.raises(DemoError, match=r"^band-monster-walk.toml, view.follow: .* \+0\.\d\d m"):
        load_poses(tmp_path)
