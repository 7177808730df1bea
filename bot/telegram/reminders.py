"""Handlers for reminders: /remind (guided or one line), /reminders, and the reminder's buttons."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import User as TelegramUser
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.coach.schedule import (
    DEFAULT_LEAD_MINUTES,
    MESSAGES,
    Reminder,
    RemindSet,
    RunSchedule,
    ScheduleError,
    echo,
    parse_remind_args,
    parse_time,
    parse_timezone,
    suggest_timezones,
)
from bot.coach.timezones import get_zone
from bot.db import reminders, warmups
from bot.db.models import ReminderDraft, SentReminder, User
from bot.i18n import current_locale, gettext
from bot.telegram import basics, dates, texts
from bot.telegram.buttons import Press, button
from bot.telegram.callbacks import (
    ReminderChoice,
    SetupTap,
    parse_reminder_choice,
    parse_setup,
)
from bot.telegram.cards import start_rows
from bot.telegram.delivery import edit_if_changed, edit_in_place, remove_buttons, with_retries
from bot.telegram.language import unit_of_work
from bot.telegram.reminder_jobs import DEMO_REMINDER_ID, SNOOZE, arm
from bot.telegram.services import services_of

logger = logging.getLogger(__name__)

TIME_PRESETS = ("06:00", "06:30", "07:00", "07:30", "12:00", "17:30", "18:00")
LEAD_CHOICES = (15, 30, 45, 60)


# ------------------------------------------------------------------ /remind and /reminders


async def remind_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/remind` opens the guided setup; `/remind <days> <HH:MM> [tz] [lead]`, `off`, `on`."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None and update.effective_chat is not None
    if not context.args:
        await _open_setup(context, user, update.effective_chat.id)
        return
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, user) as db:
        account = await warmups.ensure_user(
            db, user.id, update.effective_chat.id, user.first_name, now, language=current_locale()
        )
        current = await reminders.get_schedule(db, user.id)
        lead = current.lead_minutes if current else DEFAULT_LEAD_MINUTES
        quick = current.quick if current else False
        try:
            command = parse_remind_args(
                context.args, account.timezone, lead, quick, current_locale()
            )
        except ScheduleError as error:
            reply = schedule_error(error)
        else:
            if isinstance(command, RemindSet):
                _, upcoming = await reminders.save_schedule(db, account, command.schedule, now)
                reply = summary(command.schedule, upcoming)
            elif current is None:
                reply = str(texts.NOTHING_TO_TOGGLE)
            else:
                current.enabled = command.enabled
                rule = reminders.to_rule(current, account.timezone)
                upcoming = reminders.plan(current, rule, now)
                reply = (
                    str(texts.REMINDERS_ON) + summary(rule, upcoming)
                    if command.enabled
                    else str(texts.REMINDERS_OFF)
                )
    await message.reply_text(reply, do_quote=False)
    # A change takes effect at once: re-arm the dispatcher for the (possibly earlier) next one.
    await arm(context.application)


async def reminders_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the schedule and the next reminder in the runner's local time."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    async with unit_of_work(context, user) as db:
        row = await reminders.get_schedule(db, user.id)
        account = await db.get(User, user.id) if row else None
    if row is None or account is None:
        await message.reply_text(str(texts.NO_SCHEDULE), do_quote=False)
        return
    rule = reminders.to_rule(row, account.timezone)
    upcoming = (
        Reminder(row.next_run_date, row.next_run_at, row.next_remind_at)
        if row.next_run_date and row.next_run_at and row.next_remind_at
        else None
    )
    await message.reply_text(summary(rule, upcoming), do_quote=False)


def schedule_error(error: ScheduleError) -> str:
    """The one-line explanation of a bad /remind input, in the runner's language."""
    template = MESSAGES.get(error.code)
    if template is None:
        return str(error)
    return gettext(template).format(value=error.value, suggestions=error.suggestions)


