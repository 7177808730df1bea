"""The runner's language, picked in one place for every update, and /language to choose it.

Every update first gets the language of the runner's Telegram app (`language_from_update`, run
before any other handler). The handler's unit of work (`unit_of_work`) then reads what the
runner has stored: a language they chose with /language wins; otherwise the app's language is
used and stored, so that reminders and check-ins, which no update of theirs carries, speak it
too. A later change of the app's language updates an automatic choice, never a chosen one.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import User as TelegramUser
from telegram.ext import ContextTypes

from bot.db import warmups
from bot.i18n import LANGUAGES, current_locale, negotiate
from bot.i18n.current import set_locale
from bot.telegram import texts
from bot.telegram.buttons import Press, button
from bot.telegram.delivery import edit_if_changed
from bot.telegram.services import services_of

LANGUAGE_PREFIX = "lg:"
AUTOMATIC = "auto"


async def language_from_update(update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler: the language of the runner's Telegram app, until their stored choice
    is read (the flood guard's and the error handler's words use this)."""
    user = update.effective_user if isinstance(update, Update) else None
    set_locale(negotiate(user.language_code if user is not None else None))


_NOT_READ: Any = object()


async def use_runner_language(
    db: AsyncSession, user: TelegramUser, stored: tuple[str | None, bool] | None = _NOT_READ
) -> str:
    """Put the runner's language in force for the rest of the update, and store an automatic
    one that changed; returns it. `stored` is what `warmups.runner_language` gives, when the
    caller has read it already (a tap reads it with its warm-up)."""
    automatic = negotiate(user.language_code)
    if stored is _NOT_READ:
        stored = await warmups.runner_language(db, user.id)
    if stored is not None and stored[1] and stored[0] in LANGUAGES:
        locale = stored[0]
    else:
        locale = automatic
        if stored is not None and stored[0] != automatic:
            await warmups.set_runner_language(db, user.id, automatic, chosen=False)
    set_locale(locale)
    return locale


@contextlib.asynccontextmanager
async def unit_of_work(
    context: ContextTypes.DEFAULT_TYPE, user: TelegramUser
) -> AsyncIterator[AsyncSession]:
    """The update's one transaction (bot/db/engine.py), with the runner's language in force
    from its start."""
    async with services_of(context).db.transaction() as db:
        await use_runner_language(db, user)
        yield db


async def use_stored_language(context: ContextTypes.DEFAULT_TYPE, user: TelegramUser) -> None:
    """For a handler with no other database work: the runner's language, from a unit of work of
    its own."""
    async with unit_of_work(context, user):
        pass


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the languages I speak, with the current one ticked, and Automatic."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    services = services_of(context)
    async with unit_of_work(context, user) as db:
        account = await warmups.ensure_user(
            db, user.id, chat.id, user.first_name, services.clock(), language=current_locale()
        )
        chosen = account.language_chosen
    text, keyboard = language_view(chosen, negotiate(user.language_code))
    await message.reply_text(text, reply_markup=keyboard, do_quote=False)


def _parse_language(data: str | None) -> str | None:
    choice = (data or "").removeprefix(LANGUAGE_PREFIX)
    if not (data or "").startswith(LANGUAGE_PREFIX):
        return None
    return choice if choice == AUTOMATIC or choice in LANGUAGES else None


@button(_parse_language)
async def language_tap(press: Press[str], context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language button: from now on the bot speaks it (Automatic: the app's language)."""
    services = services_of(context)
    automatic = negotiate(press.user.language_code)
    async with services.db.transaction() as db:
        user = press.user
        account = await warmups.ensure_user(
            db, user.id, press.chat_id, user.first_name, services.clock(), language=automatic
        )
        chosen = press.data != AUTOMATIC
        account.language = press.data if chosen else automatic
        account.language_chosen = chosen
        set_locale(account.language)
    name = LANGUAGES[current_locale()]
    said = texts.LANGUAGE_SET if chosen else texts.LANGUAGE_AUTOMATIC_SET
    _, keyboard = language_view(chosen, automatic)
    press.answer = str(texts.ANSWER_LANGUAGE_SAVED)
    await edit_if_changed(press.message, said.format(language=name), keyboard)


def language_view(chosen: bool, automatic: str) -> tuple[str, InlineKeyboardMarkup]:
    """The /language message, in the language in force: a button per language, two to a row,
    and Automatic (naming the app's language) on a row of its own."""
    current = current_locale()

    def button_for(code: str, label: str, ticked: bool) -> InlineKeyboardButton:
        shown = f"✓ {label}" if ticked else label
        return InlineKeyboardButton(shown, callback_data=f"{LANGUAGE_PREFIX}{code}")

    languages = [
        button_for(code, name, chosen and code == current) for code, name in LANGUAGES.items()
    ]
    rows = [languages[index : index + 2] for index in range(0, len(languages), 2)]
    automatic_label = texts.LANGUAGE_AUTOMATIC_BUTTON.format(language=LANGUAGES[automatic])
    rows.append([button_for(AUTOMATIC, automatic_label, not chosen)])
    text = texts.LANGUAGE_CHOOSE.format(language=LANGUAGES[current])
    return text, InlineKeyboardMarkup(rows)
