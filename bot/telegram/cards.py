"""Turns a walk-through into the text and buttons of its one message."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.coach.level_rules import Rating
from bot.coach.plan import Plan
from bot.coach.progress import MIN_EXERCISES_DONE, CompletionNote
from bot.coach.routine import Exercise, Routine
from bot.coach.walkthrough import Action, ExerciseResult, Status, Walkthrough
from bot.demos.clips import clip_name
from bot.i18n import gettext
from bot.telegram import dates, texts
from bot.telegram.callbacks import MENU_QUICK, MENU_WARMUP, RatingTap, ResumeChoice, WarmupTap
from bot.telegram.demonstrations import CardView


@dataclass(frozen=True, slots=True)
class CardExtras:
    """What a card says besides the walk-through: level changes to announce (on the first set
    only), what the warm-up did for the streak, and the runner's rating of a completed one."""

    announced: tuple[tuple[str, int, int], ...] = ()
    note: CompletionNote | None = None
    rating: Rating | None = None


def card_text(
    state: Walkthrough, plan: Plan, routine: Routine, extras: CardExtras = CardExtras()
) -> str:
    """The card; a completed one also says what the warm-up did for the streak."""
    if state.status is Status.COMPLETED:
        headline = texts.COMPLETED_QUICK if plan.quick else texts.COMPLETED
        if extras.rating is None:
            closing = [str(texts.RATE_QUESTION)]
        else:
            closing = [str(texts.RATED[extras.rating]), "", str(texts.AGAIN)]
        return _summary(state, plan, str(headline), streak_lines(extras.note, routine), closing)
    if state.status is Status.ENDED:
        return _summary(state, plan, str(texts.ENDED), [], [str(texts.AGAIN)])
    dose = plan.exercises[state.exercise_index]
    exercise = dose.exercise
    progress = texts.CARD_PROGRESS_PER_LEG if exercise.per_leg else texts.CARD_PROGRESS_REPS
    header = texts.CARD_HEADER_QUICK if plan.quick else texts.CARD_HEADER
    lines = []
    # Level changes head the first set's card, until the runner opens the how-to (together
    # they would not fit Telegram's 1,024-character caption in every language).
    first_set = state.exercise_index == 0 and state.set_number == 1
    if extras.announced and first_set and not state.showing_how_to:
        lines += [*announcement_lines(extras.announced, routine), ""]
    lines += [
        header.format(number=state.exercise_index + 1, count=len(plan.exercises)),
        _progress_bar(state, plan),
        "",
        gettext(exercise.name),
        level_line(exercise, dose.level_number),
        progress.format(dose.reps, set_number=state.set_number, sets=dose.sets),
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
    plan: Plan,
    routine: Routine,
    *,
    animated: bool,
    extras: CardExtras = CardExtras(),
) -> CardView:
    """The whole card: text, buttons, and (on an animated card of a warm-up under way) the
    current exercise's demonstration."""
    clip = None
    if animated and state.is_active:
        dose = plan.exercises[state.exercise_index]
        clip = clip_name(dose.exercise.demo, dose.level.band_at)
    keyboard = card_keyboard(warmup_id, state, rated=extras.rating is not None)
    return CardView(card_text(state, plan, routine, extras), keyboard, clip)


def card_keyboard(
    warmup_id: int, state: Walkthrough, *, rated: bool = False
) -> InlineKeyboardMarkup | None:
    """The walk-through's buttons; on a completed warm-up not yet rated, the rating's."""
    if state.status is Status.COMPLETED and not rated:
        return rating_keyboard(warmup_id)
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


