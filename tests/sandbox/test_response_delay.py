"""`response_delay_s`: every Bot API answer is held back as Telegram's round trip holds it,
without holding up the other requests meanwhile."""

from __future__ import annotations

import asyncio
import contextlib

from telegram import Bot

from bot.sandbox import BotApiSandbox

USER_ID = 3003
DELAY = 0.3
# Longer than any test runs: a call held this long is still held when the next one is answered.
FOREVER = 600.0


async def test_each_answer_waits_the_delay() -> None:
    sandbox = BotApiSandbox(response_delay_s=DELAY)
    await sandbox.start()
    try:
        user = sandbox.user(USER_ID)
        async with Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            loop = asyncio.get_running_loop()
            started = loop.time()
            sent = await bot.send_message(USER_ID, "hello")
            assert loop.time() - started >= DELAY
            assert sent.text == "hello" and user.last_bot_message().text == "hello"
            # A long poll answers an update that is there at once, plus the delay.
            update_id = await user.send("/start")
            started = loop.time()
            [update] = await bot.get_updates(timeout=5)
            assert update.update_id == update_id
            assert loop.time() - started >= DELAY
        assert sandbox.violations == []
    finally:
        await sandbox.stop()


async def test_a_held_answer_does_not_hold_up_other_requests() -> None:
    sandbox = BotApiSandbox()
    await sandbox.start()
    try:
        user = sandbox.user(USER_ID)
        async with Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            sandbox.response_delay_s = FOREVER
            held = asyncio.ensure_future(bot.send_message(USER_ID, "held", read_timeout=FOREVER))
            # The message is in the chat at once; only the answer is held.
            await sandbox.wait_for(lambda: len(user.chat) == 1)
            sandbox.response_delay_s = 0.0  # for requests arriving from now on
            await bot.send_message(USER_ID, "answered")
            assert not held.done(), "the held answer was let go"
            assert [m.text for m in user.chat] == ["held", "answered"]
            held.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await held
        assert sandbox.violations == []
    finally:
        await sandbox.stop()
