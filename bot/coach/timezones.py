"""Time-zone lookup for runners: IANA names, city names, suggestions and cached ZoneInfo objects.

Pure lookups over the tz database that `zoneinfo` ships with (system tzdata or the `tzdata`
package). Nothing here talks to users; `bot.coach.schedule` turns a failed lookup into a
ScheduleError with a readable message.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Final
from zoneinfo import TZPATH, ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import get_timezone_location

__all__ = [
    "UnknownTimezone",
    "all_timezones",
    "fold",
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
    "st_petersburg": "Europe/Moscow",
    "saint_petersburg": "Europe/Moscow",
    "lviv": "Europe/Kyiv",
    "kharkiv": "Europe/Kyiv",
    "odesa": "Europe/Kyiv",
    "odessa": "Europe/Kyiv",
    "cologne": "Europe/Berlin",
    "frankfurt": "Europe/Berlin",
    "rio_de_janeiro": "America/Sao_Paulo",
    "brasilia": "America/Sao_Paulo",
}

# The same for the runners of each language, as they write them; read in that language only, as
# CLDR's city names are (an alias here may be a place elsewhere in another language). A name the
# lookups above already know (an English alias, a tz name) needs no entry here.
_LOCAL_CITY_ALIASES: Final[dict[str, dict[str, str]]] = {
    "de": {
        "München": "Europe/Berlin",
        "Köln": "Europe/Berlin",
        "Frankfurt am Main": "Europe/Berlin",
        "Stuttgart": "Europe/Berlin",
        "Düsseldorf": "Europe/Berlin",
        "Leipzig": "Europe/Berlin",
        "Dresden": "Europe/Berlin",
        "Hannover": "Europe/Berlin",
        "Nürnberg": "Europe/Berlin",
        "Graz": "Europe/Vienna",
        "Salzburg": "Europe/Vienna",
        "Linz": "Europe/Vienna",
        "Innsbruck": "Europe/Vienna",
        "Basel": "Europe/Zurich",
        "Bern": "Europe/Zurich",
        "Genf": "Europe/Zurich",
    },
    "ru": {
        "Санкт-Петербург": "Europe/Moscow",
        "Петербург": "Europe/Moscow",
        "Питер": "Europe/Moscow",
        "Казань": "Europe/Moscow",
        "Нижний Новгород": "Europe/Moscow",
        "Сочи": "Europe/Moscow",
        "Ростов-на-Дону": "Europe/Moscow",
        "Краснодар": "Europe/Moscow",
        "Воронеж": "Europe/Moscow",
        "Пермь": "Asia/Yekaterinburg",
        "Челябинск": "Asia/Yekaterinburg",
        "Уфа": "Asia/Yekaterinburg",
    },
    "uk": {
        "Львів": "Europe/Kyiv",
        "Харків": "Europe/Kyiv",
        "Одеса": "Europe/Kyiv",
        "Дніпро": "Europe/Kyiv",
        "Вінниця": "Europe/Kyiv",
        "Івано-Франківськ": "Europe/Kyiv",
        "Тернопіль": "Europe/Kyiv",
        "Чернігів": "Europe/Kyiv",
        "Полтава": "Europe/Kyiv",
    },
    "es": {
        "Sevilla": "Europe/Madrid",
        "Bilbao": "Europe/Madrid",
        "Málaga": "Europe/Madrid",
        "Zaragoza": "Europe/Madrid",
        "Guadalajara": "America/Mexico_City",
        "Puebla": "America/Mexico_City",
        "Medellín": "America/Bogota",
        "Cali": "America/Bogota",
        "Valparaíso": "America/Santiago",
    },
    "pt_BR": {
        "Brasília": "America/Sao_Paulo",
        "Belo Horizonte": "America/Sao_Paulo",
        "Curitiba": "America/Sao_Paulo",
        "Porto Alegre": "America/Sao_Paulo",
        "Campinas": "America/Sao_Paulo",
        "Florianópolis": "America/Sao_Paulo",
        "Salvador": "America/Bahia",
        "Porto": "Europe/Lisbon",
    },
}

# "UTC+2", "GMT-5", "+03:00": fixed offsets ignore daylight saving, so we refuse them and ask for
# a place instead (and "Etc/GMT+2" is UTC-2, a sign flip nobody expects).
_OFFSET_RE: Final[re.Pattern[str]] = re.compile(
    r"^(?:utc|gmt|z)?\s*[+\-−]\s*\d{1,2}(?::?\d{2})?$", re.IGNORECASE
)


class UnknownTimezone(LookupError):
    """Raised by get_zone for a key that is not a usable tz database name."""


@dataclass(frozen=True)
class _Index:
    names: tuple[str, ...]  # every usable IANA name, sorted
    by_lower: dict[str, str]  # "europe/berlin" -> "Europe/Berlin"
    by_city: dict[str, str]  # "new_york" -> "America/New_York" (last component)
    suggestion_keys: tuple[str, ...]  # keys of by_lower + by_city worth suggesting
    current: dict[str, str]  # any name -> its current name (links to their targets)


def _key(text: str) -> str:
    """Normalise user text for lookups: case-insensitive, spaces mean underscores."""
    return re.sub(r"\s+", "_", text.strip()).lower()


def _city_key(text: str) -> str:
    # Hyphens and underscores are interchangeable in city names ("Port-au-Prince").
    return _key(text).replace("-", "_")


def _tz_table(name: str) -> str:
    """One of the tz database's tables (zone.tab, zone1970.tab), from the tzdata package that
    zoneinfo falls back on, or from the system's tz folders; empty if neither has it."""
    try:
        return (resources.files("tzdata.zoneinfo") / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        pass
    for folder in TZPATH:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""


def _current_names(names: tuple[str, ...]) -> dict[str, str]:
    """Every name mapped to the name the tz database uses for that zone today: itself for the
    zones zone.tab and zone1970.tab list (and UTC), the target for a backward-compatible link
    ("Canada/Atlantic" -> "America/Halifax", "Asia/Calcutta" -> "Asia/Kolkata": tzdata.zi's
    L lines). A runner who types an old name exactly gets it, but only current ones are
    suggested."""
    listed = {
        line.split("\t")[2]
        for table in ("zone1970.tab", "zone.tab")
        for line in _tz_table(table).splitlines()
        if line and not line.startswith("#") and line.count("\t") >= 2
    }
    if not listed:  # no tables anywhere: fall back on the geographic areas
        listed = {n for n in names if n.split("/", 1)[0] in _AREAS}
    listed.add("UTC")
    current = {n: n for n in names if n in listed}
    for line in _tz_table("tzdata.zi").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "L" and parts[1] in current and parts[2] in names:
            current.setdefault(parts[2], parts[1])
    return current


@functools.cache
def _index() -> _Index:
    # Built once, lazily: available_timezones() walks the tz database on disk.
    names = tuple(sorted(n for n in available_timezones() if n not in _EXCLUDED))
    current = _current_names(names)

    def city_preference(name: str) -> tuple[int, int, int, str]:
        # Current names first; then geographic areas, and within them the deeper path
        # ("America/Argentina/Buenos_Aires" over the link "America/Buenos_Aires").
        area = 0 if name.split("/", 1)[0] in _AREAS else 1
        return (0 if current.get(name) == name else 1, area, -name.count("/"), name)

    by_lower = {n.lower(): n for n in names}
    by_city: dict[str, str] = {}
    for name in sorted(names, key=city_preference):
        if "/" not in name or name.startswith("Etc/"):
            continue
        # A city typed is the zone by its current name ("Kiev" is Europe/Kyiv today).
        by_city.setdefault(_city_key(name.rsplit("/", 1)[1]), current.get(name, name))
    known = set(names)
    for alias, target in _CITY_ALIASES.items():
        # An alias only counts if this tz database has its target (older ones lack Europe/Kyiv).
        if target in known:
            by_city.setdefault(alias, target)
    suggestion_keys = tuple(
        key for key in [*by_lower, *by_city] if (by_lower.get(key) or by_city[key]) in current
    )
    return _Index(names, by_lower, by_city, suggestion_keys, current)


def all_timezones() -> tuple[str, ...]:
    """Every IANA name a runner may pick, sorted."""
    return _index().names


def looks_like_offset(text: str) -> bool:
    """True for fixed UTC offsets such as "UTC+2" or "+05:30", which we do not accept."""
    return bool(_OFFSET_RE.match(text.strip()))


def fold(text: str) -> str:
    """Lower case without accents, one apostrophe: "Ciudad de México" and "ciudad de mexico",
    "пʼятниця" and "п'ятниця" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "ʼ").replace("'", "ʼ"))
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


@functools.cache
def _cities_in(locale: str) -> dict[str, str]:
    """The city of each current zone as the locale writes it (CLDR, through Babel: "Москва",
    "Ciudad de México") -> the zone. Built once per language, on its first lookup."""
    cities: dict[str, str] = {}
    for name in sorted(n for n, now in _index().current.items() if n == now and "/" in n):
        city = get_timezone_location(name, locale=locale, return_city=True)
        cities.setdefault(_city_key(fold(city)), name)
    return cities


@functools.cache
def _local_aliases(locale: str) -> dict[str, str]:
    """`_LOCAL_CITY_ALIASES` of the locale, keyed as typed text is looked up; only those whose
    zone this tz database has (older ones lack Europe/Kyiv)."""
    known = set(_index().names)
    aliases = _LOCAL_CITY_ALIASES.get(locale, {})
    return {_city_key(fold(city)): zone for city, zone in aliases.items() if zone in known}


def resolve_timezone(text: str, locale: str = "en") -> str | None:
    """Return the IANA name for an IANA name (any case) or a city name, in English or as
    `locale` writes it, or None if unknown."""
    key = _key(text)
    if not key:
        return None
    index = _index()
    found = index.by_lower.get(key) or index.by_city.get(_city_key(key))
    if found is None and locale != "en":
        found = _cities_in(locale).get(_city_key(fold(key)))
    if found is None:
        found = _local_aliases(locale).get(_city_key(fold(key)))
    return found


def suggest_timezones(text: str, limit: int = 5) -> list[str]:
    """IANA names close to `text`, best first, at most `limit`; [] when nothing is close."""
    if limit <= 0:
        return []
    index = _index()
    exact = resolve_timezone(text)
    if exact is not None and exact in index.current:
        return [index.current[exact]]
    key = _key(text)
    if not key:
        return []
    # Match the whole text and, for "Europ/Berlin"-style typos, its last component as a city.
    probes = [key]
    if "/" in key:
        probes.append(_city_key(key.rsplit("/", 1)[1]))
    found: list[str] = []
    for probe in probes:
        city = index.current.get(index.by_city.get(probe, ""))
        if city is not None and city not in found:
            found.append(city)
        for match in difflib.get_close_matches(
            probe, index.suggestion_keys, n=limit * 2, cutoff=0.6
        ):
            name = index.current[index.by_lower.get(match) or index.by_city[match]]
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
