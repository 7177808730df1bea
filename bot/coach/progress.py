"""What a finished warm-up adds to a runner's progress: whether it counts, what to tell them, and
the rules of the after-run check-in. Pure: the streak arithmetic itself is `bot.coach.streaks`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from bot.coach.streaks import StreakEvents

# A warm-up counts toward the streak when at least this many exercises were done in full (every
# set, not skipped). Four of six keeps a rushed morning honest without demanding perfection.
MIN_EXERCISES_DONE = 4

# The after-run check-in: how long after the warm-up it asks, the choices /settings offers, and
# how long an unanswered one stays open before it closes quietly.
DEFAULT_CHECKIN_MINUTES = 90
CHECKIN_CHOICES: tuple[int, ...] = (30, 60, 90, 120)
CHECKIN_OPEN_FOR = timedelta(hours=12)

FEEL_SCORES: tuple[int, ...] = (1, 2, 3, 4, 5)
# Stored as these words; the one-letter codes travel in callback data.
PAIN_AREAS: dict[str, str] = {
    "n": "none",
    "k": "knee",
    "h": "hip",
    "a": "ankle",
    "b": "back",
    "o": "other",
}
NO_PAIN = "none"


def counts_toward_streak(exercises_done: int) -> bool:
    return exercises_done >= MIN_EXERCISES_DONE


@dataclass(frozen=True)
class CompletionNote:
    """What the completion card says about the streak, kept with the warm-up so that redrawing
    the card (after a lost edit or a double tap) shows exactly the same words."""

    counted: bool
    exercises_done: int
    streak: int  # the current streak after this warm-up
    milestone: int | None = None
    freezes_used: int = 0  # freezes spent on missed days the runner had not been told about
    saved_streak: int | None = None  # the streak those freezes kept alive
    broke_from: int | None = None  # the streak lost to missed days before this warm-up
    freeze_earned: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompletionNote:
        fields = cls.__dataclass_fields__
        return cls(**{key: value for key, value in data.items() if key in fields})


def untold(frozen_days: Iterable[date], told_through: date | None) -> list[date]:
    """Frozen days the runner has not heard about yet: each is announced once."""
    return [day for day in frozen_days if told_through is None or day > told_through]


def completion_note(
    counted: bool,
    exercises_done: int,
    streak: int,
    events: StreakEvents | None,
    told_through: date | None,
) -> CompletionNote:
    """The note for a completed warm-up, from what `record_warmup` reported (None: not counted)."""
    if events is None:
        return CompletionNote(counted=counted, exercises_done=exercises_done, streak=streak)
    fresh = untold(events.freezes_used, told_through)
    saved = events.streak_saved_from if fresh and events.broke_from is None else None
    return CompletionNote(
        counted=counted,
        exercises_done=exercises_done,
        streak=streak,
        milestone=events.milestone,
        freezes_used=len(fresh) if saved is not None else 0,
        saved_streak=saved,
        broke_from=events.broke_from,
        freeze_earned=events.freeze_earned,
    )


def suggest_easing_off(previous_pain: str | None, pain: str) -> bool:
    """Pain on two check-ins in a row (the previous answered one and this one)."""
    return pain != NO_PAIN and previous_pain is not None and previous_pain != NO_PAIN
