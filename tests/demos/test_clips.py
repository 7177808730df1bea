"""The rendered clips and the contact sheet: format, size, determinism, caching, what they show."""

import hashlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from PIL import Image

from bot.demos import clips as clips_module
from bot.demos.clips import (
    CAPTION,
    CELL,
    DEFAULT_FOLDER,
    DEMO_SLUGS,
    FPS,
    HEADER,
    LABEL_WIDTH,
    MAX_CLIP_BYTES,
    Clip,
    clip_name,
    contact_sheet,
    ensure_clips,
    load_poses,
)
from bot.demos.figure import (
    BAND,
    BAND_STRETCHED,
    FAR,
    NEAR,
    SIZE,
    band_ends,
    draw_frame,
    framing_for,
)
from bot.demos.kinematics import Motion, Vec
from bot.demos.pose import BAND_POSITIONS, Band

BANDED = ("banded-side-steps", "band-monster-walk", "standing-banded-fire-hydrant")
# Each exercise by its name, and each one with a band also with the band at every position.
CLIP_NAMES = {
    *DEMO_SLUGS,
    *(clip_name(slug, at) for slug in BANDED for at in BAND_POSITIONS),
}
CLIP_FILES = len(DEMO_SLUGS) - len(BANDED) + len(BANDED) * len(BAND_POSITIONS)

DOCS_SHEET = Path(__file__).resolve().parents[2] / "docs" / "demonstrations.png"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Clip]:
    return ensure_clips(tmp_path_factory.mktemp("clips"))


def test_h264_loops_480_square_silent_at_25_fps(rendered: dict[str, Clip]) -> None:
    assert set(rendered) == CLIP_NAMES
    for name, clip in rendered.items():
        frames = len(Motion(load_poses()[name.split("@")[0]]).frame_times(FPS))
        assert (clip.mime_type, clip.width, clip.height) == ("video/mp4", SIZE, SIZE)
        assert clip.duration_s == pytest.approx(frames / FPS)
        with av.open(str(clip.path)) as container:
            assert [s.type for s in container.streams] == ["video"]  # no sound
            video = container.streams.video[0]
            assert video.codec_context.name == "h264"
            assert (video.width, video.height) == (SIZE, SIZE)
            assert video.average_rate == FPS
            assert sum(1 for _ in container.decode(video=0)) == frames


def test_every_clip_is_within_400_kb(rendered: dict[str, Clip]) -> None:
    for clip in rendered.values():
        assert clip.path.stat().st_size <= MAX_CLIP_BYTES, clip.slug


def test_clip_hash_names_and_fingerprints_the_file(rendered: dict[str, Clip]) -> None:
    for name, clip in rendered.items():
        assert clip.path.name.startswith(f"{clip.slug}-") and clip.path.suffix == ".mp4"
        assert clip.sha256 == hashlib.sha256(clip.path.read_bytes()).hexdigest()
        # An exercise's own name is the clip with the band where its pose file draws it.
        band = load_poses()[name.split("@")[0]].props.band
        assert clip.slug == (name if "@" in name or band is None else clip_name(name, band.at))
    assert len({clip.sha256 for clip in rendered.values()}) == CLIP_FILES


def test_rendering_again_gives_the_same_bytes(rendered: dict[str, Clip], tmp_path: Path) -> None:
    again = ensure_clips(tmp_path)
    assert {slug: clip.sha256 for slug, clip in again.items()} == {
        slug: clip.sha256 for slug, clip in rendered.items()
    }


