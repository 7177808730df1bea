"""Handlers for the guided warm-up: /warmup (full or quick), its buttons, resume or start over,
and the summary's rating."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Message, Update, User
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.coach.plan import Plan
from bot.coach.routine import Routine
from bot.coach.walkthrough import (
    Action,
    Outcome,
    Status,
    Step,
    Walkthrough,
    apply,
)
from bot.db import checkins, levels, preferences, stats, warmups
from bot.db.warmups import ANIMATION, TEXT, StoredWarmup
from bot.i18n import current_locale, gettext
from bot.metrics import WARMUPS_COMPLETED, WARMUPS_STARTED, count_when_committed
from bot.telegram import checkin_jobs, texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import (
    MENU_QUICK,
    MENU_WARMUP,
    RatingTap,
    ResumeChoice,
    WarmupTap,
    parse_rating,
    parse_resume,
    parse_tap,
)
from bot.telegram.cards import CardExtras, card_view, resume_offer
from bot.telegram.delivery import remove_buttons
from bot.telegram.demonstrations import CardView
from bot.telegram.language import unit_of_work, use_runner_language, use_stored_language
from bot.telegram.services import Services, services_of

logger = logging.getLogger(__name__)


# What may follow /warmup: the quick version (one set of each), or the full one by name.
_VERSIONS = {"quick": True, "full": False}


async def warmup_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start the warm-up (`/warmup quick`: one set of each), or offer to resume the one in
    progress."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    words = [word.lower() for word in context.args or []]
    if len(words) > 1 or (words and words[0] not in _VERSIONS):
        await use_stored_language(context, user)
        await message.reply_text(str(texts.WARMUP_USAGE), do_quote=False)
        return
    quick = bool(words) and _VERSIONS[words[0]]
    await begin_warmup(context, user, chat.id, in_place=None, quick=quick)


@button(lambda data: data if data in (MENU_WARMUP, MENU_QUICK) else None)
async def start_warmup_button(press: Press[str], context: ContextTypes.DEFAULT_TYPE) -> None:
    """Full · about 10 min / Quick · about 5 min (welcome, reminders, /stats): the warm-up takes
    over that message."""
    quick = press.data == MENU_QUICK
    await begin_warmup(context, press.user, press.chat_id, in_place=press.message, quick=quick)


async def begin_warmup(
    context: ContextTypes.DEFAULT_TYPE,
    user: User,
    chat_id: int,
    in_place: Message | None,
    quick: bool = False,
) -> None:
    """Show a new warm-up card, or a resume offer, as a new message or in place of `in_place`."""
    services = services_of(context)
    routine, now = services.routine, services.clock()
    card_message_id = in_place.message_id if in_place is not None else None
    async with unit_of_work(context, user) as db:
        await warmups.ensure_user(
            db, user.id, chat_id, user.first_name, now, language=current_locale()
        )
        running = await warmups.active_warmup(db, user.id)
        if running is not None and running.message_id is not None:
            offer = resume_offer(running.id, running.state, running.plan(routine), quick)
            view, new_card = CardView(*offer), None
        else:
            # A warm-up whose card never arrived (its send failed) is simply shown again.
            if running is None:
                animated = services.demos.available and await preferences.demonstrations_on(
                    db, user.id
                )
                running = await _new_warmup(
                    db, user.id, chat_id, services, quick, card_message_id, animated
                )
            elif card_message_id is not None:
                await warmups.set_message_id(db, running.id, card_message_id)
            new_card = running.id
            view = _view_of(running, running.state, routine)
    # Telegram is called after the commit, so no database lock is held over the network.
    if in_place is not None:
        await services.demos.edit(in_place, view, services.shown)
        return
    shown = await services.demos.send(context.bot, chat_id, view)
    media, clip = (
        (shown.animation.file_unique_id, view.clip) if shown.animation is not None else (None, None)
    )
    services.shown.remember(chat_id, shown.message_id, view.text, view.keyboard, media, clip)
    if new_card is not None:
        # If this is lost (a crash right here), the card's first tap adopts it: see _tap.
        async with services.db.transaction() as db:
            await warmups.set_message_id(db, new_card, shown.message_id)


@button(parse_resume)
async def resume_choice(press: Press[ResumeChoice], context: ContextTypes.DEFAULT_TYPE) -> None:
    """▶ Resume or ↺ Start over (full or quick, as asked) on the offer that /warmup shows while a
    warm-up runs."""
    choice, message = press.data, press.message
    services = services_of(context)
    routine, now = services.routine, services.clock()
    async with unit_of_work(context, press.user) as db:
        row = await warmups.load_warmup(db, choice.warmup_id)
        if row is not None and row.user_id != press.user.id:
            return  # not ours: refused quietly
        state = row.state if row is not None else None
        running = row is not None and state is not None and state.is_active
        if not running:
            press.answer = str(texts.ANSWER_WARMUP_OVER)
        else:
            assert row is not None and state is not None
            old_message_id = row.message_id
            old_kind = row.card_kind
            if choice.restart:
                plan = row.plan(routine)
                ended = apply(state, plan, Action.END, state.version, now).state
                if not await warmups.save_step(db, row.id, state.version, ended):
                    press.answer = str(texts.ANSWER_ALREADY_COUNTED)
                    return
                row = await _new_warmup(
                    db,
                    row.user_id,
                    row.chat_id,
                    services,
                    choice.quick,
                    None,
                    row.card_kind == ANIMATION,
                )
                state = row.state
            await warmups.set_message_id(db, row.id, message.message_id)
            view = _view_of(row, state, routine)
    if not running:
        if row is None:  # gone with /forget: the offer has nothing left to offer
            await remove_buttons(message)
        return
    await services.demos.edit(message, view, services.shown)
    if old_message_id is not None and old_message_id != message.message_id:
        note = str(texts.ENDED_CARD) if choice.restart else str(texts.MOVED_BELOW)
        await _retire_card(context, message.chat_id, old_message_id, note, old_kind)


@button(parse_tap)
async def warmup_tap(press: Press[WarmupTap], context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button on a warm-up card: ✅ Done set, ℹ️ How to, ⏭ Skip exercise, ✖ End."""
    services = services_of(context)
    async with services.db.transaction() as db:
        # The runner's warm-up and language in one read: the tap's unit of work.
        row, language = await warmups.load_for_runner(db, press.data.warmup_id, press.user.id)
        await use_runner_language(db, press.user, language)
        tapped = await _tap(db, press, services, row)
    if tapped.gone:
        press.answer = str(texts.ANSWER_WARMUP_OVER)
        await remove_buttons(press.message)
        return
    if tapped.checkin_due is not None:
        checkin_jobs.arm_by(context.application, tapped.checkin_due)
    if tapped.step is None:
        press.answer = tapped.answer
        return
    press.answer = _answer_for(tapped.step, tapped.plan)
    view = card_view(
        press.data.warmup_id,
        tapped.step.state,
        tapped.plan,
        services.routine,
        animated=tapped.animated,
        extras=tapped.extras,
    )
    # Also after a stale tap: if an earlier edit was lost (a 5xx), this repaints the card.
    await services.demos.edit(press.message, view, services.shown)


