"""All handler registration, in one place and in order."""

from __future__ import annotations

from telegram import Bot, BotCommand, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.i18n import DEFAULT_LOCALE, LANGUAGES, telegram_language_code, use
from bot.telegram import (
    basics,
    broadcast,
    checkins,
    language,
    levels,
    mydata,
    reminders,
    settings,
    stats,
    texts,
    warmup,
)
from bot.telegram.callbacks import (
    CHECKIN_PATTERN,
    EASE_OFF_PATTERN,
    FORGET_PATTERN,
    LEVEL_PATTERN,
    MENU_WARMUP_PATTERN,
    RATING_PATTERN,
    REMINDER_PATTERN,
    RESUME_PATTERN,
    SETTINGS_PATTERN,
    SETUP_PATTERN,
    TAP_PATTERN,
)
from bot.telegram.dispatching import dispatching_in
from bot.telegram.errors import on_error
from bot.telegram.flood import FloodGuard


def register_handlers(application: Application, flood_guard: FloodGuard) -> None:
    # Group -2 runs first: every update speaks the runner's app language from the start (the
    # flood guard's words too); a handler's unit of work then reads their stored choice.
    application.add_handler(TypeHandler(Update, language.language_from_update), group=-2)
    # Group -1 next: a flooding user is stopped before any handler or database work.
    application.add_handler(TypeHandler(Update, flood_guard), group=-1)
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

    # Streaks, check-ins and the runner's data (before the fallbacks below).
    application.add_handler(CommandHandler("stats", stats.stats_command))
    application.add_handler(CommandHandler("settings", settings.settings_command))
    application.add_handler(CommandHandler("language", language.language_command))
    application.add_handler(CommandHandler("levels", levels.levels_command))
    application.add_handler(CommandHandler("export", mydata.export_command))
    application.add_handler(CommandHandler("forget", mydata.forget_command))
    application.add_handler(CallbackQueryHandler(checkins.checkin_tap, pattern=CHECKIN_PATTERN))
    application.add_handler(CallbackQueryHandler(settings.settings_tap, pattern=SETTINGS_PATTERN))
    application.add_handler(CallbackQueryHandler(mydata.forget_tap, pattern=FORGET_PATTERN))
    application.add_handler(CallbackQueryHandler(warmup.rating_tap, pattern=RATING_PATTERN))
    application.add_handler(CallbackQueryHandler(levels.level_tap, pattern=LEVEL_PATTERN))
    application.add_handler(CallbackQueryHandler(checkins.ease_off_tap, pattern=EASE_OFF_PATTERN))
    application.add_handler(
        CallbackQueryHandler(language.language_tap, pattern=rf"^{language.LANGUAGE_PREFIX}")
    )
    # The operator's /broadcast: for ADMIN_USER_IDS only, so anyone else's is an unknown
    # command (the fallback below); an admin's text goes to a waiting broadcast first.
    admins = filters.User(user_id=dispatching_in(application).admin_user_ids)
    application.add_handler(
        CommandHandler("broadcast", broadcast.broadcast_command, filters=admins)
    )
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & admins, broadcast.broadcast_text)
    )
    application.add_handler(
        CallbackQueryHandler(broadcast.broadcast_choice, pattern=broadcast.BROADCAST_PATTERN)
    )
    application.add_handler(
        ChatMemberHandler(broadcast.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )

    # Fallbacks, last in the same group: within a group only the first matching handler runs
    # (handlers in other groups would run as well). Every command, text and button gets an
    # answer, even ones we never made.
    application.add_handler(MessageHandler(filters.COMMAND, basics.unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, reminders.text_input))
    application.add_handler(CallbackQueryHandler(basics.unknown_button))

    application.add_error_handler(on_error)


def command_menu() -> list[BotCommand]:
    """The command menu, in the language in force."""
    return [BotCommand(command, str(description)) for command, description in texts.COMMANDS]


async def publish_profile(bot: Bot) -> None:
    """The command menu and the bot's descriptions for every language (Telegram shows each user
    the one for their app's language), English as the default."""
    for locale in LANGUAGES:
        code = None if locale == DEFAULT_LOCALE else telegram_language_code(locale)
        with use(locale):
            await bot.set_my_commands(command_menu(), language_code=code)
            await bot.set_my_description(str(texts.DESCRIPTION), language_code=code)
            await bot.set_my_short_description(str(texts.SHORT_DESCRIPTION), language_code=code)
