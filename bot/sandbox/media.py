"""Media sniffing for the sandbox, so sendPhoto and sendAnimation answer with real dimensions.

Telegram rejects photo uploads it cannot decode; reading the size from the header is enough
to tell an image from arbitrary bytes without depending on an imaging library. Animations
(GIF, MP4) are read the same way, for their size and length.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF or WebP image, or None if it is none of those."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # padding between markers
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        # SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def photo_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram would offer for an uploaded photo, smallest first."""
    sizes: list[tuple[int, int]] = []
    longest = max(width, height)
    for limit in (90, 320, 800, 1280):
        if longest > limit:
            scale = limit / longest
            sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
    if longest > 2560:
        scale = 2560 / longest
        sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
    else:
        sizes.append((width, height))
    return sizes


@dataclass(frozen=True)
class ClipInfo:
    """What an animation upload is: its type, size in pixels and length."""

    mime_type: str
    width: int
    height: int
    duration: float  # seconds


def animation_info(data: bytes) -> ClipInfo | None:
    """A GIF's or an MP4's type, size and length from its own bytes; None if it is neither
    (or is cut short). Telegram's animations are exactly these two (the spec: "GIF or
    H.264/MPEG-4 AVC video without sound")."""
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return _gif_info(data)
    if data[4:8] == b"ftyp":
        return _mp4_info(data)
    return None


def _gif_info(data: bytes) -> ClipInfo | None:
    """Walks the GIF's blocks, adding up the frame delays (hundredths of a second)."""
    if len(data) < 13:
        return None
    width, height, flags = struct.unpack("<HHB", data[6:11])
    i = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    centiseconds = 0
    while i < len(data):
        block = data[i]
        if block == 0x3B:  # trailer
            return ClipInfo("image/gif", width, height, centiseconds / 100)
        if block == 0x21 and i + 1 < len(data):  # extension
            if data[i + 1] == 0xF9 and i + 6 <= len(data):  # graphic control: the delay
                centiseconds += struct.unpack("<H", data[i + 4 : i + 6])[0]
            i = _skip_sub_blocks(data, i + 2)
        elif block == 0x2C and i + 10 <= len(data):  # an image: its descriptor, colours, pixels
            local = data[i + 9]
            i += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
            i = _skip_sub_blocks(data, i + 1)  # after the LZW code size
        else:
            return None
    return None  # no trailer: cut short


def _skip_sub_blocks(data: bytes, i: int) -> int:
    while i < len(data) and data[i]:
        i += data[i] + 1
    return i + 1


def _mp4_info(data: bytes) -> ClipInfo | None:
    """The movie's length (mvhd) and its video track's size (tkhd, 16.16 fixed point)."""
    moov = _find_box(data, 0, len(data), b"moov")
    if moov is None:
        return None
    mvhd = _find_box(data, *moov, b"mvhd")
    if mvhd is None:
        return None
    start = mvhd[0]
    if data[start] == 1:  # version 1: 64-bit times
        timescale, duration = struct.unpack(">IQ", data[start + 20 : start + 32])
    else:
        timescale, duration = struct.unpack(">II", data[start + 12 : start + 20])
    for trak in _boxes(data, *moov, b"trak"):
        mdia = _find_box(data, *trak, b"mdia")
        hdlr = _find_box(data, *mdia, b"hdlr") if mdia else None
        tkhd = _find_box(data, *trak, b"tkhd")
        if hdlr and tkhd and data[hdlr[0] + 8 : hdlr[0] + 12] == b"vide":
            width, height = struct.unpack(">II", data[tkhd[1] - 8 : tkhd[1]])
            seconds = duration / timescale if timescale else 0.0
            return ClipInfo("video/mp4", width >> 16, height >> 16, seconds)
    return None


def _boxes(data: bytes, start: int, end: int, kind: bytes) -> list[tuple[int, int]]:
    """(content start, end) of each box of this kind directly inside data[start:end]."""
    found = []
    i = start
    while i + 8 <= end:
        size, box = struct.unpack(">I4s", data[i : i + 8])
        header = 8
        if size == 1 and i + 16 <= end:  # a 64-bit size follows
            size, header = struct.unpack(">Q", data[i + 8 : i + 16])[0], 16
        elif size == 0:  # to the end
            size = end - i
        if size < header or i + size > end:
            break
        if box == kind:
            found.append((i + header, i + size))
        i += size
    return found


def _find_box(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    found = _boxes(data, start, end, kind)
    return found[0] if found else None
