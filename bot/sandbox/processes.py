"""The bot as a real `python -m bot` process against the sandbox: what the process-level tests
and benchmarks start, stop, kill and read the log of."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path
from signal import SIGTERM, Signals

from bot.sandbox.server import BotApiSandbox

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def webhook_settings(port: int | None = None) -> dict[str, str]:
    """The settings of a process in webhook mode on a loopback port of its own."""
    port = free_port() if port is None else port
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
    }


class BotProcess:
    """`python -m bot` with the given settings; its output is collected as it is written."""

    def __init__(self, sandbox: BotApiSandbox, database_url: str, **settings: str) -> None:
        self.environment = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": sandbox.token,
            "TELEGRAM_API_BASE_URL": sandbox.base_url,
            "DATABASE_URL": database_url,
            "LOG_FORMAT": "json",
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

    def says(self, words: str) -> bool:
        return any(words in line for line in self.lines)

    def signal(self, signum: Signals) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    async def wait(self, timeout: float) -> int:
        assert self.process is not None and self._reader is not None
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await asyncio.wait_for(self._reader, timeout)
        return code

    async def stop(self, signum: Signals = SIGTERM, timeout: float = 20) -> None:
        """Send `signum` (SIGTERM: a clean stop) and wait for the process and its output."""
        if self.process is None or self.process.returncode is not None:
            return
        self.signal(signum)
        await self.wait(timeout)

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.wait(timeout=10)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)
