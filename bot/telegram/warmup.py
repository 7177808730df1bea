"""Handlers for the guided warm-up: /warmup, its buttons, resume or start over."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.coach.progress import CompletionNote
from bot.coach.walkthrough import Action, Outcome, Status, Step, Walkthrough, apply
from bot.db import quick_completion, quick_taps, stats, warmups
from bot.telegram import checkin_jobs, texts
from bot.telegram.callbacks import WarmupTap, parse_resume, parse_tap
from bot.telegram.cards import card_keyboard, card_text, resume_offer
from bot.telegram.delivery import answer_quietly, edit_if_changed, message_of, with_retries
from bot.telegram.services import Services, services_of

logger = logging.getLogger(__name__)


async def warmup_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start the warm-up, or offer to resume the one in progress."""
    await begin_warmup(update, context, in_place=None)


async def start_warmup_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The ▶ Start warm-up button (welcome, reminders): the warm-up takes over that message."""
    query = update.callback_query
    assert query is not None
    try:
        await begin_warmup(update, context, in_place=message_of(query))
    finally:
        await answer_quietly(query, None)


async def begin_warmup(
    update: Update, context: ContextTypes.DEFAULT_TYPE, in_place: Message | None
) -> None:
    """Show a new warm-up card, or a resume offer, as a new message or in place of `in_place`."""
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    routine, now = services.routine, services.clock()
    async with services.sessions.begin() as db:
        await warmups.ensure_user(db, user.id, chat.id, user.first_name, now)
        running = await warmups.active_warmup(db, user.id)
        if running is not None:
            text, keyboard = resume_offer(running.id, warmups.to_walkthrough(running), routine)
            warmup_id = None
        else:
            started = Walkthrough.start(routine, now)
            row = await warmups.create_warmup(db, user.id, chat.id, started)
            # So that the completing tap can take its quick way.
            known_context = await quick_completion.ready_for_completion(db, user.id, now)
            warmup_id = row.id
            text, keyboard = card_text(started, routine), card_keyboard(row.id, started)
    # Telegram is called outside the transaction so no database lock is held over the network.
    if in_place is not None:
        await edit_if_changed(in_place, text, keyboard, services.shown)
        shown = in_place
    else:
        shown = await with_retries(
            lambda: context.bot.send_message(chat.id, text, reply_markup=keyboard),
            "sendMessage",
        )
        services.shown.remember(chat.id, shown.message_id, text, keyboard)
    if warmup_id is not None:
        await services.quick.record_card(warmup_id, shown.message_id)
        services.recent.remember(
            warmups.WarmupRecord(
                warmup_id, user.id, chat.id, shown.message_id, started, known_context
            )
        )


async def resume_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """▶ Resume or ↺ Start over on the offer that /warmup shows while a warm-up runs."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    answer: str | None = None
    try:
        choice = parse_resume(query.data)
        message = message_of(query)
        if choice is None or message is None:
            return
        services = services_of(context)
        routine, now = services.routine, services.clock()
        async with services.sessions.begin() as db:
            row = await warmups.get_warmup(db, choice.warmup_id)
            if row is None or row.user_id != update.effective_user.id:
                return  # not ours: refused quietly
            state = warmups.to_walkthrough(row)
            if not state.is_active:
                answer = texts.ANSWER_WARMUP_OVER
                return
            old_message_id = row.message_id
            if choice.restart:
                ended = apply(state, routine, Action.END, state.version, now).state
                if not await warmups.save_step(db, row.id, state.version, ended):
                    answer = texts.ANSWER_ALREADY_COUNTED
                    return
                state = Walkthrough.start(routine, now)
                row = await warmups.create_warmup(db, row.user_id, row.chat_id, state)
            row.message_id = message.message_id
            warmup_id = row.id
        # The card moved (or a new warm-up began): the next tap reads the row afresh.
        services.recent.forget(choice.warmup_id)
        await edit_if_changed(
            message, card_text(state, routine), card_keyboard(warmup_id, state), services.shown
        )
        if old_message_id is not None and old_message_id != message.message_id:
            note = texts.ENDED_CARD if choice.restart else texts.MOVED_BELOW
            await _retire_card(context, message.chat_id, old_message_id, note)
    finally:
        await answer_quietly(query, answer)