def summary(rule: RunSchedule, upcoming: Reminder | None) -> str:
    """ "Runs Mon, Wed, Fri at 07:00 (Europe/Berlin). Reminder at 06:30. Next: Wed 27 Nov 06:30" """
    days, run_time = dates.days_list(rule.run_days), dates.clock(rule.run_time)
    if not rule.enabled or upcoming is None:
        return texts.SCHEDULE_OFF.format(days=days, time=run_time, timezone=rule.timezone)
    local = upcoming.remind_at.astimezone(get_zone(rule.timezone))
    text = texts.SCHEDULE_SUMMARY.format(
        days=days,
        time=run_time,
        timezone=rule.timezone,
        remind_time=dates.clock(local),
        next=dates.when(local),
    )
    return f"{text}\n{texts.SCHEDULE_QUICK!s}" if rule.quick else text


# ------------------------------------------------------------------ the reminder's buttons


@button(parse_reminder_choice)
async def reminder_choice(press: Press[ReminderChoice], context: ContextTypes.DEFAULT_TYPE) -> None:
    """⏰ Snooze 10 min or 🛌 Not today on a reminder."""
    choice = press.data
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, press.user) as db:
        if choice.reminder_id == DEMO_REMINDER_ID:
            press.answer = str(texts.ANSWER_DEMO_REMINDER)
            return
        sent = await db.get(SentReminder, choice.reminder_id)
        if sent is not None and sent.user_id != press.user.id:
            return  # forged: refused quietly
        if sent is not None and sent.status != "sent":
            press.answer = str(texts.ANSWER_REMINDER_HANDLED)
            return
        if sent is not None:
            account = await db.get(User, press.user.id)
            zone = get_zone(account.timezone if account else "UTC")
            schedule = await reminders.get_schedule(db, press.user.id)
            quick = schedule is not None and schedule.quick
            if choice.choice == "z":
                sent.status, sent.snooze_until = "snoozed", now + SNOOZE
                snoozed_until = dates.clock((now + SNOOZE).astimezone(zone))
            else:
                sent.status = "dismissed"
    if sent is None:  # gone with /forget
        press.answer = str(texts.ANSWER_REMINDER_GONE)
        await remove_buttons(press.message)
    elif choice.choice == "z":
        press.answer = str(texts.ANSWER_SNOOZED)
        keyboard = InlineKeyboardMarkup(start_rows(services.routine, quick_first=quick))
        await edit_if_changed(press.message, texts.SNOOZED.format(time=snoozed_until), keyboard)
        await arm(context.application)
    else:
        press.answer = str(texts.ANSWER_NOT_TODAY)
        await edit_if_changed(press.message, str(texts.NOT_TODAY), None)


# ------------------------------------------------------------------ the guided setup


async def _open_setup(context: ContextTypes.DEFAULT_TYPE, user: TelegramUser, chat_id: int) -> None:
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, user) as db:
        account = await warmups.ensure_user(
            db, user.id, chat_id, user.first_name, now, language=current_locale()
        )
        current = await reminders.get_schedule(db, user.id)
        draft = await reminders.get_draft(db, user.id)
        if draft is None:
            draft = ReminderDraft(user_id=user.id)
            db.add(draft)
        draft.run_days = current.run_days if current else ""
        draft.run_time = current.run_time if current else None
        draft.timezone = account.timezone
        draft.lead_minutes = current.lead_minutes if current else DEFAULT_LEAD_MINUTES
        draft.quick = current.quick if current else False
        draft.awaiting, draft.updated_at = None, now
        text, keyboard = _setup_view(draft)
    sent = await with_retries(
        lambda: context.bot.send_message(chat_id, text, reply_markup=keyboard),
        "sendMessage (reminder setup)",
    )
    async with services.db.transaction() as db:
        draft = await reminders.get_draft(db, user.id)
        if draft is not None:
            draft.message_id = sent.message_id


