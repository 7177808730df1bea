"""Run schedules: parse `/remind` arguments and work out when each pre-run reminder is due.

A runner runs on some weekdays at a local wall-clock time in an IANA time zone and wants a
reminder `lead_minutes` before each run. Everything here is pure: no Telegram, no I/O, and the
current time is always passed in.

DST rule (see run_instant): a run time that does not exist on a spring-forward day is moved
forward by the length of the gap (02:30 in a 02:00→03:00 gap becomes 03:30); a run time that
occurs twice on a fall-back day is taken at its first occurrence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from babel.dates import get_day_names

from bot.coach.timezones import (
    UnknownTimezone,
    fold,
    get_zone,
    looks_like_offset,
    resolve_timezone,
    suggest_timezones,
)

__all__ = [
    "DEFAULT_LEAD_MINUTES",
    "MAX_LEAD_MINUTES",
    "MESSAGES",
    "WEEKDAY_NAMES",
    "RemindSet",
    "RemindToggle",
    "Reminder",
    "RunSchedule",
    "ScheduleError",
    "echo",
    "format_days",
    "local_date",
    "next_reminder",
    "parse_days",
    "parse_lead",
    "parse_remind_args",
    "parse_time",
    "parse_timezone",
    "run_instant",
    "suggest_timezones",
]

WEEKDAY_NAMES: Final[tuple[str, ...]] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_LEAD_MINUTES: Final[int] = 30
MAX_LEAD_MINUTES: Final[int] = 180


def _(message: str) -> str:
    """Marks a text for the translation catalogues (pybabel's `_` keyword) and returns it as it
    is: the domain speaks English; the Telegram layer translates by the error's code."""
    return message


# Every user-facing line lives here so the wording can be reviewed (and translated) together.
# Each must stay ONE line, say what was wrong and show the expected form.
MESSAGES: Final[dict[str, str]] = {
    "usage": _(
        "Tell me when you run, e.g. /remind mon,wed,fri 07:00 Europe/Berlin 30"
        " (time zone and lead minutes are optional; add quick to have the reminder offer the"
        " quick warm-up first) · /remind off · /remind on."
    ),
    "missing_days": _("I need the run days. Use e.g. mon,wed,fri · mon-fri · daily · weekends."),
    "bad_days": _(
        "I couldn't read the days '{value}'. Use e.g. mon,wed,fri · mon-fri · daily · weekends."
    ),
    "missing_time": _(
        "I need a run time after the days '{value}'. Use e.g. /remind mon,wed,fri 07:00."
    ),
    "bad_time": _(
        "I couldn't read the time '{value}'. Use 24-hour HH:MM from 00:00 to 23:59, e.g. 07:00."
    ),
    "bad_timezone": _(
        "I don't know the time zone '{value}'. Use a name like Europe/Berlin or a city like Berlin."
    ),
    "bad_timezone_suggest": _(
        "I don't know the time zone '{value}' — did you mean {suggestions}?"
        " Use a name like Europe/Berlin or a city like Berlin."
    ),
    "offset_timezone": _(
        "A fixed offset like '{value}' ignores daylight saving. Use a place instead,"
        " e.g. Europe/Berlin or Berlin."
    ),
    "bad_lead": _(
        "I couldn't read the lead time '{value}'. Use whole minutes from 0 to 180, e.g. 30."
    ),
    "lead_range": _(
        "The lead time '{value}' is out of range. Use whole minutes from 0 to 180, e.g. 30."
    ),
    "too_many": _(
        "I didn't expect '{value}'. Use /remind mon,wed,fri 07:00 Europe/Berlin 30 quick"
        " — time zone, lead minutes and quick (or full) are optional, in that order."
    ),
    "toggle_extra": _("'/remind {value}' takes nothing else. Use /remind off or /remind on."),
}

# How many suggestions to put in an error line; more would not fit on one readable line.
_SUGGESTIONS_IN_MESSAGE: Final[int] = 3
# Echoed input is shortened so a pasted paragraph cannot blow up the one-line message.
_MAX_ECHO: Final[int] = 40


class ScheduleError(ValueError):
    """Bad schedule input. str(error) is a one-line explanation meant for the runner.

    `code` is the MESSAGES key, so callers can branch (or translate) without matching text.
    """

    def __init__(
        self, message: str, code: str = "invalid", value: str = "", suggestions: str = ""
    ) -> None:
        super().__init__(message)
        self.code, self.value, self.suggestions = code, value, suggestions

    def __reduce__(self) -> tuple[type[ScheduleError], tuple[str, str, str, str]]:
        # Keep the fields when the error is pickled or copied (ValueError passes only the text).
        return (type(self), (str(self), self.code, self.value, self.suggestions))


def _error(code: str, value: str = "", suggestions: str = "") -> ScheduleError:
    # Only `value` is the runner's own text and needs taming; suggestions are ours.
    value = echo(value)
    return ScheduleError(
        MESSAGES[code].format(value=value, suggestions=suggestions), code, value, suggestions
    )


def echo(text: str) -> str:
    # User text goes back into a one-line message: fold whitespace and newlines, cap the length.
    flat = " ".join(text.split())
    return flat if len(flat) <= _MAX_ECHO else flat[: _MAX_ECHO - 1] + "…"


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True)
class RunSchedule:
    """When a runner runs (local wall clock) and how early to remind them."""

    run_days: frozenset[int]  # 0=Mon .. 6=Sun, non-empty
    run_time: time  # local wall clock, naive
    timezone: str  # IANA name
    lead_minutes: int = DEFAULT_LEAD_MINUTES
    enabled: bool = True
    quick: bool = False  # the reminder's first button starts the quick warm-up

    def __post_init__(self) -> None:
        # Validate once at construction so the hot path (next_reminder) can trust the fields.
        days = frozenset(self.run_days)
        if not days or not days <= frozenset(range(7)):
            raise ValueError(f"run_days must be a non-empty subset of 0..6, got {self.run_days!r}")
        object.__setattr__(self, "run_days", days)
        if self.run_time.tzinfo is not None:
            raise ValueError("run_time must be a naive local wall-clock time")
        if not 0 <= self.lead_minutes <= MAX_LEAD_MINUTES:
            raise ValueError(f"lead_minutes must be 0..{MAX_LEAD_MINUTES}, got {self.lead_minutes}")
        try:
            get_zone(self.timezone)
        except UnknownTimezone:
            raise _error("bad_timezone", value=self.timezone) from None


