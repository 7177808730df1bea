"""Turns a walk-through into the text and buttons of its one message."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coach.progress import MIN_EXERCISES_DONE, CompletionNote
from bot.coach.routine import Routine
from bot.coach.walkthrough import Action, ExerciseResult, Status, Walkthrough
from bot.i18n import gettext
from bot.telegram import dates, texts
from bot.telegram.callbacks import ResumeChoice, WarmupTap
from bot.telegram.demonstrations import CardView


def card_text(state: Walkthrough, routine: Routine, note: CompletionNote | None = None) -> str:
    """The card; a completed one also says what the warm-up did for the streak (`note`)."""
    if state.status is Status.COMPLETED:
        return _summary(state, routine, str(texts.COMPLETED), streak_lines(note, routine))
    if state.status is Status.ENDED:
        return _summary(state, routine, str(texts.ENDED), [])
    exercise = routine.exercises[state.exercise_index]
    progress = texts.CARD_PROGRESS_PER_LEG if exercise.per_leg else texts.CARD_PROGRESS_REPS
    lines = [
        texts.CARD_HEADER.format(number=state.exercise_index + 1, count=len(routine.exercises)),
        _progress_bar(state, routine),
        "",
        gettext(exercise.name),
        progress.format(exercise.reps, set_number=state.set_number, sets=exercise.sets),
    ]
    if exercise.band:
        lines.append(str(texts.BAND_NOTE))
    lines.append("")
    if state.showing_how_to:
        lines.append(str(texts.HOW_TO_HEADER))
        lines.extend(f"• {gettext(cue)}" for cue in exercise.cues)
        lines.append("")
        lines.append(texts.MISTAKE.format(mistake=gettext(exercise.mistake)))
        if exercise.no_band:
            lines.append(texts.NO_BAND.format(alternative=gettext(exercise.no_band)))
        if exercise.band and routine.band_note:
            lines.append(f"🎗 {gettext(routine.band_note)}")
    else:
        lines.append(f"• {gettext(exercise.cues[0])}")
    return "\n".join(lines)


def card_view(
    warmup_id: int,
    state: Walkthrough,
    routine: Routine,
    *,
    animated: bool,
    note: CompletionNote | None = None,
) -> CardView:
    """The whole card: text, buttons, and (on an animated card of a warm-up under way) the
    current exercise's demonstration."""
    clip = None
    if animated and state.is_active:
        clip = routine.exercises[state.exercise_index].demo
    return CardView(card_text(state, routine, note), card_keyboard(warmup_id, state), clip)


def card_keyboard(warmup_id: int, state: Walkthrough) -> InlineKeyboardMarkup | None:
    if not state.is_active:
        return None

    def button(label: str, action: Action) -> InlineKeyboardButton:
        tap = WarmupTap(warmup_id, state.version, action)
        return InlineKeyboardButton(label, callback_data=tap.encode())

    how_to_label = str(texts.BACK_BUTTON) if state.showing_how_to else str(texts.HOW_TO_BUTTON)
    # Done set gets a row of its own: the widest target for a gloved thumb.
    return InlineKeyboardMarkup(
        [
            [button(str(texts.DONE_SET_BUTTON), Action.DONE_SET)],
            [button(how_to_label, Action.HOW_TO), button(str(texts.SKIP_BUTTON), Action.SKIP)],
            [button(str(texts.END_BUTTON), Action.END)],
        ]
    )


def resume_offer(
    warmup_id: int, state: Walkthrough, routine: Routine
) -> tuple[str, InlineKeyboardMarkup]:
    exercise = routine.exercises[state.exercise_index]
    text = texts.ALREADY_RUNNING.format(
        number=state.exercise_index + 1,
        count=len(routine.exercises),
        name=gettext(exercise.name),
        set_number=state.set_number,
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    str(texts.RESUME_BUTTON), callback_data=ResumeChoice(warmup_id, False).encode()
                ),
                InlineKeyboardButton(
                    str(texts.RESTART_BUTTON), callback_data=ResumeChoice(warmup_id, True).encode()
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
        return [texts.NOT_COUNTED.format(len(routine.exercises), needed=needed)]
    lines = []
    if note.saved_streak is not None and note.freezes_used == 1:
        lines.append(texts.FREEZE_SAVED.format(days=texts.DAYS.format(note.saved_streak)))
    elif note.saved_streak is not None and note.freezes_used > 1:
        lines.append(
            texts.FREEZES_SAVED.format(
                freezes=texts.FREEZES.format(note.freezes_used),
                days=texts.DAYS.format(note.saved_streak),
            )
        )
    if note.broke_from:
        lines.append(texts.STREAK_BROKE.format(days=texts.DAYS.format(note.broke_from)))
    if note.milestone is not None:
        lines.append(texts.MILESTONE.format(days=texts.DAYS.format(note.milestone)))
    lines.append(texts.STREAK_LINE.format(note.streak))
    if note.freeze_earned:
        lines.append(str(texts.FREEZE_EARNED))
    return lines


def _summary(state: Walkthrough, routine: Routine, headline: str, streak: list[str]) -> str:
    lines = [headline.format(duration=dates.duration(state.duration_seconds())), ""]
    for exercise, result, done in zip(
        routine.exercises, state.results(routine), state.sets_done, strict=True
    ):
        name = gettext(exercise.name)
        if result is ExerciseResult.PARTIAL:
            lines.append(texts.RESULT_PARTIAL.format(exercise.sets, name=name, done=done))
            continue
        template = {
            ExerciseResult.DONE: texts.RESULT_DONE,
            ExerciseResult.SKIPPED: texts.RESULT_SKIPPED,
            ExerciseResult.NOT_REACHED: texts.RESULT_NOT_REACHED,
        }[result]
        lines.append(template.format(name=name))
    if streak:
        lines += ["", *streak]
    lines += ["", str(texts.AGAIN)]
    return "\n".join(lines)
