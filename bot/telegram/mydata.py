"""Handlers for the runner's own data: /export sends it all as JSON, /forget deletes it all."""

from __future__ import annotations

import json
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.db import userdata, warmups
from bot.telegram import checkin_jobs, reminder_jobs, texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import FORGET_NO, FORGET_YES
from bot.telegram.delivery import edit_if_changed, with_retries
from bot.telegram.services import services_of

logger = logging.getLogger(__name__)

EXPORT_FILENAME = "warmup-coach-export.json"


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send everything stored about the runner as one JSON document."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    services = services_of(context)
    now = services.clock()
    async with services.db.transaction() as db:
        await warmups.ensure_user(db, user.id, chat.id, user.first_name, now)
        data = await userdata.export_user(db, user.id)
    document = {"exported_at": now.isoformat(), **data}
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    await with_retries(
        lambda: context.bot.send_document(
            chat.id, document=payload, filename=EXPORT_FILENAME, caption=texts.EXPORT_CAPTION
        ),
        "sendDocument",
    )


async def forget_command(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation before deleting everything about the runner."""
    message = update.effective_message
    assert message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.FORGET_YES_BUTTON, callback_data=FORGET_YES)],
            [InlineKeyboardButton(texts.FORGET_NO_BUTTON, callback_data=FORGET_NO)],
        ]
    )
    await message.reply_text(texts.FORGET_CONFIRM, reply_markup=keyboard, do_quote=False)


@button(lambda data: data if data in (FORGET_YES, FORGET_NO) else None)
async def forget_tap(press: Press[str], context: ContextTypes.DEFAULT_TYPE) -> None:
    """🗑 Delete everything (or keep it): the users row goes, and every table cascades."""
    if press.data == FORGET_NO:
        await edit_if_changed(press.message, texts.FORGET_CANCELLED, None)
        return
    services = services_of(context)
    async with services.db.transaction() as db:
        deleted = await userdata.forget_user(db, press.user.id)
    logger.info("User %s asked to be forgotten (rows deleted: %s)", press.user.id, deleted)
    # Their reminders and check-ins are gone: the dispatchers must not wake for them.
    await reminder_jobs.arm(context.application)
    await checkin_jobs.arm(context.application)
    await edit_if_changed(press.message, texts.FORGOTTEN, None)