@button(parse_setup)
async def setup_tap(press: Press[SetupTap], context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button of the guided setup: toggle a day, pick a time, zone or lead, save, cancel."""
    tap = press.data
    if tap.action == "open":
        await _open_setup(context, press.user, press.chat_id)
        return
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, press.user) as db:
        draft = await reminders.get_draft(db, press.user.id)
        closed = draft is None or draft.message_id != press.message.message_id
        if draft is not None and not closed:
            outcome = await _apply_setup(db, draft, tap, now)
            text, keyboard = outcome.final or _setup_view(draft, outcome.suggestions)
    if closed:  # saved, cancelled, replaced by a newer setup, or gone with /forget
        press.answer = str(texts.SETUP_GONE)
        await remove_buttons(press.message)
        return
    press.answer = outcome.answer
    await edit_if_changed(press.message, text, keyboard)
    if outcome.confirmation is not None:
        # Saved: the schedule is confirmed at the bottom of the chat, where the runner looks
        # (the setup card may be far up after typed answers).
        await with_retries(
            lambda: context.bot.send_message(press.chat_id, outcome.confirmation),
            "sendMessage (reminders saved)",
        )
        await arm(context.application)


@dataclass(frozen=True)
class _SetupOutcome:
    """What a setup button did: the toast, the setup card's last words (saved or cancelled),
    the saved schedule's summary for a new message, and time zones to offer."""

    answer: str | None = None
    final: tuple[str, None] | None = None
    confirmation: str | None = None
    suggestions: list[str] = field(default_factory=list)


async def _apply_setup(
    db: AsyncSession, draft: ReminderDraft, tap: SetupTap, now: datetime
) -> _SetupOutcome:
    arg = tap.argument or ""
    draft.updated_at = now
    if tap.action == "d" and arg.isdigit() and int(arg) < 7:
        days = reminders.decode_days(draft.run_days) ^ {int(arg)}
        draft.run_days = reminders.encode_days(frozenset(days))
    elif tap.action == "t" and len(arg) == 4 and arg.isdigit():
        draft.run_time, draft.awaiting = parse_time(f"{arg[:2]}:{arg[2:]}").strftime("%H:%M"), None
    elif tap.action == "ti":
        draft.awaiting = "time"
    elif tap.action == "tz":
        draft.awaiting = "timezone"
    elif tap.action == "z":
        try:
            draft.timezone, draft.awaiting = parse_timezone(arg, current_locale()), None
        except ScheduleError as error:
            return _SetupOutcome(answer=schedule_error(error)[:190])
    elif tap.action == "l" and arg.isdigit() and int(arg) in LEAD_CHOICES:
        draft.lead_minutes = int(arg)
    elif tap.action == "q" and arg in ("on", "off"):
        draft.quick = arg == "on"
    elif tap.action == "no":
        await db.delete(draft)
        return _SetupOutcome(final=(str(texts.SETUP_CANCELLED), None))
    elif tap.action == "ok":
        if not draft.run_days:
            return _SetupOutcome(answer=str(texts.SETUP_NEED_DAYS))
        if not draft.run_time:
            return _SetupOutcome(answer=str(texts.SETUP_NEED_TIME))
        rule = RunSchedule(
            reminders.decode_days(draft.run_days),
            time.fromisoformat(draft.run_time),
            draft.timezone,
            draft.lead_minutes,
            quick=draft.quick,
        )
        account = await db.get(User, draft.user_id)
        assert account is not None
        _, upcoming = await reminders.save_schedule(db, account, rule, now)
        await db.delete(draft)
        return _SetupOutcome(
            answer=str(texts.ANSWER_SETUP_SAVED),
            final=(str(texts.SETUP_SAVED), None),
            confirmation=summary(rule, upcoming),
        )
    return _SetupOutcome()


async def text_input(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text: a run time or time zone the setup asked for, otherwise a pointer to /warmup."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    services = services_of(context)
    text = (message.text or "").strip()
    async with unit_of_work(context, user) as db:
        draft = await reminders.get_draft(db, user.id)
        if draft is None or draft.awaiting is None or draft.message_id is None:
            draft = None
        else:
            suggestions: list[str] = []
            before = _setup_view(draft)
            try:
                if draft.awaiting == "time":
                    draft.run_time = parse_time(text).strftime("%H:%M")
                    reply = texts.SETUP_TIME_NOTED.format(time=draft.run_time)
                else:
                    draft.timezone = parse_timezone(text, current_locale())
                    reply = texts.SETUP_TIMEZONE_NOTED.format(timezone=draft.timezone)
                draft.awaiting = None
            except ScheduleError as error:
                reply = schedule_error(error)
                if draft.awaiting == "timezone" and error.code != "offset_timezone":
                    # Suggestions go on the card as buttons, never as names to retype.
                    suggestions = suggest_timezones(text, limit=4)
                    template = (
                        str(texts.SETUP_TIMEZONE_TAP) if suggestions else str(texts.SETUP_CITY_HINT)
                    )
                    reply = template.format(value=echo(text))
            draft.updated_at = services.clock()
            view = _setup_view(draft, suggestions)
            setup_message_id = draft.message_id
    if draft is None:
        await basics.plain_text(update, context)
        return
    # The card first, then the reply: when the reply arrives, the card already shows the change.
    # An answer that changes nothing (a bad time typed again) leaves the card as it is.
    if (view[0], view[1].inline_keyboard) != (before[0], before[1].inline_keyboard):
        try:
            await edit_in_place(context.bot, message.chat_id, setup_message_id, *view)
        except TelegramError as error:
            # The answer below still says what was set; the setup's next button repaints it.
            logger.info("Could not refresh the setup message: %s", error)
    await message.reply_text(reply, do_quote=False)


def _setup_view(
    draft: ReminderDraft, suggestions: list[str] | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    days = reminders.decode_days(draft.run_days)
    lines = [
        str(texts.SETUP_TITLE),
        "",
        texts.SETUP_DAYS.format(days=dates.days_list(days) if days else str(texts.SETUP_UNSET)),
        texts.SETUP_TIME.format(time=draft.run_time or str(texts.SETUP_UNSET)),
        texts.SETUP_TIMEZONE.format(timezone=draft.timezone),
        texts.SETUP_LEAD.format(lead=draft.lead_minutes),
        str(texts.SETUP_QUICK if draft.quick else texts.SETUP_FULL),
        "",
    ]
    if suggestions:
        lines.append(str(texts.SETUP_SUGGEST))
    elif draft.awaiting == "time":
        lines.append(str(texts.SETUP_ASK_TIME))
    elif draft.awaiting == "timezone":
        lines.append(str(texts.SETUP_ASK_TIMEZONE))
    else:
        lines.append(str(texts.SETUP_HINT))

    def button(label: str, action: str, argument: str | None = None) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=SetupTap(action, argument).encode())

    def mark(label: str, chosen: bool) -> str:
        return f"✓ {label}" if chosen else label

    day_buttons = [
        button(mark(name, i in days), "d", str(i)) for i, name in enumerate(dates.day_names())
    ]
    time_buttons = [
        button(mark(t, draft.run_time == t), "t", t.replace(":", "")) for t in TIME_PRESETS
    ]
    rows = [
        day_buttons[:4],
        day_buttons[4:],
        time_buttons[:4],
        [*time_buttons[4:], button(str(texts.SETUP_OTHER_TIME_BUTTON), "ti")],
        [button(texts.SETUP_TIMEZONE_BUTTON.format(timezone=draft.timezone), "tz")],
    ]
    rows += [[button(f"🌍 {name}", "z", name)] for name in (suggestions or [])]
    rows.append(
        [
            button(
                mark(texts.SETUP_LEAD_BUTTON.format(minutes=m), draft.lead_minutes == m),
                "l",
                str(m),
            )
            for m in LEAD_CHOICES
        ]
    )
    rows.append(
        [
            button(mark(str(texts.SETUP_FULL_BUTTON), not draft.quick), "q", "off"),
            button(mark(str(texts.SETUP_QUICK_BUTTON), draft.quick), "q", "on"),
        ]
    )
    rows.append(
        [button(str(texts.SETUP_SAVE_BUTTON), "ok"), button(str(texts.SETUP_CANCEL_BUTTON), "no")]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)
