"""Simulated Telegram users of the sandbox and their private chats with the bot, as they see them.

A test drives a ``SimulatedUser`` (send text, tap inline buttons, block the bot) and inspects
``user.chat``; the ``BotApiSandbox`` turns those actions into updates for the bot.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.sandbox.server import BotApiSandbox


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot passed to answerCallbackQuery for one tap."""

    text: str | None
    show_alert: bool
    url: str | None = None
    cache_time: int | None = None


@dataclass
class ChatMessage:
    """One message of a private chat as it looked when it was read.

    The user-facing accessors hand out snapshots: a ChatMessage kept by a test keeps showing
    the old text and buttons (like a client that has not refreshed); read ``user.chat`` or
    ``user.message(id)`` again for the current state.
    """

    message_id: int
    from_bot: bool
    text: str | None
    caption: str | None
    date: int
    reply_markup: dict[str, Any] | None = None
    photo: bytes | None = field(default=None, repr=False)
    document: bytes | None = field(default=None, repr=False)
    document_name: str | None = None
    edit_count: int = 0
    parse_mode: str | None = None
    # Beyond the brief: what the API returns for the message, kept for exact comparisons.
    entities: list[dict[str, Any]] = field(default_factory=list)
    edit_date: int | None = None
    reply_to_message_id: int | None = None
    document_mime_type: str | None = None
    photo_sizes: list[dict[str, Any]] = field(default_factory=list, repr=False)
    document_info: dict[str, Any] | None = field(default=None, repr=False)
    # An animation (GIF or MP4): its bytes and the Animation object the API returns for it.
    animation: bytes | None = field(default=None, repr=False)
    animation_info: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """(label, callback_data) per row; reply-keyboard and URL buttons have no data."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or self.reply_markup.get("keyboard") or []
        return [[(b["text"], b.get("callback_data")) for b in row] for row in rows]

    @property
    def has_inline_keyboard(self) -> bool:
        return bool(self.reply_markup and self.reply_markup.get("inline_keyboard"))

    @property
    def has_animation(self) -> bool:
        return self.animation_info is not None

    @property
    def animation_file_id(self) -> str | None:
        """The file_id the bot can send this animation again with."""
        return self.animation_info["file_id"] if self.animation_info else None

    @property
    def content(self) -> str | None:
        """The text, or the caption of a media message."""
        return self.text if self.text is not None else self.caption


class SimulatedUser:
    """A Telegram user in a private chat with the bot (chat id == user id)."""

    def __init__(
        self,
        sandbox: BotApiSandbox,
        user_id: int,
        first_name: str,
        *,
        language_code: str = "en",
        username: str | None = None,
    ) -> None:
        self._sandbox = sandbox
        self.id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.username = username
        self.blocked = False
        self._messages: dict[int, ChatMessage] = {}
        self._last_message_id = 0

    def __repr__(self) -> str:
        return f"SimulatedUser(id={self.id}, first_name={self.first_name!r})"

    # ------------------------------------------------------------ what the user sees

    @property
    def chat(self) -> list[ChatMessage]:
        """The chat in order, oldest first, as snapshots; deleted messages are gone."""
        return [copy.deepcopy(m) for m in self._messages.values()]

    def bot_messages(self) -> list[ChatMessage]:
        return [copy.deepcopy(m) for m in self._messages.values() if m.from_bot]

    def last_bot_message(self) -> ChatMessage:
        for message in reversed(self._messages.values()):
            if message.from_bot:
                return copy.deepcopy(message)
        raise LookupError(f"the bot has sent no message (left) to user {self.id}")

    def message(self, message_id: int) -> ChatMessage:
        """A snapshot of the message's current state."""
        try:
            return copy.deepcopy(self._messages[message_id])
        except KeyError:
            raise LookupError(f"no message {message_id} in the chat with user {self.id}") from None

    # ------------------------------------------------------------------ user actions

    async def send(self, text: str) -> int:
        """Send a text message to the bot; returns the update_id it arrives as.

        Works while the user has the bot blocked, so that tests can see the bot's reply fail
        with 403; call ``unblock()`` to model the client's "Restart".
        """
        return self._sandbox._user_sends_text(self, text)

    async def tap(
        self, message_id: int, callback_data: str, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Tap the inline button carrying ``callback_data``; wait for the bot's answer.

        The data is not checked against the buttons the message shows, so tests can send stale
        or forged data (a modified client can); ``tap_button`` only taps visible buttons.
        """
        return await self.tap_nowait(message_id, callback_data, timeout=timeout)

    def tap_nowait(
        self, message_id: int, callback_data: str, timeout: float = 5.0
    ) -> asyncio.Future[CallbackAnswer]:
        """Queue the tap now (so two calls are ordered) and return a future for the answer."""
        query_id, answered = self._sandbox._user_taps(self, message_id, callback_data)
        return asyncio.ensure_future(
            self._sandbox._await_callback_answer(query_id, answered, timeout)
        )

    async def tap_button(
        self, text_contains: str, message_id: int | None = None, timeout: float = 5.0
    ) -> CallbackAnswer:
        """Tap a button found by (part of) its label.

        Looks at ``message_id`` or else at the latest bot message with an inline keyboard.
        An exact label match wins; otherwise the substring must match exactly one button.
        """
        message = self._find_keyboard_message(message_id)
        labels = [b for row in message.buttons for b in row]
        exact = [b for b in labels if b[0] == text_contains]
        matches = exact or [b for b in labels if str(text_contains) in b[0]]
        if not matches:
            raise LookupError(
                f"no button containing {text_contains!r} on message {message.message_id}; "
                f"buttons: {[b[0] for b in labels]}"
            )
        if len(matches) > 1:
            raise LookupError(
                f"{len(matches)} buttons contain {text_contains!r} on message "
                f"{message.message_id}: {[b[0] for b in matches]}"
            )
        label, data = matches[0]
        if data is None:
            raise LookupError(f"button {label!r} has no callback_data (URL or other button)")
        return await self.tap(message.message_id, data, timeout=timeout)

    def _find_keyboard_message(self, message_id: int | None) -> ChatMessage:
        if message_id is not None:
            return self.message(message_id)  # the current buttons, as a fresh look would show
        for message in reversed(self._messages.values()):
            if message.from_bot and message.has_inline_keyboard:
                return message
        raise LookupError(f"no bot message with an inline keyboard in the chat with {self.id}")

    def block(self) -> None:
        """Block the bot: it gets 403 for anything it sends here, and a my_chat_member update."""
        if not self.blocked:
            self.blocked = True
            self._sandbox._user_block_changed(self)

    def unblock(self) -> None:
        if self.blocked:
            self.blocked = False
            self._sandbox._user_block_changed(self)

    def continue_message_ids_after(self, last_message_id: int) -> None:
        """Number the next messages after ``last_message_id``, so that a chat started again
        (the offline sandbox after a restart) never reuses an id the bot may still edit."""
        self._last_message_id = max(self._last_message_id, last_message_id)

    # ------------------------------------------------------- used by the sandbox only

    def _next_message_id(self) -> int:
        self._last_message_id += 1
        return self._last_message_id

    def _add(self, message: ChatMessage) -> None:
        self._messages[message.message_id] = message

    def _delete(self, message_id: int) -> bool:
        return self._messages.pop(message_id, None) is not None

    def _get(self, message_id: int) -> ChatMessage | None:
        """The live message (not a snapshot): the sandbox edits it in place."""
        return self._messages.get(message_id)

    def to_user_dict(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            user["username"] = self.username
        user["language_code"] = self.language_code
        return user

    def to_chat_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.chat_id, "type": "private"}
        chat["first_name"] = self.first_name
        if self.username:
            chat["username"] = self.username
        return chat
