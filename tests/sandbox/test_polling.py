"""getUpdates long polling, simulated user actions and a full PTB Application on the sandbox."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox import BotApiSandbox, CallbackAnswer

USER_ID = 2002


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    bot: Bot, sandbox: BotApiSandbox
) -> None:
    user = sandbox.user(USER_ID, "Ben")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await sandbox.wait_for(lambda: sandbox.polling)
    update_id = await user.send("/start")
    updates = await asyncio.wait_for(poll, timeout=3)
    assert time.monotonic() - started < 3  # woke up on the update, not on the 5 s timeout
    assert [u.update_id for u in updates] == [update_id]
    message = updates[0].message
    assert message is not None
    assert message.text == "/start"
    assert message.from_user is not None and message.from_user.first_name == "Ben"
    assert message.entities[0].type == "bot_command"
    sandbox.spec.validate_object("Update", sandbox.calls_to("getUpdates")[-1].response["result"][0])


async def test_empty_long_poll_times_out_with_no_updates(bot: Bot, sandbox: BotApiSandbox) -> None:
    assert await bot.get_updates(timeout=0) == ()


async def test_offset_confirms_earlier_updates(bot: Bot, sandbox: BotApiSandbox) -> None:
    user = sandbox.user(USER_ID)
    first = await user.send("one")
    second = await user.send("two")
    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    # Unconfirmed updates are delivered again.
    assert [u.update_id for u in await bot.get_updates()] == [first, second]
    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second]
    assert await bot.get_updates(offset=second + 1) == ()
    assert sandbox.pending_updates == []
    third = await user.send("three")
    assert [u.update_id for u in await bot.get_updates(limit=1)] == [third]


async def test_allowed_updates_filters_new_updates(bot: Bot, sandbox: BotApiSandbox) -> None:
    user = sandbox.user(USER_ID)
    sent = await bot.send_message(
        USER_ID,
        "Pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    await bot.get_updates(allowed_updates=["message"])
    with pytest.raises(TimeoutError, match="allowed_updates exclude callback_query"):
        await user.tap(sent.message_id, "a", timeout=0.05)
    kept = await user.send("hello")
    assert [u.update_id for u in await bot.get_updates()] == [kept]
    assert len(sandbox.dropped_updates) == 1


async def test_concurrent_polls_conflict(bot: Bot, sandbox: BotApiSandbox) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await sandbox.wait_for(lambda: sandbox.polling)
    async with Bot(sandbox.token, base_url=sandbox.base_url) as second_instance:
        newer = asyncio.create_task(second_instance.get_updates(timeout=5))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await asyncio.wait_for(older, timeout=3)
        update_id = await sandbox.user(USER_ID).send("hi")
        assert [u.update_id for u in await asyncio.wait_for(newer, timeout=3)] == [update_id]


async def test_webhook_blocks_get_updates(bot: Bot, sandbox: BotApiSandbox) -> None:
    assert await bot.set_webhook("https://example.org/hook", secret_token="s3cret_token")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.org/hook"
    assert sandbox.webhook_secret_token == "s3cret_token"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_tap_resolves_when_the_bot_answers(bot: Bot, sandbox: BotApiSandbox) -> None:
    user = sandbox.user(USER_ID)
    sent = await bot.send_message(
        USER_ID,
        "Done with the set?",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Yes ✅", callback_data="set:done")]]
        ),
    )

    async def bot_side() -> None:
        (update,) = await bot.get_updates(timeout=5)
        assert update.callback_query is not None
        await bot.answer_callback_query(update.callback_query.id, "Saved!", show_alert=True)

    answering = asyncio.create_task(bot_side())
    answer = await user.tap_button("Yes", message_id=sent.message_id)
    await answering
    assert answer == CallbackAnswer(text="Saved!", show_alert=True)
    assert sandbox.unanswered_callback_queries() == []


async def test_tap_shows_the_message_as_currently_edited(bot: Bot, sandbox: BotApiSandbox) -> None:
    user = sandbox.user(USER_ID)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Next", callback_data="next")]])
    sent = await bot.send_message(USER_ID, "Step 1", reply_markup=markup)
    await bot.edit_message_text("Step 2", USER_ID, sent.message_id, reply_markup=markup)
    pending = user.tap_nowait(sent.message_id, "next")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.message.text == "Step 2"
    assert update.callback_query.message.edit_date is not None
    await update.callback_query.answer()
    assert await pending == CallbackAnswer(text=None, show_alert=False)


async def test_tap_can_send_stale_or_forged_data(bot: Bot, sandbox: BotApiSandbox) -> None:
    user = sandbox.user(USER_ID)
    sent = await bot.send_message(USER_ID, "No buttons")
    pending = user.tap_nowait(sent.message_id, "forged")
    (update,) = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "forged"
    await update.callback_query.answer()
    assert (await pending).text is None
    with pytest.raises(LookupError, match="no message 999"):
        await user.tap(999, "x")
    with pytest.raises(LookupError, match="no bot message with an inline keyboard"):
        await user.tap_button("Go")


async def test_unanswered_tap_times_out_with_an_explanation(
    bot: Bot, sandbox: BotApiSandbox
) -> None:
    user = sandbox.user(USER_ID)
    sent = await bot.send_message(
        USER_ID,
        "Pick",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    with pytest.raises(TimeoutError, match="never fetched the update"):
        await user.tap(sent.message_id, "a", timeout=0.05)
    assert len(sandbox.unanswered_callback_queries()) == 1


async def test_wait_for_times_out_helpfully(sandbox: BotApiSandbox) -> None:
    with pytest.raises(TimeoutError, match=r"condition not met within 0\.05s"):
        await sandbox.wait_for(lambda: False, timeout=0.05)


async def test_full_application_round_trip(sandbox: BotApiSandbox) -> None:
    """An unmodified PTB Application polls the sandbox, replies and answers a button tap."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id,
            "Warm-up time?",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Let's go", callback_data="go")]]
            ),
        )

    async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Starting!")
        await query.edit_message_text("Warm-up started")

    app = Application.builder().token(sandbox.token).base_url(sandbox.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(tapped))
    user = sandbox.user(USER_ID, "Cleo")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=5)
        try:
            await user.send("/start@warmup_coach_bot")
            await sandbox.wait_for(lambda: len(user.bot_messages()) == 1)
            answer = await user.tap_button("go")
            assert answer.text == "Starting!"
            await sandbox.wait_for(lambda: user.last_bot_message().text == "Warm-up started")
        finally:
            await app.updater.stop()
            await app.stop()
    assert sandbox.violations == []
    assert sandbox.pending_updates == []  # PTB confirmed everything on the way out


async def test_double_tap_makes_two_queries(bot: Bot, sandbox: BotApiSandbox) -> None:
    user = sandbox.user(USER_ID)
    assert sandbox.user(USER_ID) is user
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done")]])
    sent = await bot.send_message(USER_ID, "Set 1", reply_markup=markup)
    first = user.tap_nowait(sent.message_id, "done")
    second = user.tap_nowait(sent.message_id, "done")
    updates = await bot.get_updates()
    queries = [u.callback_query for u in updates if u.callback_query is not None]
    assert len(queries) == 2
    assert queries[0].id != queries[1].id
    assert len(sandbox.unanswered_callback_queries()) == 2
    await queries[1].answer("Already counted")
    await queries[0].answer("Counted")
    assert (await first).text == "Counted"
    assert (await second).text == "Already counted"


async def test_stop_releases_a_held_long_poll() -> None:
    box = BotApiSandbox()
    await box.start()
    async with Bot(box.token, base_url=box.base_url) as ptb_bot:
        poll = asyncio.create_task(ptb_bot.get_updates(timeout=30))
        await box.wait_for(lambda: box.polling)
        started = time.monotonic()
        await box.stop()
        assert time.monotonic() - started < 2
        assert await asyncio.wait_for(poll, timeout=2) == ()
