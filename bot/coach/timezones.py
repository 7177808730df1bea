"""Time-zone lookup for runners: IANA names, city names, suggestions and cached ZoneInfo objects.

Pure lookups over the tz database that `zoneinfo` ships with (system tzdata or the `tzdata`
package). Nothing here talks to users; `bot.coach.schedule` turns a failed lookup into a
ScheduleError with a readable message.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "UnknownTimezone",
    "all_timezones",
    "get_zone",
    "looks_like_offset",
    "resolve_timezone",
    "suggest_timezones",
]

# Keys that zoneinfo can load but that are not places: "localtime" is whatever the host is set
# to and "Factory" is a placeholder zone, so neither should ever be stored for a runner.
_EXCLUDED: Final[frozenset[str]] = frozenset({"localtime", "Factory", "posixrules"})

# The tz database's geographic areas. Names outside them ("US/Eastern", "Navajo", "Etc/...")
# are backward-compatibility links; when two names share a city we prefer the geographic one.
_AREAS: Final[frozenset[str]] = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)

# Big cities people type that the tz database does not name. Kept short on purpose: the goal
# is to catch the obvious ones, not to be a gazetteer.
_CITY_ALIASES: Final[dict[str, str]] = {
    "beijing": "Asia/Shanghai",
    "bangalore": "Asia/Kolkata",
    "bengaluru": "Asia/Kolkata",
    "boston": "America/New_York",
    "delhi": "Asia/Kolkata",
    "new_delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata",
    "munich": "Europe/Berlin",
    "san_francisco": "America/Los_Angeles",
    "seattle": "America/Los_Angeles",
    "washington": "America/New_York",
    "hamburg": "Europe/Berlin",
    "milan": "Europe/Rome",
    "barcelona": "Europe/Madrid",
    "kiev": "Europe/Kyiv",
}

# "UTC+2", "GMT-5", "+03:00": fixed offsets ignore daylight saving, so we refuse them and ask for
# a place instead (and "Etc/GMT+2" is UTC-2, a sign flip nobody expects).
_OFFSET_RE: Final[re.Pattern[str]] = re.compile(
    r"^(?:utc|gmt|z)?\s*[+\-−]\s*\d{1,2}(?::?\d{2})?$", re.IGNORECASE
)
_ETC_OFFSET_RE: Final[re.Pattern[str]] = re.compile(r"^Etc/GMT[+-]\d+$")


class UnknownTimezone(LookupError):
    """Raised by get_zone for a key that is not a usable tz database name."""


@dataclass(frozen=True)
class _Index:
    names: tuple[str, ...]  # every usable IANA name, sorted
    by_lower: dict[str, str]  # "europe/berlin" -> "Europe/Berlin"
    by_city: dict[str, str]  # "new_york" -> "America/New_York" (last component)
    suggestion_keys: tuple[str, ...]  # keys of by_lower + by_city worth suggesting


def _key(text: str) -> str:
    """Normalise user text for lookups: case-insensitive, spaces mean underscores."""
    return re.sub(r"\s+", "_", text.strip()).lower()


def _city_key(text: str) -> str:
    # Hyphens and underscores are interchangeable in city names ("Port-au-Prince").
    return _key(text).replace("-", "_")


def _city_preference(name: str) -> tuple[int, int, str]:
    # Geographic areas first; within them the deeper path is the canonical one
    # ("America/Argentina/Buenos_Aires" over the link "America/Buenos_Aires").
    return (0 if name.split("/", 1)[0] in _AREAS else 1, -name.count("/"), name)


@functools.cache
def _index() -> _Index:
    # Built once, lazily: available_timezones() walks the tz database on disk.
    names = tuple(sorted(n for n in available_timezones() if n not in _EXCLUDED))
    by_lower = {n.lower(): n for n in names}
    by_city: dict[str, str] = {}
    for name in sorted(names, key=_city_preference):
        if "/" not in name or name.startswith("Etc/"):
            continue
        by_city.setdefault(_city_key(name.rsplit("/", 1)[1]), name)
    known = set(names)
    for alias, target in _CITY_ALIASES.items():
        # An alias only counts if this tz database has its target (older ones lack Europe/Kyiv).
        if target in known:
            by_city.setdefault(alias, target)
    suggestion_keys = tuple(
        k for k in [*by_lower, *by_city] if not _ETC_OFFSET_RE.match(by_lower.get(k, "") or "")
    )
    return _Index(names, by_lower, by_city, suggestion_keys)


def all_timezones() -> tuple[str, ...]:
    """Every IANA name a runner may pick, sorted."""
    return _index().names


def looks_like_offset(text: str) -> bool:
    """True for fixed UTC offsets such as "UTC+2" or "+05:30", which we do not accept."""
    return bool(_OFFSET_RE.match(text.strip()))


def resolve_timezone(text: str) -> str | None:
    """Return the IANA name for an IANA name (any case) or a city name, or None if unknown."""
    key = _key(text)
    if not key:
        return None
    index = _index()
    return index.by_lower.get(key) or index.by_city.get(_city_key(key))


def suggest_timezones(text: str, limit: int = 5) -> list[str]:
    """IANA names close to `text`, best first, at most `limit`; [] when nothing is close."""
    if limit <= 0:
        return []
    exact = resolve_timezone(text)
    if exact is not None:
        return [exact]
    key = _key(text)
    if not key:
        return []
    index = _index()
    # Match the whole text and, for "Europ/Berlin"-style typos, its last component as a city.
    probes = [key]
    if "/" in key:
        probes.append(_city_key(key.rsplit("/", 1)[1]))
    found: list[str] = []
    for probe in probes:
        city = index.by_city.get(probe)
        if city is not None and city not in found:
            found.append(city)
        for match in difflib.get_close_matches(
            probe, index.suggestion_keys, n=limit * 2, cutoff=0.6
        ):
            name = index.by_lower.get(match) or index.by_city[match]
            if name not in found:
                found.append(name)
    return found[:limit]


# Our own unbounded cache: ZoneInfo's strong cache holds only 8 zones, and re-reading zone files
# for 100,000 runners at start-up would be slow. A plain dict keeps the hit path to one lookup.
_ZONES: dict[str, ZoneInfo] = {}


def get_zone(name: str) -> ZoneInfo:
    """The cached ZoneInfo for an exact IANA name; raises UnknownTimezone otherwise."""
    zone = _ZONES.get(name)
    if zone is not None:
        return zone
    if name in _EXCLUDED:
        raise UnknownTimezone(name)
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownTimezone(name) from exc
    _ZONES[name] = zone
    return zone