@dataclass(frozen=True, slots=True)
class _Tapped:
    """What a tap did: the step to show (None: nothing to show) or else just an answer."""

    step: Step | None
    answer: str | None = None
    plan: Plan | None = None  # the warm-up's, when there is a step
    extras: CardExtras = field(default_factory=CardExtras)
    checkin_due: datetime | None = None
    gone: bool = False  # the warm-up is no longer stored (the runner used /forget)
    animated: bool = False  # its card shows demonstrations


async def _tap(
    db: AsyncSession, press: Press[WarmupTap], services: Services, row: StoredWarmup | None
) -> _Tapped:
    """Take the step on the runner's warm-up (`row`, None when it is not theirs or gone) and
    store it; a completing step also moves the streak and plans the check-in, all in the
    caller's one transaction."""
    tap, routine, now = press.data, services.routine, services.clock()
    if row is None:
        # Gone (/forget deleted it) unless this message shows another warm-up of the runner's:
        # then the data was forged, and their real card keeps its buttons.
        shown = await warmups.shown_on(db, press.user.id, press.message.message_id)
        return _Tapped(None, gone=shown is None)
    if row.message_id is None:
        # The card was sent but its message id never recorded (a crash, a timed-out send that
        # arrived anyway): the card the runner taps is the card.
        await warmups.set_message_id(db, row.id, press.message.message_id)
    elif row.message_id != press.message.message_id:
        state = row.state
        return _Tapped(
            None, str(texts.ANSWER_OLD_CARD) if state.is_active else str(texts.ANSWER_WARMUP_OVER)
        )
    gap, animated, plan = services.min_set_gap, row.card_kind == ANIMATION, row.plan(routine)
    step = apply(row.state, plan, tap.action, tap.version, now, gap)
    if step.changed and not await warmups.save_step(db, row.id, tap.version, step.state):
        # Another tap on the same version (another process) was stored first: that one counted,
        # and this one is answered as if it had come second.
        stored = await warmups.load_warmup(db, row.id)
        assert stored is not None
        step = apply(stored.state, plan, tap.action, tap.version, now, gap)
    elif step.outcome is Outcome.COMPLETED:
        assert step.state.finished_at is not None
        note = await stats.record_completion(db, row, step.state, plan)
        count_when_committed(db, WARMUPS_COMPLETED)
        due = await checkins.plan_checkin(db, row, step.state.finished_at)
        extras = CardExtras(note=note)
        return _Tapped(step, plan=plan, extras=extras, checkin_due=due, animated=animated)
    if step.state.status is Status.COMPLETED:
        # Drawn again the same: the streak's words as they were, and the rating if given.
        extras = CardExtras(
            note=await stats.note_for(db, row.id), rating=await levels.rating_of(db, row.id)
        )
        return _Tapped(step, plan=plan, extras=extras, animated=animated)
    return _Tapped(step, plan=plan, extras=CardExtras(row.announced), animated=animated)


