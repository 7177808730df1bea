"""Rate limiting that throttles new messages but never the replies to a tap."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextvars import ContextVar
from types import TracebackType
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.metrics import SEND_QUEUE

logger = logging.getLogger(__name__)

# Telegram's broadcast limits (about 30 messages/s overall) count messages sent. Answering a
# callback and editing the card are replies to a user who is waiting with a thumb on the screen;
# queueing them behind a reminder burst would make the warm-up feel broken.
THROTTLED_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "copyMessage", "forwardMessage"}
)


# Telegram's documented broadcast limit, and a margin for the time a request takes to arrive:
# our window closes a little later than Telegram's, so jitter on the wire cannot squeeze 31
# messages into its second.
MESSAGES_PER_SECOND = 30
WINDOW_MARGIN_S = 0.02
SLACK_S = 0.005


# Which lane a send waits in. Everything is urgent but the operator's broadcast, which is sent
# only while no other send is waiting: runners' reminders and check-ins never queue behind it.
URGENT, BULK = "urgent", "bulk"
_LANE: ContextVar[str] = ContextVar("warmup_coach_send_lane", default=URGENT)
_ON_SLOT: ContextVar[Callable[[], Awaitable[bool]] | None] = ContextVar(
    "warmup_coach_on_slot", default=None
)


class SendWithdrawn(Exception):
    """A bulk send's claim, made when its slot came, found it taken: nothing was sent."""


@contextlib.contextmanager
def bulk_lane(claim: Callable[[], Awaitable[bool]] | None = None) -> Iterator[None]:
    """A send made inside this block waits until no urgent send is waiting (broadcasts).

    `claim` runs once its slot has come, right before the request goes out; if it returns
    False the send is withdrawn (SendWithdrawn). A broadcast claims its recipient there, not
    before waiting its turn: a crash then leaves unconfirmed only what was on the wire."""
    tokens = (_LANE.set(BULK), _ON_SLOT.set(claim))
    try:
        yield
    finally:
        _ON_SLOT.reset(tokens[1])
        _LANE.reset(tokens[0])


class PacedLimiter:
    """Lets callers through one every `period / rate` seconds (an async context manager).

    Evenly paced, with no burst: at most `rate` in any `period`, and the requests also *arrive*
    evenly. aiolimiter's leaky bucket (AIORateLimiter's default) and a plain sliding window both
    release a whole second's worth at once; the server then works through the burst, stamps
    its first arrival late, and counts the next burst into the same second: 429s, each pausing
    every send for retry_after. bench/reminders.py measured both.
    """

    def __init__(
        self,
        rate: int,
        period: float = 1.0 + WINDOW_MARGIN_S,
        open_gate: asyncio.Event | None = None,
    ) -> None:
        self._interval = period / rate
        self._next_slot = 0.0
        self._lock = asyncio.Lock()
        # Cleared while a 429's retry_after is waited out. Slots are handed out only while it is
        # set: slots taken during the pause would all fire when it ends, a burst that earns the
        # next 429 (a cascade bench/reminders.py showed: 128 429s for 300 reminders).
        self._open_gate = open_gate
        self.waiting = {URGENT: 0, BULK: 0}
        self._no_urgent = asyncio.Event()
        self._no_urgent.set()

    async def __aenter__(self) -> None:
        lane = _LANE.get()
        self._count(lane, +1)
        try:
            while True:
                if lane == BULK:
                    while self.waiting[URGENT]:
                        await self._no_urgent.wait()
                if await self._take_slot(yield_to_urgent=lane == BULK):
                    break
        finally:
            self._count(lane, -1)
        claim = _ON_SLOT.get()
        if claim is not None:
            _ON_SLOT.set(None)  # once: a retry after a 429 is the same send
            if not await claim():
                raise SendWithdrawn

    def pause(self, seconds: float) -> None:
        """No slot for `seconds` from now (a new leader: the last one's sends of the past
        second still count at Telegram)."""
        self._next_slot = max(self._next_slot, time.monotonic() + seconds)

    def _count(self, lane: str, step: int) -> None:
        self.waiting[lane] += step
        SEND_QUEUE.labels(lane).set(self.waiting[lane])
        if self.waiting[URGENT]:
            self._no_urgent.clear()
        else:
            self._no_urgent.set()

    async def _take_slot(self, *, yield_to_urgent: bool) -> bool:
        """Wait for the next slot and take it; False if an urgent send came meanwhile and
        `yield_to_urgent`: the slot is left to it."""
        async with self._lock:  # FIFO: senders go out in the order they asked
            if self._open_gate is not None:
                await self._open_gate.wait()
            slot = max(time.monotonic(), self._next_slot)
            delay = slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if yield_to_urgent and self.waiting[URGENT]:
                return False
            woke = time.monotonic()
            # Keep to the schedule through sleep's usual overshoot (about 1 ms; re-basing on it
            # would slow a long burst by that much per send), but re-base after a real stall, so
            # a backlog never goes out as a burst. Any `rate` admissions in a row therefore span
            # at least `period - SLACK_S`, which the period's margin covers.
            self._next_slot = (slot if woke - slot < SLACK_S else woke) + self._interval
            return True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class SendRateLimiter(AIORateLimiter):
    """AIORateLimiter for sends; other calls go straight through. A 429 is waited out for all."""

    def __init__(
        self, *, max_retries: int = 5, messages_per_second: int = MESSAGES_PER_SECOND
    ) -> None:
        super().__init__(max_retries=max_retries, overall_max_rate=messages_per_second)
        self._base_limiter = PacedLimiter(  # type: ignore[assignment]
            messages_per_second, open_gate=self._retry_after_event
        )
        self._retries = max_retries

    def pause(self, seconds: float) -> None:
        self._base_limiter.pause(seconds)  # type: ignore[attr-defined]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint in THROTTLED_METHODS:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        retries = rate_limit_args or self._retries
        for attempt in range(retries + 1):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == retries:
                    raise
                # The public `retry_after` warns about its coming type change; read the
                # timedelta behind it, as python-telegram-bot's own AIORateLimiter does.
                seconds = error._retry_after.total_seconds()
                logger.info("%s hit the rate limit; retrying after %.1f s", endpoint, seconds)
                await asyncio.sleep(seconds + 0.1)
        raise AssertionError("unreachable")
