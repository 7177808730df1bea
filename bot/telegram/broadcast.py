"""/broadcast for the bot's operators (ADMIN_USER_IDS): the message, its preview, Send or Cancel.

An admin's /broadcast makes the next message they send the broadcast's text. The bot answers
with a preview (the message as runners will see it, the audience count, 📣 Send and ✖ Cancel).
Send writes the queue (one row per runner) and wakes the leader's dispatcher
(bot/telegram/broadcast_jobs.py), which edits the progress into that same message.
Anyone else's /broadcast is an unknown command: the handler is registered for admins only.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.db import broadcasts
from bot.telegram import broadcast_jobs, reminders, texts
from bot.telegram.buttons import Press, button
from bot.telegram.delivery import edit_in_place, remove_buttons
from bot.telegram.dispatching import dispatching_in
from bot.telegram.language import unit_of_work
from bot.telegram.services import services_of

logger = logging.getLogger(__name__)

BROADCAST_PREFIX = "bc:"
BROADCAST_PATTERN = rf"^{BROADCAST_PREFIX}"
# Telegram's 4,096 characters, less room for the preview's line below the text.
MAX_LENGTH = 3900


async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Admins: start a broadcast; the next message is its text."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    async with unit_of_work(context, user) as db:
        await broadcasts.start_writing(db, user.id, chat.id, services_of(context).clock())
    await message.reply_text(str(texts.BROADCAST_ASK), do_quote=False)


async def broadcast_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An admin's text: the waiting broadcast's text, shown as a preview; with no broadcast
    waiting, what anyone's text is (bot.telegram.reminders.text_input)."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    async with unit_of_work(context, user) as db:
        draft = await broadcasts.waiting_for_text(db, user.id)
        audience = await broadcasts.audience(db) if draft is not None else 0
    if draft is None:
        await reminders.text_input(update, context)
        return
    body = message.text or ""
    if len(body) > MAX_LENGTH:
        await message.reply_text(
            texts.BROADCAST_TOO_LONG.format(length=len(body), limit=MAX_LENGTH), do_quote=False
        )
        return
    # The runners' message first, exactly (its formatting's offsets stay valid), then the line
    # that says it is a preview.
    preview = f"{body}\n\n{texts.BROADCAST_PREVIEW.format(audience)}"
    shown = await message.reply_text(
        preview,
        entities=message.entities or None,
        reply_markup=_preview_keyboard(draft.id),
        do_quote=False,
    )
    entities = [entity.to_dict() for entity in message.entities]
    async with unit_of_work(context, user) as db:
        draft = await broadcasts.get(db, draft.id)
        if draft is not None and draft.status == broadcasts.WRITING:
            draft.text, draft.entities = body, entities
            draft.message_id, draft.status = shown.message_id, broadcasts.PREVIEW


async def membership_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A runner blocked the bot (broadcasts skip them from now on) or unblocked it ("Restart":
    they are in the next one again). Telegram sends no message for either; nothing to answer."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    services = services_of(context)
    blocked = change.new_chat_member.status == ChatMember.BANNED
    async with services.db.transaction() as db:
        await broadcasts.set_blocked(db, change.from_user.id, services.clock() if blocked else None)


def _preview_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    str(texts.BROADCAST_SEND_BUTTON),
                    callback_data=f"{BROADCAST_PREFIX}s:{broadcast_id}",
                ),
                InlineKeyboardButton(
                    str(texts.BROADCAST_CANCEL_BUTTON),
                    callback_data=f"{BROADCAST_PREFIX}c:{broadcast_id}",
                ),
            ]
        ]
    )


def parse_broadcast_choice(data: str | None) -> tuple[str, int] | None:
    """("s" send or "c" cancel, broadcast id) from the preview's button data."""
    parts = (data or "").removeprefix(BROADCAST_PREFIX).split(":")
    if not (data or "").startswith(BROADCAST_PREFIX) or len(parts) != 2:
        return None
    choice, number = parts
    if choice not in ("s", "c") or not number.isdigit() or len(number) > 18:
        return None
    return choice, int(number)


@button(parse_broadcast_choice)
async def broadcast_choice(
    press: Press[tuple[str, int]], context: ContextTypes.DEFAULT_TYPE
) -> None:
    """📣 Send or ✖ Cancel on a broadcast's preview (admins only; anyone else: nothing)."""
    if press.user.id not in dispatching_in(context.application).admin_user_ids:
        return
    choice, broadcast_id = press.data
    services = services_of(context)
    async with unit_of_work(context, press.user) as db:
        draft = await broadcasts.get(db, broadcast_id)
        if draft is None or draft.admin_user_id != press.user.id:
            return
        now = services.clock()
        if choice == "c":
            done = await broadcasts.cancel(db, broadcast_id, now)
            total = None
        else:
            total = await broadcasts.start_sending(db, broadcast_id, now)
            done = total is not None
    if not done:
        press.answer = str(texts.ANSWER_BROADCAST_GONE)
        await remove_buttons(press.message)
        return
    if total is None:
        await edit_in_place(
            context.bot,
            press.chat_id,
            press.message.message_id,
            str(texts.BROADCAST_CANCELLED),
            None,
        )
        return
    press.answer = str(texts.ANSWER_BROADCAST_SENDING)
    logger.info(
        "Broadcast %s to %d runners started by admin %s", broadcast_id, total, press.user.id
    )
    progress = broadcast_jobs.progress_text({broadcasts.PENDING: total}, total)
    await edit_in_place(context.bot, press.chat_id, press.message.message_id, progress, None)
    broadcast_jobs.wake(context.application)
