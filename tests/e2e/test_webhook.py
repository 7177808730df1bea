"""Webhook mode: the secret header guards the door, updates reach the bot, /healthz reports."""

from __future__ import annotations

import asyncio

import aiohttp
from sqlalchemy import make_url

from bot.app import build_application
from bot.coach.clock import ManualClock
from bot.config import Settings
from bot.db.inloop_sqlite import LockWaits
from bot.sandbox.server import BotApiSandbox
from bot.webhook import SECRET_HEADER, serve_webhook
from tests.e2e.processes import free_port
from tests.harness import ROUTINE_FILE


async def test_webhook_refuses_without_secret_and_serves_with_it(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    settings = Settings(
        telegram_bot_token=sandbox.token,
        telegram_api_base_url=sandbox.base_url,
        database_url=database_url,
        routine_file=ROUTINE_FILE,
        webhook_url=url,
        webhook_listen="127.0.0.1",
        webhook_port=port,
        _env_file=None,
    )
    application = build_application(settings, clock=clock)
    stop, ready = asyncio.Event(), asyncio.Event()
    server = asyncio.create_task(serve_webhook(application, settings, stop=stop, ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), timeout=10)
        assert sandbox.webhook_url == url
        secret = sandbox.webhook_secret_token
        assert secret and len(secret) >= 32
        runner = sandbox.user(5001, "Wen")
        await runner.send("/start")
        [update] = sandbox.pending_updates
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: secret[:-1]}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            async with http.post(url, data=b"{not json", headers={SECRET_HEADER: secret}) as r:
                assert r.status == 400
            async with http.post(url, json=update, headers={SECRET_HEADER: secret}) as response:
                assert response.status == 200
            await sandbox.wait_for(lambda: len(runner.bot_messages()) == 1)
            assert runner.last_bot_message().text.startswith("Hi Wen!")
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
                report = await response.json()
            expected = {"database": "ok", "scheduler": "running"}
            if make_url(database_url).get_backend_name() == "sqlite":
                # The process's count (tests/db/test_engine.py makes it climb).
                expected["sqlite_lock_waits"] = LockWaits.count
            assert report == expected
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                assert response.status == 200
                assert "warmup_bot_api_requests_total" in await response.text()
            await application.job_queue.stop(wait=False)
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 503
                assert (await response.json())["scheduler"] == "stopped"
    finally:
        stop.set()
        await asyncio.wait_for(server, timeout=15)
    # The refused POSTs never reached a handler: one update, one answer.
    assert len(runner.bot_messages()) == 1
