"""The exercise demonstrations as the bot uses them: pose files in, cached looping clips out.

`ensure_clips` renders each exercise's loop from its pose file into a cache folder (only when
the file or the renderer changed) and returns what the Telegram side needs to send it;
`contact_sheet` draws every keyframe of all six on one picture for people to check.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from PIL import Image, ImageDraw

from bot.demos import encode, figure, kinematics, pose
from bot.demos.figure import FLOOR_ROW, SIZE, Framing, draw_frame, figure_bounds, framing_for
from bot.demos.kinematics import Motion
from bot.demos.pose import BAND_POSITIONS, Band, Demo, DemoError, load_demo

# The shipped DejaVu Sans (bot/fonts), as the /stats picture draws with.
from bot.fonts import font

__all__ = [
    "DEFAULT_FOLDER",
    "DEMO_SLUGS",
    "Clip",
    "Demo",
    "DemoError",
    "clip_name",
    "contact_sheet",
    "ensure_clips",
    "load_poses",
    "render_frames",
]

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "data" / "demos"
# In the order of data/routine.toml.
DEMO_SLUGS: tuple[str, ...] = (
    "banded-side-steps",
    "wall-abs",
    "band-monster-walk",
    "slow-eccentric-heel-taps",
    "standing-banded-fire-hydrant",
    "single-leg-rdl-to-march",
)
FPS = 25
MAX_CLIP_BYTES = 400 * 1024
# A walking loop that does not end where it began would jump each time it repeats.
_LOOP_TOLERANCE_M = 0.005


@dataclass(frozen=True)
class Clip:
    """One rendered demonstration, ready to send (Telegram's sendAnimation takes it as is)."""

    slug: str
    path: Path
    mime_type: str
    width: int
    height: int
    duration_s: float
    sha256: str


def load_poses(folder: Path = DEFAULT_FOLDER) -> dict[str, Demo]:
    """The six pose files, validated, by slug in routine order; DemoError names file and field."""
    demos: dict[str, Demo] = {}
    for slug in DEMO_SLUGS:
        path = folder / f"{slug}.toml"
        if not path.is_file():
            raise DemoError(f"{path.name}: missing from {folder}")
        demo = load_demo(path)
        if not demo.view.follow:
            x, z = Motion(demo).drift
            if max(abs(x), abs(z)) > _LOOP_TOLERANCE_M:
                raise DemoError(
                    f"{path.name}, view.follow: the runner ends the loop {x:+.2f} m forward and "
                    f"{z:+.2f} m to the right of where it began; make the steps return, or set "
                    f"follow = true for a walk"
                )
        demos[slug] = demo
    return demos


def render_frames(demo: Demo, size: int = SIZE) -> list[Image.Image]:
    """Every frame of one loop, `size` pixels square."""
    motion = Motion(demo)
    framing = framing_for(motion, size)
    return [draw_frame(motion, motion.at(time), framing) for time in motion.frame_times(FPS)]


def clip_name(slug: str, band_at: str | None = None) -> str:
    """The clip of an exercise, with the band where the runner's level puts it: a level that
    moves the band to the ankles shows it at the ankles."""
    return slug if band_at is None else f"{slug}@{band_at}"


def ensure_clips(cache_dir: Path, folder: Path = DEFAULT_FOLDER) -> dict[str, Clip]:
    """Every clip in `cache_dir`, rendering any that is missing or out of date: one per
    exercise, and for an exercise with a band one per band position (`clip_name`; the plain
    name is the position its pose file draws).

    A clip's file name carries a hash of its pose file and of the renderer, so an edit to
    either makes a new file; older files of that clip are removed. Rendering is deterministic:
    the same inputs give the same bytes on any machine with the same libraries.
    """
    demos = load_poses(folder)
    cache_dir.mkdir(parents=True, exist_ok=True)
    clips: dict[str, Clip] = {}
    for slug, demo in demos.items():
        source = (folder / f"{slug}.toml").read_bytes() + renderer_version().encode()
        if demo.props.band is None:
            clips[slug] = _ensure_clip(cache_dir, slug, demo, source)
            continue
        for stale in _files_of(cache_dir, slug):  # from before the band had positions
            stale.unlink(missing_ok=True)
        for at in BAND_POSITIONS:
            name = clip_name(slug, at)
            band = demo.props.model_copy(update={"band": Band(at=at)})
            placed = demo.model_copy(update={"props": band})
            clips[name] = _ensure_clip(cache_dir, name, placed, source + at.encode())
        clips[slug] = clips[clip_name(slug, demo.props.band.at)]
    return clips


def _ensure_clip(cache_dir: Path, name: str, demo: Demo, source: bytes) -> Clip:
    path = cache_dir / f"{name}-{hashlib.sha256(source).hexdigest()[:16]}.mp4"
    if not path.is_file():
        _render_to(demo, path)
    for stale in _files_of(cache_dir, name):
        if stale != path:
            stale.unlink(missing_ok=True)
    return Clip(
        slug=name,
        path=path,
        mime_type=encode.MP4_MIME_TYPE,
        width=SIZE,
        height=SIZE,
        duration_s=len(Motion(demo).frame_times(FPS)) / FPS,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


def _files_of(cache_dir: Path, name: str) -> list[Path]:
    """The cached files of exactly this clip: `<name>-<16 hex digits>.mp4`."""
    return list(cache_dir.glob(f"{name}-{'[0-9a-f]' * 16}.mp4"))


def _render_to(demo: Demo, path: Path) -> None:
    # Write beside the final name and rename: a crash mid-way never leaves a half clip that
    # the next start would take for a finished one.
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial.mp4")
    try:
        encode.write_mp4(render_frames(demo), FPS, partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


@cache
def renderer_version() -> str:
    """A hash of everything besides the pose file that decides a clip's bytes: this package's
    drawing and encoding code and the versions of Pillow and PyAV (which carries x264)."""
    digest = hashlib.sha256()
    for module in (pose, kinematics, figure, encode):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(f"fps={FPS} pillow={version('pillow')} av={version('av')}".encode())
    return digest.hexdigest()[:16]


# --- The contact sheet ----------------------------------------------------------------------

CELL = 220
LABEL_WIDTH = 230
CAPTION = 30
HEADER = 56
INK = (48, 52, 62)
FAINT_INK = (120, 124, 134)
SHEET_BACKGROUND = (255, 255, 255)


def contact_sheet(folder: Path = DEFAULT_FOLDER) -> bytes:
    """PNG of every exercise's keyframes, one row each, drawn by the same code as the clips."""
    demos = load_poses(folder)
    columns = max(len(demo.keyframes) for demo in demos.values())
    width = LABEL_WIDTH + columns * CELL + 16
    height = HEADER + len(demos) * (CELL + CAPTION) + 12
    sheet = Image.new("RGB", (width, height), SHEET_BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text(
        (16, 18),
        "Warm-up Coach: the keyframes of each demonstration, drawn from data/demos/*.toml",
        fill=INK,
        font=font(20),
    )
    for row, demo in enumerate(demos.values()):
        top = HEADER + row * (CELL + CAPTION)
        motion = Motion(demo)
        framing = framing_for(motion)
        crop = _row_crop(motion, framing)
        _row_label(draw, demo, top)
        for column, (name, posed) in enumerate(motion.keyframe_poses.items()):
            left = LABEL_WIDTH + column * CELL
            picture = draw_frame(motion, posed, framing).crop(crop)
            sheet.paste(picture.resize((CELL, CELL), Image.Resampling.LANCZOS), (left, top))
            draw.text(
                (left + CELL // 2, top + CELL + 4),
                name,
                fill=FAINT_INK,
                font=font(14),
                anchor="ma",
            )
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _row_crop(motion: Motion, framing: Framing) -> tuple[int, int, int, int]:
    """One square around the runner in every keyframe of a row (and the floor under them), so
    the cells are larger than the clip's wide shot and line up with each other."""
    boxes = [figure_bounds(posed, framing) for posed in motion.keyframe_poses.values()]
    left, top = min(box[0] for box in boxes), min(box[1] for box in boxes)
    right = max(box[2] for box in boxes)
    bottom = max(max(box[3] for box in boxes), framing.size * (FLOOR_ROW + 0.04))
    side = min(framing.size, max(right - left, bottom - top))
    centre = (left + right) / 2
    x0 = round(min(max(0, centre - side / 2), framing.size - side))
    y0 = round(min(max(0, bottom - side), framing.size - side))
    return x0, y0, x0 + round(side), y0 + round(side)


def _row_label(draw: ImageDraw.ImageDraw, demo: Demo, top: int) -> None:
    words, lines, line = demo.title.split(), [], ""
    for word in words:  # wrap the title to the label column
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font(18)) > LABEL_WIDTH - 28 and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    y = top + 24
    for text in lines:
        draw.text((16, y), text, fill=INK, font=font(18))
        y += 24
    seconds = Motion(demo).duration
    draw.text(
        (16, y + 6), f"{seconds:.1f} s loop, {_viewpoint(demo)}", fill=FAINT_INK, font=font(13)
    )


def _viewpoint(demo: Demo) -> str:
    yaw = demo.view.yaw % 360
    if yaw <= 45 or yaw >= 315:
        return "from the front"
    if 135 <= yaw <= 225:
        return "from behind"
    return "from the side"