@dataclass(frozen=True)
class Reminder:
    """One reminder for one run."""

    run_date: date  # local date of the run
    run_at: datetime  # aware UTC instant of the run
    remind_at: datetime  # aware UTC instant = run_at - lead (may fall on the previous local day)


@dataclass(frozen=True)
class RemindSet:
    """`/remind <days> <time> ...`: replace the schedule (and switch reminders on)."""

    schedule: RunSchedule


@dataclass(frozen=True)
class RemindToggle:
    """`/remind off` / `/remind on`: keep the schedule, change whether reminders are sent."""

    enabled: bool


# --------------------------------------------------------------------------- parsing

_DAY_ALIASES: Final[dict[str, int]] = {
    alias: day
    for day, aliases in enumerate(
        (
            ("mo", "mon", "monday"),
            ("tu", "tue", "tues", "tuesday"),
            ("we", "wed", "weds", "wednesday"),
            ("th", "thu", "thur", "thurs", "thursday"),
            ("fr", "fri", "friday"),
            ("sa", "sat", "saturday"),
            ("su", "sun", "sunday"),
        )
    )
    for alias in aliases
}
_DAY_GROUPS: Final[dict[str, frozenset[int]]] = {
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),  # also "every day": whitespace is removed before lookup
    "all": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
    "weekend": frozenset({5, 6}),
}
# The same groups in the bot's other languages, folded as the runner's words are: no spaces,
# no capitals, no accents ("каждый день" is "каждыидень").
_LOCAL_DAY_GROUPS: Final[dict[str, dict[str, frozenset[int]]]] = {
    "ru": {
        "ежедневно": _DAY_GROUPS["daily"],
        "каждыидень": _DAY_GROUPS["daily"],
        "будни": _DAY_GROUPS["weekdays"],
        "выходные": _DAY_GROUPS["weekends"],
    },
    "uk": {
        "щодня": _DAY_GROUPS["daily"],
        "щоденно": _DAY_GROUPS["daily"],
        "кожниидень": _DAY_GROUPS["daily"],
        "будні": _DAY_GROUPS["weekdays"],
        "вихідні": _DAY_GROUPS["weekends"],
    },
    "es": {
        "diario": _DAY_GROUPS["daily"],
        "diariamente": _DAY_GROUPS["daily"],
        "todoslosdias": _DAY_GROUPS["daily"],
        "laborables": _DAY_GROUPS["weekdays"],
        "entresemana": _DAY_GROUPS["weekdays"],
        "finde": _DAY_GROUPS["weekends"],
        "findesemana": _DAY_GROUPS["weekends"],
        "finesdesemana": _DAY_GROUPS["weekends"],
    },
    "de": {
        "taglich": _DAY_GROUPS["daily"],
        "jedentag": _DAY_GROUPS["daily"],
        "werktags": _DAY_GROUPS["weekdays"],
        "wochenende": _DAY_GROUPS["weekends"],
        "wochenenden": _DAY_GROUPS["weekends"],
    },
    "pt_BR": {
        "diariamente": _DAY_GROUPS["daily"],
        "diario": _DAY_GROUPS["daily"],
        "todososdias": _DAY_GROUPS["daily"],
        "uteis": _DAY_GROUPS["weekdays"],
        "diasuteis": _DAY_GROUPS["weekdays"],
        "fds": _DAY_GROUPS["weekends"],
        "fimdesemana": _DAY_GROUPS["weekends"],
        "finsdesemana": _DAY_GROUPS["weekends"],
    },
}
# format_days writes ranges with an en dash; accept it (and an em dash) so output parses back.
_DASHES: Final[dict[int, str]] = str.maketrans({"–": "-", "—": "-"})


