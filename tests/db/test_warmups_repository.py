"""The warm-up repository's compare-and-set write, on a real (migrated) database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import load_routine
from bot.coach.plan import Plan
from bot.coach.walkthrough import Action, Status, Walkthrough, apply
from bot.db import warmups
from bot.db.engine import Database
from bot.db.models import WarmupSession

PLAN = Plan.of(load_routine(Path(__file__).resolve().parents[2] / "data" / "routine.toml"))
NOW = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


async def _new_warmup(database: Database) -> int:
    async with database.transaction() as db:
        await warmups.ensure_user(db, 5, 5, "Runner", NOW)
        row = await warmups.create_warmup(db, 5, 5, Walkthrough.start(PLAN, NOW))
        return row.id


async def test_save_step_stores_every_field_and_counts_a_version_once(
    database: Database,
) -> None:
    warmup_id = await _new_warmup(database)
    async with database.transaction() as db:
        row = await warmups.load_warmup(db, warmup_id)
        start = row.state
        moved = apply(start, PLAN, Action.SKIP, start.version, NOW).state
        moved = replace(moved, status=Status.ENDED, finished_at=NOW + timedelta(minutes=3))
        assert await warmups.save_step(db, row.id, start.version, moved)
        # A second write made for the same version (a double tap) stores nothing.
        assert not await warmups.save_step(db, row.id, start.version, start)
    async with database.transaction() as db:
        assert (await warmups.load_warmup(db, warmup_id)).state == moved


async def test_set_message_id(database: Database) -> None:
    warmup_id = await _new_warmup(database)
    async with database.transaction() as db:
        await warmups.set_message_id(db, warmup_id, 42)
    async with database.transaction() as db:
        assert (await warmups.load_warmup(db, warmup_id)).message_id == 42


def test_a_state_is_stored_in_every_state_column() -> None:
    state_columns = {c.name for c in WarmupSession.__table__.columns} - {
        "id",
        "user_id",
        "chat_id",
        "message_id",
        "card_kind",
        # The plan and its announcements: fixed when the warm-up starts, never stepped.
        "levels",
        "quick",
        "announced",
    }
    assert set(warmups.state_values(Walkthrough.start(PLAN, NOW))) == state_columns
