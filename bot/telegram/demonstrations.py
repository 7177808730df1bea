"""The warm-up card as a moving demonstration: sent and edited as an animation message with the
card's text as its caption, each clip uploaded once per bot.

A card is one message for the whole warm-up. A step within an exercise edits its caption; the
next exercise swaps the clip in place (editMessageMedia); a text message (the reminder, the
welcome, the resume offer) becomes the card in place too (text to animation, Bot API 10.1). Media
never turns back into text: the summary at the end is the last clip's caption.

The file_id Telegram returns for an upload is kept in the database and sent from then on; one
Telegram no longer takes is forgotten and the clip uploaded again. Whatever else goes wrong with
media (a file too big, a 5xx past the retries), the card falls back to text, or to its caption:
the step itself was stored before any of this.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot, InlineKeyboardMarkup, InputFile, InputMediaAnimation, Message
from telegram.error import BadRequest, TelegramError

from bot.coach.clock import Clock
from bot.db import uploads
from bot.db.engine import Database
from bot.db.models import DemoUpload
from bot.demos.clips import Clip
from bot.telegram.delivery import Shown, ShownCards, edit_if_changed, rows_of, with_retries

logger = logging.getLogger(__name__)

_FORGOTTEN_FILE = ("wrong file identifier", "file reference", "wrong remote file")


@dataclass(frozen=True)
class CardView:
    """What a card shows: its text, its buttons, and its clip (None: a text card)."""

    text: str
    keyboard: InlineKeyboardMarkup | None
    clip: str | None = None


class Demonstrations:
    """The rendered clips (bot/demos) and how they travel to Telegram."""

    def __init__(self, clips: dict[str, Clip], db: Database, clock: Clock) -> None:
        self.clips, self._db, self._clock = clips, db, clock
        # Read once: an upload happens once per clip and bot, but must not block the loop.
        self._files = {slug: Path(clip.path).read_bytes() for slug, clip in clips.items()}

    @property
    def available(self) -> bool:
        """Whether there are clips to show (DEMONSTRATIONS on, and drawn at start-up)."""
        return bool(self.clips)

    def has(self, slug: str | None) -> bool:
        return slug is not None and slug in self.clips

    async def send(self, bot: Bot, chat_id: int, view: CardView) -> Message:
        """The card as a new message: an animation when it has a clip (text if that fails)."""
        if view.clip is None or not self.has(view.clip):
            return await _send_text(bot, chat_id, view)
        try:
            return await self._with_clip(
                view.clip,
                lambda media: bot.send_animation(
                    chat_id, animation=media, caption=view.text, reply_markup=view.keyboard
                ),
                "sendAnimation",
            )
        except TelegramError as error:
            logger.warning("Could not send the %s clip (%s): a text card instead", view.clip, error)
            return await _send_text(bot, chat_id, view)

    async def edit(self, message: Message, view: CardView, shown: ShownCards) -> None:
        """Make `message` show `view`: its caption when the clip it shows is the right one, the
        clip swapped in otherwise (text becomes an animation); nothing when it already does."""
        showing = shown.get(message.chat_id, message.message_id)
        if showing is None:
            animation = message.animation
            media = animation.file_unique_id if animation is not None else None
            text = (message.caption if animation is not None else message.text) or ""
            showing = Shown(text, rows_of(message.reply_markup), media)
        clip = showing.clip
        if view.clip is not None and self.has(view.clip) and view.clip != clip:
            # Which clip the message shows is known from its upload when this process has not
            # put it there itself (a restart): a read only then, or when the clip changes.
            upload = await self._upload(view.clip)
            if upload is None or upload.file_unique_id != showing.media:
                if await self._swap(message, view, shown):
                    return
                if showing.media is None:  # still text: the card as text
                    await edit_if_changed(message, view.text, view.keyboard, shown)
                    return
            else:
                clip = view.clip
        if showing.media is None:
            await edit_if_changed(message, view.text, view.keyboard, shown)
            return
        if (showing.text, showing.rows) == (view.text, rows_of(view.keyboard)):
            return
        await _edit_caption(message, view)
        shown.remember(
            message.chat_id, message.message_id, view.text, view.keyboard, showing.media, clip
        )

    async def _swap(self, message: Message, view: CardView, shown: ShownCards) -> bool:
        """Put the view's clip and caption on the message; False if Telegram would not."""
        assert view.clip is not None
        bot = message.get_bot()
        try:
            edited = await self._with_clip(
                view.clip,
                lambda media: bot.edit_message_media(
                    media=InputMediaAnimation(media=media, caption=view.text),
                    chat_id=message.chat_id,
                    message_id=message.message_id,
                    reply_markup=view.keyboard,
                ),
                "editMessageMedia",
            )
        except TelegramError as error:
            logger.warning("Could not show the %s clip (%s): the card goes on", view.clip, error)
            return False
        media = edited.animation.file_unique_id if isinstance(edited, Message) else None
        if media is None:
            return False
        shown.remember(
            message.chat_id, message.message_id, view.text, view.keyboard, media, view.clip
        )
        return True

    async def _with_clip(
        self, slug: str, call: Callable[[str | InputFile], Awaitable[object]], what: str
    ) -> Message:
        """Run `call` with the clip's file_id, or with its file when it has none yet (or the
        file_id is no longer taken); keep the ids of an upload."""
        upload = await self._upload(slug)
        if upload is not None:
            try:
                result = await with_retries(lambda: call(upload.file_id), what)
                assert isinstance(result, Message)
                return result
            except BadRequest as error:
                if not any(words in error.message.lower() for words in _FORGOTTEN_FILE):
                    raise
                logger.info(
                    "Telegram no longer takes the %s clip's file id: uploading it again", slug
                )
                async with self._db.transaction() as db:
                    await uploads.forget_upload(db, self._key(slug))
        # attach=True: inside an InputMedia the file travels as an attach:// part.
        file = InputFile(self._files[slug], filename=f"{slug}.mp4", attach=True)
        result = await with_retries(lambda: call(file), what)
        assert isinstance(result, Message)
        animation = result.animation
        if animation is not None:
            async with self._db.transaction() as db:
                await uploads.store_upload(
                    db, self._key(slug), animation.file_id, animation.file_unique_id, self._clock()
                )
        return result

    async def _upload(self, slug: str) -> DemoUpload | None:
        async with self._db.transaction() as db:
            return await uploads.get_upload(db, self._key(slug))

    def _key(self, slug: str) -> str:
        return f"{slug}:{self.clips[slug].sha256[:16]}"


async def _send_text(bot: Bot, chat_id: int, view: CardView) -> Message:
    return await with_retries(
        lambda: bot.send_message(chat_id, view.text, reply_markup=view.keyboard), "sendMessage"
    )


async def _edit_caption(message: Message, view: CardView) -> None:
    try:
        await with_retries(
            lambda: message.get_bot().edit_message_caption(
                chat_id=message.chat_id,
                message_id=message.message_id,
                caption=view.text,
                reply_markup=view.keyboard,
            ),
            "editMessageCaption",
        )
    except BadRequest as error:
        # A timed-out edit that Telegram did apply makes the retry a no-op edit.
        if "not modified" not in error.message.lower():
            raise
