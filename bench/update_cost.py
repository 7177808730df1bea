"""Benchmark: the bot's own CPU per update, without the network, against the framework's floor.

    python -m bench.update_cost [--warmups 30] [--rounds 5]

Where bench.throughput measures whole round trips over loopback HTTP (and so the machine's noise
and python-telegram-bot's HTTP stack with them), this one measures what our code adds to each
update: the same warm-ups (/warmup, then 12 taps of ✅ Done set, the 12th completing the warm-up),
fed straight into the Application's update processor, one runner after another, with every Bot
API call answered from memory. Everything above the transport runs for real: the handlers, the
flood guard, the metrics, the rate limiter, python-telegram-bot's parsing of updates and answers,
SQLAlchemy and a real SQLite file. The floor is bench.throughput's bare bot, fed the same way.

Figures are CPU microseconds per update (process time; nothing waits here), the best of the
rounds, and how much of ours was spent inside the database's units of work (engine.py's
`transaction()`, which on SQLite runs on the loop's thread: its time is CPU). The last line:

    RESULT update_cost backend=sqlite ours_us=… floor_us=… ratio=… in_transactions_us=…
           transactions_per_update=…

`ratio` is the floor's cost over ours: what share of a core's updates we would keep if nothing
but this CPU counted (the loopback benchmark's ratio also carries the HTTP work both bots do).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bench.throughput import DONE_LABEL, TAPS_PER_WARMUP, _build_floor, _build_ours
from bot.db.engine import Database

BASE_URL = "http://127.0.0.1:9/bot"  # never dialled: the transport below answers
RUNNERS = (7001, 7002, 7003)
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}


class InMemoryBotApi:
    """Answers the Bot API calls a warm-up makes, as the sandbox would, without HTTP."""

    def __init__(self) -> None:
        self.ids = itertools.count(100)
        self.cards: dict[int, dict[str, Any]] = {}  # the latest card sent or edited, by chat

    def answer(self, method: str, parameters: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method not in ("sendMessage", "editMessageText"):
            return True  # answerCallbackQuery, setMyCommands, ...
        chat_id = int(parameters["chat_id"])
        message = {
            "message_id": (
                next(self.ids) if method == "sendMessage" else int(parameters["message_id"])
            ),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Runner"},
            "from": BOT_USER,
            "text": parameters["text"],
        }
        if "reply_markup" in parameters:
            message["reply_markup"] = parameters["reply_markup"]
        self.cards[chat_id] = message
        return message


API = InMemoryBotApi()


async def _in_memory_request(
    self: HTTPXRequest, url: str, method: str, request_data: Any = None, *args: Any, **kwargs: Any
) -> tuple[int, bytes]:
    parameters = {}
    if request_data is not None:
        parameters = {
            name: json.loads(value) if isinstance(value, str) and value[:1] in "{[" else value
            for name, value in request_data.json_parameters.items()
        }
    result = API.answer(url.rsplit("/", 1)[-1], parameters)
    return 200, json.dumps({"ok": True, "result": result}).encode()


# The transport, for ours and the floor alike: python-telegram-bot's own HTTPXRequest (which our
# MeasuredRequest extends) answers from memory. Everything above it is the real code.
HTTPXRequest.do_request = _in_memory_request  # type: ignore[method-assign]


@dataclass
class UnitsOfWork:
    """CPU spent inside Database.transaction() (on SQLite all of it runs on the loop's thread)."""

    seconds: float = 0.0
    count: int = 0
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    kind: str = "tap"


UNITS = UnitsOfWork()
_transaction = Database.transaction


@contextlib.asynccontextmanager
async def _timed_transaction(self: Database) -> AsyncIterator[Any]:
    started = time.process_time()
    async with _transaction(self) as session:
        yield session
    spent = time.process_time() - started
    UNITS.seconds += spent
    UNITS.count += 1
    UNITS.by_kind.setdefault(UNITS.kind, []).append(spent)


Database.transaction = _timed_transaction  # type: ignore[method-assign]

_update_ids = itertools.count(1)


def _command(user_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": next(API.ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Runner"},
            "from": _runner(user_id),
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
        },
    }


def _tap(user_id: int, card: dict[str, Any], data: str) -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "chat_instance": "1",
            "data": data,
            "message": card,
            "from": _runner(user_id),
        },
    }