@pytest.fixture
def copied_cache(rendered: dict[str, Clip], tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A copy of the pose files and of the rendered cache, to change without re-rendering all."""
    poses, cache = tmp_path / "poses", tmp_path / "cache"
    shutil.copytree(DEFAULT_FOLDER, poses)
    cache.mkdir()
    for clip in rendered.values():
        shutil.copy(clip.path, cache / clip.path.name)
    yield poses, cache


def test_an_up_to_date_cache_renders_nothing(
    copied_cache: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    poses, cache = copied_cache

    def must_not_render(*args: object) -> None:
        raise AssertionError("rendered a clip that was already in the cache")

    monkeypatch.setattr(clips_module, "_render_to", must_not_render)
    assert set(ensure_clips(cache, poses)) == CLIP_NAMES


def test_an_edited_pose_file_renders_only_its_clip_and_drops_the_old_one(
    copied_cache: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    poses, cache = copied_cache
    wall_abs = poses / "wall-abs.toml"
    wall_abs.write_text(wall_abs.read_text().replace("hold = 1.0", "hold = 0.9", 1))
    old = {path.name for path in cache.glob("wall-abs-*.mp4")}
    rendered_now: list[Path] = []
    real_render = clips_module._render_to

    def spy(demo: object, path: Path) -> None:
        rendered_now.append(path)
        real_render(demo, path)  # type: ignore[arg-type]

    monkeypatch.setattr(clips_module, "_render_to", spy)
    result = ensure_clips(cache, poses)
    assert [path.name.split("-")[0:2] for path in rendered_now] == [["wall", "abs"]]
    assert {path.name for path in cache.glob("wall-abs-*.mp4")} == {result["wall-abs"].path.name}
    assert result["wall-abs"].path.name not in old
    assert len(list(cache.iterdir())) == CLIP_FILES


def _pixel_at(slug: str, keyframe: str, a: str, b: str) -> tuple[int, int, int]:
    """The colour drawn halfway between joints `a` and `b` at a keyframe."""
    motion = Motion(load_poses()[slug])
    joints = motion.keyframe_poses[keyframe].joints
    return _pixel_between(motion, keyframe, joints[a], joints[b])


def _pixel_between(motion: Motion, keyframe: str, a: Vec, b: Vec) -> tuple[int, int, int]:
    framing = framing_for(motion)
    picture = draw_frame(motion, motion.keyframe_poses[keyframe], framing)
    x, y = framing.pixel((((a[0] + b[0]) / 2), (a[1] + b[1]) / 2, (a[2] + b[2]) / 2))
    return picture.getpixel((round(x), round(y)))  # type: ignore[return-value]


def test_near_limbs_and_far_limbs_are_drawn_in_two_tones() -> None:
    # Seen from the right: the lifted right thigh is near, the standing left shin far.
    assert _pixel_at("wall-abs", "right-knee-up", "right_hip", "right_knee") == NEAR
    assert _pixel_at("wall-abs", "right-knee-up", "left_knee", "left_ankle") == FAR
    # Seen from behind on the right: the working right leg is near, the standing one far.
    hydrant = "standing-banded-fire-hydrant"
    assert _pixel_at(hydrant, "knee-out", "right_hip", "right_knee") == NEAR
    assert _pixel_at(hydrant, "knee-out", "left_knee", "left_ankle") == FAR


def test_the_band_is_drawn_and_pales_as_it_stretches() -> None:
    motion = Motion(load_poses()["banded-side-steps"])

    def band_colour(keyframe: str) -> tuple[int, int, int]:
        ends = band_ends(motion.keyframe_poses[keyframe].joints, "knees")
        return _pixel_between(motion, keyframe, *ends)

    def paleness(colour: tuple[int, int, int]) -> float:
        return sum(colour) / 3

    stepping, wide = band_colour("reach-right"), band_colour("wide-right")
    for colour in (stepping, wide):
        assert colour[1] > colour[0] and colour[1] > colour[2]  # green, the band's colour
    assert paleness(BAND) < paleness(stepping) < paleness(wide) <= paleness(BAND_STRETCHED)


def test_contact_sheet_shows_every_keyframe_of_all_six_and_is_deterministic() -> None:
    sheet = contact_sheet()
    assert sheet == contact_sheet()
    picture = Image.open(io.BytesIO(sheet))
    columns = max(len(demo.keyframes) for demo in load_poses().values())
    assert picture.format == "PNG"
    assert picture.size == (
        LABEL_WIDTH + columns * CELL + 16,
        HEADER + len(DEMO_SLUGS) * (CELL + CAPTION) + 12,
    )
    # Each row's first cell holds a drawing (not the blank sheet), each unused cell is blank.
    for row, demo in enumerate(load_poses().values()):
        top = HEADER + row * (CELL + CAPTION)
        used = picture.crop((LABEL_WIDTH, top, LABEL_WIDTH + CELL, top + CELL))
        assert len(used.getcolors(maxcolors=100_000) or ()) > 20
        left = LABEL_WIDTH + len(demo.keyframes) * CELL
        if len(demo.keyframes) < columns:
            blank = picture.crop((left, top, left + CELL, top + CELL))
            assert blank.getcolors() == [(CELL * CELL, (255, 255, 255))]


def test_the_documented_contact_sheet_has_the_current_layout() -> None:
    with Image.open(DOCS_SHEET) as documented:
        current = Image.open(io.BytesIO(contact_sheet()))
        assert documented.size == current.size


@pytest.mark.parametrize("slug", ["banded-side-steps", "band-monster-walk"])
def test_each_band_position_has_its_clip_with_the_band_there_and_nowhere_else(slug: str) -> None:
    demo = load_poses()[slug]
    for at in BAND_POSITIONS:
        placed = demo.model_copy(
            update={"props": demo.props.model_copy(update={"band": Band(at=at)})}
        )
        motion = Motion(placed)
        keyframe = next(iter(motion.keyframe_poses))
        joints = motion.keyframe_poses[keyframe].joints
        for where in BAND_POSITIONS:
            colour = _pixel_between(motion, keyframe, *band_ends(joints, where))
            green = colour[1] - max(colour[0], colour[2]) > 20  # the band's, not a leg's blue
            assert green == (where == at), (at, where, colour)
