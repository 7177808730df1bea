"""Time-zone lookup: exact IANA names, city names, suggestions and the ZoneInfo cache."""

from zoneinfo import ZoneInfo

import pytest

from bot.coach.timezones import (
    UnknownTimezone,
    all_timezones,
    get_zone,
    looks_like_offset,
    resolve_timezone,
    suggest_timezones,
)


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  europe/berlin  ", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("Utc", "UTC"),
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("new   york", "America/New_York"),
        ("KOLKATA", "Asia/Kolkata"),
        ("Chatham", "Pacific/Chatham"),
        ("indianapolis", "America/Indiana/Indianapolis"),  # canonical over the backward link
        ("US/Eastern", "US/Eastern"),  # an exact legacy name is kept as given
        ("san francisco", "America/Los_Angeles"),
    ],
)
def test_resolve_timezone(text: str, zone: str) -> None:
    assert resolve_timezone(text) == zone


@pytest.mark.parametrize(
    "text", ["", "   ", "Mars/Olympus", "Europ/Berlin", "localtime", "Factory"]
)
def test_resolve_timezone_unknown(text: str) -> None:
    assert resolve_timezone(text) is None


def test_suggest_for_a_typo_in_the_area() -> None:
    suggestions = suggest_timezones("Europ/Berlin")
    assert suggestions[0] == "Europe/Berlin"
    assert len(suggestions) <= 5


def test_suggest_for_a_misspelt_city() -> None:
    assert suggest_timezones("Berlim")[0] == "Europe/Berlin"
    assert suggest_timezones("new yrok")[0] == "America/New_York"
    assert "Europe/London" in suggest_timezones("Londn")


def test_suggest_nothing_for_nonsense() -> None:
    assert suggest_timezones("Mars/Olympus") == []
    assert suggest_timezones("") == []


def test_suggest_respects_limit_and_has_no_duplicates() -> None:
    suggestions = suggest_timezones("Europe/Berlinn", limit=3)
    assert 1 <= len(suggestions) <= 3
    assert len(set(suggestions)) == len(suggestions)
    assert suggest_timezones("Europe/Berlin", limit=0) == []


def test_suggest_returns_the_exact_match_alone() -> None:
    assert suggest_timezones("kolkata") == ["Asia/Kolkata"]


def test_suggestions_never_offer_sign_flipped_etc_offsets() -> None:
    # "Etc/GMT+2" means UTC-2; suggesting it for "GMT+2" would be a trap.
    assert not any(s.startswith("Etc/GMT") for s in suggest_timezones("GMT+2", limit=10))


def test_suggestions_are_real_zones() -> None:
    known = set(all_timezones())
    for text in ("Europ/Berlin", "Berlim", "Tokio", "america/new yrk", "Sidney"):
        assert set(suggest_timezones(text)) <= known


def test_all_timezones_are_places() -> None:
    names = all_timezones()
    assert "Europe/Berlin" in names and "UTC" in names
    assert "localtime" not in names and "Factory" not in names
    assert list(names) == sorted(names)


@pytest.mark.parametrize("text", ["UTC+2", "gmt-5", "+05:30", "-3", "UTC + 1", "+0530"])
def test_looks_like_offset(text: str) -> None:
    assert looks_like_offset(text)


@pytest.mark.parametrize("text", ["UTC", "Europe/Berlin", "Etc/GMT+2", "30", "Berlin"])
def test_does_not_look_like_offset(text: str) -> None:
    assert not looks_like_offset(text)


def test_get_zone_is_cached() -> None:
    zone = get_zone("Europe/Berlin")
    assert zone is get_zone("Europe/Berlin")
    assert zone == ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize("name", ["europe/berlin", "Mars/Olympus", "", "../etc", "localtime"])
def test_get_zone_refuses_unknown_names(name: str) -> None:
    with pytest.raises(UnknownTimezone):
        get_zone(name)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Canada Atlantik", "America/Halifax"),
        ("US Eastrn", "America/New_York"),
        ("Calcuta", "Asia/Kolkata"),
        ("Brazil East", "America/Sao_Paulo"),
        ("Kiev", "Europe/Kyiv"),
    ],
)
def test_suggestions_are_todays_names_never_old_links(typed: str, expected: str) -> None:
    """Canada/Atlantic, US/Eastern or Asia/Calcutta still work when typed exactly, but a
    suggestion is always the name the tz database uses today."""
    suggested = suggest_timezones(typed, limit=4)
    assert expected in suggested
    current = {line.split("\t")[2] for line in _zone_tab().splitlines() if "\t" in line}
    assert set(suggested) <= current | {"UTC"}, suggested


def _zone_tab() -> str:
    from bot.coach.timezones import _tz_table

    return "\n".join(
        line
        for table in ("zone.tab", "zone1970.tab")
        for line in _tz_table(table).splitlines()
        if not line.startswith("#")
    )


@pytest.mark.parametrize(
    ("locale", "text", "zone"),
    [
        ("de", "München", "Europe/Berlin"),
        ("de", "Köln", "Europe/Berlin"),
        ("de", "Graz", "Europe/Vienna"),
        ("ru", "Санкт-Петербург", "Europe/Moscow"),
        ("ru", "санкт петербург", "Europe/Moscow"),
        ("ru", "Казань", "Europe/Moscow"),
        ("ru", "Пермь", "Asia/Yekaterinburg"),
        ("uk", "Львів", "Europe/Kyiv"),
        ("uk", "Харків", "Europe/Kyiv"),
        ("uk", "Одеса", "Europe/Kyiv"),
        ("es", "Sevilla", "Europe/Madrid"),
        ("es", "Medellín", "America/Bogota"),
        ("es", "Guadalajara", "America/Mexico_City"),
        ("pt_BR", "Rio de Janeiro", "America/Sao_Paulo"),
        ("pt_BR", "Brasília", "America/Sao_Paulo"),
        ("pt_BR", "Salvador", "America/Bahia"),
        ("en", "St Petersburg", "Europe/Moscow"),
        ("en", "Lviv", "Europe/Kyiv"),
        ("en", "Rio de Janeiro", "America/Sao_Paulo"),
    ],
)
def test_big_cities_the_tz_database_does_not_name_in_the_runners_language(
    locale: str, text: str, zone: str
) -> None:
    assert resolve_timezone(text, locale) == zone


def test_a_big_citys_local_name_is_read_in_its_language_only() -> None:
    assert resolve_timezone("Львів", "de") is None
