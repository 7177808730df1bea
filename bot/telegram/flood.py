"""Flood guard: a user who sends faster than a person taps is answered at a sane rate.

Runs before every other handler (group -1). Each user has a token bucket: a burst of
FLOOD_BURST updates, refilled at FLOOD_RATE per second. Beyond it, a message is dropped (the
first one in a flood gets one short note) and a button tap is answered with a toast, since every
callback query must be answered. A flood costs a dictionary look-up, no database work, so it
cannot slow other users down.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.telegram import texts
from bot.telegram.delivery import answer_quietly

logger = logging.getLogger(__name__)

FLOOD_BURST = 10
FLOOD_RATE = 3.0  # updates per second, sustained: brisker than any gloved thumb
TRACKED_USERS = 10_000  # least recently seen users are forgotten beyond this


@dataclass
class _Bucket:
    tokens: float
    refilled_at: float
    warned: bool = False


class FloodGuard:
    def __init__(
        self,
        burst: int = FLOOD_BURST,
        rate: float = FLOOD_RATE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._burst, self._rate, self._monotonic = burst, rate, monotonic
        self._buckets: OrderedDict[int, _Bucket] = OrderedDict()

    def allow(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, first refusal of this flood) for one update from `user_id`."""
        now = self._monotonic()
        bucket = self._buckets.pop(user_id, None) or _Bucket(self._burst, now)
        self._buckets[user_id] = bucket
        if len(self._buckets) > TRACKED_USERS:
            self._buckets.popitem(last=False)
        bucket.tokens = min(self._burst, bucket.tokens + (now - bucket.refilled_at) * self._rate)
        bucket.refilled_at = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True, False
        first = not bucket.warned
        bucket.warned = True
        return False, first

    async def __call__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None:
            return
        allowed, first_refusal = self.allow(user.id)
        if allowed:
            return
        if update.callback_query is not None:
            await answer_quietly(update.callback_query, str(texts.SLOW_DOWN))
        elif first_refusal and update.effective_chat is not None:
            logger.warning("User %s is flooding; dropping their updates for a moment", user.id)
            try:
                await context.bot.send_message(update.effective_chat.id, str(texts.SLOW_DOWN))
            except TelegramError as error:
                logger.info("Could not tell user %s to slow down: %s", user.id, error)
        raise ApplicationHandlerStop
