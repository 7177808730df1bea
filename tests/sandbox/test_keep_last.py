"""A sandbox left running (bin/run) keeps only its latest records: memory does not grow with
every call the bot makes."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import BotApiSandbox


async def test_only_the_latest_calls_and_answered_queries_are_kept() -> None:
    sandbox = BotApiSandbox(keep_last=8)
    await sandbox.start()
    try:
        async with Bot(sandbox.token, base_url=sandbox.base_url) as bot:
            user = sandbox.user(71)
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
            card = await bot.send_message(71, "card", reply_markup=keyboard)
            unanswered = user.tap_nowait(card.message_id, "go")
            [first] = sandbox.unanswered_callback_queries()
            for number in range(40):
                await bot.send_message(71, f"message {number}")
            offset = None
            for _ in range(30):
                user.tap_nowait(card.message_id, "go")
                for update in await bot.get_updates(offset=offset, timeout=0):
                    offset = update.update_id + 1
                    assert update.callback_query is not None
                    if update.callback_query.id != first:
                        await update.callback_query.answer()
            # Only the latest calls are kept, but every call is still counted.
            assert len(sandbox.calls) <= 8 + 8 // 4
            assert sandbox.calls[-1].method == "answerCallbackQuery"
            assert sandbox.call_counts["sendMessage"] == 41
            # Answered queries are forgotten oldest first; the unanswered one is kept, and the
            # bot can still answer it.
            assert len(sandbox._queries) <= 9
            assert sandbox.unanswered_callback_queries() == [first]
            await bot.answer_callback_query(first, "late")
            assert (await unanswered).text == "late"
            assert sandbox.violations == []
    finally:
        await sandbox.stop()
