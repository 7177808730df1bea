"""Frames to a silent looping clip: H.264 in MP4 (what the bot sends), or a GIF to compare with.

The MP4 is byte-for-byte reproducible on a machine, which takes two things:
- a fixed number of x264 threads (two): its output depends on the thread count, which would
  otherwise follow the machine's cores;
- a width and height that are multiples of 128. At 480x480 the chroma rows (240 bytes) are not
  a multiple of x264's 64-byte vector loads, and its SIMD code then reads a few bytes past the
  picture: the clip's bytes changed with whatever the process had freed before (measured: after
  decoding a video in the same process, 2 runs in 20 differed). At 512x512 they never did.
x264's SIMD and C paths differ in the last bits, so another CPU may make other (equally valid)
bytes; the cache is per machine. The container is written with FFmpeg's bitexact flag, so no
library version string or clock lands in the file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

MP4_MIME_TYPE = "video/mp4"
GIF_MIME_TYPE = "image/gif"

# Quality 26 on x264's constant-rate-factor scale: flat colours and clean edges survive, and a
# 4-second clip stays near 50 KB. "animation" tunes x264 for large flat areas like these.
# "veryfast" encodes the six clips about four times faster than "slow", and on these flat
# pictures the files come out no larger (docs/demonstrations.md).
_X264_OPTIONS = {
    "crf": "26",
    "preset": "veryfast",
    "tune": "animation",
    # Two threads on any machine: the same bytes everywhere; on two cores, half the wait.
    "threads": "2",
    # Say which colour matrix turned RGB into YUV (swscale's default, BT.601), so a player does
    # not guess BT.709 and shift the colours.
    "x264-params": "colorprim=smpte170m:transfer=smpte170m:colormatrix=smpte170m",
}


def write_mp4(frames: Sequence[Image.Image], fps: int, path: Path) -> None:
    """Encode `frames` (RGB, all one size) as H.264 in MP4 at `path`, no sound.

    `faststart` puts the index before the pictures so a browser can start playing at once; it
    needs a real file to rewrite, which is why this writes to a path rather than to memory.
    """
    width, height = frames[0].size
    with av.open(
        str(path), mode="w", format="mp4", options={"movflags": "+faststart", "fflags": "+bitexact"}
    ) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"  # what every phone and browser decodes
        stream.options = dict(_X264_OPTIONS)
        stream.time_base = Fraction(1, fps)
        for index, frame in enumerate(frames):
            picture = av.VideoFrame.from_image(frame).reformat(format="yuv420p")
            picture.pts, picture.time_base = index, Fraction(1, fps)  # frame i at i / fps
            container.mux(stream.encode(picture))
        container.mux(stream.encode())


def gif_bytes(frames: Sequence[Image.Image], fps: int) -> bytes:
    """The same frames as a looping GIF: one 256-colour palette shared by every frame (so no
    colour flickers between frames), no dithering (flat colours need none)."""
    sample = Image.new("RGB", (frames[0].width, frames[0].height * 4))
    for index, frame in enumerate(frames[:: max(1, len(frames) // 4)][:4]):
        sample.paste(frame, (0, frame.height * index))
    palette = sample.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    indexed = [frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in frames]
    buffer = io.BytesIO()
    indexed[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=indexed[1:],
        duration=round(1000 / fps),
        loop=0,
    )
    return buffer.getvalue()