def _runner(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Runner", "language_code": "en"}


def _done_set(card: dict[str, Any]) -> str:
    for row in card["reply_markup"]["inline_keyboard"]:
        for button in row:
            if DONE_LABEL in button["text"]:
                return str(button["callback_data"])
    raise RuntimeError(f"no {DONE_LABEL} button on the card: {card['text']!r}")


async def _feed(application: Application, update: dict[str, Any]) -> None:
    parsed = Update.de_json(update, application.bot)
    UNITS.kind = "tap" if "callback_query" in update else "command"
    await application.update_processor.process_update(parsed, application.process_update(parsed))


async def _warmups(application: Application, count: int) -> int:
    """`count` whole warm-ups for each runner, one update at a time; returns how many updates."""
    updates = 0
    for _ in range(count):
        for user_id in RUNNERS:
            await _feed(application, _command(user_id, "/warmup"))
            for _ in range(TAPS_PER_WARMUP):
                card = API.cards[user_id]
                await _feed(application, _tap(user_id, card, _done_set(card)))
            updates += 1 + TAPS_PER_WARMUP
    return updates


@dataclass
class Cost:
    us_per_update: float
    in_transactions_us: float = 0.0
    transactions_per_update: float = 0.0
    by_kind_us: dict[str, float] = field(default_factory=dict)


async def measure(kind: str, warmups: int, workdir: Path, round_number: int) -> Cost:
    if kind == "floor":
        application = _build_floor(BASE_URL)
    else:
        application = _build_ours(BASE_URL, f"sqlite:///{workdir / f'cost-{round_number}.db'}")
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    if application.job_queue is not None:
        await application.job_queue.start()
    try:
        await _warmups(application, 3)  # not measured: imports, caches, the first rows
        UNITS.seconds, UNITS.count, UNITS.by_kind = 0.0, 0, {}
        started = time.process_time()
        updates = await _warmups(application, warmups)
        spent = time.process_time() - started
    finally:
        if application.job_queue is not None:
            await application.job_queue.stop(wait=False)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
    return Cost(
        us_per_update=spent / updates * 1e6,
        in_transactions_us=UNITS.seconds / updates * 1e6,
        transactions_per_update=UNITS.count / updates,
        by_kind_us={
            kind: statistics.mean(times) * 1e6 for kind, times in sorted(UNITS.by_kind.items())
        },
    )


async def main_async(args: argparse.Namespace) -> None:
    costs: dict[str, list[Cost]] = {"floor": [], "sqlite": []}
    with tempfile.TemporaryDirectory(prefix="bench-update-cost-") as folder:
        for round_number in range(1, args.rounds + 1):
            for kind in costs:  # interleaved, so that noise hits both alike
                cost = await measure(kind, args.warmups, Path(folder), round_number)
                costs[kind].append(cost)
                line = f"round {round_number}  {kind:7s} {cost.us_per_update:7.0f} µs/update"
                if kind != "floor":
                    units = ", ".join(f"{k} {v:.0f} µs" for k, v in cost.by_kind_us.items())
                    line += (
                        f"  (in units of work {cost.in_transactions_us:.0f} µs/update,"
                        f" {cost.transactions_per_update:.2f} per update; each: {units})"
                    )
                print(line, flush=True)
    floor = min(costs["floor"], key=lambda cost: cost.us_per_update)
    ours = min(costs["sqlite"], key=lambda cost: cost.us_per_update)
    paired = [
        f"{f.us_per_update / o.us_per_update:.2f}"
        for f, o in zip(costs["floor"], costs["sqlite"], strict=True)
    ]
    print(
        f"best of {args.rounds}: floor {floor.us_per_update:.0f} µs/update, ours (SQLite) "
        f"{ours.us_per_update:.0f} µs/update, of which {ours.in_transactions_us:.0f} in units of "
        f"work; round by round floor/ours {' '.join(paired)}"
    )
    print(
        f"RESULT update_cost backend=sqlite ours_us={ours.us_per_update:.0f} "
        f"floor_us={floor.us_per_update:.0f} "
        f"ratio={floor.us_per_update / ours.us_per_update:.2f} "
        f"in_transactions_us={ours.in_transactions_us:.0f} "
        f"transactions_per_update={ours.transactions_per_update:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmups", type=int, default=30, help="per runner, each round")
    parser.add_argument("--rounds", type=int, default=5, help="each bot, interleaved")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
