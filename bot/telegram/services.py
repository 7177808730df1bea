"""What handlers need besides the update: the routine, the database and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot.coach.clock import Clock
from bot.coach.routine import Routine
from bot.db.engine import Database
from bot.telegram.delivery import ShownCards
from bot.telegram.demonstrations import Demonstrations

SERVICES_KEY = "services"


@dataclass
class Services:
    routine: Routine
    db: Database
    clock: Clock
    # The warm-up card's demonstrations: none until start-up has loaded the clips (post_init),
    # and none at all with DEMONSTRATIONS=off (cards are text; animation cards still edit).
    demos: Demonstrations
    # A ✅ Done set this soon after the last set or skip counts nothing (MIN_SET_SECONDS).
    min_set_gap: timedelta = timedelta(0)
    demonstrations_wanted: bool = False
    # What this process last showed on each warm-up card (see delivery.ShownCards).
    shown: ShownCards = field(default_factory=ShownCards)


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data[SERVICES_KEY]


def services_in(application: Application) -> Services:
    return application.bot_data[SERVICES_KEY]