async def warmup_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button on a warm-up card: ✅ Done set, ℹ️ How to, ⏭ Skip exercise, ✖ End."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    answer: str | None = None
    try:
        tap = parse_tap(query.data)
        message = message_of(query)
        if tap is None or message is None:
            return  # malformed: refused quietly
        services = services_of(context)
        tapped = await _quick_tap(services, tap, update.effective_user.id, message.message_id)
        if tapped is None:
            tapped = await _careful_tap(services, tap, update.effective_user.id, message.message_id)
        answer = tapped.answer
        if tapped.step is None:
            return
        if tapped.checkin_due is not None:
            checkin_jobs.arm_by(context.application, tapped.checkin_due)
        answer = _answer_for(tapped.step, services.routine.exercises)
        # Also after a stale tap: if an earlier edit was lost (a 5xx), this repaints the card.
        await edit_if_changed(
            message,
            card_text(tapped.step.state, services.routine, tapped.note),
            card_keyboard(tap.warmup_id, tapped.step.state),
            services.shown,
        )
    finally:
        await answer_quietly(query, answer)


@dataclass(frozen=True, slots=True)
class _Tapped:
    """What a tap did: the step to show (None: nothing to show) or else just an answer."""

    step: Step | None
    answer: str | None = None
    note: CompletionNote | None = None
    checkin_due: datetime | None = None


async def _quick_tap(
    services: Services, tap: WarmupTap, user_id: int, message_id: int
) -> _Tapped | None:
    """A step on a warm-up this process knows (`RecentWarmups`), without reading it first
    (bot/db/quick_taps.py). None when it is not such a tap, or nothing was stored because the
    row moved: then the careful path decides."""
    known = services.recent.get(tap.warmup_id)
    if known is None or known.user_id != user_id or known.message_id != message_id:
        return None
    step = apply(known.state, services.routine, tap.action, tap.version, services.clock())
    if not step.changed:
        return None
    stored = await services.quick.store(known, tap.version, step.state, services.routine)
    if stored is None:
        services.recent.forget(known.id)
        return None
    services.recent.remember(replace(known, state=step.state))
    return _Tapped(step, note=stored.note, checkin_due=stored.checkin_due)


async def _careful_tap(
    services: Services, tap: WarmupTap, user_id: int, message_id: int
) -> _Tapped:
    """Any tap, reading the warm-up first, in one transaction with what a completion sets off."""
    routine = services.routine
    async with services.sessions.begin() as db:
        row = await warmups.load_record(db, tap.warmup_id)
        if row is None or row.user_id != user_id:
            services.recent.forget(tap.warmup_id)
            return _Tapped(None)  # forged or someone else's: refused quietly
        state = row.state
        if row.message_id != message_id:
            services.recent.remember(row)
            return _Tapped(
                None, texts.ANSWER_OLD_CARD if state.is_active else texts.ANSWER_WARMUP_OVER
            )
        step = apply(state, routine, tap.action, tap.version, services.clock())
        tapped = _Tapped(step)
        if step.changed and not await warmups.save_step(db, row.id, tap.version, step.state):
            # Lost a race with another tap on the same version: that one counted.
            now_stored = await warmups.load_record(db, row.id)
            assert now_stored is not None
            row, tapped = now_stored, _Tapped(Step(now_stored.state, Outcome.STALE))
        elif step.outcome is Outcome.COMPLETED:
            stored = await db.run_sync(quick_taps.store_completed, row, step.state, routine)
            tapped = _Tapped(step, note=stored.note, checkin_due=stored.checkin_due)
        assert tapped.step is not None
        if tapped.note is None and tapped.step.state.status is Status.COMPLETED:
            # To repaint the card with its note.
            tapped = replace(tapped, note=await stats.note_for(db, row.id))
    # Remembered once committed (a failed commit leaves the hint as it was: still right).
    services.recent.remember(replace(row, state=tapped.step.state))
    return tapped


def _answer_for(step: Step, exercises: tuple) -> str | None:
    state = step.state
    match step.outcome:
        case Outcome.SET_DONE:
            return texts.ANSWER_SET_DONE.format(set_number=state.set_number - 1)
        case Outcome.EXERCISE_DONE:
            return texts.ANSWER_EXERCISE_DONE.format(name=exercises[state.exercise_index].name)
        case Outcome.SKIPPED:
            return texts.ANSWER_SKIPPED
        case Outcome.COMPLETED:
            return texts.ANSWER_COMPLETED
        case Outcome.ENDED:
            return texts.ANSWER_ENDED
        case Outcome.STALE:
            return texts.ANSWER_ALREADY_COUNTED
        case Outcome.FINISHED:
            return texts.ANSWER_WARMUP_OVER
        case _:
            return None  # how-to toggles speak for themselves


async def _retire_card(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int, note: str
) -> None:
    """Take the buttons off a card that no longer shows the warm-up. Best effort."""
    try:
        await context.bot.edit_message_text(note, chat_id=chat_id, message_id=message_id)
    except TelegramError as error:
        logger.info("Could not retire old card %s in chat %s: %s", message_id, chat_id, error)
