"""Run schedules: every /remind form, and reminders that stay on local time across DST."""

import pickle
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coach.schedule import (
    MESSAGES,
    WEEKDAY_NAMES,
    Reminder,
    RemindSet,
    RemindToggle,
    RunSchedule,
    ScheduleError,
    format_days,
    local_date,
    next_reminder,
    parse_days,
    parse_lead,
    parse_remind_args,
    parse_time,
    parse_timezone,
    run_instant,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
ALL_DAYS = frozenset(range(7))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def schedule(
    days: set[int] | frozenset[int],
    at: time,
    zone: str = "Europe/Berlin",
    lead: int = 30,
) -> RunSchedule:
    return RunSchedule(frozenset(days), at, zone, lead)


def error_of(call: object, *args: object) -> ScheduleError:
    with pytest.raises(ScheduleError) as info:
        call(*args)  # type: ignore[operator]
    return info.value


def assert_one_line(message: str) -> None:
    assert message and "\n" not in message and "\r" not in message


# --------------------------------------------------------------------------- messages


def test_every_message_is_one_line_and_shows_the_expected_form() -> None:
    for code, template in MESSAGES.items():
        assert_one_line(template)
        # Each message goes on to say what works.
        assert "Use " in template or "e.g." in template, code
        # No angle brackets: the Telegram layer may send these as HTML.
        assert "<" not in template and ">" not in template


def test_echoed_input_is_folded_to_one_short_line() -> None:
    error = error_of(parse_days, "ba\nna\tna " + "x" * 100)
    assert_one_line(str(error))
    assert "ba na na" in str(error)
    assert "…" in str(error)


def test_schedule_error_keeps_text_and_code_through_pickle() -> None:
    error = error_of(parse_time, "7pm")
    copy = pickle.loads(pickle.dumps(error))
    assert (str(copy), copy.code) == (str(error), "bad_time")
    assert isinstance(ScheduleError("plain text"), ValueError)


# --------------------------------------------------------------------------- days


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon,wed,fri", {MON, WED, FRI}),
        ("Mon,Wed,Fri", {MON, WED, FRI}),
        ("mon, wed , fri", {MON, WED, FRI}),
        ("mon-fri", {MON, TUE, WED, THU, FRI}),
        ("MON-FRI", {MON, TUE, WED, THU, FRI}),
        ("mon - fri", {MON, TUE, WED, THU, FRI}),
        ("Mon–Fri", {MON, TUE, WED, THU, FRI}),  # en dash, as format_days writes it
        ("daily", ALL_DAYS),
        ("everyday", ALL_DAYS),
        ("every day", ALL_DAYS),
        ("weekends", {SAT, SUN}),
        ("weekend", {SAT, SUN}),
        ("weekdays", {MON, TUE, WED, THU, FRI}),
        ("tue", {TUE}),
        ("tuesday", {TUE}),
        ("tues", {TUE}),
        ("thurs", {THU}),
        ("sundays", {SUN}),
        ("mon,wed-fri", {MON, WED, THU, FRI}),
        ("sat-mon", {SAT, SUN, MON}),  # wraps around the week
        ("fri-fri", {FRI}),
        ("mon,mon", {MON}),
        ("mon,,wed,", {MON, WED}),
        ("weekends,wed", {WED, SAT, SUN}),
    ],
)
def test_parse_days_accepts(text: str, days: set[int]) -> None:
    assert parse_days(text) == frozenset(days)


@pytest.mark.parametrize(
    ("text", "bad_part"),
    [
        ("banana", "banana"),
        ("mon,banana", "banana"),
        ("mon-banana", "mon-banana"),
        ("mon-", "mon-"),
        ("mon wed", "mon wed"),
        ("daily-fri", "daily-fri"),
        ("1,3,5", "1"),
        ("sats", "sats"),
        (",", ","),
    ],
)
def test_parse_days_rejects_naming_the_bad_part(text: str, bad_part: str) -> None:
    error = error_of(parse_days, text)
    assert error.code == "bad_days"
    assert str(error) == MESSAGES["bad_days"].format(value=bad_part)
    assert "mon,wed,fri · mon-fri · daily · weekends" in str(error)
    assert_one_line(str(error))