def _day_group(text: str, locale: str) -> frozenset[int] | None:
    token = _day_key("".join(text.split()))
    return _DAY_GROUPS.get(token) or _LOCAL_DAY_GROUPS.get(locale, {}).get(token)


def _day_key(text: str) -> str:
    # "Mo.", "seg." and "segunda-feira" as "mo", "seg" and "segunda": the dots and the "-feira"
    # would otherwise be taken for part of the name or for a range.
    return fold(text).replace(".", "").replace("-feira", "")


@functools.cache
def _days_in(locale: str) -> dict[str, int]:
    """Weekday names as `locale` writes them, whole and short (CLDR, through Babel: "пн",
    "miércoles", "Do." for Thursday in German), folded -> 0 (Monday) .. 6."""
    if locale == "en":
        return {}
    return {
        _day_key(name): day
        for width in ("wide", "abbreviated", "short")
        for context in ("format", "stand-alone")
        for day, name in get_day_names(width, context, locale).items()
    }


def _day(token: str, locale: str = "en") -> int | None:
    # The runner's language first: "do" is Sunday in Spanish and Thursday in German.
    localized = _days_in(locale).get(token)
    if localized is not None:
        return localized
    if token in _DAY_ALIASES:
        return _DAY_ALIASES[token]
    # Plurals: "mondays", "fridays".
    if token.endswith("s") and token[:-1] in _DAY_ALIASES and len(token) > 4:
        return _DAY_ALIASES[token[:-1]]
    return None


def parse_days(text: str, locale: str = "en") -> frozenset[int]:
    """Parse run days: "mon,wed,fri", "mon-fri", "mon,wed-fri", "daily", "weekends", "tue";
    the weekdays also as `locale` names them ("пн-пт", "lun,mié,vie").

    Case- and accent-insensitive; ranges may wrap around the week ("sat-mon" is Sat, Sun, Mon).
    """
    if not text.strip():
        raise _error("missing_days")
    days: set[int] = set()
    for raw in text.split(","):
        token = _day_key("".join(raw.translate(_DASHES).split()))
        if not token:
            continue  # tolerate "mon,,wed" and a trailing comma
        group = _day_group(token, locale)
        if group is not None:
            days |= group
            continue
        first, sep, last = token.partition("-")
        start, end = _day(first, locale), _day(last, locale) if sep else None
        if start is None or (sep and end is None):
            # Name just the unreadable piece so "mon,banana" points at "banana".
            raise _error("bad_days", value=raw.strip())
        if end is None:
            days.add(start)
        else:
            days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    if not days:
        raise _error("bad_days", value=text)
    return frozenset(days)


# H:MM, HH:MM (or with a dot, as many Europeans write it) and HHMM. ASCII digits only.
_TIME_RE: Final[re.Pattern[str]] = re.compile(r"(\d{1,2})[:.](\d{2})|(\d{2})(\d{2})", re.ASCII)


def parse_time(text: str) -> time:
    """Parse a 24-hour local time: "07:00", "7:00", "07.00", "0700". Rejects 24:00 and "7pm"."""
    match = _TIME_RE.fullmatch(text.strip())
    if match is None:
        raise _error("bad_time", value=text)
    hours, minutes = (int(g) for g in match.groups() if g is not None)
    if hours > 23 or minutes > 59:
        raise _error("bad_time", value=text)
    return time(hours, minutes)


