"""Rate limiting that throttles new messages but never the replies to a tap."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from types import TracebackType
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

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

    async def __aenter__(self) -> None:
        async with self._lock:  # FIFO: senders go out in the order they asked
            if self._open_gate is not None:
                await self._open_gate.wait()
            slot = max(time.monotonic(), self._next_slot)
            delay = slot - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            woke = time.monotonic()
            # Keep to the schedule through sleep's usual overshoot (about 1 ms; re-basing on it
            # would slow a long burst by that much per send), but re-base after a real stall, so
            # a backlog never goes out as a burst. Any `rate` admissions in a row therefore span
            # at least `period - SLACK_S`, which the period's margin covers.
            self._next_slot = (slot if woke - slot < SLACK_S else woke) + self._interval

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
