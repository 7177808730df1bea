"""The one way a button's update is handled: its data parsed strictly, the tap answered once.

Telegram shows a spinner on a tapped button until the bot answers the callback query, and
refuses a second answer. Every button handler is wrapped by `button`, which answers exactly
once, whatever the handler does (returns a toast, returns nothing, raises).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram import Message, Update, User
from telegram.ext import ContextTypes

from bot.telegram.delivery import answer_quietly, message_of

T = TypeVar("T")


@dataclass
class Press(Generic[T]):
    """A tap on one of our buttons: what it means, the message it is on, and who tapped.

    `answer` is the toast the tap is answered with (None: no text, just stop the spinner).
    Set it as soon as it is known: a Telegram error after that (the card's edit failing) still
    leaves the runner the toast, for example "Set 1 done", which is true whatever the edit."""

    data: T
    message: Message
    user: User
    answer: str | None = None

    @property
    def chat_id(self) -> int:
        return self.message.chat_id


ButtonHandler = Callable[[Press[T], ContextTypes.DEFAULT_TYPE], Awaitable[None]]
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def button(parse: Callable[[str | None], T | None]) -> Callable[[ButtonHandler[T]], Callback]:
    """Make `handler` a python-telegram-bot callback for buttons whose data `parse` accepts.

    Data that does not parse (forged, from an old version) and buttons on messages Telegram no
    longer gives us (too old) are answered with no text and go no further."""

    def decorate(handler: ButtonHandler[T]) -> Callback:
        @functools.wraps(handler)
        async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            query, user = update.callback_query, update.effective_user
            assert query is not None and user is not None
            press: Press[T] | None = None
            try:
                data, message = parse(query.data), message_of(query)
                if data is not None and message is not None:
                    press = Press(data, message, user)
                    await handler(press, context)
            finally:
                await answer_quietly(query, press.answer if press is not None else None)

        return callback

    return decorate