def test_spec_example_for_bad_days() -> None:
    assert str(error_of(parse_days, "banana")) == (
        "I couldn't read the days 'banana'. Use e.g. mon,wed,fri · mon-fri · daily · weekends."
    )


def test_parse_days_rejects_empty() -> None:
    assert error_of(parse_days, "  ").code == "missing_days"


# --------------------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:00", time(7, 0)),
        ("7:00", time(7, 0)),
        (" 7:05 ", time(7, 5)),
        ("0700", time(7, 0)),
        ("07.30", time(7, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("18:30", time(18, 30)),
    ],
)
def test_parse_time_accepts(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["24:00", "25:99", "7pm", "7", "07", "700", "07:0", "07:000", "12:60", "-1:00", "", "٠٧:٠٠"],
)
def test_parse_time_rejects(text: str) -> None:
    error = error_of(parse_time, text)
    assert error.code == "bad_time"
    assert f"'{text.strip()}'" in str(error)
    assert "HH:MM" in str(error) and "07:00" in str(error)
    assert_one_line(str(error))


@given(st.times())
def test_parse_time_round_trips_every_minute(t: time) -> None:
    assert parse_time(f"{t.hour:02d}:{t.minute:02d}") == time(t.hour, t.minute)
    assert parse_time(f"{t.hour}:{t.minute:02d}") == time(t.hour, t.minute)


# --------------------------------------------------------------------------- time zone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("EUROPE/BERLIN", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("New_York", "America/New_York"),
        ("kolkata", "Asia/Kolkata"),
        ("america/new york", "America/New_York"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires"),  # the canonical name, not the link
        ("port au prince", "America/Port-au-Prince"),
        ("Pacific/Chatham", "Pacific/Chatham"),
        ("mumbai", "Asia/Kolkata"),
    ],
)
def test_parse_timezone_accepts(text: str, zone: str) -> None:
    assert parse_timezone(text) == zone


def test_parse_timezone_suggests_for_a_typo() -> None:
    error = error_of(parse_timezone, "Europ/Berlin")
    assert error.code == "bad_timezone_suggest"
    assert "'Europ/Berlin'" in str(error)
    assert "did you mean Europe/Berlin" in str(error)
    assert "Europe/Berlin or a city like Berlin" in str(error)
    assert_one_line(str(error))


def test_parse_timezone_without_suggestions_is_still_clear() -> None:
    error = error_of(parse_timezone, "Mars/Olympus")
    assert str(error) == (
        "I don't know the time zone 'Mars/Olympus'. Use a name like Europe/Berlin or a city"
        " like Berlin."
    )


@pytest.mark.parametrize("text", ["UTC+2", "GMT-5", "+05:30", "+3", "utc +1"])
def test_parse_timezone_refuses_fixed_offsets(text: str) -> None:
    error = error_of(parse_timezone, text)
    assert error.code == "offset_timezone"
    assert "daylight saving" in str(error)


@pytest.mark.parametrize("text", ["", "localtime", "Factory", "../../etc/passwd", "Europe"])
def test_parse_timezone_rejects_non_places(text: str) -> None:
    error = error_of(parse_timezone, text)
    assert error.code in ("bad_timezone", "bad_timezone_suggest")
    assert_one_line(str(error))


# --------------------------------------------------------------------------- lead


@pytest.mark.parametrize(
    ("text", "minutes"), [("30", 30), ("0", 0), ("180", 180), ("45m", 45), ("15 min", 15)]
)
def test_parse_lead_accepts(text: str, minutes: int) -> None:
    assert parse_lead(text) == minutes


@pytest.mark.parametrize(("text", "code"), [("-5", "lead_range"), ("181", "lead_range")])
def test_parse_lead_rejects_out_of_range(text: str, code: str) -> None:
    error = error_of(parse_lead, text)
    assert error.code == code
    assert f"'{text}'" in str(error) and "0 to 180" in str(error)


