"""Handlers for /start, /help, unknown commands, stray text and buttons we did not make."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.telegram import texts
from bot.telegram.callbacks import SETUP_OPEN
from bot.telegram.cards import start_rows
from bot.telegram.delivery import answer_quietly, with_code
from bot.telegram.language import use_stored_language
from bot.telegram.services import services_of


async def start_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the runner and offer to start the warm-up, full or quick."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    await use_stored_language(context, user)
    routine = services_of(context).routine
    keyboard = InlineKeyboardMarkup(
        [
            *start_rows(routine),
            [InlineKeyboardButton(str(texts.SET_REMINDERS_BUTTON), callback_data=SETUP_OPEN)],
        ]
    )
    text = texts.WELCOME.format(name=user.first_name, minutes=routine.minutes)
    await message.reply_text(text, reply_markup=keyboard, do_quote=False)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List every command."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    await use_stored_language(context, user)
    lines = [str(texts.HELP_HEADER), ""]
    lines += [f"/{command} — {description}" for command, description in texts.COMMANDS]
    lines += ["", str(texts.HELP_FOOTER)]
    await message.reply_text("\n".join(lines), do_quote=False)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say which command was not understood and point at /help."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and message.text is not None and user is not None
    await use_stored_language(context, user)
    command = message.text.split(maxsplit=1)[0].split("@", 1)[0][:40]
    # Shown as code: Telegram makes any /word in a message a link that sends it, and tapping
    # the command we just did not know would only send it again.
    text, entities = with_code(str(texts.UNKNOWN_COMMAND), "command", command)
    await message.reply_text(text, entities=entities, do_quote=False)


async def plain_text(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Text that is not a command: point at /warmup (in the language already in force)."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(str(texts.PLAIN_TEXT), do_quote=False)


async def unknown_button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Callback data that no handler claims: answer quietly so the client stops spinning."""
    assert update.callback_query is not None
    await answer_quietly(update.callback_query, None)
