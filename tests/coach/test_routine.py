"""The routine file: the seed's six exercises load, broken files are refused clearly."""

from pathlib import Path

import pytest

from bot.coach.routine import MAX_MINUTES, RoutineError, parse_routine

ROUTINE_FILE = Path(__file__).resolve().parents[2] / "data" / "routine.toml"


def test_shipped_routine_matches_the_seed() -> None:
    routine = parse_routine(ROUTINE_FILE.read_text())
    assert [(e.name, e.sets, e.reps, e.per_leg) for e in routine.exercises] == [
        ("Banded Side Steps", 2, 10, True),
        ("Wall Abs", 2, 10, True),
        ("Band Monster Walk", 2, 15, True),
        ("Slow Eccentric Heel Taps", 2, 8, True),
        ("Standing Banded Fire Hydrant", 2, 12, True),
        ("Single Leg RDL to March", 2, 8, True),
    ]
    assert routine.total_sets == 12
    for exercise in routine.exercises:
        assert 2 <= len(exercise.cues) <= 3
        assert exercise.mistake
        assert (exercise.no_band is not None) == exercise.band


def test_every_exercise_has_at_least_three_levels_starting_at_the_seed_dose() -> None:
    routine = parse_routine(ROUTINE_FILE.read_text())
    for exercise in routine.exercises:
        assert len(exercise.levels) >= 3, exercise.key
        assert (exercise.levels[0].sets, exercise.levels[0].reps) == (exercise.sets, exercise.reps)
        if exercise.band:
            # The seed's band sits just above the knees; levels move it down, never up.
            assert exercise.levels[0].band_at == "knees"
    side_steps = routine.exercises[0]
    assert [level.band_at for level in side_steps.levels[:2]] == ["knees", "ankles"]


def test_the_highest_levels_fit_in_twelve_minutes_and_level_one_in_about_ten() -> None:
    routine = parse_routine(ROUTINE_FILE.read_text())
    hardest = sum(e.levels[-1].seconds(e.per_leg) for e in routine.exercises)
    first = sum(e.levels[0].seconds(e.per_leg) for e in routine.exercises)
    quick = sum(e.levels[0].seconds(e.per_leg, sets=1) for e in routine.exercises)
    assert hardest <= MAX_MINUTES * 60
    assert abs(first / 60 - routine.minutes) <= 1.5
    assert abs(quick / 60 - routine.quick_minutes) <= 1.5


def test_levels_that_would_take_too_long_are_refused() -> None:
    text = ROUTINE_FILE.read_text().replace(
        '{ sets = 2, reps = 15, band = "heavy", band_at = "feet" },',
        '{ sets = 5, reps = 30, band = "heavy", band_at = "feet" },',
    )
    with pytest.raises(RoutineError, match=r"must fit in 12"):
        parse_routine(text)


def test_an_exercise_needs_three_levels() -> None:
    text = ROUTINE_FILE.read_text().replace(
        "  { sets = 2, reps = 12 },\n  { sets = 2, reps = 15 },\n", "", 1
    )
    with pytest.raises(RoutineError, match=r"exercises\[2\]\.levels: .*at least 3"):
        parse_routine(text)


def test_a_band_level_must_say_where_the_band_goes() -> None:
    text = ROUTINE_FILE.read_text().replace(', band_at = "ankles" }', " }", 1)
    with pytest.raises(RoutineError, match=r"exercises\[1\].*level 2: a band exercise names"):
        parse_routine(text)


def test_two_exercises_with_one_key_are_refused() -> None:
    text = ROUTINE_FILE.read_text().replace('key = "wall-abs"', 'key = "banded-side-steps"')
    with pytest.raises(RoutineError, match=r"two exercises have the key 'banded-side-steps'"):
        parse_routine(text)


def test_invalid_toml_names_the_line() -> None:
    text = 'name = "x"\n\n[[exercises]]\nname = "Side steps\n'
    with pytest.raises(RoutineError, match=r"routine.toml, line 4: not valid TOML"):
        parse_routine(text)


def test_bad_field_names_line_and_field() -> None:
    bad = '  { sets = 2, reps = -15, band = "light", band_at = "ankles" },'
    text = ROUTINE_FILE.read_text().replace(
        '  { sets = 2, reps = 15, band = "light", band_at = "ankles" },', bad
    )
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row == bad)
    with pytest.raises(RoutineError) as caught:
        parse_routine(text)
    assert str(caught.value).startswith(f"routine.toml, line {line}, exercises[3].levels[2].reps:")


def test_missing_field_points_at_its_exercise() -> None:
    text = ROUTINE_FILE.read_text().replace('name = "Wall Abs"\n', "")
    with pytest.raises(RoutineError, match=r"exercises\[2\]\.name: Field required"):
        parse_routine(text)


def test_band_exercise_without_alternative_is_refused() -> None:
    text = ROUTINE_FILE.read_text()
    start = text.index("no_band = ")
    text = text[:start] + text[text.index("\n", start) + 1 :]
    with pytest.raises(RoutineError, match=r"exercises\[1\].*no_band"):
        parse_routine(text)


def test_unknown_field_is_refused() -> None:
    text = ROUTINE_FILE.read_text().replace("per_leg = true\n", "per_leg = true\nsetz = 3\n", 1)
    with pytest.raises(RoutineError, match=r"line \d+, exercises\[1\]\.setz: Extra inputs"):
        parse_routine(text)


def test_a_short_name_longer_than_half_a_phones_button_row_is_refused() -> None:
    text = ROUTINE_FILE.read_text().replace('short = "Wall abs"', 'short = "Wall abs, done slowly"')
    with pytest.raises(RoutineError, match=r"exercises\[2\]\.short: .*at most 16 characters"):
        parse_routine(text)
