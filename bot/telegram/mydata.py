"""Handlers for the runner's own data: /export sends it all as JSON, /forget deletes it all."""

from __future__ import annotations

import json
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.db import userdata, warmups
from bot.i18n import current_locale
from bot.telegram import checkin_jobs, reminder_jobs, texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import FORGET_NO, FORGET_YES
from bot.telegram.delivery import edit_if_changed, with_retries
from bot.telegram.language import unit_of_work, use_stored_language
from bot.telegram.services import services_of

logger = logging.getLogger(__name__)

EXPORT_FILENAME = "warmup-coach-export.json"


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send everything stored about the runner as one JSON document."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, user) as db:
        await warmups.ensure_user(
            db, user.id, chat.id, user.first_name, now, language=current_locale()
        )
        data = await userdata.export_user(db, user.id)
    document = {"exported_at": now.isoformat(), **data}
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    await with_retries(
        lambda: context.bot.send_document(
            chat.id, document=payload, filename=EXPORT_FILENAME, caption=str(texts.EXPORT_CAPTION)
        ),
        "sendDocument",
    )


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation before deleting everything about the runner."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    await use_stored_language(context, user)
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(str(texts.FORGET_YES_BUTTON), callback_data=FORGET_YES)],
            [InlineKeyboardButton(str(texts.FORGET_NO_BUTTON), callback_data=FORGET_NO)],
        ]
    )
    await message.reply_text(str(texts.FORGET_CONFIRM), reply_markup=keyboard, do_quote=False)


@button(lambda data: data if data in (FORGET_YES, FORGET_NO) else None)
async def forget_tap(press: Press[str], context: ContextTypes.DEFAULT_TYPE) -> None:
    """🗑 Delete everything (or keep it): the users row goes, and every table cascades."""
    if press.data == FORGET_NO:
        await edit_if_changed(press.message, str(texts.FORGET_CANCELLED), None)
        return
    async with unit_of_work(context, press.user) as db:
        deleted = await userdata.forget_user(db, press.user.id)
    logger.info("User %s asked to be forgotten (rows deleted: %s)", press.user.id, deleted)
    # Their reminders and check-ins are gone: the dispatchers must not wake for them.
    await reminder_jobs.arm(context.application)
    await checkin_jobs.arm(context.application)
    await edit_if_changed(press.message, str(texts.FORGOTTEN), None)
