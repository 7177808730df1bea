"""Rate limiting that throttles new messages but never the replies to a tap."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
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


class SendRateLimiter(AIORateLimiter):
    """AIORateLimiter for sends; other calls go straight through. A 429 is waited out for all."""

    def __init__(self, *, max_retries: int = 5, **limits: Any) -> None:
        super().__init__(max_retries=max_retries, **limits)
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
