"""The /stats calendar as a PNG: weeks as columns, Mon-Sun as rows, a colour per day and a legend.

A pure function of the grid from `bot.coach.calendar`: no I/O, no clock, the same bytes for the
same input. Drawn with Pillow's built-in font, so it needs no font files on the server.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.coach.calendar import DayCell, grid_days
from bot.coach.schedule import WEEKDAY_NAMES
from bot.telegram import texts

CELL = 40
GAP = 8
LEFT = 64  # weekday labels
RIGHT = 28
TOP = 92  # title and month labels
BOTTOM = 72  # legend

BACKGROUND = (255, 255, 255)
INK = (55, 55, 60)
FAINT_INK = (140, 140, 148)
COLOURS: dict[DayCell, tuple[int, int, int]] = {
    DayCell.DONE: (46, 160, 67),
    DayCell.MISSED: (236, 112, 99),
    DayCell.FROZEN: (100, 181, 246),
    DayCell.REST: (222, 224, 228),
    DayCell.TODAY_PENDING: (255, 255, 255),
    DayCell.FUTURE: (246, 246, 248),
    DayCell.BEFORE_START: (246, 246, 248),
}
TODAY_OUTLINE = (40, 40, 48)
PENDING_OUTLINE = (46, 160, 67)
LEGEND: tuple[tuple[DayCell, str], ...] = (
    (DayCell.DONE, texts.HEATMAP_DONE),
    (DayCell.MISSED, texts.HEATMAP_MISSED),
    (DayCell.FROZEN, texts.HEATMAP_FROZEN),
    (DayCell.REST, texts.HEATMAP_REST),
)


def image_size(weeks: int) -> tuple[int, int]:
    """(width, height) of the picture for a calendar of `weeks` columns."""
    return LEFT + weeks * (CELL + GAP) - GAP + RIGHT, TOP + 7 * (CELL + GAP) - GAP + BOTTOM


def render_calendar(grid: Sequence[Sequence[DayCell]], today: date) -> bytes:
    """PNG bytes of `grid` (7 rows × weeks, as `calendar_grid` returns it for `today`)."""
    if len(grid) != 7 or not grid[0] or any(len(row) != len(grid[0]) for row in grid):
        raise ValueError("grid must be 7 rows of equal, non-zero length")
    weeks = len(grid[0])
    days = grid_days(today, weeks)
    image = Image.new("RGB", image_size(weeks), BACKGROUND)
    draw = ImageDraw.Draw(image)

    draw.text((LEFT, 18), texts.HEATMAP_TITLE, fill=INK, font=_font(22))
    _month_labels(draw, [days[0][week] for week in range(weeks)])
    for weekday in range(7):
        y = TOP + weekday * (CELL + GAP)
        draw.text(
            (14, y + CELL // 2), WEEKDAY_NAMES[weekday], fill=FAINT_INK, font=_font(14), anchor="lm"
        )
        for week in range(weeks):
            x = LEFT + week * (CELL + GAP)
            _cell(draw, x, y, grid[weekday][week], is_today=days[weekday][week] == today)
    _legend(draw, image.height - BOTTOM + 28)

    buffer = io.BytesIO()
    # zlib level 3 instead of the default 6: a third faster for about 4 KB more on ~15 KB.
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def _cell(draw: ImageDraw.ImageDraw, x: int, y: int, cell: DayCell, *, is_today: bool) -> None:
    box = (x, y, x + CELL - 1, y + CELL - 1)
    outline, width = None, 0
    if cell is DayCell.TODAY_PENDING:
        outline, width = PENDING_OUTLINE, 3
    elif is_today:
        outline, width = TODAY_OUTLINE, 3
    draw.rounded_rectangle(box, radius=8, fill=COLOURS[cell], outline=outline, width=width)


def _month_labels(draw: ImageDraw.ImageDraw, mondays: list[date]) -> None:
    """A month's short name above the first week whose Monday falls in it."""
    for week, monday in enumerate(mondays):
        if week == 0 or monday.month != mondays[week - 1].month:
            x = LEFT + week * (CELL + GAP)
            draw.text((x, TOP - 26), monday.strftime("%b"), fill=FAINT_INK, font=_font(14))


def _legend(draw: ImageDraw.ImageDraw, y: int) -> None:
    x = LEFT
    font = _font(15)
    swatch = 18
    for cell, label in (*LEGEND, (DayCell.FUTURE, texts.HEATMAP_TODAY)):
        outline = TODAY_OUTLINE if label == texts.HEATMAP_TODAY else None
        draw.rounded_rectangle(
            (x, y - swatch // 2, x + swatch, y + swatch // 2),
            radius=4,
            fill=COLOURS[cell],
            outline=outline,
            width=2 if outline else 0,
        )
        x += swatch + 8
        draw.text((x, y), label, fill=INK, font=font, anchor="lm")
        x += int(draw.textlength(label, font=font)) + 22


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):  # Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()
