"""The send limiter: never more than the rate in any window, and nothing admitted during a pause.

These assert upper bounds on what is let through, which a slow machine can only make easier to
meet; no test here asserts how fast anything is.
"""

from __future__ import annotations

import asyncio
import time

from bot.telegram.rate_limit import SLACK_S, WINDOW_MARGIN_S, PacedLimiter


async def admit(limiter: PacedLimiter, stamps: list[float]) -> None:
    async with limiter:
        stamps.append(time.monotonic())


async def test_any_rate_admissions_in_a_row_span_the_period() -> None:
    # So no window shorter than the period less the slack holds more than `rate`; the bot's
    # period carries a margin larger than the slack.
    limiter = PacedLimiter(rate=20, period=1.0)
    stamps: list[float] = []
    await asyncio.gather(*(admit(limiter, stamps) for _ in range(45)))
    assert len(stamps) == 45
    for first, last in zip(stamps, stamps[20:], strict=False):
        assert last - first >= 1.0 - SLACK_S
    assert WINDOW_MARGIN_S > SLACK_S


async def test_admissions_are_in_request_order() -> None:
    limiter = PacedLimiter(rate=100, period=1.0)
    order: list[int] = []

    async def ask(number: int) -> None:
        async with limiter:
            order.append(number)

    await asyncio.gather(*(ask(n) for n in range(30)))
    assert order == list(range(30))


async def test_nothing_is_admitted_while_the_gate_is_closed() -> None:
    gate = asyncio.Event()
    limiter = PacedLimiter(rate=100, period=1.0, open_gate=gate)
    stamps: list[float] = []
    waiting = asyncio.gather(*(admit(limiter, stamps) for _ in range(5)))
    await asyncio.sleep(0)  # let them queue (no time passes: a scheduling point only)
    assert stamps == []
    gate.set()
    await waiting
    assert len(stamps) == 5
