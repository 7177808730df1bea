"""The real bot, built by `build_application`, started against the sandbox for one test."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from telegram import Bot, Update
from telegram.ext import Application

from bot.app import build_application
from bot.coach.clock import ManualClock
from bot.config import Settings
from bot.db.engine import Database
from bot.runtime import start_polling, stop_polling
from bot.sandbox.server import BotApiSandbox, ChatMessage, SimulatedUser

ROUTINE_FILE = Path(__file__).resolve().parents[1] / "data" / "routine.toml"


class BotRunner:
    """Starts, stops and restarts the bot; a restart is a new Application on the same database."""

    def __init__(
        self,
        sandbox: BotApiSandbox,
        database_url: str,
        clock: ManualClock,
        flood_clock: Callable[[], float] | None = None,
        **settings: object,
    ) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.flood_clock = flood_clock
        self.settings = Settings(
            telegram_bot_token=sandbox.token,
            telegram_api_base_url=sandbox.base_url,
            database_url=database_url,
            # Scripted users tap faster than any person, and tap ✅ Done set without doing the
            # set: tests/e2e/test_flood.py and test_warmup.py use the defaults to test the guards.
            # Cards are text unless a test asks for demonstrations (test_demonstrations.py, and
            # the warm-up tests run both ways), so that most tests read card.text.
            **{
                "routine_file": ROUTINE_FILE,
                "flood_rate": 1000.0,
                "min_set_seconds": 0,
                "demonstrations": False,
                **settings,
            },
            _env_file=None,
        )
        self.application: Application | None = None

    async def start(self, *, polling: bool = True) -> Application:
        """Start the bot; without `polling` it takes updates only from `deliver`, as a webhook
        process behind a load balancer does."""
        extra = {"flood_clock": self.flood_clock} if self.flood_clock is not None else {}
        self.application = build_application(self.settings, clock=self.clock, **extra)
        if polling:
            await start_polling(self.application, poll_timeout=2)
        else:
            await self.application.initialize()
            if self.application.post_init:
                await self.application.post_init(self.application)
            await self.application.start()
        return self.application

    async def deliver(self, update: Update) -> None:
        """Hand the bot an update, as a webhook POST would."""
        assert self.application is not None
        await self.application.update_queue.put(
            Update.de_json(update.to_dict(), self.application.bot)
        )

    async def stop(self) -> None:
        if self.application is not None:
            await stop_polling(self.application)
            self.application = None

    async def restart(self) -> Application:
        await self.stop()
        return await self.start()


async def take_updates(sandbox: BotApiSandbox) -> tuple[Update, ...]:
    """Fetch and confirm the updates waiting at the sandbox, as a webhook relay would."""
    async with Bot(sandbox.token, base_url=sandbox.base_url) as relay:
        updates = await relay.get_updates(timeout=0)
        if updates:
            await relay.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates


async def say(sandbox: BotApiSandbox, user: SimulatedUser, text: str) -> ChatMessage:
    """Send `text` as the user and return the bot's next new message."""
    before = len(user.bot_messages())
    await user.send(text)
    await sandbox.wait_for(lambda: len(user.bot_messages()) > before)
    return user.bot_messages()[before]


def button_data(message: ChatMessage, label_part: str) -> str:
    """The callback data of the button whose label contains `label_part`."""
    for row in message.buttons:
        for label, data in row:
            if label_part in label and data is not None:
                return data
    raise AssertionError(
        f"no button {label_part!r} on message {message.message_id}: {message.buttons}"
    )


def message_by_id(user: SimulatedUser, message_id: int) -> ChatMessage:
    return next(m for m in user.chat if m.message_id == message_id)


async def stored_rows(database_url: str, model: type[Any]) -> list[Any]:
    """Every row of `model`'s table, read with a connection of the test's own."""
    database = Database(database_url)
    try:
        async with database.transaction() as db:
            return list((await db.execute(select(model))).scalars())
    finally:
        await database.dispose()


@contextlib.asynccontextmanager
async def postgres_database(server_url: str) -> AsyncIterator[str]:
    """Create a uniquely named database on the server, yield its SQLAlchemy URL, drop it."""
    server = make_url(server_url)
    name = f"test_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(
        host=server.host, port=server.port, user=server.username, database=server.database
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield server.set(database=name).render_as_string(hide_password=False)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.asynccontextmanager
async def running(server: BotApiSandbox) -> AsyncIterator[BotApiSandbox]:
    """Run the sandbox for a test, then check the bot behaved as real Telegram requires."""
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
    # Every call the bot made must be one real Telegram would accept, and the bot never edits a
    # message into what it already shows.
    assert not server.violations, f"Bot API calls Telegram would reject: {server.violations}"
    not_modified = [
        call for call in server.calls if "not modified" in str(call.response.get("description"))
    ]
    assert not not_modified, f"edits Telegram rejects as 'message is not modified': {not_modified}"


@contextlib.contextmanager
def commit_fails_once(bot: BotRunner, statement_start: str) -> Iterator[list[str]]:
    """The database refuses one COMMIT (a full disk, an I/O error): that of the first
    transaction of the bot's that runs a statement beginning with `statement_start`. Yields
    the refused statements (one, once it happened). Other transactions, such as a job's
    running at the same moment on PostgreSQL, commit as usual."""
    engine = bot.application.bot_data["services"].db.engine.sync_engine
    refused: list[str] = []
    pending: dict[Any, str] = {}  # connection -> the statement it ran

    def watch(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith(statement_start) and not refused:
            pending.setdefault(conn, statement)

    def refuse(conn: Any) -> None:
        statement = pending.pop(conn, None)
        if statement is not None and not refused:
            refused.append(statement)
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(engine, "before_cursor_execute", watch)
    event.listen(engine, "commit", refuse)
    try:
        yield refused
    finally:
        event.remove(engine, "before_cursor_execute", watch)
        event.remove(engine, "commit", refuse)
