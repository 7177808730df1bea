"""The runner's language end to end: from their Telegram app, in every reply, in reminders and
check-ins sent by jobs, chosen with /language, and kept across restarts."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.coach.clock import ManualClock
from bot.db.models import ReminderSchedule, User
from bot.i18n import LANGUAGES, telegram_language_code, use
from bot.i18n.catalogs import po_path
from bot.i18n.extract import source_catalog
from bot.sandbox.server import BotApiSandbox, SimulatedUser
from bot.telegram import texts
from bot.telegram.checkin_jobs import dispatch_checkins
from bot.telegram.reminder_jobs import dispatch_due
from tests.harness import (
    ROUTINE_FILE,
    BotRunner,
    button_data,
    message_by_id,
    say,
    stored_rows,
)

SOURCE = source_catalog()


def english_fragments(locale: str) -> set[str]:
    """Pieces of English sentences (the text between placeholders, 12 characters or more) that
    the locale's own catalogue does not also use, such as the /remind syntax example."""
    with po_path(locale).open("rb") as file:
        catalogue = read_po(file, locale=locale)
    translated = " ".join(
        " ".join(m.string) if isinstance(m.string, tuple) else m.string for m in catalogue if m.id
    )
    fragments = set()
    for message in SOURCE:
        if not message.id:
            continue
        for form in message.id if isinstance(message.id, tuple) else (message.id,):
            for literal, *_ in string.Formatter().parse(form):
                for piece in re.split(r"[\n·:()]", literal):
                    piece = piece.strip(" .,!?'\"")
                    if len(piece) >= 12 and piece not in translated:
                        fragments.add(piece)
    return fragments


def everything_said(runner: SimulatedUser, answers: list[str | None]) -> list[str]:
    """Every text the runner was shown: messages, captions, button labels and toasts."""
    said = [answer for answer in answers if answer]
    for message in runner.bot_messages():
        said.append(message.content or "")
        said.extend(label for row in message.buttons for label, _ in row)
    return said


async def a_week_of_warmups(
    sandbox: BotApiSandbox, bot: BotRunner, runner: SimulatedUser
) -> list[str | None]:
    """What a runner meets in a week: /start, reminders on, three reminded warm-ups done from
    the reminder's button and each rated Easy, check-ins answered, a snooze, /stats, /levels,
    /reminders, /settings, /help, and a last /warmup whose card announces the level-ups; returns
    the toasts they saw and the texts that messages showed before they were edited."""
    answers: list[str | None] = []
    bot.clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))  # a Tuesday
    welcome = await say(sandbox, runner, "/start")
    answers.append(welcome.text)  # shown, then turned into the warm-up card
    full = welcome.buttons[0][0][0]  # Full · about 10 min, whatever the language
    answers.append((await runner.tap(welcome.message_id, button_data(welcome, full))).text)
    await say(sandbox, runner, "/warmup")  # the resume offer
    await say(sandbox, runner, "/remind mon,wed,fri 07:00 UTC 30")
    for day in (25, 27, 30):  # Wed, Fri, Mon
        bot.clock.set(datetime(2026, 11, day, 6, 30, tzinfo=UTC))
        assert await dispatch_due(bot.application) == 1
        reminder = runner.last_bot_message()
        if day == 27:
            snooze = [label for row in reminder.buttons for label, _ in row][2]
            answers.append(
                (await runner.tap(reminder.message_id, button_data(reminder, snooze))).text
            )
            bot.clock.advance(minutes=10)
            assert await dispatch_due(bot.application) == 1
            reminder = runner.last_bot_message()
        start = reminder.buttons[0][0][0]
        answers.append((await runner.tap(reminder.message_id, button_data(reminder, start))).text)
        card = message_by_id(runner, reminder.message_id)
        if "Resume" in str(card.buttons) or len(card.buttons) == 1:
            resume = card.buttons[0][0][0]
            answers.append((await runner.tap(card.message_id, button_data(card, resume))).text)
        for _ in range(12):
            card = message_by_id(runner, reminder.message_id)
            done = card.buttons[0][0][0]
            answers.append((await runner.tap(card.message_id, button_data(card, done))).text)
        summary = message_by_id(runner, reminder.message_id)
        answers.append(summary.caption or summary.text)
        easy = summary.buttons[0][0][0]
        answers.append((await runner.tap(card.message_id, button_data(summary, easy))).text)
        bot.clock.advance(minutes=90)
        assert await dispatch_checkins(bot.application) == 1
        question = runner.last_bot_message()
        answers.append((await runner.tap(question.message_id, button_data(question, "4"))).text)
        asked = message_by_id(runner, question.message_id)
        none = asked.buttons[0][0][0]
        answers.append((await runner.tap(question.message_id, button_data(asked, none))).text)
    for command in ("/stats", "/levels", "/reminders", "/settings", "/help", "/nonsense", "hello"):
        await say(sandbox, runner, command)
    card = await say(sandbox, runner, "/warmup")
    assert "⬆️" in str(card.caption or card.text), "three Easy warm-ups: the card announces"
    return answers