@pytest.mark.parametrize("text", ["abc", "30s", "1.5", "", "+3"])
def test_parse_lead_rejects_unreadable(text: str) -> None:
    error = error_of(parse_lead, text)
    assert error.code == "bad_lead"
    assert "0 to 180" in str(error)


# --------------------------------------------------------------------------- /remind


def remind(*args: str, zone: str = "Asia/Tokyo", lead: int = 15) -> RemindSet | RemindToggle:
    return parse_remind_args(list(args), current_timezone=zone, current_lead=lead)


def test_remind_full_form() -> None:
    assert remind("mon,wed,fri", "07:00", "Europe/Berlin", "30") == RemindSet(
        RunSchedule(frozenset({MON, WED, FRI}), time(7, 0), "Europe/Berlin", 30)
    )


def test_remind_left_out_zone_and_lead_keep_the_current_ones() -> None:
    assert remind("mon-fri", "7:00") == RemindSet(
        RunSchedule(frozenset(range(5)), time(7, 0), "Asia/Tokyo", 15)
    )


def test_remind_defaults_for_a_new_user_are_utc_and_30_minutes() -> None:
    result = parse_remind_args(["daily", "06:15"])
    assert result == RemindSet(RunSchedule(ALL_DAYS, time(6, 15), "UTC", 30))


def test_remind_lead_without_zone() -> None:
    result = remind("weekends", "08:00", "45")
    assert isinstance(result, RemindSet)
    assert (result.schedule.timezone, result.schedule.lead_minutes) == ("Asia/Tokyo", 45)


def test_remind_zone_without_lead() -> None:
    result = remind("tue", "18:30", "europe/berlin")
    assert isinstance(result, RemindSet)
    assert (result.schedule.timezone, result.schedule.lead_minutes) == ("Europe/Berlin", 15)


def test_remind_multi_word_city_and_lead() -> None:
    result = remind("mon,wed-fri", "07:00", "new", "york", "0")
    assert result == RemindSet(
        RunSchedule(frozenset({MON, WED, THU, FRI}), time(7, 0), "America/New_York", 0)
    )


def test_remind_days_split_after_commas_are_glued_back() -> None:
    result = remind("mon,", "wed,", "fri", "07:00")
    assert isinstance(result, RemindSet)
    assert result.schedule.run_days == frozenset({MON, WED, FRI})


def test_remind_a_new_schedule_is_enabled() -> None:
    result = remind("mon", "07:00")
    assert isinstance(result, RemindSet) and result.schedule.enabled


@pytest.mark.parametrize(("word", "enabled"), [("off", False), ("on", True), ("OFF", False)])
def test_remind_off_and_on(word: str, enabled: bool) -> None:
    assert remind(word) == RemindToggle(enabled=enabled)


@pytest.mark.parametrize(
    ("args", "code", "named"),
    [
        ((), "usage", "/remind mon,wed,fri 07:00"),
        (("banana", "07:00"), "bad_days", "'banana'"),
        (("mon",), "missing_time", "'mon'"),
        (("mon", "25:99"), "bad_time", "'25:99'"),
        (("mon", "24:00"), "bad_time", "'24:00'"),
        (("mon", "7pm"), "bad_time", "'7pm'"),
        (("mon", "07:00", "Mars/Olympus"), "bad_timezone", "'Mars/Olympus'"),
        (("mon", "07:00", "Europ/Berlin"), "bad_timezone_suggest", "Europe/Berlin"),
        (("mon", "07:00", "Berlin", "-5"), "lead_range", "'-5'"),
        (("mon", "07:00", "-5"), "lead_range", "'-5'"),
        (("mon", "07:00", "Berlin", "181"), "lead_range", "'181'"),
        (("mon", "07:00", "Berlin", "30", "extra"), "too_many", "'extra'"),
        (("mon", "07:00", "Europe/Berlin", "30", "40"), "too_many", "'40'"),
        (("mon", "07:00", "30", "Berlin"), "too_many", "'Berlin'"),
        (("mon", "07:00", "30", "40"), "too_many", "'40'"),
        (("off", "now"), "toggle_extra", "/remind off"),
        (("on", "mon"), "toggle_extra", "/remind on"),
    ],
)
def test_remind_rejects_with_one_clear_line(args: tuple[str, ...], code: str, named: str) -> None:
    error = error_of(parse_remind_args, list(args))
    assert error.code == code
    assert named in str(error)
    assert_one_line(str(error))


