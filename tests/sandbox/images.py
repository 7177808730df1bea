"""Tiny real images and clips for sandbox tests (the sandbox checks that uploads are what they
claim to be): a PNG, an animated GIF (Pillow) and an H.264 MP4 written by hand."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence

from PIL import Image

RGB = tuple[int, int, int]


def make_png(width: int, height: int) -> bytes:
    """A valid (tiny, grey) PNG of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# A runner's colours: a moving block on a light background, so a playing clip visibly changes.
BACKGROUND: RGB = (236, 242, 228)
BLOCK: RGB = (58, 95, 48)


def clip_frames(width: int, height: int, frames: int) -> list[list[list[RGB]]]:
    """Frames (rows of RGB pixels) of a block sliding left to right."""
    block = max(4, width // 4)
    result = []
    for index in range(frames):
        left = (width - block) * index // max(1, frames - 1)
        rows = []
        for y in range(height):
            inside_y = height // 4 <= y < height // 4 + max(4, height // 2)
            rows.append(
                [
                    BLOCK if inside_y and left <= x < left + block else BACKGROUND
                    for x in range(width)
                ]
            )
        result.append(rows)
    return result


def make_gif(width: int, height: int, frames: int = 4, frame_ms: int = 250) -> bytes:
    """An animated, looping GIF: `frames` frames of `frame_ms` each."""
    images = []
    for pixels in clip_frames(width, height, frames):
        image = Image.new("RGB", (width, height))
        image.putdata([pixel for row in pixels for pixel in row])
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=frame_ms, loop=0)
    return out.getvalue()


# ---------------------------------------------------------------------------- H.264 in MP4
#
# No encoder is needed for a test clip: H.264 lets a macroblock carry its pixels raw (I_PCM),
# so each frame is an IDR picture of such macroblocks, and the MP4 around it is a dozen boxes.
# Baseline profile, 4:2:0; browsers (Chromium's FFmpeg) decode it like any other clip.


