"""Where "now" comes from: the real UTC clock, or one a test or the sandbox moves by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: time travel for tests, no sleeping."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now

    def set(self, instant: datetime) -> None:
        self.now = instant.astimezone(UTC)


class RunningClock(ManualClock):
    """A clock that runs with real time from `start` and can also jump: for tests in which a real
    scheduler job must fire a few real seconds after a chosen instant."""

    def __init__(self, start: datetime) -> None:
        super().__init__(start)
        self._real_start = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now + (datetime.now(UTC) - self._real_start)