def test_remind_unknown_multi_word_city_gets_suggestions() -> None:
    error = error_of(parse_remind_args, ["mon", "07:00", "new", "yrok"])
    assert error.code == "bad_timezone_suggest"
    assert "America/New_York" in str(error)


# --------------------------------------------------------------------------- the model


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"run_days": frozenset()}, ValueError),
        ({"run_days": frozenset({7})}, ValueError),
        ({"lead_minutes": 181}, ValueError),
        ({"lead_minutes": -1}, ValueError),
        ({"run_time": time(7, tzinfo=UTC)}, ValueError),
        ({"timezone": "Mars/Olympus"}, ScheduleError),
        ({"timezone": "localtime"}, ScheduleError),
    ],
)
def test_run_schedule_refuses_invalid_fields(kwargs: dict[str, object], error: type) -> None:
    fields: dict[str, object] = {
        "run_days": frozenset({MON}),
        "run_time": time(7),
        "timezone": "UTC",
        **kwargs,
    }
    with pytest.raises(error):
        RunSchedule(**fields)  # type: ignore[arg-type]


def test_run_schedule_freezes_run_days() -> None:
    s = RunSchedule({MON, FRI}, time(7), "UTC")  # type: ignore[arg-type]
    assert s.run_days == frozenset({MON, FRI}) and isinstance(s.run_days, frozenset)


# --------------------------------------------------------------------------- run_instant


@pytest.mark.parametrize(
    ("zone", "run_date", "at", "expected_utc", "local_wall"),
    [
        # Berlin spring forward 2026-03-29 02:00 -> 03:00: 02:30 does not exist, becomes 03:30.
        ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30), time(3, 30)),
        # Berlin fall back 2026-10-25 03:00 -> 02:00: 02:30 happens twice, the first counts.
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), time(2, 30)),
        # New York spring forward 2026-03-08 and fall back 2026-11-01.
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30), time(3, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), time(1, 30)),
        # Chatham springs forward 02:45 -> 03:45 on 2026-09-27.
        ("Pacific/Chatham", date(2026, 9, 27), time(3, 0), utc(2026, 9, 26, 14, 15), time(4, 0)),
    ],
)
def test_run_instant_dst_rule(
    zone: str, run_date: date, at: time, expected_utc: datetime, local_wall: time
) -> None:
    instant = run_instant(schedule({run_date.weekday()}, at, zone), run_date)
    assert instant == expected_utc
    assert instant.tzinfo is UTC
    assert instant.astimezone(ZoneInfo(zone)).time() == local_wall


def test_local_date() -> None:
    instant = utc(2026, 3, 1, 23, 30)
    assert local_date(instant, "UTC") == date(2026, 3, 1)
    assert local_date(instant, "Europe/Berlin") == date(2026, 3, 2)
    assert local_date(instant, "America/New_York") == date(2026, 3, 1)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 3, 1), "UTC")


# --------------------------------------------------------------------------- next_reminder


def test_next_reminder_berlin_across_spring_forward() -> None:
    sunday_run = schedule({SUN}, time(7, 0), "Europe/Berlin")
    before = next_reminder(sunday_run, utc(2026, 3, 20))
    assert before == Reminder(date(2026, 3, 22), utc(2026, 3, 22, 6, 0), utc(2026, 3, 22, 5, 30))
    # The change day itself: 07:00 CEST is an hour earlier in UTC; local stays 07:00.
    on_change = next_reminder(sunday_run, before.remind_at)
    assert on_change == Reminder(date(2026, 3, 29), utc(2026, 3, 29, 5, 0), utc(2026, 3, 29, 4, 30))
    assert on_change.run_at.astimezone(ZoneInfo("Europe/Berlin")).time() == time(7, 0)


