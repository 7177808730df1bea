"""`build_application(settings)`: the one Application that every entry point runs."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from telegram.ext import Application, ApplicationBuilder

from bot.coach.clock import Clock, utc_now
from bot.coach.routine import Routine, RoutineError, parse_routine
from bot.config import DATA_DIR, Settings, SettingsError
from bot.db.engine import Database
from bot.db.migrate import upgrade_to_head
from bot.demos.clips import DEFAULT_FOLDER as DEMO_FOLDER
from bot.demos.clips import DemoError, clip_name, ensure_clips
from bot.i18n import LANGUAGES
from bot.i18n.catalogs import preload as preload_catalogs
from bot.i18n.catalogs import untranslated
from bot.i18n.extract import routine_texts
from bot.metrics import MeasuredRequest, MeasuredUpdateProcessor, MetricsServer
from bot.telegram.demonstrations import Demonstrations
from bot.telegram.dispatchers import start_dispatching, stop_dispatching
from bot.telegram.dispatching import DISPATCH_KEY, Dispatching
from bot.telegram.flood import FloodGuard
from bot.telegram.rate_limit import SendRateLimiter
from bot.telegram.registry import publish_profile, register_handlers
from bot.telegram.services import SERVICES_KEY, Services

logger = logging.getLogger(__name__)

# The demonstrations are drawn once and kept here (git-ignored), re-drawn when their pose files
# or the renderer change.
DEMO_CACHE = DATA_DIR / "cache" / "demos"
METRICS_SERVER_KEY = "metrics_server"


class StartupError(RuntimeError):
    """Start-up cannot go on; the message is one line for the operator."""


def report_untranslated_routine(routine: Routine) -> None:
    """A routine edited without its translations still runs (those words show in English); the
    operator hears which, once, at start-up. The catalogue check in the tests fails on it."""
    for locale in LANGUAGES:
        missing = untranslated(locale, [message for message, _ in routine_texts(routine)])
        if missing:
            logger.warning(
                "%s: %d of the routine's texts have no translation and show in English, "
                "e.g. %r (update bot/locales: README, Languages)",
                LANGUAGES[locale],
                len(missing),
                missing[0],
            )


def load_routine(path: Path) -> Routine:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SettingsError(f"Setting ROUTINE_FILE: cannot read {path}: {error.strerror}") from None
    try:
        return parse_routine(text, source_name=path.name)
    except RoutineError as error:
        raise SettingsError(f"Setting ROUTINE_FILE: {error}") from None


def build_application(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    flood_clock: Callable[[], float] = time.monotonic,
) -> Application:
    """The bot, wired: handlers, database, rate limiter, per-user ordering. Not started.

    `clock` is the bot's time for everything a runner sees; `flood_clock` the flood guard's
    (seconds, monotonic). Tests pass explicit ones."""
    if not settings.token:
        raise SettingsError("Setting TELEGRAM_BOT_TOKEN: missing")
    routine = load_routine(settings.routine_file)
    report_untranslated_routine(routine)
    _ensure_sqlite_folder(settings.database_url)
    database = Database(settings.database_url)
    base_url = settings.telegram_api_base_url
    application = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(base_url)
        .base_file_url(_file_url(base_url))
        .request(MeasuredRequest(connection_pool_size=256))
        .get_updates_request(MeasuredRequest(connection_pool_size=1))
        .rate_limiter(SendRateLimiter(messages_per_second=settings.telegram_messages_per_second))
        .concurrent_updates(MeasuredUpdateProcessor(settings.max_concurrent_updates))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data[SERVICES_KEY] = Services(
        routine=routine,
        db=database,
        clock=clock,
        demos=Demonstrations({}, database, clock),
        min_set_gap=timedelta(seconds=settings.min_set_seconds),
        demonstrations_wanted=settings.demonstrations,
    )
    application.bot_data[DISPATCH_KEY] = Dispatching(
        messages_per_second=settings.telegram_messages_per_second,
        early=timedelta(minutes=settings.reminder_early_minutes),
        admin_user_ids=frozenset(settings.admin_user_ids),
    )
    if settings.metrics_port and not settings.webhook_url:
        # Polling mode's /metrics (webhook mode serves it on the webhook's port).
        application.bot_data[METRICS_SERVER_KEY] = MetricsServer(
            settings.webhook_listen, settings.metrics_port
        )
    register_handlers(
        application, FloodGuard(settings.flood_burst, settings.flood_rate, flood_clock)
    )
    return application


async def _post_init(application: Application) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    try:
        await upgrade_to_head(services.db.engine)
    except (SQLAlchemyError, OSError) as error:
        raise StartupError(f"Setting DATABASE_URL: cannot open the database ({error})") from None
    await asyncio.to_thread(preload_catalogs, list(LANGUAGES))
    if services.demonstrations_wanted:
        # Drawn on the first start (a few seconds of CPU, off the loop), then read from the cache.
        services.demos = await asyncio.to_thread(_load_demonstrations, services)
    await publish_profile(application.bot)
    metrics_server: MetricsServer | None = application.bot_data.get(METRICS_SERVER_KEY)
    if metrics_server is not None:
        try:
            await metrics_server.start()
        except OSError as error:
            raise StartupError(
                f"Setting METRICS_PORT: cannot listen on {metrics_server.port} ({error.strerror})"
            ) from None
    # The reminder, check-in and broadcast dispatchers run in one process: this one if it leads.
    await start_dispatching(application)
    logger.info("Bot @%s is ready", application.bot.username)


async def _post_shutdown(application: Application) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    await stop_dispatching(application)
    metrics_server: MetricsServer | None = application.bot_data.get(METRICS_SERVER_KEY)
    if metrics_server is not None:
        await metrics_server.stop()
    await services.db.dispose()


def _load_demonstrations(services: Services) -> Demonstrations:
    # The clips the cards will ask for: a band exercise's, per level, with the band where it is.
    wanted = {
        clip_name(exercise.demo, level.band_at)
        for exercise in services.routine.exercises
        if exercise.demo
        for level in exercise.levels
    }
    try:
        clips = ensure_clips(DEMO_CACHE)
    except (DemoError, OSError) as error:
        raise StartupError(
            f"Setting DEMONSTRATIONS: cannot draw the demonstrations ({error})"
        ) from None
    unknown = sorted(wanted - set(clips))
    if unknown:
        raise StartupError(
            f"Setting ROUTINE_FILE: no demonstration {unknown[0]!r} in {DEMO_FOLDER} "
            f"(known: {', '.join(sorted(clips))})"
        )
    return Demonstrations(clips, services.db, services.clock)


def _file_url(base_url: str) -> str:
    # Telegram serves files from /file/bot<token>; a self-hosted server mirrors that layout.
    root, _, _ = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/bot"


def _ensure_sqlite_folder(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
