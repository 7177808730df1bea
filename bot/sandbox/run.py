"""The offline sandbox: the local Bot API server, the real bot pointed at it, and the web chat.

`python -m bot` (and `bin/run`) without a token runs this, so that anyone can try the coach in a
browser before they have a token, with no network. Everything runs in one event loop; Ctrl-C
(SIGINT) or SIGTERM stops the bot first, then the server. The SQLite file keeps the simulated
runners' progress for next time, and a file beside it their chats (history.py), so that the web
chat shows them again and old buttons still work (`--fresh` starts with neither).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import signal
import sqlite3
import sys
import time
from functools import partial
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import make_url
from telegram.ext import Application

from bot.app import build_application
from bot.config import Settings, SettingsError
from bot.db.models import User
from bot.db.warmups import ensure_user
from bot.i18n import negotiate
from bot.runtime import start_polling, stop_polling
from bot.sandbox.history import ChatHistory, history_path
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.webchat import DEFAULT_PROFILES, Profile, WebChat, attach_webchat
from bot.telegram.demo_reminder import send_demo_reminder
from bot.telegram.services import SERVICES_KEY, Services

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
# Calls and callback queries the offline sandbox remembers: plenty for its log on a crash, and
# bounded, so a sandbox left running for days does not grow with every long poll.
KEEP_LAST = 10_000
MESSAGE_ID_EPOCH = 1_735_689_600  # 2025-01-01 00:00 UTC
JOURNALS = ("-wal", "-shm", "-journal")
FRESH_NEEDS_SQLITE = (
    "Setting SANDBOX_DATABASE_URL: --fresh only deletes a SQLite file; empty this database yourself"
)


def port_in_use_message(port: int) -> str:
    other = port + 1 if port < 65535 else 8081
    return f"Port {port} is in use; set SANDBOX_PORT={other} (or any free port) and run again."


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL; None for other databases and in-memory SQLite."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def chats_file(database_url: str) -> Path | None:
    """Where the runners' chats are kept: beside the SQLite database. None for another
    database (or SQLite in memory): then the chats last as long as the process."""
    path = sqlite_path(database_url)
    return history_path(path) if path is not None else None


def delete_database(database_url: str) -> list[Path]:
    """`--fresh`: delete the SQLite file and the chats beside it (and their journal files);
    returns what was deleted."""
    path = sqlite_path(database_url)
    if path is None:
        raise SettingsError(FRESH_NEEDS_SQLITE)
    deleted = []
    for kept in (path, history_path(path)):
        for candidate in (kept, *(kept.with_name(kept.name + s) for s in JOURNALS)):
            if candidate.exists():
                candidate.unlink()
                deleted.append(candidate)
    return deleted


async def seed_profiles(application: Application, profiles: tuple[Profile, ...]) -> None:
    """Give each simulated runner a bot-side account in their own time zone (so /remind
    defaults to it). A time zone the runner has since changed is kept."""
    services: Services = application.bot_data[SERVICES_KEY]
    now = services.clock()
    async with services.db.transaction() as db:
        for profile in profiles:
            is_new = await db.get(User, profile.user_id) is None
            user = await ensure_user(
                db,
                profile.user_id,
                profile.user_id,
                profile.first_name,
                now,
                language=negotiate(profile.language_code),
            )
            if is_new:
                user.timezone = profile.timezone


async def runner_timezone(application: Application, user_id: int) -> str | None:
    """The time zone the bot has for this runner; None when it has no account for them (never
    had, or after /forget). Reads only."""
    services: Services = application.bot_data[SERVICES_KEY]
    async with services.db.transaction() as db:
        user = await db.get(User, user_id)
        return user.timezone if user is not None else None


async def connect_bot(webchat: WebChat, application: Application) -> None:
    """Wire a started bot to the web chat: the runners' accounts, the reminder control (a
    demonstration: the real schedule is never moved by it) and their zones for the list."""
    await seed_profiles(application, webchat.profiles)
    webchat.fire_reminder = partial(send_demo_reminder, application)
    webchat.runner_timezone = partial(runner_timezone, application)
    await webchat.refresh_zones()


def first_message_id(now: float) -> int:
    """Where a chat's message ids (and the update ids) start this run at the earliest: the
    seconds since 2025 (fits 32 bits until 2093). The bot's database remembers message ids
    from earlier runs (a warm-up card it will edit); Telegram never reuses an id in a chat, so
    neither may we. The kept chats say where the last run ended; this floor holds without them
    (another database, or a run that was killed before it wrote its last ids). A run would
    have to add more than one message per second of its life to overlap."""
    return max(0, int(now) - MESSAGE_ID_EPOCH)


async def start_sandbox_server(
    port: int, profiles: tuple[Profile, ...] = DEFAULT_PROFILES
) -> tuple[BotApiSandbox, WebChat]:
    """The Bot API server with the web chat, listening on 127.0.0.1:port."""
    sandbox = BotApiSandbox(keep_last=KEEP_LAST)
    webchat = attach_webchat(sandbox, profiles)
    floor = first_message_id(time.time())
    for profile in profiles:
        sandbox.user(profile.user_id).continue_message_ids_after(floor)
    sandbox.continue_update_ids_after(floor)
    try:
        await sandbox.start(host=HOST, port=port)
    except OSError as error:
        await sandbox.stop()
        if error.errno == errno.EADDRINUSE:
            raise SettingsError(port_in_use_message(port)) from None
        raise SettingsError(
            f"Setting SANDBOX_PORT: cannot listen on {HOST}:{port} ({error.strerror})"
        ) from None
    return sandbox, webchat


async def run_sandbox(
    settings: Settings,
    *,
    port: int,
    fresh: bool,
    stop: asyncio.Event | None = None,
    greeting: str | None = None,
) -> None:
    """Run until SIGINT/SIGTERM (or until ``stop`` is set, for callers that own the signals).

    ``greeting`` goes to stderr once the port is ours, so that a start that fails (the port is
    taken) prints nothing but its reason."""
    if fresh and sqlite_path(settings.sandbox_database_url) is None:
        raise SettingsError(FRESH_NEEDS_SQLITE)
    if stop is None:
        stop = asyncio.Event()
        signals = _stop_on_signals(stop)
    else:
        signals = []
    try:
        await _run(settings, port=port, fresh=fresh, stop=stop, greeting=greeting)
    finally:
        # Only now: a second Ctrl-C while shutting down must not interrupt the clean stop.
        for signum in signals:
            asyncio.get_running_loop().remove_signal_handler(signum)


async def _run(
    settings: Settings, *, port: int, fresh: bool, stop: asyncio.Event, greeting: str | None
) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        # The scheduler logs every job run at INFO; in a terminal demo that drowns the rest.
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
    sandbox, webchat = await start_sandbox_server(port)
    if greeting:
        print(greeting, file=sys.stderr, flush=True)
    history: ChatHistory | None = None
    try:
        if fresh:
            # Only now that the port is ours: a start that fails leaves the progress alone.
            for path in delete_database(settings.sandbox_database_url):
                logger.info("--fresh: deleted %s", path)
        history = keep_chats(sandbox, settings.sandbox_database_url)
        bot_settings = settings.model_copy(
            update={
                "telegram_bot_token": SecretStr(sandbox.token),
                "telegram_api_base_url": sandbox.base_url,
                # Its own file: the demo runners must not join a real bot's runners.
                "database_url": settings.sandbox_database_url,
            }
        )
        application = build_application(bot_settings)
        try:
            await start_polling(application)
            await connect_bot(webchat, application)
            print(
                f"Warm-up Coach sandbox: open {webchat.url} in your browser (Ctrl-C stops it).",
                flush=True,
            )
            await stop.wait()
            logger.info("Stopping the sandbox")
        finally:
            await stop_polling(application)
    finally:
        await sandbox.stop()
        if history is not None:
            history.close()


def keep_chats(sandbox: BotApiSandbox, database_url: str) -> ChatHistory | None:
    """Restore the chats kept beside the database and keep every change; synchronous, so that
    the web chat (already listening) serves nothing before the chats are back."""
    path = chats_file(database_url)
    if path is None:
        logger.info("The chats are kept in memory only: the sandbox database is not a file")
        return None
    try:
        history = ChatHistory(path)
        history.restore(sandbox)
    except (sqlite3.DatabaseError, RuntimeError) as error:
        raise SettingsError(
            f"Setting SANDBOX_DATABASE_URL: cannot read the chats kept in {path} ({error}); "
            "move that file away, or start empty with --fresh"
        ) from None
    history.attach(sandbox)
    return history


def _stop_on_signals(stop: asyncio.Event) -> list[signal.Signals]:
    loop = asyncio.get_running_loop()
    signals = [signal.SIGINT, signal.SIGTERM]
    for signum in signals:
        loop.add_signal_handler(signum, stop.set)
    return signals