def test_next_reminder_berlin_across_fall_back() -> None:
    sunday_run = schedule({SUN}, time(7, 0), "Europe/Berlin")
    before = next_reminder(sunday_run, utc(2026, 10, 17))
    assert before is not None and before.run_at == utc(2026, 10, 18, 5, 0)
    on_change = next_reminder(sunday_run, before.remind_at)
    assert on_change == Reminder(
        date(2026, 10, 25), utc(2026, 10, 25, 6, 0), utc(2026, 10, 25, 5, 30)
    )
    assert on_change.run_at.astimezone(ZoneInfo("Europe/Berlin")).time() == time(7, 0)


def test_next_reminder_in_the_spring_forward_gap() -> None:
    gap_run = schedule({SUN}, time(2, 30), "Europe/Berlin", lead=30)
    reminder = next_reminder(gap_run, utc(2026, 3, 28, 12))
    # 02:30 does not exist; the run is at 03:30 CEST (01:30 UTC), reminded 30 min before.
    assert reminder == Reminder(date(2026, 3, 29), utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1, 0))
    # The week after, 02:30 exists again.
    following = next_reminder(gap_run, reminder.remind_at)
    assert following is not None and following.run_at == utc(2026, 4, 5, 0, 30)


@pytest.mark.parametrize(
    ("after", "run_date", "run_at"),
    [
        (utc(2026, 3, 2), date(2026, 3, 8), utc(2026, 3, 8, 11, 0)),  # first day of EDT
        (utc(2026, 3, 1), date(2026, 3, 1), utc(2026, 3, 1, 12, 0)),  # last Sunday of EST
        (utc(2026, 10, 26), date(2026, 11, 1), utc(2026, 11, 1, 12, 0)),  # first day of EST
        (utc(2026, 10, 25), date(2026, 10, 25), utc(2026, 10, 25, 11, 0)),  # last day of EDT
    ],
)
def test_next_reminder_new_york(after: datetime, run_date: date, run_at: datetime) -> None:
    reminder = next_reminder(schedule({SUN}, time(7, 0), "America/New_York"), after)
    assert reminder == Reminder(run_date, run_at, run_at - timedelta(minutes=30))


def test_next_reminder_kolkata_half_hour_offset() -> None:
    reminder = next_reminder(schedule({WED}, time(7, 0), "Asia/Kolkata", lead=45), utc(2026, 7, 1))
    assert reminder == Reminder(date(2026, 7, 1), utc(2026, 7, 1, 1, 30), utc(2026, 7, 1, 0, 45))


@pytest.mark.parametrize(
    ("after", "run_date", "run_at"),
    [
        # Southern summer, +13:45: Monday 07:00 is Sunday 17:15 UTC.
        (utc(2026, 1, 1), date(2026, 1, 5), utc(2026, 1, 4, 17, 15)),
        # Southern winter, +12:45: Monday 07:00 is Sunday 18:15 UTC.
        (utc(2026, 7, 1), date(2026, 7, 6), utc(2026, 7, 5, 18, 15)),
    ],
)
def test_next_reminder_chatham_quarter_hour_offsets(
    after: datetime, run_date: date, run_at: datetime
) -> None:
    reminder = next_reminder(schedule({MON}, time(7, 0), "Pacific/Chatham"), after)
    assert reminder == Reminder(run_date, run_at, run_at - timedelta(minutes=30))