@pytest.mark.parametrize(("language_code", "locale"), [("ru", "ru"), ("es-MX", "es")])
async def test_a_runner_never_meets_an_english_sentence_in_a_whole_week(
    sandbox: BotApiSandbox, bot: BotRunner, language_code: str, locale: str
) -> None:
    runner = sandbox.user(7001, "Маша" if locale == "ru" else "Lucía", language_code=language_code)
    answers = await a_week_of_warmups(sandbox, bot, runner)
    said = everything_said(runner, answers)
    with use(locale):
        welcome = texts.WELCOME.format(name=runner.first_name, minutes=10)
        summary = texts.COMPLETED.format(duration="")[:8]
    assert welcome in said
    assert any(text.startswith(summary) for text in said), "the warm-up's summary, translated"
    assert any(m.photo for m in runner.bot_messages()), "/stats drew its picture"
    leaks = [
        (fragment, text)
        for text in said
        for fragment in english_fragments(locale)
        if fragment in text
    ]
    assert not leaks, leaks[:5]
    if locale == "ru":
        # Cyrillic text: a Latin word of four letters or more is English leaking through, but
        # for the exercises' English names in brackets, commands and the /remind syntax.
        allowed = {"warmup", "remind", "help", "stats", "settings", "language", "export"}
        allowed |= {"levels", "quick", "full"}  # typed syntax: /warmup quick, /levels
        for text in said:
            unbracketed = re.sub(r"\([^)]*\)|/\w+|\b(?:mon|wed|fri|UTC|Europe/Berlin)\b", "", text)
            words = {
                w for w in re.findall(r"[A-Za-z]{4,}", unbracketed) if w.lower() not in allowed
            }
            assert not words, (words, text)


@pytest.mark.parametrize(
    ("language_code", "locale"),
    [
        ("ru", "ru"),
        ("uk", "uk"),
        ("es-MX", "es"),
        ("pt-br", "pt_BR"),
        ("pt", "pt_BR"),
        ("de", "de"),
        ("fr", "en"),
        ("", "en"),
    ],
)
async def test_the_language_comes_from_the_telegram_app_with_fallbacks(
    sandbox: BotApiSandbox, bot: BotRunner, language_code: str, locale: str
) -> None:
    runner = sandbox.user(
        7100 + len(language_code) * 7 + ord(locale[0]), language_code=language_code
    )
    reply = await say(sandbox, runner, "/help")
    with use(locale):
        assert reply.text.startswith(str(texts.HELP_HEADER))
    if locale != "en":
        assert not reply.text.startswith(str(texts.HELP_HEADER)), "translated, not English"


