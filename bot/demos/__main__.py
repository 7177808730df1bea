"""`python -m bot.demos`: render the six demonstration clips and the contact sheet.

Prints each clip's size and the time taken. `--compare-formats 480` also encodes every loop as
a GIF and as an MP4 at that size and reports size and fidelity of both (docs/demonstrations.md).
"""

from __future__ import annotations

import argparse
import io
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import av
from PIL import Image, ImageChops, ImageSequence

from bot.demos import encode
from bot.demos.clips import (
    DEFAULT_FOLDER,
    FPS,
    MAX_CLIP_BYTES,
    DemoError,
    contact_sheet,
    ensure_clips,
    load_poses,
    render_frames,
)

REPO = Path(__file__).resolve().parents[2]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.demos", description=__doc__)
    parser.add_argument("--poses", type=Path, default=DEFAULT_FOLDER, help="pose files' folder")
    parser.add_argument(
        "--out", type=Path, default=REPO / "build" / "demos", help="where the clips go"
    )
    parser.add_argument(
        "--sheet",
        type=Path,
        default=REPO / "docs" / "demonstrations.png",
        help="where the contact sheet goes",
    )
    parser.add_argument(
        "--compare-formats",
        type=int,
        metavar="PIXELS",
        help="also measure GIF against MP4 at this size (the issue asks for 480)",
    )
    args = parser.parse_args(argv)
    try:
        started = time.perf_counter()
        clips = ensure_clips(args.out, args.poses)
        elapsed = time.perf_counter() - started
        for clip in clips.values():
            size = clip.path.stat().st_size
            print(f"{clip.slug:30} {size / 1024:6.1f} KB  {clip.duration_s:.2f} s  {clip.path}")
        print(f"clips ready in {elapsed:.2f} s (only missing or outdated ones are rendered)")
        too_big = [c.slug for c in clips.values() if c.path.stat().st_size > MAX_CLIP_BYTES]
        args.sheet.write_bytes(contact_sheet(args.poses))
        print(f"contact sheet: {args.sheet}")
        if args.compare_formats:
            _compare_formats(args.poses, args.compare_formats)
    except DemoError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if too_big:
        print(f"error: over {MAX_CLIP_BYTES // 1024} KB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


def _compare_formats(folder: Path, size: int) -> None:
    """Size, encoding time and fidelity (PSNR against the drawn frames) of MP4 and GIF."""
    print(f"\n{'exercise':30} {'MP4 KB':>7} {'dB':>5} {'s':>5}   {'GIF KB':>7} {'dB':>5} {'s':>5}")
    with tempfile.TemporaryDirectory() as scratch:
        for slug, demo in load_poses(folder).items():
            frames = render_frames(demo, size)
            path = Path(scratch) / f"{slug}.mp4"
            started = time.perf_counter()
            encode.write_mp4(frames, FPS, path)
            mp4_seconds = time.perf_counter() - started
            with av.open(str(path)) as container:
                mp4_frames = [f.to_image() for f in container.decode(video=0)]
            started = time.perf_counter()
            gif = encode.gif_bytes(frames, FPS)
            gif_seconds = time.perf_counter() - started
            gif_frames = _gif_frames(gif)
            print(
                f"{slug:30} {path.stat().st_size / 1024:7.1f} {_psnr(frames, mp4_frames):5.1f} "
                f"{mp4_seconds:5.2f}   {len(gif) / 1024:7.1f} {_psnr(frames, gif_frames):5.1f} "
                f"{gif_seconds:5.2f}"
            )


def _gif_frames(data: bytes) -> list[Image.Image]:
    """The GIF's pictures at the clip's frame rate (Pillow merges a held pose into one picture
    shown longer, so each is repeated for as long as it is shown)."""
    frames = []
    for frame in ImageSequence.Iterator(Image.open(io.BytesIO(data))):
        repeat = round(frame.info["duration"] * FPS / 1000)
        frames += [frame.convert("RGB")] * repeat
    return frames


def _psnr(originals: Sequence[Image.Image], decoded: Sequence[Image.Image]) -> float:
    """Peak signal-to-noise ratio over all frames, in dB (higher is closer to the drawing)."""
    if len(originals) != len(decoded):
        raise ValueError(f"{len(decoded)} frames decoded, {len(originals)} drawn")
    total, count = 0.0, 0
    for original, copy in zip(originals, decoded, strict=True):
        histogram = ImageChops.difference(original, copy).histogram()
        for channel in range(3):
            counts = histogram[channel * 256 : (channel + 1) * 256]
            total += sum(n * value * value for value, n in enumerate(counts))
            count += sum(counts)
    mean_square = total / count
    return math.inf if mean_square == 0 else 10 * math.log10(255**2 / mean_square)


if __name__ == "__main__":
    sys.exit(main())