def test_run_just_after_midnight_is_reminded_the_evening_before() -> None:
    monday_run = schedule({MON}, time(0, 15), "Europe/Berlin", lead=30)
    berlin = ZoneInfo("Europe/Berlin")
    # Monday 2026-03-02 00:15 CET = Sunday 23:15 UTC; reminder Sunday 23:45 local = 22:45 UTC.
    remind_at = utc(2026, 3, 1, 22, 45)
    expected = Reminder(date(2026, 3, 2), utc(2026, 3, 1, 23, 15), remind_at)
    assert next_reminder(monday_run, utc(2026, 2, 27)) == expected
    local_remind = expected.remind_at.astimezone(berlin)
    assert (local_remind.weekday(), local_remind.time()) == (SUN, time(23, 45))
    # Just before the reminder instant, it is still the next one.
    assert next_reminder(monday_run, remind_at - timedelta(seconds=1)) == expected
    # At or just after it, the next is a week later.
    for after in (remind_at, remind_at + timedelta(seconds=1)):
        later = next_reminder(monday_run, after)
        assert later is not None and later.run_date == date(2026, 3, 9)


def test_next_reminder_same_day_before_and_after_the_reminder() -> None:
    daily = schedule(ALL_DAYS, time(7, 0), "UTC", lead=30)
    assert next_reminder(daily, utc(2026, 5, 5, 6, 29)).run_date == date(2026, 5, 5)  # type: ignore[union-attr]
    assert next_reminder(daily, utc(2026, 5, 5, 6, 30)).run_date == date(2026, 5, 6)  # type: ignore[union-attr]


def test_next_reminder_single_run_day_already_reminded_today_is_a_week_later() -> None:
    wednesday = schedule({WED}, time(18, 0), "UTC", lead=0)
    reminder = next_reminder(wednesday, utc(2026, 5, 6, 18, 0))  # Wednesday 18:00 exactly
    assert reminder is not None and reminder.run_date == date(2026, 5, 13)


def test_next_reminder_accepts_after_in_any_zone() -> None:
    s = schedule({MON}, time(7, 0), "Europe/Berlin")
    assert next_reminder(s, local("Asia/Tokyo", 2026, 3, 2, 14, 29)) == next_reminder(
        s, utc(2026, 3, 2, 5, 29)
    )


def test_next_reminder_after_given_in_local_time_across_a_dst_change() -> None:
    # Run 04:00 CEST on 2026-03-29 (02:00 UTC), reminded 180 min before: 23:00 UTC on the 28th.
    early = schedule(ALL_DAYS, time(4, 0), "Europe/Berlin", lead=180)
    after = local("Europe/Berlin", 2026, 3, 29, 0, 30)  # 23:30 UTC, past that reminder
    reminder = next_reminder(early, after)
    assert reminder is not None and reminder.run_date == date(2026, 3, 30)
    assert reminder == next_reminder(early, after.astimezone(UTC))


def test_next_reminder_disabled_is_none() -> None:
    s = replace(schedule({MON}, time(7, 0)), enabled=False)
    assert next_reminder(s, utc(2026, 3, 1)) is None


def test_next_reminder_refuses_naive_after() -> None:
    with pytest.raises(ValueError):
        next_reminder(schedule({MON}, time(7, 0)), datetime(2026, 3, 1))


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("days", "text"),
    [
        ({MON, WED, FRI}, "Mon, Wed, Fri"),
        (ALL_DAYS, "every day"),
        ({MON, TUE, WED, THU, FRI}, "Mon–Fri"),
        ({SAT, SUN}, "Sat, Sun"),
        ({TUE}, "Tue"),
        ({MON, WED, THU, FRI}, "Mon, Wed–Fri"),
        ({MON, TUE, SAT, SUN}, "Mon, Tue, Sat, Sun"),
        ({MON, TUE, WED, FRI, SAT, SUN}, "Mon–Wed, Fri–Sun"),
    ],
)
def test_format_days(days: set[int], text: str) -> None:
    assert format_days(days) == text


def test_format_days_refuses_bad_days() -> None:
    with pytest.raises(ValueError):
        format_days({7})


@given(st.frozensets(st.integers(0, 6), min_size=1))
def test_format_days_parses_back(days: frozenset[int]) -> None:
    assert parse_days(format_days(days)) == days
    assert parse_days(",".join(WEEKDAY_NAMES[d] for d in days)) == days


# --------------------------------------------------------------------------- properties

