"""What handlers need besides the update: the routine, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import ContextTypes

from bot.coach.clock import Clock
from bot.coach.routine import Routine
from bot.telegram.delivery import ShownCards

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    routine: Routine
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    # What this process last showed on each warm-up card (see delivery.ShownCards).
    shown: ShownCards = field(default_factory=ShownCards)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]
