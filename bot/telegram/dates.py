"""Dates, times, weekday and month names and durations in the runner's language, from CLDR
through Babel: "Fri, 4 Dec, 06:30" in English is "Пт, 4 дек., 06:30" in Russian."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from babel.dates import format_datetime, format_time, get_day_names, get_month_names
from babel.numbers import format_decimal
from babel.units import format_unit

from bot.i18n import current_locale
from bot.telegram import texts

# 24-hour clock everywhere: runners type their run time that way (/remind 07:00).
CLOCK = "HH:mm"


def clock(value: time | datetime) -> str:
    """ "06:30" """
    return format_time(value, CLOCK, locale=current_locale())


def when(value: datetime) -> str:
    """A reminder's instant, local: "Fri, 4 Dec, 06:30"."""
    return _capitalised(format_datetime(value, f"EEE, d MMM, {CLOCK}", locale=current_locale()))


def day_names() -> tuple[str, ...]:
    """Monday first, abbreviated: "Mon" ... "Sun", "Пн" ... "Вс"."""
    names = get_day_names("abbreviated", context="stand-alone", locale=current_locale())
    return tuple(_capitalised(names[day]) for day in range(7))


def short_day_names() -> tuple[str, ...]:
    """Monday first, as short as the language writes them ("Mo", "Пн", "Lu"), for the calendar."""
    names = get_day_names("short", context="stand-alone", locale=current_locale())
    return tuple(_capitalised(names[day].rstrip(".").lower()) for day in range(7))


def month_names() -> tuple[str, ...]:
    """January first, abbreviated ("Jan", "янв.")."""
    names = get_month_names("abbreviated", context="stand-alone", locale=current_locale())
    return tuple(_capitalised(names[month]) for month in range(1, 13))


def days_list(days: Iterable[int]) -> str:
    """Run days: "Mon, Wed, Fri"; "Mon–Fri" for three or more in a row; "every day"."""
    chosen = sorted(set(days))
    if not chosen:
        return str(texts.NO_DAYS)
    if len(chosen) == 7:
        return str(texts.EVERY_DAY)
    names = day_names()
    groups: list[list[int]] = [[chosen[0]]]
    for day in chosen[1:]:
        if day == groups[-1][-1] + 1:
            groups[-1].append(day)
        else:
            groups.append([day])
    parts: list[str] = []
    for group in groups:
        if len(group) >= 3:
            parts.append(f"{names[group[0]]}–{names[group[-1]]}")
        else:
            parts.extend(names[day] for day in group)
    return ", ".join(parts)


def duration(seconds: int) -> str:
    """ "45 s", "9 min 12 s", "1 h 3 min", in the language's own unit abbreviations."""
    locale = current_locale()

    def unit(value: int, name: str) -> str:
        return format_unit(value, name, length="short", locale=locale)

    if seconds < 60:
        return unit(seconds, "duration-second")
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        if not seconds:
            return unit(minutes, "duration-minute")
        return f"{unit(minutes, 'duration-minute')} {unit(seconds, 'duration-second')}"
    hours, minutes = divmod(minutes, 60)
    return f"{unit(hours, 'duration-hour')} {unit(minutes, 'duration-minute')}"


def decimal(value: float) -> str:
    """One decimal, with the language's separator: "3.5", "3,5"."""
    return format_decimal(value, format="0.0", locale=current_locale())


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
