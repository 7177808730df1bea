"""Handlers for /settings: when to ask how the run felt after a warm-up (30-120 min, or off),
and whether the warm-up card shows moving demonstrations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.coach.progress import CHECKIN_CHOICES
from bot.db import checkins, preferences, warmups
from bot.db.models import User
from bot.i18n import LANGUAGES, current_locale
from bot.telegram import checkin_jobs, texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import CheckInSetting, DemonstrationsSetting, parse_setting
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
        text, keyboard = await _settings_of(db, context, account)
    await message.reply_text(text, reply_markup=keyboard, do_quote=False)


@button(parse_setting)
async def settings_tap(
    press: Press[CheckInSetting | DemonstrationsSetting], context: ContextTypes.DEFAULT_TYPE
) -> None:
    """A settings button: store it (a check-in delay also moves waiting check-ins), redraw."""
    choice = press.data
    if isinstance(choice, CheckInSetting):
        if choice.minutes is not None and choice.minutes not in CHECKIN_CHOICES:
            return  # not a button we drew: refused quietly
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, press.user) as db:
        user = press.user
        # Settings from before /forget start afresh.
        account = await warmups.ensure_user(
            db, user.id, press.chat_id, user.first_name, now, language=current_locale()
        )
        if isinstance(choice, CheckInSetting):
            await checkins.set_checkin_minutes(db, user.id, choice.minutes, now)
        else:
            await preferences.set_demonstrations(db, user.id, choice.on, now)
        text, keyboard = await _settings_of(db, context, account)
    press.answer = str(texts.ANSWER_SETTINGS_SAVED)
    if isinstance(choice, CheckInSetting):
        await checkin_jobs.arm(context.application)
    await edit_if_changed(press.message, text, keyboard)


async def _settings_of(
    db: AsyncSession, context: ContextTypes.DEFAULT_TYPE, account: User
) -> tuple[str, InlineKeyboardMarkup]:
    minutes = await checkins.checkin_minutes(db, account.id)
    demos: bool | None = None  # no choice to make when the bot shows none
    if services_of(context).demos.available:
        demos = await preferences.demonstrations_on(db, account.id)
    return settings_view(minutes, account.timezone, demos)


def settings_view(
    minutes: int | None, timezone: str, demonstrations: bool | None
) -> tuple[str, InlineKeyboardMarkup]:
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
    rows = [row, [button(str(texts.SETTINGS_OFF_BUTTON), None)]]
    if demonstrations is not None:
        card = texts.SETTINGS_CARD_MOVING if demonstrations else texts.SETTINGS_CARD_TEXT
        text += "\n\n" + texts.SETTINGS_CARD.format(card=card)

        def demo_button(label: str, on: bool) -> InlineKeyboardButton:
            shown = f"✓ {label}" if on == demonstrations else label
            return InlineKeyboardButton(shown, callback_data=DemonstrationsSetting(on).encode())

        rows.append(
            [
                demo_button(str(texts.SETTINGS_DEMOS_ON_BUTTON), True),
                demo_button(str(texts.SETTINGS_DEMOS_OFF_BUTTON), False),
            ]
        )
    return text, InlineKeyboardMarkup(rows)