async def test_a_chosen_language_wins_over_the_app_and_survives_a_restart(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(7201, language_code="ru")
    menu = await say(sandbox, runner, "/language")
    with use("ru"):
        assert menu.text == texts.LANGUAGE_CHOOSE.format(language="Русский")
    answer = await runner.tap(menu.message_id, button_data(menu, "Deutsch"))
    with use("de"):
        assert answer.text == texts.ANSWER_LANGUAGE_SAVED
        assert message_by_id(runner, menu.message_id).text == texts.LANGUAGE_SET.format(
            language="Deutsch"
        )
    await bot.restart()
    runner.language_code = "uk"  # the app changes language: a chosen one stays
    reply = await say(sandbox, runner, "/help")
    with use("de"):
        assert reply.text.startswith(str(texts.HELP_HEADER))
    menu = await say(sandbox, runner, "/language")
    with use("de"):  # the menu speaks the chosen language; Automatic names the app's
        automatic = texts.LANGUAGE_AUTOMATIC_BUTTON.format(language="Українська")
    await runner.tap(menu.message_id, button_data(menu, automatic))
    reply = await say(sandbox, runner, "/help")
    with use("uk"):
        assert reply.text.startswith(str(texts.HELP_HEADER)), "Automatic follows the app again"
    exported = (await say(sandbox, runner, "/export")).document
    assert b'"language": "uk"' in exported and b'"language_chosen": false' in exported


async def test_an_automatic_language_follows_the_app_into_reminders(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    """Reminders are sent by a job, with no update of the runner's in flight: they speak the
    language stored from the runner's last update."""
    runner = sandbox.user(7301, language_code="en")
    await say(sandbox, runner, "/remind daily 07:00 UTC 30")
    runner.language_code = "uk"
    await say(sandbox, runner, "/reminders")
    bot.clock.set(datetime(2026, 11, 26, 6, 30, tzinfo=UTC))
    assert await dispatch_due(bot.application) == 1
    with use("uk"):
        assert runner.last_bot_message().text == texts.REMINDER.format(time="07:00", minutes=10)
        assert runner.last_bot_message().buttons[0][0][0] == texts.FULL_BUTTON.format(minutes=10)


async def test_the_menu_and_descriptions_are_registered_for_every_language(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    default = [(c["command"], c["description"]) for c in sandbox.commands]
    assert default == [(command, str(text)) for command, text in texts.COMMANDS]
    assert sandbox.description_for() == texts.DESCRIPTION
    for locale in LANGUAGES:
        if locale == "en":
            continue
        code = telegram_language_code(locale)
        with use(locale):
            expected = [(command, str(text)) for command, text in texts.COMMANDS]
            assert sandbox.description_for(code) == texts.DESCRIPTION
            assert sandbox.description_for(code, short=True) == texts.SHORT_DESCRIPTION
        registered = [(c["command"], c["description"]) for c in sandbox.commands_for(None, code)]
        assert registered == expected and registered != default, locale


async def test_the_warmup_card_speaks_russian_with_its_exercise_content(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(7401, language_code="ru")
    card = await say(sandbox, runner, "/warmup")
    await runner.tap(card.message_id, card.buttons[1][0][1])  # How to
    shown = message_by_id(runner, card.message_id)
    routine = bot.application.bot_data["services"].routine
    first = routine.exercises[0]
    with use("ru"):
        from bot.i18n import gettext

        for english in (first.name, *first.cues, first.mistake, first.no_band):
            assert gettext(english) != english and gettext(english) in shown.text
        assert texts.CARD_PROGRESS_PER_LEG.format(10, set_number=1, sets=2) in shown.text


async def test_check_ins_are_asked_in_the_runners_language(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    runner = sandbox.user(7501, language_code="es")
    await complete_warmup_in(sandbox, runner)
    bot.clock.advance(minutes=90)
    assert await dispatch_checkins(bot.application) == 1
    with use("es"):
        assert runner.last_bot_message().text == texts.CHECKIN_FEEL
        assert runner.last_bot_message().buttons[0][0][0] == texts.CHECKIN_FEEL_LABELS[1]


async def complete_warmup_in(sandbox: BotApiSandbox, runner: SimulatedUser) -> None:
    card = await say(sandbox, runner, "/warmup")
    for _ in range(12):
        shown = message_by_id(runner, card.message_id)
        await runner.tap(card.message_id, shown.buttons[0][0][1])


async def test_a_routine_edited_without_its_translations_runs_in_english_and_says_so(
    sandbox: BotApiSandbox,
    database_url: str,
    clock: ManualClock,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    edited = tmp_path / "routine.toml"
    original = ROUTINE_FILE.read_text(encoding="utf-8")
    new_cue = "Band just above the knees, feet hip-width, knees soft and springy."
    edited.write_text(
        original.replace("Band where your level puts it, feet hip-width, soft knees.", new_cue),
        encoding="utf-8",
    )
    with caplog.at_level("WARNING", logger="bot.app"):
        bot = BotRunner(sandbox, database_url, clock, routine_file=edited)
        await bot.start()
    try:
        warnings = [r.getMessage() for r in caplog.records if "no translation" in r.getMessage()]
        assert len(warnings) == len(LANGUAGES) - 1 and all(new_cue in w for w in warnings)
        runner = sandbox.user(7601, language_code="ru")
        card = await say(sandbox, runner, "/warmup")
        assert new_cue in card.text, "the untranslated cue, in English, on a Russian card"
        with use("ru"):
            assert texts.CARD_HEADER.format(number=1, count=6) in card.text
    finally:
        await bot.stop()


async def test_a_russian_runner_sets_reminders_with_russian_days_and_city(
    sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    """Typed as a Russian runner types it: weekday names and the city in Russian, the reply in
    Russian; the guided setup takes a Russian city too."""
    runner = sandbox.user(7310, language_code="ru")
    reply = await say(sandbox, runner, "/remind пн,ср,пт 07:00 Москва 30")
    [schedule] = await stored_rows(bot.settings.database_url, ReminderSchedule)
    assert (schedule.run_days, schedule.run_time, schedule.lead_minutes) == ("0,2,4", "07:00", 30)
    assert (await stored_rows(bot.settings.database_url, User))[0].timezone == "Europe/Moscow"
    assert reply.text.startswith("Пробежки"), reply.text

    setup = await say(sandbox, runner, "/remind")
    with use("ru"):
        zone_button = texts.SETUP_TIMEZONE_BUTTON.format(timezone="Europe/Moscow")
    await runner.tap(setup.message_id, button_data(setup, zone_button))
    await say(sandbox, runner, "Екатеринбург")
    assert "Asia/Yekaterinburg" in message_by_id(runner, setup.message_id).text
