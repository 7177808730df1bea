"""Handlers for the after-run check-in's buttons: run feel 1-5, then any pain (one tap each), and
the ⬇️ Go down a level offered with the word about pain."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import ContextTypes

from bot.coach.plan import Plan
from bot.coach.progress import NO_PAIN, PAIN_AREAS, suggest_easing_off
from bot.db import checkins, levels, warmups
from bot.db.models import CheckIn
from bot.telegram import texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import CheckInTap, EaseOffTap, parse_checkin, parse_ease_off
from bot.telegram.checkin_jobs import pain_keyboard
from bot.telegram.delivery import edit_if_changed, remove_buttons
from bot.telegram.language import unit_of_work
from bot.telegram.services import services_of

logger = logging.getLogger(__name__)


@button(parse_checkin)
async def checkin_tap(press: Press[CheckInTap], context: ContextTypes.DEFAULT_TYPE) -> None:
    """A check-in answer: the feel turns the message into the pain question, the pain into
    a thank-you (with a gentle word if it hurt after two runs in a row)."""
    tap = press.data
    services = services_of(context)
    now = services.clock()
    view: tuple[str, InlineKeyboardMarkup | None] | None = None
    async with unit_of_work(context, press.user) as db:
        checkin = await db.get(CheckIn, tap.checkin_id)
        if checkin is not None and checkin.user_id != press.user.id:
            return  # forged or someone else's: refused quietly
        if checkin is None:  # gone with /forget
            press.answer = str(texts.ANSWER_CHECKIN_CLOSED)
        elif checkin.status == checkins.EXPIRED:
            press.answer = str(texts.ANSWER_CHECKIN_CLOSED)
            return
        elif tap.question == "f" and tap.answer.isdigit():
            feel = int(tap.answer)
            if await checkins.answer_feel(db, checkin, feel, now):
                view = texts.CHECKIN_PAIN.format(feel=feel), pain_keyboard(checkin.id)
            else:
                press.answer = str(texts.ANSWER_CHECKIN_NOTED)
        elif tap.question == "p" and tap.answer in PAIN_AREAS:
            pain = PAIN_AREAS[tap.answer]
            if checkin.feel is not None and await checkins.answer_pain(db, checkin, pain, now):
                previous = await checkins.previous_pain(db, press.user.id, checkin.id)
                ease_off = suggest_easing_off(previous, pain)
                keyboard = None
                if pain != NO_PAIN:
                    # Level-ups wait a week after any pain (bot/coach/level_rules.py).
                    today = await warmups.local_today(db, press.user.id, now)
                    await levels.note_pain(db, press.user.id, today, now)
                    if ease_off:
                        stored = await levels.current_levels(db, press.user.id)
                        current = Plan.of(services.routine, stored).levels  # as cards show them
                        if any(level > 1 for level in current.values()):
                            keyboard = ease_off_keyboard(checkin.id)
                view = _thanks(checkin.feel, pain, ease_off), keyboard
                press.answer = str(texts.ANSWER_THANKS)
            else:
                press.answer = str(texts.ANSWER_CHECKIN_NOTED)
    if checkin is None:
        await remove_buttons(press.message)
    elif view is not None:
        await edit_if_changed(press.message, *view)


@button(parse_ease_off)
async def ease_off_tap(press: Press[EaseOffTap], context: ContextTypes.DEFAULT_TYPE) -> None:
    """⬇️ Go down a level: every exercise one level lower from the next warm-up, once."""
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, press.user) as db:
        checkin = await db.get(CheckIn, press.data.checkin_id)
        if checkin is not None and checkin.user_id != press.user.id:
            return  # forged or someone else's: refused quietly
        if checkin is not None and checkin.eased_off_at is None:
            checkin.eased_off_at = now
            today = await warmups.local_today(db, press.user.id, now)
            routine = services.routine
            await levels.ease_off(db, press.user.id, routine.top_levels, today, now)
            press.answer = str(texts.ANSWER_EASED_OFF)
            assert checkin.feel is not None and checkin.pain is not None
            text = f"{_thanks(checkin.feel, checkin.pain, True)}\n\n{texts.EASED_OFF!s}"
        elif checkin is not None:
            press.answer = str(texts.ANSWER_ALREADY_COUNTED)
            return
    if checkin is None:  # gone with /forget
        press.answer = str(texts.ANSWER_CHECKIN_CLOSED)
        await remove_buttons(press.message)
        return
    await edit_if_changed(press.message, text, None)


def ease_off_keyboard(checkin_id: int) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        str(texts.EASE_OFF_BUTTON), callback_data=EaseOffTap(checkin_id).encode()
    )
    return InlineKeyboardMarkup([[button]])


def _thanks(feel: int, pain: str, ease_off: bool) -> str:
    felt = str(texts.CHECKIN_NO_PAIN) if pain == NO_PAIN else str(texts.CHECKIN_SOME_PAIN[pain])
    text = texts.CHECKIN_THANKS.format(feel=feel, pain=felt)
    return f"{text}\n\n{texts.EASE_OFF!s}" if ease_off else text
