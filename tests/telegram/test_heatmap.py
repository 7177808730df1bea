"""The /stats calendar picture: a valid PNG of the promised size, each day in its colour."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.coach.calendar import DayCell, calendar_grid
from bot.fonts import font
from bot.i18n import use
from bot.telegram.heatmap import (
    CELL,
    COLOURS,
    ENGLISH,
    GAP,
    LABEL_SIZE,
    LEFT,
    TITLE_SIZE,
    TOP,
    image_size,
    render_calendar,
)
from bot.telegram.stats import calendar_labels

TODAY = date(2026, 11, 25)  # a Wednesday
MWF = frozenset({0, 2, 4})


def pixel(png: bytes, weekday: int, week: int) -> tuple[int, int, int]:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return image.getpixel(
        (LEFT + week * (CELL + GAP) + CELL // 2, TOP + weekday * (CELL + GAP) + CELL // 2)
    )


def test_a_valid_png_of_the_promised_size() -> None:
    grid = calendar_grid([TODAY], [], MWF, TODAY)
    png = render_calendar(grid, TODAY)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert image.size == image_size(12)
    width, height = image.size
    # Telegram's photo limits: width + height <= 10000, aspect ratio at most 20.
    assert width + height <= 10_000 and max(width, height) <= 20 * min(width, height)


def test_each_day_is_drawn_in_its_colour() -> None:
    monday = TODAY - timedelta(days=2)
    last_week = monday - timedelta(days=7)
    done = [monday, last_week + timedelta(days=4)]
    frozen = [last_week + timedelta(days=2)]
    grid = calendar_grid(done, frozen, MWF, TODAY, since=last_week - timedelta(days=7))
    png = render_calendar(grid, TODAY)
    assert pixel(png, 0, 11) == COLOURS[DayCell.DONE]
    assert pixel(png, 2, 10) == COLOURS[DayCell.FROZEN]
    assert pixel(png, 0, 10) == COLOURS[DayCell.MISSED]
    assert pixel(png, 4, 10) == COLOURS[DayCell.DONE]
    assert pixel(png, 1, 10) == COLOURS[DayCell.REST]
    assert pixel(png, 4, 11) == COLOURS[DayCell.FUTURE]
    assert pixel(png, 0, 0) == COLOURS[DayCell.BEFORE_START]


def test_same_input_same_bytes_and_other_widths() -> None:
    grid = calendar_grid([TODAY], [], None, TODAY, weeks=4)
    assert render_calendar(grid, TODAY) == render_calendar(grid, TODAY)
    assert Image.open(io.BytesIO(render_calendar(grid, TODAY))).size == image_size(4)


def test_a_malformed_grid_is_refused() -> None:
    with pytest.raises(ValueError):
        render_calendar([[DayCell.REST]] * 6, TODAY)


def test_the_words_read_on_a_phone_where_the_picture_is_300_px_wide() -> None:
    """Telegram shows a photo about 300 px wide in a phone's chat: the weekday, month and legend
    words must still be at least 11 px tall there (the old 660 px picture's were about 5)."""
    width, _ = image_size(12)
    scale = 300 / width
    for size in (LABEL_SIZE, TITLE_SIZE):
        _, top, _, bottom = font(size).getbbox("Mo Sep done")
        assert (bottom - top) * scale >= 11, size
    # Few words: two-letter weekdays, one word per legend entry.
    assert all(len(day) <= 2 for day in ENGLISH.weekdays)
    assert all(" " not in word for word in (ENGLISH.done, ENGLISH.missed, ENGLISH.rest))


def test_a_language_with_long_words_wraps_the_legend_instead_of_cutting_it() -> None:
    long = replace(
        ENGLISH, done="ausgeführt-ausgeführt", missed="ausgelassen-ausgelassen", rest="Ruhetag"
    )
    grid = calendar_grid([TODAY], [], MWF, TODAY)
    image = Image.open(io.BytesIO(render_calendar(grid, TODAY, long))).convert("RGB")
    assert image.size == image_size(12, long) and image.height > image_size(12)[1]
    # Nothing is drawn in the right margin: no word runs off the picture.
    width, height = image.size
    margin = image.crop((width - 8, 0, width, height))
    assert margin.getcolors() == [(8 * height, (255, 255, 255))]


@pytest.mark.parametrize("locale", ["ru", "uk"])
def test_cyrillic_labels_are_drawn_with_real_glyphs_not_boxes(locale: str) -> None:
    """Every character of the Russian and Ukrainian picture's words has a glyph in the shipped
    font: none is drawn as the box a font shows for a character it lacks."""
    with use(locale):
        labels = calendar_labels()
    words = [labels.title, *labels.weekdays, *labels.months, labels.done, labels.missed]
    words += [labels.frozen, labels.rest, labels.today]
    assert any("\u0400" <= ch <= "\u04ff" for ch in "".join(words)), "the words are Cyrillic"

    def glyph(ch: str) -> bytes:
        return bytes(font(LABEL_SIZE).getmask(ch))

    missing = glyph("\ue000")  # a private-use character: the font has no glyph for it
    assert glyph("\u4e00") == missing, "a character the font lacks is told apart this way"
    lacking = {ch for ch in "".join(words) if not ch.isspace() and glyph(ch) == missing}
    assert not lacking, lacking
    grid = calendar_grid([TODAY], [], MWF, TODAY)
    png = render_calendar(grid, TODAY, labels)
    assert Image.open(io.BytesIO(png)).size == image_size(12, labels)
