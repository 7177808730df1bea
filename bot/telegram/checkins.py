"""Handlers for the after-run check-in's buttons: run feel 1-5, then any pain. One tap each."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.coach.progress import NO_PAIN, PAIN_AREAS, suggest_easing_off
from bot.db import checkins
from bot.db.models import CheckIn
from bot.telegram import texts
from bot.telegram.callbacks import parse_checkin
from bot.telegram.checkin_jobs import pain_keyboard
from bot.telegram.delivery import answer_quietly, edit_if_changed, message_of
from bot.telegram.services import services_of

logger = logging.getLogger(__name__)


async def checkin_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A check-in answer: the feel turns the message into the pain question, the pain into
    a thank-you (with a gentle word if it hurt after two runs in a row)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    answer: str | None = None
    try:
        tap = parse_checkin(query.data)
        message = message_of(query)
        if tap is None or message is None:
            return
        services = services_of(context)
        now = services.clock()
        view: tuple[str, InlineKeyboardMarkup | None] | None = None
        async with services.sessions.begin() as db:
            checkin = await db.get(CheckIn, tap.checkin_id)
            if checkin is None or checkin.user_id != user.id:
                return  # forged or someone else's: refused quietly
            if checkin.status == checkins.EXPIRED:
                answer = texts.ANSWER_CHECKIN_CLOSED
                return
            if tap.question == "f" and tap.answer.isdigit():
                feel = int(tap.answer)
                if await checkins.answer_feel(db, checkin, feel, now):
                    view = texts.CHECKIN_PAIN.format(feel=feel), pain_keyboard(checkin.id)
                else:
                    answer = texts.ANSWER_CHECKIN_NOTED
            elif tap.question == "p" and tap.answer in PAIN_AREAS:
                pain = PAIN_AREAS[tap.answer]
                if checkin.feel is not None and await checkins.answer_pain(db, checkin, pain, now):
                    previous = await checkins.previous_pain(db, user.id, checkin.id)
                    view = _thanks(checkin.feel, pain, suggest_easing_off(previous, pain)), None
                    answer = texts.ANSWER_THANKS
                else:
                    answer = texts.ANSWER_CHECKIN_NOTED
        if view is not None:
            await edit_if_changed(message, *view)
    finally:
        await answer_quietly(query, answer)


def _thanks(feel: int, pain: str, ease_off: bool) -> str:
    felt = texts.CHECKIN_NO_PAIN if pain == NO_PAIN else texts.CHECKIN_SOME_PAIN.format(pain=pain)
    text = texts.CHECKIN_THANKS.format(feel=feel, pain=felt)
    return f"{text}\n\n{texts.EASE_OFF}" if ease_off else text
