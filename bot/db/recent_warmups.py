"""The warm-ups this process last read or stored: a hint that spares a tap its read.

A tap needs the warm-up's state to work out the next one. Read from the database, that is a
statement before the tap's UPDATE (and, on PostgreSQL, a transaction around the two: four round
trips instead of one). Kept here, the tap goes straight to its conditional UPDATE.

Never trusted: the UPDATE only applies where the row still has the version and the card this
process saw (`bot.db.warmups.save_step`), and every change to a warm-up's state raises its
version. Another process's tap, a resume in another process, a /forget, anything that moved the
row since, makes the UPDATE touch nothing; the tap then drops the hint and takes the careful
path, which reads the row. Bounded: the least recently used warm-ups are forgotten.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.db.warmups import WarmupRecord

DEFAULT_LIMIT = 10_000


class RecentWarmups:
    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._records: OrderedDict[int, WarmupRecord] = OrderedDict()

    def get(self, warmup_id: int) -> WarmupRecord | None:
        record = self._records.get(warmup_id)
        if record is not None:
            self._records.move_to_end(warmup_id)
        return record

    def remember(self, record: WarmupRecord) -> None:
        """Keep a warm-up in progress; a finished one has no more taps to serve."""
        if not record.state.is_active:
            self.forget(record.id)
            return
        self._records[record.id] = record
        self._records.move_to_end(record.id)
        if len(self._records) > self._limit:
            self._records.popitem(last=False)

    def forget(self, warmup_id: int) -> None:
        self._records.pop(warmup_id, None)

    def __len__(self) -> int:
        return len(self._records)
