"""Handler for /stats: the streak and totals as a short text, and the 12-week calendar picture."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.coach.calendar import calendar_grid
from bot.coach.plan import Plan
from bot.coach.routine import Routine
from bot.coach.streaks import MAX_FREEZES, week_progress
from bot.db import stats, warmups
from bot.i18n import current_locale, gettext
from bot.telegram import dates, texts
from bot.telegram.cards import start_rows
from bot.telegram.delivery import with_retries
from bot.telegram.heatmap import CalendarLabels, render_calendar
from bot.telegram.language import unit_of_work
from bot.telegram.services import services_of


@dataclass(frozen=True)
class StatsReply:
    text: str
    picture: bytes | None  # PNG; None for a runner with nothing to show yet


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the runner's streak, totals and calendar; encouragement when there is nothing yet."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    services = services_of(context)
    now = services.clock()
    async with unit_of_work(context, user) as db:
        await warmups.ensure_user(
            db, user.id, chat.id, user.first_name, now, language=current_locale()
        )
        snapshot = await stats.load_stats(db, user.id, now)
    reply = await stats_reply(snapshot, services.routine)
    if reply.picture is None:
        keyboard = InlineKeyboardMarkup(start_rows(services.routine))
        await message.reply_text(reply.text, reply_markup=keyboard, do_quote=False)
        return
    picture = reply.picture
    await with_retries(
        lambda: context.bot.send_photo(chat.id, photo=picture, caption=reply.text),
        "sendPhoto",
    )


async def stats_reply(snapshot: stats.StatsSnapshot, routine: Routine) -> StatsReply:
    """What /stats says about a snapshot: the text, and the calendar picture."""
    if snapshot.streak.total == 0:
        return StatsReply(str(texts.STATS_EMPTY), None)
    grid = calendar_grid(
        snapshot.done_days,
        snapshot.streak.frozen_days,
        snapshot.run_days,
        snapshot.today,
        stats.CALENDAR_WEEKS,
        since=snapshot.since,
    )
    # Drawing takes a few milliseconds of CPU: off the event loop, so other runners don't wait.
    picture = await asyncio.to_thread(render_calendar, grid, snapshot.today, calendar_labels())
    return StatsReply(stats_text(snapshot, routine), picture)


def calendar_labels() -> CalendarLabels:
    """The picture's words in the runner's language."""
    return CalendarLabels(
        title=str(texts.HEATMAP_TITLE),
        weekdays=dates.short_day_names(),
        months=dates.month_names(),
        done=str(texts.HEATMAP_DONE),
        missed=str(texts.HEATMAP_MISSED),
        frozen=str(texts.HEATMAP_FROZEN),
        rest=str(texts.HEATMAP_REST),
        today=str(texts.HEATMAP_TODAY),
    )


def stats_text(snapshot: stats.StatsSnapshot, routine: Routine) -> str:
    streak = snapshot.streak
    days_in_a_row = texts.DAYS.format(streak.current)
    lines = []
    if snapshot.freezes_to_tell == 1:
        lines += [texts.FREEZE_SAVED.format(days=days_in_a_row), ""]
    elif snapshot.freezes_to_tell > 1:
        freezes = texts.FREEZES.format(snapshot.freezes_to_tell)
        lines += [texts.FREEZES_SAVED.format(freezes=freezes, days=days_in_a_row), ""]
    lines += [
        str(texts.STATS_TITLE),
        "",
        texts.STATS_CURRENT.format(days=days_in_a_row),
        texts.STATS_LONGEST.format(days=texts.DAYS.format(streak.longest)),
        (
            texts.STATS_FREEZES_FULL.format(freezes=streak.freezes, max=MAX_FREEZES)
            if streak.freezes >= MAX_FREEZES
            else texts.STATS_FREEZES.format(
                streak.next_freeze_in, freezes=streak.freezes, max=MAX_FREEZES
            )
        ),
        (
            texts.STATS_TOTAL_SPLIT.format(
                total=streak.total,
                full=streak.total - snapshot.quick_total,
                quick=snapshot.quick_total,
            )
            if snapshot.quick_total
            else texts.STATS_TOTAL.format(total=streak.total)
        ),
    ]
    done, planned = week_progress(snapshot.done_days, snapshot.today, snapshot.run_days)
    lines.append(
        texts.STATS_WEEK.format(done)
        if planned is None
        else texts.STATS_WEEK_PLANNED.format(done, planned=texts.RUNS.format(planned))
    )
    if snapshot.feel_average is None:
        lines.append(str(texts.STATS_FEEL_NONE))
    else:
        average = dates.decimal(snapshot.feel_average)
        lines.append(texts.STATS_FEEL.format(snapshot.feel_count, average=average))
    # As the routine defines them now: a level stored beyond an edited routine's highest is it.
    now_levels = Plan.of(routine, snapshot.levels).levels
    levels = " · ".join(
        f"{gettext(exercise.name)} {now_levels[exercise.key]}" for exercise in routine.exercises
    )
    lines.append(texts.STATS_LEVELS.format(levels=levels))
    return "\n".join(lines)
