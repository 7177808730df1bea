"""Sending and editing with the care Telegram needs: no no-op edits, retries on flaky networks."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import NamedTuple, TypeVar

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, MessageEntity
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


class Shown(NamedTuple):
    """What a message shows: its text or caption, its button rows, and for an animation its
    file_unique_id and the clip it is (None: not known, as after a restart)."""

    text: str
    rows: object
    media: str | None = None
    clip: str | None = None


class ShownCards:
    """What this process last put on each message, newer than a callback query's copy.

    A callback query carries the message as it was when tapped. Two quick taps carry the same
    copy, and after the first one's edit that copy is out of date: comparing with it would send
    an edit of what the message already shows ("message is not modified"). Bounded: the least
    recently shown messages are forgotten (they fall back to the query's copy).
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._shown: OrderedDict[tuple[int, int], Shown] = OrderedDict()

    def get(self, chat_id: int, message_id: int) -> Shown | None:
        return self._shown.get((chat_id, message_id))

    def remember(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None,
        media: str | None = None,
        clip: str | None = None,
    ) -> None:
        key = (chat_id, message_id)
        self._shown.pop(key, None)
        self._shown[key] = Shown(text, rows_of(keyboard), media, clip)
        if len(self._shown) > self._limit:
            self._shown.popitem(last=False)


async def edit_if_changed(
    message: Message,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
    shown: ShownCards | None = None,
) -> None:
    """Show `text` and `keyboard` on `message` unless it already shows exactly that.

    Telegram answers an identical edit with "message is not modified"; comparing first avoids the
    error and a wasted round trip. What the message shows is what this process last put there
    (`shown`), or else the message as the callback query carried it.
    """
    remembered = shown.get(message.chat_id, message.message_id) if shown else None
    if remembered is not None:
        current = (remembered.text, remembered.rows)
    else:
        current = (message.text or "", rows_of(message.reply_markup))
    if current == (text, rows_of(keyboard)):
        return
    await edit_in_place(message.get_bot(), message.chat_id, message.message_id, text, keyboard)
    if shown is not None:
        shown.remember(message.chat_id, message.message_id, text, keyboard)


async def edit_in_place(
    bot: Bot, chat_id: int, message_id: int, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Edit a message, retried through 5xx errors and timeouts (`with_retries`)."""
    try:
        await with_retries(
            lambda: bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=keyboard
            ),
            "editMessageText",
        )
    except BadRequest as error:
        # A timed-out edit that Telegram did apply makes the retry a no-op edit.
        if "not modified" not in error.message.lower():
            raise


async def remove_buttons(message: Message) -> None:
    """Take the buttons off a message whose warm-up, reminder or check-in is gone (after
    /forget): it keeps its words and stops inviting taps. Best effort."""
    if message.reply_markup is None:
        return
    try:
        await message.edit_reply_markup(None)
    except TelegramError as error:
        logger.info("Could not remove the buttons of message %s: %s", message.message_id, error)


def message_of(query: CallbackQuery) -> Message | None:
    """The message a button was on; None when Telegram no longer gives it (too old to edit)."""
    return query.message if isinstance(query.message, Message) else None


async def answer_quietly(query: CallbackQuery, text: str | None) -> None:
    """Answer a callback query once; the client shows a spinner until it is answered."""
    try:
        await query.answer(text or None)
    except TelegramError as error:
        logger.warning("Could not answer callback query %s: %s", query.id, error)


def with_code(template: str, field: str, value: str) -> tuple[str, list[MessageEntity]]:
    """`template` with `value` in place of `{field}`, and the entity that shows that value as
    code (offsets in UTF-16 code units, as Telegram counts them)."""
    before, marker, after = template.partition("{" + field + "}")
    if not marker:
        raise ValueError(f"{template!r} has no {{{field}}}")
    offset = len(before.encode("utf-16-le")) // 2
    length = len(value.encode("utf-16-le")) // 2
    entity = MessageEntity(MessageEntity.CODE, offset, length)
    return before + value + after, [entity]


def rows_of(keyboard: InlineKeyboardMarkup | None) -> object:
    return keyboard.inline_keyboard if keyboard else ()
