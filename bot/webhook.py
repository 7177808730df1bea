"""Webhook mode: an aiohttp server that takes Telegram's POSTs and reports health.

Used instead of long polling when WEBHOOK_URL is set, e.g. behind a host's HTTPS proxy, where
several processes can share one URL. A POST without the right X-Telegram-Bot-Api-Secret-Token
header is refused with 403 before anything is parsed, so it never reaches a handler.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import signal
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from bot.metrics import metrics_endpoint
from bot.telegram.services import SERVICES_KEY, Services

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# How long SIGTERM waits for updates in flight before giving up on them.
SHUTDOWN_GRACE_S = 8.0


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends back in every POST: WEBHOOK_SECRET, or one derived from the
    token (Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -)."""
    if settings.webhook_secret:
        return settings.webhook_secret.get_secret_value()
    token = settings.token or ""
    return hashlib.sha256(f"warmup-coach-webhook:{token}".encode()).hexdigest()


def webhook_app(application: Application, secret: str, path: str) -> web.Application:
    """The HTTP side: POST `path` feeds updates to the Application; GET /healthz reports."""

    async def receive(request: web.Request) -> web.Response:
        offered = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(offered.encode(), secret.encode()):
            logger.warning(
                "Refused a webhook POST without the right secret from %s", request.remote
            )
            return web.Response(status=403, text="forbidden")
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            return web.Response(status=400, text="not an update")
        if update is None:
            return web.Response(status=400, text="not an update")
        await application.update_queue.put(update)
        return web.Response(text="ok")

    async def healthz(_request: web.Request) -> web.Response:
        report = await health(application)
        healthy = report["database"] == "ok" and report["scheduler"] == "running"
        return web.json_response(report, status=200 if healthy else 503)

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_post(path, receive)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_endpoint)
    return app


async def health(application: Application) -> dict[str, object]:
    services: Services = application.bot_data[SERVICES_KEY]
    try:
        async with asyncio.timeout(3):
            async with services.db.transaction() as session:
                await session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # any failure is "unhealthy", reported, not raised
        database = f"error: {type(error).__name__}"
    job_queue = application.job_queue
    running = job_queue is not None and job_queue.scheduler.running
    report: dict[str, object] = {
        "database": database,
        "scheduler": "running" if running else "stopped",
    }
    lock_waits = services.db.sqlite_lock_waits()
    if lock_waits is not None:
        # Statements that met another process's write lock since start-up (each waited for it
        # off the loop, up to busy_timeout): a number that climbs means two processes share
        # the file, which SQLite serves badly; PostgreSQL is the way to scale out.
        report["sqlite_lock_waits"] = lock_waits
    return report


async def serve_webhook(
    application: Application,
    settings: Settings,
    stop: asyncio.Event | None = None,
    ready: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop`): register the webhook, serve, shut down in order."""
    assert settings.webhook_url is not None
    secret = webhook_secret(settings)
    path = urlsplit(settings.webhook_url).path or "/"
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.bot.set_webhook(
        settings.webhook_url, secret_token=secret, allowed_updates=Update.ALL_TYPES
    )
    await application.start()
    runner = web.AppRunner(webhook_app(application, secret, path), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
    await site.start()
    if ready is not None:
        ready.set()
    logger.info(
        "Webhook server listening on %s:%s%s", settings.webhook_listen, settings.webhook_port, path
    )
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        logger.info("Stopping: no new updates; finishing the ones in flight")
        await runner.cleanup()  # stop taking updates first
        try:
            async with asyncio.timeout(SHUTDOWN_GRACE_S):
                await application.stop()  # waits for handlers in flight
        except TimeoutError:
            logger.error("Updates still in flight after %.0f s; stopping anyway", SHUTDOWN_GRACE_S)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