class _Bits:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, count: int, value: int) -> None:
        self.bits.extend((value >> shift) & 1 for shift in range(count - 1, -1, -1))

    def ue(self, value: int) -> None:  # Exp-Golomb, unsigned
        code = value + 1
        self.u(code.bit_length() * 2 - 1, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align_zero(self) -> None:
        while len(self.bits) % 8:
            self.bits.append(0)

    def trailing(self) -> bytes:  # rbsp_trailing_bits
        self.bits.append(1)
        self.align_zero()
        return bytes(
            int("".join(map(str, self.bits[i : i + 8])), 2) for i in range(0, len(self.bits), 8)
        )


def _nal(kind: int, rbsp: bytes) -> bytes:
    """A NAL unit (ref_idc 3) with emulation prevention bytes."""
    out = bytearray([0x60 | kind])
    zeros = 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _sps(width: int, height: int) -> bytes:
    bits = _Bits()
    bits.u(8, 66)  # Baseline
    bits.u(8, 0xC0)  # constraint_set0 and set1
    bits.u(8, 30)  # level 3.0
    bits.ue(0)  # seq_parameter_set_id
    bits.ue(0)  # log2_max_frame_num_minus4
    bits.ue(2)  # pic_order_cnt_type: output order is decoding order
    bits.ue(1)  # max_num_ref_frames
    bits.u(1, 0)  # gaps_in_frame_num_value_allowed_flag
    bits.ue(width // 16 - 1)
    bits.ue(height // 16 - 1)
    bits.u(1, 1)  # frame_mbs_only_flag
    bits.u(1, 1)  # direct_8x8_inference_flag
    bits.u(1, 0)  # frame_cropping_flag
    bits.u(1, 0)  # vui_parameters_present_flag
    return _nal(7, bits.trailing())


def _pps() -> bytes:
    bits = _Bits()
    bits.ue(0)  # pic_parameter_set_id
    bits.ue(0)  # seq_parameter_set_id
    bits.u(1, 0)  # CAVLC
    bits.u(1, 0)  # bottom_field_pic_order_in_frame_present_flag
    bits.ue(0)  # num_slice_groups_minus1
    bits.ue(0)  # num_ref_idx_l0_default_active_minus1
    bits.ue(0)  # num_ref_idx_l1_default_active_minus1
    bits.u(1, 0)  # weighted_pred_flag
    bits.u(2, 0)  # weighted_bipred_idc
    bits.se(0)  # pic_init_qp_minus26
    bits.se(0)  # pic_init_qs_minus26
    bits.se(0)  # chroma_qp_index_offset
    bits.u(1, 0)  # deblocking_filter_control_present_flag
    bits.u(1, 0)  # constrained_intra_pred_flag
    bits.u(1, 0)  # redundant_pic_cnt_present_flag
    return _nal(8, bits.trailing())


def _ycbcr(pixel: RGB) -> tuple[int, int, int]:
    r, g, b = pixel  # BT.601, studio range
    y = 16 + (65.738 * r + 129.057 * g + 25.064 * b) / 256
    cb = 128 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256
    cr = 128 + (112.439 * r - 94.154 * g - 18.285 * b) / 256
    return round(y), round(cb), round(cr)


def _idr_slice(pixels: Sequence[Sequence[RGB]], idr_id: int) -> bytes:
    height, width = len(pixels), len(pixels[0])
    ycc = [[_ycbcr(p) for p in row] for row in pixels]
    bits = _Bits()
    bits.ue(0)  # first_mb_in_slice
    bits.ue(7)  # slice_type: I (and every slice of the picture is)
    bits.ue(0)  # pic_parameter_set_id
    bits.u(4, 0)  # frame_num
    bits.ue(idr_id)  # idr_pic_id: consecutive IDR pictures differ
    bits.u(1, 0)  # no_output_of_prior_pics_flag
    bits.u(1, 0)  # long_term_reference_flag
    bits.se(0)  # slice_qp_delta
    for mb_y in range(0, height, 16):
        for mb_x in range(0, width, 16):
            bits.ue(25)  # mb_type I_PCM
            bits.align_zero()
            for y in range(mb_y, mb_y + 16):
                for x in range(mb_x, mb_x + 16):
                    bits.u(8, ycc[y][x][0])
            for channel in (1, 2):  # Cb, then Cr: 8x8 each, from each 2x2 block's top left
                for y in range(mb_y, mb_y + 16, 2):
                    for x in range(mb_x, mb_x + 16, 2):
                        bits.u(8, ycc[y][x][channel])
    return _nal(5, bits.trailing())


def _box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I", 8 + len(body)) + kind + body


def _full_box(kind: bytes, version: int, flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", (version << 24) | flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def make_mp4(width: int, height: int, frames: int = 4, frame_ms: int = 250) -> bytes:
    """A silent H.264 MP4 (width and height multiples of 16): `frames` frames of `frame_ms`."""
    if width % 16 or height % 16:
        raise ValueError("width and height must be multiples of 16")
    sps, pps = _sps(width, height), _pps()
    samples = [
        struct.pack(">I", len(nal)) + nal
        for index, pixels in enumerate(clip_frames(width, height, frames))
        for nal in [_idr_slice(pixels, index % 2)]
    ]
    timescale, duration = 1000, frames * frame_ms
    avcc = _box(
        b"avcC",
        bytes([1, sps[1], sps[2], sps[3], 0xFF, 0xE1]),
        struct.pack(">H", len(sps)),
        sps,
        bytes([1]),
        struct.pack(">H", len(pps)),
        pps,
    )
    avc1 = _box(
        b"avc1",
        bytes(6),
        struct.pack(">H", 1),  # data_reference_index
        bytes(16),
        struct.pack(">HH", width, height),
        struct.pack(">II", 0x480000, 0x480000),  # 72 dpi
        bytes(4),
        struct.pack(">H", 1),  # frame_count
        bytes(32),  # compressorname
        struct.pack(">Hh", 0x18, -1),
        avcc,
    )
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 512), b"isomiso2avc1mp41")

    def moov(chunk_offset: int) -> bytes:
        stbl = _box(
            b"stbl",
            _full_box(b"stsd", 0, 0, struct.pack(">I", 1), avc1),
            _full_box(b"stts", 0, 0, struct.pack(">III", 1, frames, frame_ms)),
            _full_box(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, frames, 1)),
            _full_box(
                b"stsz",
                0,
                0,
                struct.pack(">II", 0, frames),
                b"".join(struct.pack(">I", len(s)) for s in samples),
            ),
            _full_box(b"stco", 0, 0, struct.pack(">II", 1, chunk_offset)),
        )
        minf = _box(
            b"minf",
            _full_box(b"vmhd", 0, 1, bytes(8)),
            _box(b"dinf", _full_box(b"dref", 0, 0, struct.pack(">I", 1), _full_box(b"url ", 0, 1))),
            stbl,
        )
        mdia = _box(
            b"mdia",
            _full_box(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, timescale, duration, 0x55C4, 0)),
            _full_box(b"hdlr", 0, 0, bytes(4), b"vide", bytes(12), b"VideoHandler\0"),
            minf,
        )
        tkhd = _full_box(
            b"tkhd",
            0,
            3,  # enabled, in the movie
            struct.pack(">IIIII", 0, 0, 1, 0, duration),
            bytes(8),
            struct.pack(">hhHH", 0, 0, 0, 0),  # layer, alternate group, volume, reserved
            _MATRIX,
            struct.pack(">II", width << 16, height << 16),
        )
        mvhd = _full_box(
            b"mvhd",
            0,
            0,
            struct.pack(">IIII", 0, 0, timescale, duration),
            struct.pack(">IH", 0x10000, 0x100),  # rate, volume
            bytes(10),
            _MATRIX,
            bytes(24),
            struct.pack(">I", 2),  # next_track_ID
        )
        return _box(b"moov", mvhd, _box(b"trak", tkhd, mdia))

    header = len(ftyp) + len(moov(0)) + 8  # the mdat's data follows its 8-byte header
    return ftyp + moov(header) + _box(b"mdat", *samples)
