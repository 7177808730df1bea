"""All handler registration, in one place and in order."""

from __future__ import annotations

from telegram import BotCommand
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.telegram import basics, reminders, texts, warmup
from bot.telegram.callbacks import (
    MENU_WARMUP_PATTERN,
    REMINDER_PATTERN,
    RESUME_PATTERN,
    SETUP_PATTERN,
    TAP_PATTERN,
)
from bot.telegram.errors import on_error


def register_handlers(application: Application) -> None:
    application.add_handler(CommandHandler("start", basics.start_command))
    application.add_handler(CommandHandler("help", basics.help_command))
    application.add_handler(CommandHandler("warmup", warmup.warmup_command))
    application.add_handler(CommandHandler("remind", reminders.remind_command))
    application.add_handler(CommandHandler("reminders", reminders.reminders_command))

    application.add_handler(CallbackQueryHandler(warmup.warmup_tap, pattern=TAP_PATTERN))
    application.add_handler(CallbackQueryHandler(warmup.resume_choice, pattern=RESUME_PATTERN))
    application.add_handler(
        CallbackQueryHandler(warmup.start_warmup_button, pattern=MENU_WARMUP_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(reminders.reminder_choice, pattern=REMINDER_PATTERN)
    )
    application.add_handler(CallbackQueryHandler(reminders.setup_tap, pattern=SETUP_PATTERN))

    # Fallbacks, last in the same group: within a group only the first matching handler runs
    # (handlers in other groups would run as well). Every command, text and button gets an
    # answer, even ones we never made.
    application.add_handler(MessageHandler(filters.COMMAND, basics.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, reminders.text_input))
    application.add_handler(CallbackQueryHandler(basics.unknown_button))

    application.add_error_handler(on_error)


def command_menu() -> list[BotCommand]:
    return [BotCommand(command, description) for command, description in texts.COMMANDS]
