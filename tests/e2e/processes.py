"""The bot as a real `python -m bot` process against the sandbox, for process-level tests."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from bot.sandbox.server import BotApiSandbox

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """`python -m bot` with the given settings; its stderr is collected as it is written."""

    def __init__(self, sandbox: BotApiSandbox, database_url: str, **settings: str) -> None:
        self.environment = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": sandbox.token,
            "TELEGRAM_API_BASE_URL": sandbox.base_url,
            "DATABASE_URL": database_url,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",
            "FLOOD_RATE": "1000",
            "MIN_SET_SECONDS": "0",
            "DEMONSTRATIONS": "off",
            **settings,
        }
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=PROJECT_ROOT,
            env=self.environment,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        # Drained continuously: a full pipe would block the bot's logging.
        assert self.process is not None and self.process.stdout is not None
        async for line in self.process.stdout:
            self.lines.append(line.decode(errors="replace").rstrip("\n"))

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

    def signal(self, signum: signal.Signals) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    async def wait(self, timeout: float) -> int:
        assert self.process is not None and self._reader is not None
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(self._reader, timeout)
        return code

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.wait(timeout=10)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)
