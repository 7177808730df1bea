"""Handlers for /settings: when to ask how the run felt after a warm-up (30-120 min, or off)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.coach.progress import CHECKIN_CHOICES
from bot.db import checkins, warmups
from bot.i18n import LANGUAGES, current_locale
from bot.telegram import checkin_jobs, texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import CheckInSetting, parse_checkin_setting
from bot.telegram.delivery import edit_if_changed
from bot.telegram.language import unit_of_work
from bot.telegram.services import services_of


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the runner's settings with buttons to change the check-in delay."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    services = services_of(context)
    async with unit_of_work(context, user) as db:
        account = await warmups.ensure_user(
            db, user.id, chat.id, user.first_name, services.clock(), language=current_locale()
        )
        minutes = await checkins.checkin_minutes(db, user.id)
        text, keyboard = settings_view(minutes, account.timezone)
    await message.reply_text(text, reply_markup=keyboard, do_quote=False)


@button(parse_checkin_setting)
async def settings_tap(press: Press[CheckInSetting], context: ContextTypes.DEFAULT_TYPE) -> None:
    """A check-in delay button: store it, move waiting check-ins, redraw the settings."""
    minutes = press.data.minutes
    if minutes is not None and minutes not in CHECKIN_CHOICES:
        return  # not a button we drew: refused quietly
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, press.user) as db:
        user = press.user
        # Settings from before /forget start afresh.
        account = await warmups.ensure_user(
            db, user.id, press.chat_id, user.first_name, now, language=current_locale()
        )
        await checkins.set_checkin_minutes(db, user.id, minutes, now)
        text, keyboard = settings_view(minutes, account.timezone)
    press.answer = str(texts.ANSWER_SETTINGS_SAVED)
    await checkin_jobs.arm(context.application)
    await edit_if_changed(press.message, text, keyboard)


def settings_view(minutes: int | None, timezone: str) -> tuple[str, InlineKeyboardMarkup]:
    checkin = (
        str(texts.SETTINGS_CHECKIN_OFF)
        if minutes is None
        else texts.SETTINGS_CHECKIN_AFTER.format(minutes=minutes)
    )
    text = texts.SETTINGS.format(
        checkin=checkin, timezone=timezone, language=LANGUAGES[current_locale()]
    )

    def button(label: str, choice: int | None) -> InlineKeyboardButton:
        shown = f"✓ {label}" if choice == minutes else label
        return InlineKeyboardButton(shown, callback_data=CheckInSetting(choice).encode())

    row = [button(texts.SETTINGS_MINUTES_BUTTON.format(minutes=m), m) for m in CHECKIN_CHOICES]
    return text, InlineKeyboardMarkup([row, [button(str(texts.SETTINGS_OFF_BUTTON), None)]])
