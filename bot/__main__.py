"""`python -m bot`: run the bot with long polling (a token), or the offline sandbox (none)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from telegram import Update
from telegram.error import InvalidToken, NetworkError
from telegram.ext import Application

from bot.app import StartupError, build_application
from bot.config import Settings, SettingsError, load_settings
from bot.logs import configure_logging, scrub
from bot.webhook import serve_webhook, webhook_secret

NO_TOKEN_HELP = """\
No TELEGRAM_BOT_TOKEN is set, so this starts the offline sandbox: a local stand-in for Telegram \
with a web chat in your browser, no account or network needed. To run the real bot: open \
Telegram, talk to @BotFather, send /newbot, choose a name and a username ending in "bot", and \
copy the token it gives you (it looks like 123456789:AAE...). Then put \
TELEGRAM_BOT_TOKEN=<token> in a .env file here (see .env.example) or in the environment, and \
run this command again."""
FRESH_NEEDS_SANDBOX = (
    "--fresh starts the offline sandbox with an empty database; it is not for the real bot "
    "(unset TELEGRAM_BOT_TOKEN to use it)."
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Run Warm-up Coach: with TELEGRAM_BOT_TOKEN against Telegram, without it "
        "as an offline sandbox with a web chat.",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="sandbox only: delete the SQLite database first and start empty",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    secrets = [settings.token or ""]
    if settings.webhook_url:
        secrets.append(webhook_secret(settings))
    configure_logging(settings.log_level, settings.log_format, secrets)
    if not settings.token:
        return run_offline_sandbox(settings, fresh=args.fresh)
    if args.fresh:
        print(FRESH_NEEDS_SANDBOX, file=sys.stderr)
        return 2
    try:
        application = build_application(settings)
        asyncio.run(check_token_and_endpoint(application))
        if settings.webhook_url:
            asyncio.run(serve_webhook(application, settings))
        else:
            # Stops on SIGINT, SIGTERM and SIGABRT: no new updates, handlers in flight finish.
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except (SettingsError, StartupError) as error:
        print(error, file=sys.stderr)
        return 2
    except InvalidToken:
        print("Setting TELEGRAM_BOT_TOKEN: Telegram rejected this token.", file=sys.stderr)
        return 2
    except NetworkError as error:
        reason = scrub(str(error), secrets)
        print(
            f"Setting TELEGRAM_API_BASE_URL: cannot reach "
            f"{settings.telegram_api_base_url} ({reason})",
            file=sys.stderr,
        )
        return 2
    return 0


async def check_token_and_endpoint(application: Application) -> None:
    """One getMe before starting: a wrong token or an unreachable endpoint fails here, as one
    line, instead of inside python-telegram-bot's start-up retry loop, which logs a traceback."""
    async with application.bot:
        await application.bot.get_me()


def run_offline_sandbox(settings: Settings, *, fresh: bool) -> int:
    # Imported here: the real bot never needs the sandbox's server code.
    from bot.sandbox.run import run_sandbox

    try:
        # The help comes once the sandbox has its port: a start that fails says only why.
        asyncio.run(
            run_sandbox(settings, port=settings.sandbox_port, fresh=fresh, greeting=NO_TOKEN_HELP)
        )
    except (SettingsError, StartupError) as error:
        print(error, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