def parse_timezone(text: str, locale: str = "en") -> str:
    """Return the IANA name for "Europe/Berlin" (any case), "UTC" or a city ("new york", or as
    `locale` writes it: "Москва")."""
    name = resolve_timezone(text, locale)
    if name is not None:
        return name
    if not text.strip():
        raise _error("bad_timezone", value=text)
    if looks_like_offset(text):
        raise _error("offset_timezone", value=text)
    suggestions = suggest_timezones(text, limit=_SUGGESTIONS_IN_MESSAGE)
    if suggestions:
        raise _error("bad_timezone_suggest", value=text, suggestions=" · ".join(suggestions))
    raise _error("bad_timezone", value=text)


# Whole minutes, optionally suffixed with "m"/"min". A minus sign is read so "-5" is reported as
# out of range rather than unreadable; a plus sign is not, so "+3" is taken as a UTC offset.
_LEAD_RE: Final[re.Pattern[str]] = re.compile(
    r"(-?\d+)\s*(?:m|min|mins|minute|minutes)?", re.ASCII | re.IGNORECASE
)


def parse_lead(text: str) -> int:
    """Parse the reminder lead in whole minutes, 0..180: "30", "45m", "0"."""
    match = _LEAD_RE.fullmatch(text.strip())
    if match is None:
        raise _error("bad_lead", value=text)
    minutes = int(match.group(1))
    if not 0 <= minutes <= MAX_LEAD_MINUTES:
        raise _error("lead_range", value=text)
    return minutes


def _is_lead(token: str) -> bool:
    return _LEAD_RE.fullmatch(token.strip()) is not None


# The last word of `/remind ...` may name the warm-up the reminder starts.
_VERSIONS: Final[dict[str, bool]] = {"quick": True, "full": False}


def _is_plain_word(token: str) -> bool:
    # Part of a multi-word city name: no zone path, no digits.
    return "/" not in token and not any(c.isdigit() for c in token)


def parse_remind_args(
    args: Sequence[str],
    current_timezone: str = "UTC",
    current_lead: int = DEFAULT_LEAD_MINUTES,
    current_quick: bool = False,
    locale: str = "en",
) -> RemindSet | RemindToggle:
    """Parse `/remind <days> <HH:MM> [<timezone>] [<lead minutes>] [quick|full]`, `/remind off`,
    `/remind on`.

    `args` are the whitespace-split words after the command. A left-out time zone, lead or
    version keeps the runner's current one. A multi-word city ("new york") is accepted as the
    time zone. Weekdays and cities may also be in the runner's language (`locale`).
    """
    words = [w for w in args if w.strip()]
    if not words:
        raise _error("usage")
    head = words[0].lower()
    if head in ("off", "on"):
        if len(words) > 1:
            raise _error("toggle_extra", value=head)
        return RemindToggle(enabled=head == "on")

    # "mon, wed, fri" arrives as three words; glue comma-joined pieces back into one days word.
    days_text = words[0]
    rest = words[1:]
    # So do "every day", "каждый день" and "todos los días": a group of days in a few words.
    for size in (3, 2):
        if len(words) > size and _day_group(" ".join(words[:size]), locale) is not None:
            days_text, rest = " ".join(words[:size]), words[size:]
            break
    while rest and (days_text.endswith(",") or rest[0].startswith(",")):
        days_text += rest.pop(0)
    run_days = parse_days(days_text, locale)
    if not rest:
        raise _error("missing_time", value=days_text)
    run_time = parse_time(rest[0])
    rest = rest[1:]
    quick = current_quick
    if rest and rest[-1].lower() in _VERSIONS:
        quick = _VERSIONS[rest.pop().lower()]

    timezone, lead = current_timezone, current_lead
    city_words = rest[:-1] if rest and _is_lead(rest[-1]) else rest
    if len(city_words) > 1 and all(_is_plain_word(w) for w in city_words):
        # A city of several plain words ("new york", "ho chi minh"), then maybe the lead.
        timezone = parse_timezone(" ".join(city_words), locale)
        if len(city_words) < len(rest):
            lead = parse_lead(rest[-1])
    else:
        # Positional: [timezone] [lead], each optional; whatever follows is one word too many.
        i = 0
        if i < len(rest) and not _is_lead(rest[i]):
            timezone = parse_timezone(rest[i], locale)
            i += 1
        if i < len(rest) and _is_lead(rest[i]):
            lead = parse_lead(rest[i])
            i += 1
        if i < len(rest):
            raise _error("too_many", value=" ".join(rest[i:]))
    return RemindSet(RunSchedule(run_days, run_time, timezone, lead, quick=quick))


