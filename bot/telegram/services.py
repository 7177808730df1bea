"""What handlers need besides the update: the routine, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import ContextTypes

from bot.coach.clock import Clock
from bot.coach.routine import Routine
from bot.db.recent_warmups import RecentWarmups
from bot.db.sqlite_lane import SqliteLane
from bot.telegram.delivery import ShownCards

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    routine: Routine
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    # For one-statement work: no BEGIN/COMMIT round trips (bot.db.engine.single_statement_engine).
    single_statements: AsyncEngine
    # SQLite's quick taps, synchronous on the loop's thread (bot/db/sqlite_lane.py); None on
    # PostgreSQL.
    lane: SqliteLane | None = None
    # What this process last showed on each warm-up card (see delivery.ShownCards).
    shown: ShownCards = field(default_factory=ShownCards)
    # The warm-ups this process last read or stored, so a tap can skip its read.
    recent: RecentWarmups = field(default_factory=RecentWarmups)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]
