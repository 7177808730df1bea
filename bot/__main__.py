"""`python -m bot`: run the bot with long polling (a token), or explain how to get one."""

from __future__ import annotations

import logging
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import StartupError, build_application
from bot.config import SettingsError, load_settings

NO_TOKEN_HELP = """\
No TELEGRAM_BOT_TOKEN is set, so there is no bot to run. To get one: open Telegram, talk to \
@BotFather, send /newbot, choose a name and a username ending in "bot", and copy the token it \
gives you (it looks like 123456789:AAE...). Then put TELEGRAM_BOT_TOKEN=<token> in a .env file \
here (see .env.example) or in the environment, and run this command again."""


def configure_logging(level: str) -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=level, stream=sys.stderr
    )
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if not settings.token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 2
    try:
        application = build_application(settings)
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except (SettingsError, StartupError) as error:
        print(error, file=sys.stderr)
        return 2
    except InvalidToken:
        print("Setting TELEGRAM_BOT_TOKEN: Telegram rejected this token.", file=sys.stderr)
        return 2
    except NetworkError as error:
        print(
            f"Setting TELEGRAM_API_BASE_URL: cannot reach "
            f"{settings.telegram_api_base_url} ({error})",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