@button(parse_rating)
async def rating_tap(press: Press[RatingTap], context: ContextTypes.DEFAULT_TYPE) -> None:
    """😌 Easy, 👍 About right or 😓 Hard on a completed warm-up's summary: counted once, and
    only on the runner's latest warm-up (the rules count ratings in a row)."""
    services = services_of(context)
    routine = services.routine
    async with unit_of_work(context, press.user) as db:
        row = await warmups.load_warmup(db, press.data.warmup_id)
        if row is not None and row.user_id != press.user.id:
            press.answer = str(texts.ANSWER_WARMUP_OVER)  # forged: nothing to rate
            return
        if row is not None and row.state.status is Status.COMPLETED:
            plan = row.plan(routine)
            rating = await levels.rating_of(db, row.id)
            if rating is not None:
                press.answer = str(texts.ANSWER_ALREADY_COUNTED)  # a double tap, say
            elif await levels.latest_completed(db, press.user.id) == row.id:
                press.answer = await _rate(db, press, row, plan, services)
                rating = await levels.rating_of(db, row.id)
            else:
                press.answer = str(texts.ANSWER_RATE_OLD)
            extras = CardExtras(note=await stats.note_for(db, row.id), rating=rating)
        else:
            row = None
    if row is None:
        # Gone with /forget: nothing to rate, and its buttons go with it.
        press.answer = str(texts.ANSWER_WARMUP_OVER)
        await remove_buttons(press.message)
        return
    if extras.rating is None:
        # An earlier warm-up's summary, never rated: it keeps its words, loses its buttons.
        await remove_buttons(press.message)
        return
    view = card_view(
        row.id, row.state, plan, routine, animated=row.card_kind == ANIMATION, extras=extras
    )
    await services.demos.edit(press.message, view, services.shown)


async def _rate(
    db: AsyncSession, press: Press[RatingTap], row: StoredWarmup, plan: Plan, services: Services
) -> str:
    """Store the rating and move the levels; returns what the toast says."""
    now = services.clock()
    done_in_full = row.state.done_in_full(plan)
    today = await warmups.local_today(db, row.user_id, now)
    outcome = await levels.rate_warmup(
        db,
        row.user_id,
        row.id,
        press.data.rating,
        done_in_full,
        services.routine.top_levels,
        today,
        now,
    )
    if outcome is None:
        return str(texts.ANSWER_ALREADY_COUNTED)
    if outcome.rated.changes:
        return texts.RATED_CHANGED.format(len(outcome.rated.changes))
    return str(texts.RATED_HELD if outcome.held_by_pain else texts.ANSWER_RATED)


async def _new_warmup(
    db: AsyncSession,
    user_id: int,
    chat_id: int,
    services: Services,
    quick: bool,
    message_id: int | None,
    animated: bool,
) -> StoredWarmup:
    """A new warm-up at the runner's levels, full or quick; its first card announces the level
    changes they have not heard about."""
    routine, now = services.routine, services.clock()
    plan = Plan.of(routine, await levels.current_levels(db, user_id), quick)
    count_when_committed(db, WARMUPS_STARTED)
    return await warmups.create_warmup(
        db,
        user_id,
        chat_id,
        Walkthrough.start(plan, now),
        message_id,
        card_kind=ANIMATION if animated else TEXT,
        plan=plan,
        announced=await levels.take_announcements(db, user_id),
    )


def _answer_for(step: Step, plan: Plan | None) -> str | None:
    state = step.state
    match step.outcome:
        case Outcome.SET_DONE:
            return texts.ANSWER_SET_DONE.format(set_number=state.set_number - 1)
        case Outcome.EXERCISE_DONE:
            assert plan is not None
            return texts.ANSWER_EXERCISE_DONE.format(
                name=gettext(plan.exercises[state.exercise_index].exercise.name)
            )
        case Outcome.SKIPPED:
            return str(texts.ANSWER_SKIPPED)
        case Outcome.COMPLETED:
            return str(texts.ANSWER_COMPLETED)
        case Outcome.ENDED:
            return str(texts.ANSWER_ENDED)
        case Outcome.STALE | Outcome.TOO_SOON:
            return str(texts.ANSWER_ALREADY_COUNTED)
        case Outcome.FINISHED:
            return str(texts.ANSWER_WARMUP_OVER)
        case _:
            return None  # how-to toggles speak for themselves


def _view_of(row: StoredWarmup, state: Walkthrough, routine: Routine) -> CardView:
    animated, extras = row.card_kind == ANIMATION, CardExtras(row.announced)
    return card_view(row.id, state, row.plan(routine), routine, animated=animated, extras=extras)


async def _retire_card(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, message_id: int, note: str, kind: str
) -> None:
    """Take the buttons off a card that no longer shows the warm-up (an animation keeps its
    clip: its caption says so). Best effort."""
    bot = context.bot
    try:
        if kind == ANIMATION:
            await bot.edit_message_caption(chat_id=chat_id, message_id=message_id, caption=note)
        else:
            await bot.edit_message_text(note, chat_id=chat_id, message_id=message_id)
    except TelegramError as error:
        logger.info("Could not retire old card %s in chat %s: %s", message_id, chat_id, error)
