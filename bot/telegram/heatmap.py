"""The /stats calendar as a PNG: weeks as columns, Mon-Sun as rows, a colour per day and a legend.

Drawn for a phone first: Telegram shows a photo about 300 px wide in a chat, so the picture is
600 px wide (sharp on a 2x screen) and its smallest words are 24 px, 12 px on the phone. Words
are few: two-letter weekdays, short months, one-word legend entries (wrapped onto a second line
when a language needs the room).

A pure function of the grid from `bot.coach.calendar` and the words to write: no I/O, no clock,
the same bytes for the same input. The font is a DejaVu Sans subset shipped with the bot
(bot/fonts), so every language the bot speaks draws, Cyrillic included, on any server.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw

from bot.coach.calendar import DayCell, grid_days
from bot.fonts import font

WIDTH = 600
TITLE_SIZE = 32
LABEL_SIZE = 24  # weekdays, months, legend: 12 px when shown 300 px wide
CELL = 38
GAP = 6
LEFT = 58  # weekday labels
TOP = 104  # title and month labels
LEGEND_ROW = 40

BACKGROUND = (255, 255, 255)
INK = (45, 45, 50)
FAINT_INK = (110, 110, 118)
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


@dataclass(frozen=True)
class CalendarLabels:
    """The words on the picture, in the runner's language."""

    title: str
    weekdays: tuple[str, ...]  # Monday first, two letters or so
    months: tuple[str, ...]  # January first, abbreviated
    done: str
    missed: str
    frozen: str
    rest: str
    today: str


ENGLISH = CalendarLabels(
    title="Last 12 weeks",
    weekdays=("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
    months=("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    done="done",
    missed="missed",
    frozen="frozen",
    rest="rest",
    today="today",
)


def image_size(weeks: int, labels: CalendarLabels = ENGLISH) -> tuple[int, int]:
    """(width, height) of the picture for a calendar of `weeks` columns."""
    width = max(WIDTH, LEFT + weeks * (CELL + GAP) - GAP + 20)
    rows = len(_legend_rows(labels, width))
    return width, TOP + 7 * (CELL + GAP) - GAP + 20 + rows * LEGEND_ROW + 12


def render_calendar(
    grid: Sequence[Sequence[DayCell]], today: date, labels: CalendarLabels = ENGLISH
) -> bytes:
    """PNG bytes of `grid` (7 rows × weeks, as `calendar_grid` returns it for `today`)."""
    if len(grid) != 7 or not grid[0] or any(len(row) != len(grid[0]) for row in grid):
        raise ValueError("grid must be 7 rows of equal, non-zero length")
    weeks = len(grid[0])
    days = grid_days(today, weeks)
    image = Image.new("RGB", image_size(weeks, labels), BACKGROUND)
    draw = ImageDraw.Draw(image)

    draw.text((LEFT, 16), labels.title, fill=INK, font=font(TITLE_SIZE, bold=True))
    _month_labels(draw, [days[0][week] for week in range(weeks)], labels)
    for weekday in range(7):
        y = TOP + weekday * (CELL + GAP)
        draw.text(
            (12, y + CELL // 2),
            labels.weekdays[weekday],
            fill=FAINT_INK,
            font=font(LABEL_SIZE),
            anchor="lm",
        )
        for week in range(weeks):
            x = LEFT + week * (CELL + GAP)
            _cell(draw, x, y, grid[weekday][week], is_today=days[weekday][week] == today)
    legend_top = TOP + 7 * (CELL + GAP) - GAP + 20
    for row, entries in enumerate(_legend_rows(labels, image.width)):
        _legend_row(draw, legend_top + row * LEGEND_ROW + LEGEND_ROW // 2, entries, labels)

    buffer = io.BytesIO()
    # zlib level 3 instead of the default 6: a third faster for a few KB more.
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


def _month_labels(draw: ImageDraw.ImageDraw, mondays: list[date], labels: CalendarLabels) -> None:
    """A month's short name above the first week whose Monday falls in it (none so close to the
    next that the two would touch)."""
    label_font = font(LABEL_SIZE)
    last_end = -1
    for week, monday in enumerate(mondays):
        if week == 0 or monday.month != mondays[week - 1].month:
            x = LEFT + week * (CELL + GAP)
            name = labels.months[monday.month - 1]
            if x <= last_end:
                continue
            draw.text((x, TOP - 34), name, fill=FAINT_INK, font=label_font)
            last_end = x + int(draw.textlength(name, font=label_font)) + 8


_SWATCH = 22
_ENTRY_GAP = 22


def _legend_entries(labels: CalendarLabels) -> list[tuple[DayCell, str, bool]]:
    return [
        (DayCell.DONE, labels.done, False),
        (DayCell.MISSED, labels.missed, False),
        (DayCell.FROZEN, labels.frozen, False),
        (DayCell.REST, labels.rest, False),
        (DayCell.FUTURE, labels.today, True),
    ]


def _legend_rows(labels: CalendarLabels, width: int) -> list[list[tuple[DayCell, str, bool]]]:
    """The legend's entries, as many to a row as fit in the picture's width."""
    label_font = font(LABEL_SIZE)
    rows: list[list[tuple[DayCell, str, bool]]] = [[]]
    x = LEFT
    for entry in _legend_entries(labels):
        size = _SWATCH + 8 + int(label_font.getlength(entry[1]))
        if rows[-1] and x + size > width - 12:
            rows.append([])
            x = LEFT
        rows[-1].append(entry)
        x += size + _ENTRY_GAP
    return rows


def _legend_row(
    draw: ImageDraw.ImageDraw,
    y: int,
    entries: list[tuple[DayCell, str, bool]],
    labels: CalendarLabels,
) -> None:
    x = LEFT
    label_font = font(LABEL_SIZE)
    for cell, label, outlined in entries:
        draw.rounded_rectangle(
            (x, y - _SWATCH // 2, x + _SWATCH, y + _SWATCH // 2),
            radius=5,
            fill=COLOURS[cell],
            outline=TODAY_OUTLINE if outlined else None,
            width=2 if outlined else 0,
        )
        x += _SWATCH + 8
        draw.text((x, y), label, fill=INK, font=label_font, anchor="lm")
        x += int(draw.textlength(label, font=label_font)) + _ENTRY_GAP
