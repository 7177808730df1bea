"""What a finished warm-up adds: counting, the completion note, check-in rules."""

from datetime import date

from bot.coach.progress import (
    CompletionNote,
    completion_note,
    counts_toward_streak,
    suggest_easing_off,
    untold,
)
from bot.coach.streaks import StreakEvents

MON, TUE, WED = date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)


def test_four_of_six_count() -> None:
    assert [counts_toward_streak(n) for n in range(7)] == [False] * 4 + [True] * 3


def test_a_freeze_is_told_once() -> None:
    events = StreakEvents(freezes_used=(MON, TUE), streak_saved_from=12)
    fresh = completion_note(True, 6, 12, events, told_through=None)
    assert (fresh.freezes_used, fresh.saved_streak) == (2, 12)
    half = completion_note(True, 6, 12, events, told_through=MON)
    assert (half.freezes_used, half.saved_streak) == (1, 12)
    told = completion_note(True, 6, 12, events, told_through=TUE)
    assert (told.freezes_used, told.saved_streak) == (0, None)
    assert untold([MON, TUE, WED], TUE) == [WED]


def test_freezes_spent_on_a_streak_that_broke_anyway_saved_nothing() -> None:
    events = StreakEvents(freezes_used=(MON,), broke_from=9)
    note = completion_note(True, 6, 1, events, told_through=None)
    assert (note.saved_streak, note.freezes_used, note.broke_from) == (None, 0, 9)


def test_the_note_survives_json() -> None:
    note = CompletionNote(True, 5, 7, milestone=7, freeze_earned=True)
    assert CompletionNote.from_json(note.to_json()) == note
    assert CompletionNote.from_json({**note.to_json(), "from_a_future_version": 1}) == note


def test_pain_twice_in_a_row() -> None:
    assert suggest_easing_off("knee", "hip")
    assert not suggest_easing_off("none", "knee")
    assert not suggest_easing_off(None, "knee")
    assert not suggest_easing_off("knee", "none")