def rating_keyboard(warmup_id: int) -> InlineKeyboardMarkup:
    """😌 Easy, 👍 About right, 😓 Hard: a row each, so no label is cut on a phone (three in a
    row cut "About right" at 390 px) and each is a whole-width target for a gloved thumb."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    str(texts.RATE_BUTTONS[rating]),
                    callback_data=RatingTap(warmup_id, rating).encode(),
                )
            ]
            for rating in Rating
        ]
    )


def start_rows(routine: Routine, quick_first: bool = False) -> list[list[InlineKeyboardButton]]:
    """The two ways to start a warm-up, full and quick, each a row of its own (gloves)."""
    full = InlineKeyboardButton(
        texts.FULL_BUTTON.format(minutes=routine.minutes), callback_data=MENU_WARMUP
    )
    quick = InlineKeyboardButton(
        texts.QUICK_BUTTON.format(minutes=routine.quick_minutes), callback_data=MENU_QUICK
    )
    return [[quick], [full]] if quick_first else [[full], [quick]]


def level_line(exercise: Exercise, number: int) -> str:
    """ "Level 2 · band at the ankles · light band", or "Level 2" without a band."""
    level = exercise.level(number)
    if level.band_at is None or level.band == "none":
        return texts.LEVEL.format(level=number)
    return texts.LEVEL_WITH_BAND.format(
        level=number,
        position=texts.BAND_POSITION[level.band_at],
        resistance=texts.BAND_RESISTANCE[level.band],
    )


def dose_text(exercise: Exercise, number: int) -> str:
    """ "2 × 12 per leg": the dose of an exercise at a level."""
    level = exercise.level(number)
    template = texts.DOSE_PER_LEG if exercise.per_leg else texts.DOSE_REPS
    return template.format(level.reps, sets=level.sets)


def announcement_lines(announced: tuple[tuple[str, int, int], ...], routine: Routine) -> list[str]:
    """ "⬆️ Banded Side Steps: level 2, band at the ankles", one line per changed exercise."""
    by_key = {exercise.key: exercise for exercise in routine.exercises}
    lines = []
    for key, old, new in announced:
        exercise = by_key.get(key)
        if exercise is None:
            continue  # removed from the routine since
        detail = _what_changed(exercise, old, new)
        template = texts.LEVEL_UP if new > old else texts.LEVEL_DOWN
        lines.append(template.format(name=gettext(exercise.name), level=new, detail=detail))
    return lines


def _what_changed(exercise: Exercise, old: int, new: int) -> str:
    """The lever that moved between two levels, as the announcement names it: where the band
    sits, else how strong it is, else the dose."""
    before, after = exercise.level(old), exercise.level(new)
    if after.band_at is not None and after.band_at != before.band_at:
        return str(texts.BAND_POSITION[after.band_at])
    if after.band != "none" and after.band != before.band:
        return str(texts.BAND_RESISTANCE[after.band])
    return dose_text(exercise, new)


def resume_offer(
    warmup_id: int, state: Walkthrough, plan: Plan, quick: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """Resume the warm-up in progress, or start over (`quick`: with the quick version)."""
    exercise = plan.exercises[state.exercise_index].exercise
    text = texts.ALREADY_RUNNING.format(
        number=state.exercise_index + 1,
        count=len(plan.exercises),
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
                    str(texts.RESTART_BUTTON),
                    callback_data=ResumeChoice(warmup_id, True, quick).encode(),
                ),
            ]
        ]
    )
    return text, keyboard


def _progress_bar(state: Walkthrough, plan: Plan) -> str:
    done = sum(state.sets_done) + sum(
        dose.sets - state.sets_done[index]
        for index, dose in enumerate(plan.exercises)
        if state.skipped[index]
    )
    total = plan.total_sets
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


def _summary(
    state: Walkthrough, plan: Plan, headline: str, streak: list[str], closing: list[str]
) -> str:
    lines = [headline.format(duration=dates.duration(state.duration_seconds())), ""]
    for dose, result, done in zip(
        plan.exercises, state.results(plan), state.sets_done, strict=True
    ):
        name = gettext(dose.exercise.name)
        if result is ExerciseResult.PARTIAL:
            lines.append(texts.RESULT_PARTIAL.format(dose.sets, name=name, done=done))
            continue
        template = {
            ExerciseResult.DONE: texts.RESULT_DONE,
            ExerciseResult.SKIPPED: texts.RESULT_SKIPPED,
            ExerciseResult.NOT_REACHED: texts.RESULT_NOT_REACHED,
        }[result]
        lines.append(template.format(name=name))
    if streak:
        lines += ["", *streak]
    lines += ["", *closing]
    return "\n".join(lines)