# Zones with every kind of offset and DST oddity: none, half- and quarter-hour offsets, DST at
# midnight (Santiago, Havana), a 30-minute DST shift (Lord Howe), southern hemisphere, +14/-11.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/St_Johns",
    "America/Santiago",
    "America/Havana",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tehran",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Africa/Casablanca",
]

schedules = st.builds(
    RunSchedule,
    run_days=st.frozensets(st.integers(0, 6), min_size=1),
    run_time=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    timezone=st.sampled_from(ZONES),
    lead_minutes=st.integers(0, 180),
)
# `after`/`now` arrive in UTC or in any of the zones (including the schedule's own one).
instants = st.datetimes(
    min_value=datetime(2015, 1, 1),
    max_value=datetime(2037, 12, 31),
    timezones=st.sampled_from([UTC, *(ZoneInfo(z) for z in ZONES)]),
    allow_imaginary=False,
)


def in_gap(wall: datetime, zone: ZoneInfo) -> bool:
    """True if the naive wall time is skipped by a forward transition (PEP 495: in a gap the
    fold=0 offset, from before the transition, is smaller than the fold=1 one)."""
    before = wall.replace(tzinfo=zone, fold=0).utcoffset()
    after = wall.replace(tzinfo=zone, fold=1).utcoffset()
    assert before is not None and after is not None
    return before < after


@settings(max_examples=300)
@given(schedules, instants)
def test_next_reminder_properties(s: RunSchedule, after: datetime) -> None:
    reminder = next_reminder(s, after)
    assert reminder is not None
    zone = ZoneInfo(s.timezone)
    assert reminder.remind_at > after
    assert reminder.remind_at == reminder.run_at - timedelta(minutes=s.lead_minutes)
    assert reminder.run_date.weekday() in s.run_days
    assert reminder.run_at.tzinfo is UTC
    wall = datetime.combine(reminder.run_date, s.run_time)
    local_run = reminder.run_at.astimezone(zone).replace(tzinfo=None)
    if in_gap(wall, zone):
        # Moved forward by exactly the gap.
        gap = (
            wall.replace(tzinfo=zone, fold=1).utcoffset()
            - wall.replace(  # type: ignore[operator]
                tzinfo=zone, fold=0
            ).utcoffset()
        )
        assert local_run == wall + gap
    else:
        assert local_run == wall
    # Nothing earlier was skipped: every run day from the local date of `after` up to this run
    # had its reminder at or before `after`.
    day = local_date(after, s.timezone)
    while day < reminder.run_date:
        if day.weekday() in s.run_days:
            assert run_instant(s, day) - timedelta(minutes=s.lead_minutes) <= after
        day += timedelta(days=1)


@settings(max_examples=100)
@given(schedules, instants)
def test_walking_forward_hits_every_run_day_once(s: RunSchedule, after: datetime) -> None:
    first = next_reminder(s, after)
    assert first is not None
    horizon = first.run_date + timedelta(days=21)
    seen: list[date] = []
    reminder: Reminder | None = first
    while reminder is not None and reminder.run_date < horizon:
        seen.append(reminder.run_date)
        previous = reminder
        reminder = next_reminder(s, reminder.remind_at)
        assert reminder is not None and reminder.remind_at > previous.remind_at
    expected = [
        first.run_date + timedelta(days=i)
        for i in range(21)
        if (first.run_date + timedelta(days=i)).weekday() in s.run_days
    ]
    assert seen == expected
    assert len(seen) == 3 * len(s.run_days)


# ----------------------------------------------------------------- in the runner's language

MON_WED_FRI, WEEKDAYS, WEEKEND = frozenset({0, 2, 4}), frozenset(range(5)), frozenset({5, 6})


