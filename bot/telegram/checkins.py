"""Handlers for the after-run check-in's buttons: run feel 1-5, then any pain. One tap each."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup
from telegram.ext import ContextTypes

from bot.coach.progress import NO_PAIN, PAIN_AREAS, suggest_easing_off
from bot.db import checkins
from bot.db.models import CheckIn
from bot.telegram import texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import CheckInTap, parse_checkin
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
                view = _thanks(checkin.feel, pain, suggest_easing_off(previous, pain)), None
                press.answer = str(texts.ANSWER_THANKS)
            else:
                press.answer = str(texts.ANSWER_CHECKIN_NOTED)
    if checkin is None:
        await remove_buttons(press.message)
    elif view is not None:
        await edit_if_changed(press.message, *view)


def _thanks(feel: int, pain: str, ease_off: bool) -> str:
    felt = str(texts.CHECKIN_NO_PAIN) if pain == NO_PAIN else str(texts.CHECKIN_SOME_PAIN[pain])
    text = texts.CHECKIN_THANKS.format(feel=feel, pain=felt)
    return f"{text}\n\n{texts.EASE_OFF!s}" if ease_off else text
