"""Prometheus metrics: what the bot does and how it goes, scraped from `/metrics`.

The webhook server serves `/metrics` on its own port; in polling mode `METRICS_PORT` starts a
small server for it (off by default). Every process has its own figures: a scrape of each
process, summed by Prometheus, gives the bot's. The names and two alert rules are in the README.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.telegram.concurrency import PerChatUpdateProcessor

logger = logging.getLogger(__name__)

UPDATES = Counter("warmup_updates_total", "Updates handled, by kind", ["kind"])
UPDATE_SECONDS = Histogram(
    "warmup_update_handling_seconds",
    "Time from taking an update to the end of its handlers, by kind",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BOT_API_CALLS = Counter(
    "warmup_bot_api_requests_total",
    "Bot API calls by method and outcome (ok, 4xx, 403, 429, 5xx, timeout)",
    ["method", "outcome"],
)
REMINDERS = Counter(
    "warmup_reminders_total",
    "Reminders by outcome (sent, skipped, missed, lost, blocked, failed)",
    ["outcome"],
)
# A reminder handed to Telegram before its instant counts its head start here, one sent at or
# after it its delay: two histograms, since Prometheus buckets are for values that are >= 0.
REMINDER_EARLY_SECONDS = Histogram(
    "warmup_reminder_early_seconds",
    "How long before its instant a reminder was sent (the early window)",
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600),
)
REMINDER_LATE_SECONDS = Histogram(
    "warmup_reminder_late_seconds",
    "How long after its instant a reminder was sent (0 for one on time)",
    buckets=(0.5, 1, 2, 5, 15, 30, 60, 120, 300, 900),
)
DISPATCHER_LAG = Gauge(
    "warmup_dispatcher_lag_seconds",
    "How far behind its oldest due item each dispatcher is (0: nothing overdue)",
    ["dispatcher"],
)
WARMUPS_STARTED = Counter("warmup_warmups_started_total", "Warm-ups started")
WARMUPS_COMPLETED = Counter("warmup_warmups_completed_total", "Warm-ups completed")


def count_when_committed(session: AsyncSession, counter: Counter) -> None:
    """Count once `session`'s transaction commits: a warm-up whose transaction rolled back was
    never started or completed."""
    event.listen(session.sync_session, "after_commit", lambda _session: counter.inc(), once=True)


SEND_QUEUE = Gauge(
    "warmup_send_queue_length",
    "Sends waiting for the rate limiter, by lane (urgent: reminders and check-ins first)",
    ["lane"],
)
BROADCAST_MESSAGES = Counter(
    "warmup_broadcast_messages_total",
    "Broadcast messages by outcome (sent, blocked, failed, unconfirmed)",
    ["outcome"],
)
LEADER = Gauge(
    "warmup_dispatch_leader",
    "1 while this process runs the dispatchers (holds the PostgreSQL advisory lock)",
)

for _outcome in ("sent", "skipped", "missed", "lost", "blocked", "failed"):
    REMINDERS.labels(_outcome)
for _lane in ("urgent", "bulk"):
    SEND_QUEUE.labels(_lane)
for _dispatcher in ("reminders", "checkins", "broadcasts"):
    DISPATCHER_LAG.labels(_dispatcher)


def update_kind(update: object) -> str:
    """command, message, callback_query, or the update's other field (edited_message, ...)."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback_query"
    if update.message is not None:
        text = update.message.text or ""
        return "command" if text.startswith("/") else "message"
    for name in ("edited_message", "my_chat_member", "inline_query", "channel_post"):
        if getattr(update, name) is not None:
            return name
    return "other"


class MeasuredUpdateProcessor(PerChatUpdateProcessor):
    """The per-chat update processor, counting each update and timing its handlers."""

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        kind = update_kind(update)
        started = time.perf_counter()
        try:
            await super().do_process_update(update, coroutine)
        finally:
            UPDATES.labels(kind).inc()
            UPDATE_SECONDS.labels(kind).observe(time.perf_counter() - started)


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (403, 429):
        return str(status)
    return "4xx" if status < 500 else "5xx"


class MeasuredRequest(HTTPXRequest):
    """python-telegram-bot's HTTP client, counting every Bot API call by method and outcome."""

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        api_method = url.rsplit("/", 1)[-1]
        try:
            status, payload = await super().do_request(url, method, *args, **kwargs)
        except TimedOut:
            BOT_API_CALLS.labels(api_method, "timeout").inc()
            raise
        except NetworkError:
            # Connection refused or reset: no answer came, as with a gateway that is down.
            BOT_API_CALLS.labels(api_method, "5xx").inc()
            raise
        BOT_API_CALLS.labels(api_method, outcome_of(status)).inc()
        return status, payload


async def metrics_endpoint(_request: web.Request) -> web.Response:
    body = generate_latest()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


class MetricsServer:
    """Polling mode's /metrics: a small aiohttp server on METRICS_PORT, in the bot's loop."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", metrics_endpoint)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        logger.info("Metrics on http://%s:%s/metrics", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await asyncio.shield(self._runner.cleanup())
            self._runner = None