# --------------------------------------------------------------------------- when to remind


def run_instant(schedule: RunSchedule, run_date: date) -> datetime:
    """The aware UTC instant of the run on local date `run_date`.

    The local wall time is resolved with fold=0 (PEP 495), which gives exactly our rule:
    - a time skipped by a spring-forward gap is read with the offset from before the gap, i.e.
      moved forward by the gap (Berlin 02:30 on 2026-03-29 -> 03:30 CEST = 01:30 UTC);
    - a time repeated by a fall-back overlap is its first occurrence (Berlin 02:30 on
      2026-10-25 -> 02:30 CEST = 00:30 UTC).
    """
    return _run_instant(get_zone(schedule.timezone), schedule.run_time, run_date)


def _run_instant(zone: ZoneInfo, t: time, run_date: date) -> datetime:
    # Built field by field (fold=0 by default) rather than via datetime.combine: it is the
    # hottest line at start-up and this skips copying the time's own fold.
    local = datetime(
        run_date.year,
        run_date.month,
        run_date.day,
        t.hour,
        t.minute,
        t.second,
        t.microsecond,
        tzinfo=zone,
    )
    return local.astimezone(UTC)


def _require_aware(value: datetime, name: str) -> None:
    # A naive datetime would be silently read as host-local time; refuse it instead.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def local_date(instant: datetime, timezone: str) -> date:
    """The runner's local calendar date at the aware `instant`."""
    _require_aware(instant, "instant")
    return instant.astimezone(get_zone(timezone)).date()


# remind_at > after  <=>  run_at > after + lead. Runs on local days before the local date of
# `after + lead` start before that instant, so the search starts on that date; 8 consecutive days
# from there contain every weekday, and that date's weekday twice (in case today's run is too
# early), which is enough. (Starting from the date of `after` alone is not: a Monday 00:00 run
# with a 1-minute lead is reminded Sunday 23:59, and the next one is 8 days later.)
_CANDIDATE_DAYS: Final[tuple[timedelta, ...]] = tuple(timedelta(days=i) for i in range(8))


def next_reminder(schedule: RunSchedule, after: datetime) -> Reminder | None:
    """The first reminder with remind_at > `after` (aware), or None if reminders are off.

    Called for every runner at start-up, so it checks at most 8 days and does no allocation
    beyond the datetimes it needs.
    """
    if not schedule.enabled:
        return None
    _require_aware(after, "after")
    zone = get_zone(schedule.timezone)
    lead = timedelta(minutes=schedule.lead_minutes)
    # The run must start after this instant. In UTC: adding to an aware local datetime is
    # wall-clock arithmetic and would be an hour off across a DST change.
    threshold = after.astimezone(UTC) + lead
    start = threshold.astimezone(zone).date()
    days, run_time = schedule.run_days, schedule.run_time
    for offset in _CANDIDATE_DAYS:
        day = start + offset
        if day.weekday() not in days:
            continue
        run_at = _run_instant(zone, run_time, day)
        if run_at > threshold:
            return Reminder(day, run_at, run_at - lead)
    # Unreachable with a valid schedule (see _CANDIDATE_DAYS); kept so the type stays honest.
    return None


# --------------------------------------------------------------------------- formatting


def format_days(run_days: Iterable[int]) -> str:
    """Readable run days: "Mon, Wed, Fri"; "Mon–Fri" for 3+ consecutive days; "every day".

    The output parses back with parse_days.
    """
    days = sorted(set(run_days))
    if any(not 0 <= d <= 6 for d in days):
        raise ValueError(f"run days must be 0..6, got {days!r}")
    if not days:
        return "no days"
    if len(days) == 7:
        return "every day"
    # Split into runs of consecutive days within Mon..Sun (no wrap, so the week reads in order).
    groups: list[list[int]] = [[days[0]]]
    for d in days[1:]:
        if d == groups[-1][-1] + 1:
            groups[-1].append(d)
        else:
            groups.append([d])
    parts: list[str] = []
    for group in groups:
        if len(group) >= 3:
            parts.append(f"{WEEKDAY_NAMES[group[0]]}–{WEEKDAY_NAMES[group[-1]]}")
        else:
            parts.extend(WEEKDAY_NAMES[d] for d in group)
    return ", ".join(parts)
