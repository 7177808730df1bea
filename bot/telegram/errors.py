"""The error handler: log every failure with its update, tell the user one short sentence."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.telegram import texts

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the error; apologise to the user unless they cannot hear us (blocked bot)."""
    if not isinstance(update, Update):
        logger.error("Error outside an update", exc_info=context.error)
        return
    logger.error("Update %s failed: %s", _describe(update), context.error, exc_info=context.error)
    chat = update.effective_chat
    if chat is None or isinstance(context.error, Forbidden):
        return
    try:
        await context.bot.send_message(chat.id, str(texts.SOMETHING_WENT_WRONG))
    except TelegramError as error:
        logger.warning("Could not tell chat %s about the error: %s", chat.id, error)


def _describe(update: Update) -> str:
    user = update.effective_user
    who = f"user {user.id}" if user else "no user"
    if update.callback_query:
        return f"{update.update_id} ({who}, button {update.callback_query.data!r})"
    if update.effective_message and update.effective_message.text:
        return f"{update.update_id} ({who}, text {update.effective_message.text[:60]!r})"
    return f"{update.update_id} ({who})"
