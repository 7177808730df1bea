"""Turns a walk-through into the text and buttons of its one message."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coach.progress import MIN_EXERCISES_DONE, CompletionNote
from bot.coach.routine import Routine
from bot.coach.walkthrough import Action, ExerciseResult, Status, Walkthrough
from bot.telegram import texts
from bot.telegram.callbacks import ResumeChoice, WarmupTap


def card_text(state: Walkthrough, routine: Routine, note: CompletionNote | None = None) -> str:
    """The card; a completed one also says what the warm-up did for the streak (`note`)."""
    if state.status is Status.COMPLETED:
        return _summary(state, routine, texts.COMPLETED, streak_lines(note, routine))
    if state.status is Status.ENDED:
        return _summary(state, routine, texts.ENDED, [])
    exercise = routine.exercises[state.exercise_index]
    lines = [
        texts.CARD_HEADER.format(number=state.exercise_index + 1, count=len(routine.exercises)),
        _progress_bar(state, routine),
        "",
        exercise.name,
        texts.CARD_PROGRESS.format(
            set_number=state.set_number,
            sets=exercise.sets,
            reps=exercise.reps,
            unit=texts.PER_LEG if exercise.per_leg else texts.REPS,
        ),
    ]
    if exercise.band:
        lines.append(texts.BAND_NOTE)
    lines.append("")
    if state.showing_how_to:
        lines.append(texts.HOW_TO_HEADER)
        lines.extend(f"• {cue}" for cue in exercise.cues)
        lines.append("")
        lines.append(texts.MISTAKE.format(mistake=exercise.mistake))
        if exercise.no_band:
            lines.append(texts.NO_BAND.format(alternative=exercise.no_band))
    else:
        lines.append(f"• {exercise.cues[0]}")
    return "\n".join(lines)


def card_keyboard(warmup_id: int, state: Walkthrough) -> InlineKeyboardMarkup | None:
    if not state.is_active:
        return None

    def button(label: str, action: Action) -> InlineKeyboardButton:
        tap = WarmupTap(warmup_id, state.version, action)
        return InlineKeyboardButton(label, callback_data=tap.encode())

    how_to_label = texts.BACK_BUTTON if state.showing_how_to else texts.HOW_TO_BUTTON
    # Done set gets a row of its own: the widest target for a gloved thumb.
    return InlineKeyboardMarkup(
        [
            [button(texts.DONE_SET_BUTTON, Action.DONE_SET)],
            [button(how_to_label, Action.HOW_TO), button(texts.SKIP_BUTTON, Action.SKIP)],
            [button(texts.END_BUTTON, Action.END)],
        ]
    )


def resume_offer(
    warmup_id: int, state: Walkthrough, routine: Routine
) -> tuple[str, InlineKeyboardMarkup]:
    exercise = routine.exercises[state.exercise_index]
    text = texts.ALREADY_RUNNING.format(
        number=state.exercise_index + 1,
        count=len(routine.exercises),
        name=exercise.name,
        set_number=state.set_number,
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.RESUME_BUTTON, callback_data=ResumeChoice(warmup_id, False).encode()
                ),
                InlineKeyboardButton(
                    texts.RESTART_BUTTON, callback_data=ResumeChoice(warmup_id, True).encode()
                ),
            ]
        ]
    )
    return text, keyboard


def _progress_bar(state: Walkthrough, routine: Routine) -> str:
    done = sum(state.sets_done) + sum(
        exercise.sets - state.sets_done[index]
        for index, exercise in enumerate(routine.exercises)
        if state.skipped[index]
    )
    total = routine.total_sets
    filled = round(10 * done / total)
    return "▰" * filled + "▱" * (10 - filled)


def streak_lines(note: CompletionNote | None, routine: Routine) -> list[str]:
    """What a completed warm-up did for the streak: counted or not, freezes, milestones."""
    if note is None:
        return []
    if not note.counted:
        needed = min(MIN_EXERCISES_DONE, len(routine.exercises))
        return [texts.NOT_COUNTED.format(needed=needed, count=len(routine.exercises))]
    lines = []
    if note.saved_streak is not None and note.freezes_used == 1:
        lines.append(texts.FREEZE_SAVED.format(streak=note.saved_streak))
    elif note.saved_streak is not None and note.freezes_used > 1:
        lines.append(
            texts.FREEZES_SAVED.format(freezes=note.freezes_used, streak=note.saved_streak)
        )
    if note.broke_from:
        lines.append(texts.STREAK_BROKE.format(streak=note.broke_from))
    if note.milestone is not None:
        lines.append(texts.MILESTONE.format(milestone=note.milestone))
    lines.append(texts.STREAK_LINE.format(streak=note.streak))
    if note.freeze_earned:
        lines.append(texts.FREEZE_EARNED)
    return lines


def _summary(state: Walkthrough, routine: Routine, headline: str, streak: list[str]) -> str:
    lines = [headline.format(duration=texts.duration(state.duration_seconds())), ""]
    for exercise, result, done in zip(
        routine.exercises, state.results(routine), state.sets_done, strict=True
    ):
        template = {
            ExerciseResult.DONE: texts.RESULT_DONE,
            ExerciseResult.PARTIAL: texts.RESULT_PARTIAL,
            ExerciseResult.SKIPPED: texts.RESULT_SKIPPED,
            ExerciseResult.NOT_REACHED: texts.RESULT_NOT_REACHED,
        }[result]
        lines.append(template.format(name=exercise.name, done=done, sets=exercise.sets))
    if streak:
        lines += ["", *streak]
    lines += ["", texts.AGAIN]
    return "\n".join(lines)
