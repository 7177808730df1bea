"""The routine file: the seed's six exercises load, broken files are refused clearly."""

from pathlib import Path

import pytest

from bot.coach.routine import RoutineError, parse_routine

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


def test_invalid_toml_names_the_line() -> None:
    text = 'name = "x"\n\n[[exercises]]\nname = "Side steps\n'
    with pytest.raises(RoutineError, match=r"routine.toml, line 4: not valid TOML"):
        parse_routine(text)


def test_bad_field_names_line_and_field() -> None:
    text = ROUTINE_FILE.read_text().replace("reps = 15", "reps = -15")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row == "reps = -15")
    with pytest.raises(RoutineError) as caught:
        parse_routine(text)
    assert str(caught.value).startswith(f"routine.toml, line {line}, exercises[3].reps:")


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
    text = ROUTINE_FILE.read_text().replace("sets = 2\n", "sets = 2\nsetz = 3\n", 1)
    with pytest.raises(RoutineError, match=r"line \d+, exercises\[1\]\.setz: Extra inputs"):
        parse_routine(text)
