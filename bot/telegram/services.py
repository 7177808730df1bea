"""What handlers need besides the update: the routine, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import ContextTypes

from bot.coach.clock import Clock
from bot.coach.routine import Routine
from bot.db.quick_taps import QuickTaps
from bot.db.recent_warmups import RecentWarmups
from bot.telegram.delivery import ShownCards

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    routine: Routine
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    # Steps on warm-ups this process knows, stored the quickest way (bot/db/quick_taps.py).
    quick: QuickTaps
    # What this process last showed on each warm-up card (see delivery.ShownCards).
    shown: ShownCards = field(default_factory=ShownCards)
    # The warm-ups this process last read or stored, so a tap can skip its read.
    recent: RecentWarmups = field(default_factory=RecentWarmups)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]
