"""The send limiter: never more than the rate in any window, and nothing admitted during a pause.

These assert upper bounds on what is let through, which a slow machine can only make easier to
meet; no test here asserts how fast anything is.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.telegram.rate_limit import (
    SLACK_S,
    WINDOW_MARGIN_S,
    PacedLimiter,
    SendWithdrawn,
    bulk_lane,
)


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


async def test_bulk_sends_wait_while_any_urgent_send_waits() -> None:
    """A broadcast never goes ahead of a reminder: bulk waits until no urgent send is waiting,
    even one that asked later."""
    limiter = PacedLimiter(rate=50, period=1.0)
    order: list[str] = []

    async def ask(name: str, bulk: bool) -> None:
        if bulk:
            with bulk_lane():
                async with limiter:
                    order.append(name)
        else:
            async with limiter:
                order.append(name)

    first = asyncio.create_task(ask("urgent-0", False))
    await asyncio.sleep(0)  # urgent-0 holds the pacer
    tasks = [asyncio.create_task(ask(f"bulk-{n}", True)) for n in range(3)]
    tasks += [asyncio.create_task(ask(f"urgent-{n}", False)) for n in range(1, 4)]
    await asyncio.gather(first, *tasks)
    assert order == ["urgent-0", "urgent-1", "urgent-2", "urgent-3", "bulk-0", "bulk-1", "bulk-2"]
    assert limiter.waiting == {"urgent": 0, "bulk": 0}


async def test_a_bulk_send_claims_once_its_slot_has_come_and_is_withdrawn_if_taken() -> None:
    limiter = PacedLimiter(rate=50, period=1.0)
    claims: list[str] = []

    async def claim(name: str, result: bool) -> bool:
        claims.append(name)
        return result

    with bulk_lane(lambda: claim("mine", True)):
        async with limiter:
            claims.append("sent")
    with pytest.raises(SendWithdrawn):
        with bulk_lane(lambda: claim("taken", False)):
            async with limiter:
                claims.append("never")
    assert claims == ["mine", "sent", "taken"]
