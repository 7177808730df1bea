"""The bot as a real `python -m bot` process against the sandbox, for process-level tests."""

from __future__ import annotations

import asyncio

from bot.sandbox import processes
from bot.sandbox.processes import free_port, webhook_settings
from bot.sandbox.server import BotApiSandbox

__all__ = ["BotProcess", "free_port", "webhook_settings"]


class BotProcess(processes.BotProcess):
    """The bot's process with the tests' defaults: every log line, and no flood guard or
    double-tap guard in the way of taps sent faster than people tap."""

    def __init__(self, sandbox: BotApiSandbox, database_url: str, **settings: str) -> None:
        super().__init__(
            sandbox,
            database_url,
            **{"LOG_LEVEL": "DEBUG", "FLOOD_RATE": "1000", "MIN_SET_SECONDS": "0", **settings},
        )

    async def start_polling(self, sandbox: BotApiSandbox, timeout: float = 30.0) -> None:
        """Start, and return once the bot polls; fail at once, with its output, if it exits.

        python-telegram-bot calls deleteWebhook right before its first getUpdates (getUpdates
        itself is recorded only when the long poll returns).
        """
        before = sandbox.count("deleteWebhook")
        await self.start()
        assert self.process is not None
        exited = asyncio.create_task(self.process.wait())
        polling = asyncio.create_task(
            sandbox.wait_for(lambda: sandbox.count("deleteWebhook") > before, timeout=timeout)
        )
        done, _ = await asyncio.wait({exited, polling}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            polling.cancel()
            assert self._reader is not None
            await self._reader
            raise AssertionError(
                f"the bot exited with {exited.result()} while starting:\n{self.output}"
            )
        exited.cancel()
        await polling  # raises if the bot never polled within `timeout`
