"""Handlers for /levels: each exercise's level, and setting it by hand with ➖ and ➕."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.coach.plan import Plan
from bot.coach.routine import Routine
from bot.db import levels as stored_levels
from bot.db import warmups
from bot.i18n import current_locale, gettext
from bot.telegram import texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import LevelTap, parse_level
from bot.telegram.cards import dose_text, level_line
from bot.telegram.delivery import edit_if_changed
from bot.telegram.language import unit_of_work
from bot.telegram.services import services_of


async def levels_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the runner's level of each exercise, with buttons to change them."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    services = services_of(context)
    async with unit_of_work(context, user) as db:
        await warmups.ensure_user(
            db, user.id, chat.id, user.first_name, services.clock(), language=current_locale()
        )
        current = await _levels_now(db, user.id, services.routine)
    text, keyboard = levels_view(services.routine, current)
    await message.reply_text(text, reply_markup=keyboard, do_quote=False)


@button(parse_level)
async def level_tap(press: Press[LevelTap], context: ContextTypes.DEFAULT_TYPE) -> None:
    """➖ or ➕ on an exercise (made for the level it showed: a double tap moves it once), or, on
    a /levels message from before the buttons were two to a row, its name, which explains the
    level in a toast."""
    tap, services = press.data, services_of(context)
    routine = services.routine
    async with unit_of_work(context, press.user) as db:
        current = await _levels_now(db, press.user.id, routine)
        exercise = routine.exercises[tap.index] if tap.index < len(routine.exercises) else None
        level = current.get(exercise.key, 1) if exercise is not None else 0
        if exercise is None or level != tap.level:
            press.answer = str(texts.ANSWER_LEVELS_OLD)
        elif tap.move == "i":
            press.answer = f"{level_line(exercise, level)} · {dose_text(exercise, level)}"
        elif tap.move == "-" and level <= 1:
            press.answer = str(texts.ANSWER_LEVEL_LOWEST)
        elif tap.move == "+" and level >= exercise.top_level:
            press.answer = str(texts.ANSWER_LEVEL_HIGHEST)
        else:
            wanted = level + (1 if tap.move == "+" else -1)
            now = services.clock()
            await stored_levels.set_level(
                db, press.user.id, exercise.key, wanted, routine.top_levels, now
            )
            current[exercise.key] = wanted
            press.answer = texts.ANSWER_LEVEL_SET.format(name=gettext(exercise.short), level=wanted)
    await edit_if_changed(press.message, *levels_view(routine, current))


async def _levels_now(db: AsyncSession, user_id: int, routine: Routine) -> dict[str, int]:
    """The runner's level of each exercise, as the routine defines them now (a level stored
    beyond an edited routine's highest is that highest, as on the warm-up card)."""
    return Plan.of(routine, await stored_levels.current_levels(db, user_id)).levels


def levels_view(routine: Routine, current: dict[str, int]) -> tuple[str, InlineKeyboardMarkup]:
    lines = [str(texts.LEVELS_TITLE), ""]
    rows = []
    for index, exercise in enumerate(routine.exercises):
        level = current[exercise.key]
        name = gettext(exercise.name)
        lines.append(
            texts.LEVELS_LINE.format(
                name=name, level=level, top=exercise.top_level, dose=dose_text(exercise, level)
            )
        )
        band = exercise.level(level)
        if band.band_at is not None and band.band != "none":
            position = texts.BAND_POSITION[band.band_at]
            lines.append(f"    🎗 {position!s} · {texts.BAND_RESISTANCE[band.band]!s}")

        # Two buttons to a row, each half the width (a third cut the names off on a phone),
        # named by the exercise's short name: the level is in the text above.
        short = gettext(exercise.short)
        rows.append(
            [
                InlineKeyboardButton(label, callback_data=LevelTap(index, move, level).encode())
                for move, label in (("-", f"➖ {short}"), ("+", f"➕ {short}"))
            ]
        )
    lines += ["", str(texts.LEVELS_HINT)]
    return "\n".join(lines), InlineKeyboardMarkup(rows)
