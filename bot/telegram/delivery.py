"""Sending and editing with the care Telegram needs: no no-op edits, retries on flaky networks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, NetworkError, TelegramError

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Backoff before each retry of a call that failed on a 5xx or a timeout. 429s are waited out by
# the rate limiter instead, for exactly as long as Telegram asks.
RETRY_DELAYS = (0.2, 1.0)


async def with_retries(call: Callable[[], Awaitable[T]], what: str) -> T:
    for attempt, delay in enumerate((*RETRY_DELAYS, None)):
        try:
            return await call()
        except BadRequest:
            raise  # a 400 will not get better by asking again
        except NetworkError as error:  # 5xx, timeouts, connection resets
            if delay is None:
                raise
            logger.warning("%s failed (%s); retry %d in %.1f s", what, error, attempt + 1, delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")


async def edit_if_changed(
    message: Message, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Show `text` and `keyboard` on `message` unless it already shows exactly that.

    Telegram answers an identical edit with "message is not modified"; comparing first avoids the
    error and a wasted round trip (the message in a callback query is as the user sees it).
    """
    if message.text == text and _same_keyboard(message.reply_markup, keyboard):
        return
    try:
        await with_retries(
            lambda: message.get_bot().edit_message_text(
                text, chat_id=message.chat_id, message_id=message.message_id, reply_markup=keyboard
            ),
            "editMessageText",
        )
    except BadRequest as error:
        # A timed-out edit that Telegram did apply makes the retry a no-op edit.
        if "not modified" not in error.message.lower():
            raise


async def answer_quietly(query: CallbackQuery, text: str | None) -> None:
    """Answer a callback query once; the client shows a spinner until it is answered."""
    try:
        await query.answer(text or None)
    except TelegramError as error:
        logger.warning("Could not answer callback query %s: %s", query.id, error)


def _same_keyboard(shown: InlineKeyboardMarkup | None, wanted: InlineKeyboardMarkup | None) -> bool:
    shown_rows = shown.inline_keyboard if shown else ()
    wanted_rows = wanted.inline_keyboard if wanted else ()
    return shown_rows == wanted_rows