@pytest.mark.parametrize(
    ("locale", "text", "days"),
    [
        ("ru", "пн,ср,пт", MON_WED_FRI),
        ("ru", "Пн-Пт", WEEKDAYS),
        ("ru", "понедельник,среда,пятница", MON_WED_FRI),
        ("ru", "выходные", WEEKEND),
        ("uk", "пн,ср,пт", MON_WED_FRI),
        ("uk", "п'ятниця,неділя", frozenset({4, 6})),  # typed apostrophe, CLDR's is ʼ
        ("uk", "будні", WEEKDAYS),
        ("es", "lun,mié,vie", MON_WED_FRI),
        ("es", "lun,mie,vie", MON_WED_FRI),  # without the accent
        ("es", "sáb-dom", WEEKEND),
        ("es", "do", frozenset({6})),  # domingo
        ("de", "Mo,Mi,Fr", MON_WED_FRI),
        ("de", "Mo.-Fr.", WEEKDAYS),
        ("de", "do", frozenset({3})),  # Donnerstag: the runner's language decides
        ("de", "täglich", frozenset(range(7))),
        ("pt_BR", "seg,qua,sex", MON_WED_FRI),
        ("pt_BR", "segunda-feira-sexta-feira", WEEKDAYS),  # "-feira" is no range
        ("pt_BR", "sáb.,dom.", WEEKEND),
        ("ru", "mon,wed,fri", MON_WED_FRI),  # English always works
    ],
)
def test_run_days_in_the_runners_language(locale: str, text: str, days: frozenset[int]) -> None:
    assert parse_days(text, locale) == days


def test_another_languages_day_names_are_not_read() -> None:
    with pytest.raises(ScheduleError, match="пн"):
        parse_days("пн,ср", "de")


@pytest.mark.parametrize(
    ("locale", "args", "days", "zone"),
    [
        ("ru", "пн,ср,пт 07:00 Москва 30", MON_WED_FRI, "Europe/Moscow"),
        ("ru", "будни 06:30 Нью-Йорк", WEEKDAYS, "America/New_York"),
        ("uk", "пн-пт 06:30 Київ 20", WEEKDAYS, "Europe/Kyiv"),
        ("es", "lun,mié,vie 07:00 Ciudad de México 15", MON_WED_FRI, "America/Mexico_City"),
        ("es", "sábado,domingo 08:00 nueva york", WEEKEND, "America/New_York"),
        ("de", "Mo,Mi,Fr 07:00 Wien", MON_WED_FRI, "Europe/Vienna"),
        ("pt_BR", "seg,qua,sex 06:00 São Paulo quick", MON_WED_FRI, "America/Sao_Paulo"),
        ("pt_BR", "seg,qua,sex 06:00 sao paulo", MON_WED_FRI, "America/Sao_Paulo"),
    ],
)
def test_remind_reads_days_and_city_in_the_runners_language(
    locale: str, args: str, days: frozenset[int], zone: str
) -> None:
    command = parse_remind_args(args.split(), locale=locale)
    assert isinstance(command, RemindSet)
    assert (command.schedule.run_days, command.schedule.timezone) == (days, zone)


def test_a_city_in_another_language_than_the_runners_is_not_guessed() -> None:
    assert parse_timezone("Москва", "ru") == "Europe/Moscow"
    with pytest.raises(ScheduleError):
        parse_timezone("Москва", "de")


@pytest.mark.parametrize(
    ("locale", "args", "days"),
    [
        ("en", "every day 07:00", frozenset(range(7))),
        ("ru", "каждый день 07:00 Москва", frozenset(range(7))),
        ("uk", "кожний день 07:00", frozenset(range(7))),
        ("es", "todos los días 07:00", frozenset(range(7))),
        ("es", "fin de semana 08:00 Madrid 15", WEEKEND),
        ("es", "entre semana 06:30", WEEKDAYS),
        ("de", "jeden Tag 07:00 Berlin", frozenset(range(7))),
        ("pt_BR", "dias úteis 06:00 São Paulo", WEEKDAYS),
        ("pt_BR", "fim de semana 08:00", WEEKEND),
    ],
)
def test_remind_reads_a_group_of_days_in_several_words(
    locale: str, args: str, days: frozenset[int]
) -> None:
    command = parse_remind_args(args.split(), locale=locale)
    assert isinstance(command, RemindSet)
    assert command.schedule.run_days == days
