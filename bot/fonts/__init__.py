"""The fonts the bot draws with (the /stats picture, the demonstrations' contact sheet): DejaVu
Sans subsets shipped here (LICENSE), so every language it speaks draws on any server."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

FOLDER = Path(__file__).resolve().parent


@cache
def font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(
        str(FOLDER / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size
    )
