"""Local Telegram Bot API server ("the sandbox") that the unmodified bot talks to over real HTTP.

python-telegram-bot is pointed at it with ``base_url=sandbox.base_url``; tests drive simulated
users (``sandbox.user(...)``) and inspect what the bot did. Every call is checked against the
Bot API spec so that anything real Telegram would reject fails here too, and is listed in
``sandbox.violations`` so that tests notice even when the bot swallows the error.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import inspect
import itertools
import json
import logging
import math
import mimetypes
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from pathlib import Path
from typing import Any, Literal

from aiohttp import web

from bot.sandbox.formatting import (
    EntityParseError,
    UnsupportedParseModeError,
    parse_formatted,
    utf16_len,
)
from bot.sandbox.media import animation_info, image_size, photo_sizes
from bot.sandbox.spec import ApiSpec, SpecError, UploadedFile
from bot.sandbox.users import CallbackAnswer, ChatMessage, SimulatedUser

__all__ = [
    "ApiError",
    "BotApiSandbox",
    "CallbackAnswer",
    "ChatMessage",
    "RecordedCall",
    "SimulatedUser",
]

logger = logging.getLogger(__name__)

BOT_FIRST_NAME = "Warm-up Coach"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_REQUEST_BYTES = 60 * 1024 * 1024  # documents may be up to 50 MB
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_TEXT_LIMIT = 200
# The global limit stamps a request when this process's event loop reads it. A stall of that
# loop (a busy machine) reads requests that arrived evenly in a clump, which a strict window
# would count as a burst the bot never sent; the limit is not enforced across such a stall.
# A tick late by more than STALL_S is a stall: about what the bot's pacing keeps in hand. The
# clump read after it stays in the window for a second, and a little longer than that when its
# last requests are read a few turns of the loop after the stall was noticed.
STALL_TICK_S = 0.005
STALL_S = 0.015
STALL_BLURS_S = 1.25
# Real file_ids start like this (they encode the file type); the rest is random.
PHOTO_ID_PREFIX = "AgACAgIAAxkDAAI"
DOCUMENT_ID_PREFIX = "BQACAgIAAxkDAAI"
ANIMATION_ID_PREFIX = "CgACAgIAAxkDAAI"
WRONG_FILE = "Bad Request: wrong file identifier/HTTP URL specified"
NOT_AN_ANIMATION = (
    "Bad Request: the file is not an animation: the sandbox takes a GIF or an H.264 MP4"
)
# The kinds of media a message can hold, and the InputMedia types editMessageMedia takes here.
FileKind = Literal["photo", "document", "animation"]
EDITABLE_MEDIA: frozenset[str] = frozenset({"photo", "document", "animation"})
# What the API's Document for an animation repeats of its Animation (as Telegram sends both).
_DOCUMENT_FIELDS = ("file_id", "file_unique_id", "thumbnail", "file_name", "mime_type", "file_size")

# Calls that put a message into a chat or change one; these count against the rate limit.
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendAnimation",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "editMessageMedia",
    }
)
# Start-up and housekeeping calls that fail_next leaves alone unless they are named, so that a
# failure meant for the bot's replies is not eaten by polling or by set-up.
HOUSEKEEPING_METHODS = frozenset(
    {
        "getUpdates",
        "getMe",
        "deleteWebhook",
        "setWebhook",
        "getWebhookInfo",
        "setMyCommands",
        "getMyCommands",
        "deleteMyCommands",
        "setMyDescription",
        "getMyDescription",
        "setMyShortDescription",
        "getMyShortDescription",
        "close",
        "logOut",
    }
)
CHAT_ACTIONS = frozenset(
    "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
    "choose_sticker find_location record_video_note upload_video_note".split()
)
# getUpdates with allowed_updates=[] (or never set) delivers everything but these.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED = "Forbidden: bot was blocked by the user"
CHAT_NOT_FOUND = "Bad Request: chat not found"
POLL_TERMINATED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
_ERROR_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: BLOCKED,
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class RecordedCall:
    """One Bot API call the bot made, as the sandbox answered it (status 0: client gave up)."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK


class ApiError(Exception):
    """An error answer in Telegram's shape; ``violation`` marks it as the bot's fault."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        violation: bool | str = False,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.violation = violation

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class _FailRule:
    remaining: int
    status: int
    retry_after: int | None
    methods: frozenset[str] | None
    description: str | None

    def applies_to(self, method: str) -> bool:
        if self.methods is not None:
            return method in self.methods
        return method not in HOUSEKEEPING_METHODS


@dataclass
class _CallbackQuery:
    query_id: str
    user: SimulatedUser
    message_id: int
    data: str
    answered: asyncio.Future[CallbackAnswer]
    update_id: int = 0
    answer: CallbackAnswer | None = None


@dataclass
class _StoredFile:
    """An uploaded file, found again by any of its file_ids when the bot resends it."""

    kind: FileKind
    data: bytes | None = field(repr=False)
    photo_sizes: list[dict[str, Any]] = field(default_factory=list)  # PhotoSize objects
    document: dict[str, Any] = field(default_factory=dict)  # the Document object
    animation: dict[str, Any] = field(default_factory=dict)  # the Animation object

    @property
    def file_ids(self) -> list[str]:
        return [size["file_id"] for size in self.photo_sizes] + [
            info["file_id"] for info in (self.document, self.animation) if info
        ]

    def message_fields(self) -> dict[str, Any]:
        """What a ChatMessage holds for this file (its other media fields are left empty)."""
        if self.kind == "photo":
            return {"photo": self.data, "photo_sizes": [dict(s) for s in self.photo_sizes]}
        if self.kind == "animation":
            return {"animation": self.data, "animation_info": dict(self.animation)}
        return {
            "document": self.data,
            "document_name": self.document.get("file_name"),
            "document_mime_type": self.document.get("mime_type"),
            "document_info": dict(self.document),
        }


class _Signal:
    """Wakes every waiter whenever sandbox state changes (a bot call, a user action)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self) -> None:
        await self._event.wait()


Handler = Callable[[dict[str, Any]], Awaitable[Any]]
ChatChange = Literal["added", "edited", "deleted"]
# Called with (user, message_id, change) right after a chat message changes; must not block.
ChatListener = Callable[[SimulatedUser, int, ChatChange], None]


class BotApiSandbox:
    """A local Bot API server with simulated users, spec validation and fault injection."""

    def __init__(
        self,
        *,
        token: str = "123456:SANDBOX-TOKEN",
        bot_username: str = "warmup_coach_bot",
        spec_path: Path | None = None,
        global_rate_limit: float | None = None,
        retry_after: int = 1,
        keep_last: int | None = None,
        response_delay_s: float = 0.0,
        forgive_own_stalls: bool = True,
    ) -> None:
        """`keep_last`: how many recorded calls, callback queries and dropped updates to keep
        (the oldest go first). None keeps all, as tests and benchmarks that inspect them
        afterwards want; a sandbox left running for days (bin/run) must not grow without end.

        `response_delay_s`: how long every Bot API answer is held back, as Telegram's network
        round trip holds it (0: answer at once). Other requests are served meanwhile; the value
        in force when a request arrives applies to it, so it can be changed while running.

        `forgive_own_stalls`: with a `global_rate_limit`, let a request over the limit through
        when the sandbox's own event loop stalled within the last STALL_BLURS_S, at most as
        many as the stall could have held back at the limit's rate; each such stall is counted
        in `stalls`, each request let through in `forgiven`."""
        self.token = token
        self.keep_last = keep_last
        self.response_delay_s = response_delay_s
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self.spec = ApiSpec.load(spec_path)
        self.global_rate_limit = global_rate_limit
        self.retry_after = retry_after
        # Wall clock for message dates; a test with a fake clock may replace it.
        self.now: Callable[[], float] = time.time

        self.app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        self.app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.host = "127.0.0.1"
        self.port = 0

        self.violations: list[str] = []
        self.calls: list[RecordedCall] = []
        self.call_counts: collections.Counter[str] = collections.Counter()
        self.dropped_updates: list[dict[str, Any]] = []
        self.webhook_url = ""
        self.webhook_secret_token: str | None = None
        self.webhook_max_connections: int | None = None
        self.webhook_ip_address: str | None = None

        self._users: dict[int, SimulatedUser] = {}
        self._updates: list[dict[str, Any]] = []
        self._last_update_id = 0
        self._max_delivered_update_id = 0
        self._allowed_updates: frozenset[str] | None = None  # None: Telegram's default set
        self._update_types = frozenset(
            name for name in self.spec.types["Update"].fields or {} if name != "update_id"
        )
        self._queries: dict[str, _CallbackQuery] = {}
        self._query_ids = itertools.count(4_000_000_000_000_000_001)
        self._files: dict[str, _StoredFile] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        # setMyDescription / setMyShortDescription: (field, language_code) -> text
        self._profile_texts: dict[tuple[str, str], str] = {}
        self._fail_rules: list[_FailRule] = []
        self._rate_window: collections.deque[float] = collections.deque()
        self.forgive_own_stalls = forgive_own_stalls
        self.stalls = 0
        self.forgiven = 0
        self._last_tick = time.monotonic()
        self._blurred_until = 0.0
        self._clump_allowance = 0
        self._stall_watch: asyncio.Task[None] | None = None
        self._signal = _Signal()
        self._chat_listeners: list[ChatListener] = []
        self._closing = asyncio.Event()
        self._active_poll: asyncio.Future[None] | None = None
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendAnimation": self._send_animation,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "editMessageMedia": self._edit_message_media,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": partial(self._set_profile_text, "description", 512),
            "getMyDescription": partial(self._get_profile_text, "description"),
            "setMyShortDescription": partial(self._set_profile_text, "short_description", 120),
            "getMyShortDescription": partial(self._get_profile_text, "short_description"),
            "close": self._true,
            "logOut": self._true,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"the sandbox binds loopback only, not {host!r}")
        self._closing.clear()
        # handler_cancellation: a request the client gave up on (timeout tests, an abandoned
        # long poll) must stop being handled instead of lingering until shutdown.
        self._runner = web.AppRunner(
            self.app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.host = host
        self.port = self._runner.addresses[0][1]
        if self.global_rate_limit is not None and self.forgive_own_stalls:
            self._last_tick = time.monotonic()
            self._stall_watch = asyncio.create_task(self._watch_stalls(), name="sandbox-stalls")
        logger.info("Bot API sandbox listening on %s", self.base_url)

    async def stop(self) -> None:
        self._closing.set()
        self._signal.notify()
        if self._stall_watch is not None:
            self._stall_watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._stall_watch
            self._stall_watch = None
        listened = bool(self._runner is not None and self._runner.addresses)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if listened:  # a start that failed (port taken) has nothing to report stopping
            logger.info("Bot API sandbox on port %s stopped", self.port)

    async def __aenter__(self) -> BotApiSandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------- test API

    def user(
        self,
        user_id: int,
        first_name: str = "Runner",
        *,
        language_code: str = "en",
        username: str | None = None,
    ) -> SimulatedUser:
        """The simulated user with this id, created on first use (private chat id == user id)."""
        existing = self._users.get(user_id)
        if existing is not None:
            return existing
        created = SimulatedUser(
            self, user_id, first_name, language_code=language_code, username=username
        )
        self._users[user_id] = created
        return created

    @property
    def users(self) -> list[SimulatedUser]:
        return list(self._users.values())

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is being held right now."""
        return self._active_poll is not None and not self._active_poll.done()

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued for the bot and not yet confirmed by a getUpdates offset."""
        return json.loads(json.dumps(self._updates))

    @property
    def commands(self) -> list[dict[str, Any]]:
        """Commands set with setMyCommands for the default scope and no language."""
        return list(self._commands.get(("default", ""), []))

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return list(self._commands.get((_scope_key(scope), language_code), []))

    def description_for(self, language_code: str = "", *, short: bool = False) -> str | None:
        """What setMyDescription (or, with `short`, setMyShortDescription) set for a language
        ("" is the default for all languages without their own)."""
        field = "short_description" if short else "description"
        return self._profile_texts.get((field, language_code))

    def fail_next(
        self,
        count: int,
        *,
        status: int | Literal["timeout"] = 429,
        retry_after: int | None = None,
        methods: Iterable[str] | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next ``count`` bot calls with an error instead of handling them.

        status 429 answers "Too Many Requests: retry after N"; 5xx answer Telegram's gateway
        errors; status 0 (or "timeout") never answers, so the client times out. Without
        ``methods`` the housekeeping calls (getUpdates, getMe, webhook and command set-up) are
        not affected.
        """
        if count <= 0:
            return
        canonical = None
        if methods is not None:
            canonical = frozenset(self.spec.canonical_method(m) or m for m in methods)
        self._fail_rules.append(
            _FailRule(
                remaining=count,
                status=0 if status == "timeout" else int(status),
                retry_after=retry_after,
                methods=canonical,
                description=description,
            )
        )

    def add_chat_listener(self, listener: ChatListener) -> Callable[[], None]:
        """Call ``listener`` whenever a message is added to, edited in or deleted from a chat
        (the web chat pushes these live); returns a function that removes it again."""
        self._chat_listeners.append(listener)

        def remove() -> None:
            if listener in self._chat_listeners:
                self._chat_listeners.remove(listener)

        return remove

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` holds; it is re-checked after every change."""
        try:
            async with asyncio.timeout(timeout):
                while not predicate():
                    await self._signal.wait()
        except TimeoutError:
            raise TimeoutError(
                f"condition not met within {timeout}s: {_describe(predicate)}\n{self.summary()}"
            ) from None

    def unanswered_callback_queries(self) -> list[str]:
        return [qid for qid, q in self._queries.items() if q.answer is None]

    @property
    def last_update_id(self) -> int:
        """The newest update id handed out (0 before any)."""
        return self._last_update_id

    def continue_update_ids_after(self, last_update_id: int) -> None:
        """Number the next updates after ``last_update_id``, so that a sandbox started again
        (the offline sandbox after a restart) never hands out an update id twice."""
        self._last_update_id = max(self._last_update_id, last_update_id)

    @property
    def max_delivered_update_id(self) -> int:
        """The newest update id handed to the bot by getUpdates (0 before any)."""
        return self._max_delivered_update_id

    def count(self, method: str) -> int:
        return self.call_counts[self.spec.canonical_method(method) or method]

    def calls_to(self, method: str) -> list[RecordedCall]:
        name = self.spec.canonical_method(method) or method
        return [c for c in self.calls if c.method == name]

    def summary(self, last: int = 10) -> str:
        """A few lines on recent calls and violations, for failure messages."""
        lines = [f"last {min(last, len(self.calls))} of {len(self.calls)} calls:"]
        for call in self.calls[-last:]:
            params = {k: v for k, v in call.params.items() if k != "reply_markup"}
            lines.append(f"  {call.method} {call.status} {_short(params)}")
        if self.violations:
            lines.append(f"violations: {self.violations}")
        pending = len(self._updates)
        if pending:
            lines.append(f"{pending} update(s) not yet confirmed by the bot")
        return "\n".join(lines)

    # -------------------------------------------------------- HTTP entry point

    async def _handle(self, request: web.Request) -> web.Response:
        delay = self.response_delay_s
        response = await self._answer(request)
        if delay > 0:
            # Held here, after the work is done: what the bot did is already in the chat, and
            # only its answer is on the way back, as with Telegram.
            await asyncio.sleep(delay)
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        raw_method = request.match_info["method"]
        method = self.spec.canonical_method(raw_method) or raw_method
        params: dict[str, Any] = {}
        started = time.monotonic()
        try:
            raw, files = await _read_params(request)
            params = {**raw, **files}
            if self.spec.canonical_method(raw_method) is None:
                raise ApiError(404, "Not Found", violation="unknown method")
            try:
                params = self.spec.decode_params(method, raw, files)
            except SpecError as exc:
                raise ApiError(400, exc.description, violation=True) from None
            handler = self._handlers.get(method)
            if handler is None:
                raise ApiError(404, "Not Found", violation="method not implemented by the sandbox")
            await self._inject_failure(method)
            self._check_rate_limit(method)
            result = await handler(params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, body = exc.status, exc.payload()
            if exc.violation:
                detail = f" ({exc.violation})" if isinstance(exc.violation, str) else ""
                self.violations.append(f"{method}: {exc.status} {exc.description}{detail}")
                logger.warning("spec violation: %s %s%s", method, exc.description, detail)
        except asyncio.CancelledError:
            # The client went away (it timed out or abandoned a long poll).
            self._record(method, params, 0, {}, started)
            raise
        except Exception as exc:
            # A bug in the sandbox itself: answer like a Telegram outage, and make it loud.
            logger.exception("sandbox failed handling %s", method)
            status, body = 500, ApiError(500, "Internal Server Error").payload()
            self.violations.append(f"{method}: 500 sandbox error {exc!r}")
        self._record(method, params, status, body, started)
        return web.json_response(body, status=status)

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        body: dict[str, Any],
        started: float,
    ) -> None:
        self.calls.append(RecordedCall(method, params, status, body, started))
        _trim(self.calls, self.keep_last)
        self.call_counts[method] += 1
        logger.debug("%s %s -> %s", method, _short(params), status)
        self._signal.notify()

    async def _inject_failure(self, method: str) -> None:
        for rule in self._fail_rules:
            if rule.remaining > 0 and rule.applies_to(method):
                rule.remaining -= 1
                break
        else:
            return
        self._fail_rules = [r for r in self._fail_rules if r.remaining > 0]
        if rule.status == 0:
            logger.info("holding %s unanswered until the client gives up", method)
            await self._closing.wait()  # cancelled when the client disconnects
            raise ApiError(504, "Gateway Timeout")
        if rule.status == 429:
            seconds = rule.retry_after if rule.retry_after is not None else self.retry_after
            description = rule.description or f"Too Many Requests: retry after {seconds}"
            raise ApiError(429, description, retry_after=seconds)
        description = rule.description or _ERROR_DESCRIPTIONS.get(rule.status, _phrase(rule.status))
        raise ApiError(rule.status, description, retry_after=rule.retry_after)

    def _check_rate_limit(self, method: str) -> None:
        if self.global_rate_limit is None or method not in MESSAGE_METHODS:
            return
        now = time.monotonic()
        while self._rate_window and now - self._rate_window[0] >= 1.0:
            self._rate_window.popleft()
        if len(self._rate_window) >= self.global_rate_limit:
            if not self._forgive(now):
                raise ApiError(
                    429,
                    f"Too Many Requests: retry after {self.retry_after}",
                    retry_after=self.retry_after,
                )
            self.forgiven += 1
        self._rate_window.append(now)

    def _forgive(self, now: float) -> bool:
        """Whether a request over the limit may be this loop's clump: within STALL_BLURS_S of a
        stall, and no more of them than the stall could have held back at the limit's rate."""
        if self._stall_watch is None:
            return False
        self._note_stall(now)  # one going on: its requests run before the watch wakes
        if now >= self._blurred_until or self._clump_allowance < 1:
            return False
        self._clump_allowance -= 1
        return True

    def _note_stall(self, now: float) -> None:
        stalled = now - self._last_tick
        if stalled > STALL_TICK_S + STALL_S:
            assert self.global_rate_limit is not None
            self.stalls += 1
            # Each stall's clump stays in the window for a second: a short stall soon after a
            # long one must not shrink what the long one's clump may still need.
            left = self._clump_allowance if now < self._blurred_until else 0
            self._clump_allowance = max(left, math.ceil(self.global_rate_limit * stalled) + 1)
            self._blurred_until = now + STALL_BLURS_S
        self._last_tick = now

    async def _watch_stalls(self) -> None:
        while True:
            await asyncio.sleep(STALL_TICK_S)
            self._note_stall(time.monotonic())

    # ------------------------------------------------------------ updates/users

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        self._last_update_id += 1
        update = {"update_id": self._last_update_id, kind: payload}
        allowed = self._allowed_updates
        if allowed is None:
            allowed = self._update_types - OPT_IN_UPDATE_TYPES
        if kind in allowed:
            self._updates.append(update)
        else:
            # Telegram never stores updates the bot did not ask for.
            logger.warning("dropping %s update: not in allowed_updates %s", kind, sorted(allowed))
            self.dropped_updates.append(update)
            _trim(self.dropped_updates, self.keep_last)
        self._signal.notify()
        return self._last_update_id

    def _user_sends_text(self, user: SimulatedUser, text: str) -> int:
        if not text:
            raise ValueError("Telegram clients cannot send an empty message")
        entities: list[dict[str, Any]] = []
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        message = ChatMessage(
            message_id=user._next_message_id(),
            from_bot=False,
            text=text,
            caption=None,
            date=self._now(),
            entities=entities,
        )
        user._add(message)
        self._chat_changed(user, message.message_id, "added")
        return self._enqueue("message", self._message_payload(user, message))

    def _user_taps(
        self, user: SimulatedUser, message_id: int, data: str
    ) -> tuple[str, asyncio.Future[CallbackAnswer]]:
        message = user.message(message_id)
        if data not in [cb for row in message.buttons for _, cb in row]:
            # A modified client can send any data, and tests want to see the bot cope.
            logger.info(
                "user %s taps data %r that message %s does not show (stale or forged)",
                user.id,
                data,
                message_id,
            )
        query_id = str(next(self._query_ids))
        answered: asyncio.Future[CallbackAnswer] = asyncio.get_running_loop().create_future()
        query = _CallbackQuery(query_id, user, message_id, data, answered)
        self._queries[query_id] = query
        if self.keep_last is not None and len(self._queries) > self.keep_last:
            # The oldest answered one (dicts keep insertion order). An unanswered one stays: the
            # bot may still answer it, and answering a query the sandbox forgot is a violation.
            answered_ids = (qid for qid, known in self._queries.items() if known.answer is not None)
            forget = next(answered_ids, None)
            if forget is not None:
                del self._queries[forget]
        query.update_id = self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_user_dict(),
                "message": self._message_payload(user, message),
                "chat_instance": str(-(7_000_000_000_000_000_000 + user.chat_id)),
                "data": data,
            },
        )
        return query_id, answered

    async def _await_callback_answer(
        self, query_id: str, answered: asyncio.Future[CallbackAnswer], timeout: float
    ) -> CallbackAnswer:
        try:
            async with asyncio.timeout(timeout):
                return await asyncio.shield(answered)
        except TimeoutError:
            query = self._queries[query_id]
            if any(u["update_id"] == query.update_id for u in self.dropped_updates):
                why = "the update was dropped: the bot's allowed_updates exclude callback_query"
            elif query.update_id > self._max_delivered_update_id:
                why = "the bot never fetched the update (is it polling?)"
            else:
                why = "the bot fetched the update but did not call answerCallbackQuery"
            raise TimeoutError(
                f"callback query {query_id} (data={query.data!r}) not answered within "
                f"{timeout}s: {why}\n{self.summary()}"
            ) from None

    def _user_block_changed(self, user: SimulatedUser) -> None:
        old, new = ("member", "kicked") if user.blocked else ("kicked", "member")
        self._enqueue(
            "my_chat_member",
            {
                "chat": user.to_chat_dict(),
                "from": user.to_user_dict(),
                "date": self._now(),
                "old_chat_member": self._bot_member(old),
                "new_chat_member": self._bot_member(new),
            },
        )

    def _bot_member(self, status: str) -> dict[str, Any]:
        member: dict[str, Any] = {"status": status, "user": self._bot_user()}
        if status == "kicked":
            member["until_date"] = 0
        return member

    # ---------------------------------------------------------------- payloads

    def _now(self) -> int:
        return int(self.now())

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": self.bot_username,
        }

    def _message_payload(
        self, user: SimulatedUser, message: ChatMessage, *, with_reply: bool = True
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self._bot_user() if message.from_bot else user.to_user_dict(),
            "chat": user.to_chat_dict(),
            "date": message.date,
        }
        if message.edit_date is not None:
            payload["edit_date"] = message.edit_date
        if with_reply and message.reply_to_message_id is not None:
            replied = user._get(message.reply_to_message_id)
            if replied is not None:
                payload["reply_to_message"] = self._message_payload(user, replied, with_reply=False)
        if message.text is not None:
            payload["text"] = message.text
            if message.entities:
                payload["entities"] = json.loads(json.dumps(message.entities))
        if message.photo_sizes:
            payload["photo"] = [dict(size) for size in message.photo_sizes]
        if message.document_info is not None:
            payload["document"] = dict(message.document_info)
        if message.animation_info is not None:
            # "For backward compatibility, when this field is set, the document field will also
            # be set" (Message.animation in the spec).
            payload["animation"] = dict(message.animation_info)
            payload["document"] = {
                k: v for k, v in message.animation_info.items() if k in _DOCUMENT_FIELDS
            }
        if message.caption is not None:
            payload["caption"] = message.caption
            if message.entities:
                payload["caption_entities"] = json.loads(json.dumps(message.entities))
        # Only inline keyboards belong to a message; reply keyboards are a chat setting.
        if message.has_inline_keyboard:
            payload["reply_markup"] = json.loads(json.dumps(message.reply_markup))
        return payload

    # ----------------------------------------------------------------- helpers

    def _chat(self, chat_id: int | str, *, writing: bool = True) -> SimulatedUser:
        user = self._users.get(chat_id) if isinstance(chat_id, int) else None
        if user is None:
            raise ApiError(400, CHAT_NOT_FOUND)
        if writing and user.blocked:
            raise ApiError(403, BLOCKED)
        return user

    def _caption_of(self, params: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]]]:
        """The caption of a sendPhoto, sendDocument or editMessageCaption, parsed and checked."""
        return self._format(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            limit=CAPTION_LIMIT,
            caption=True,
        )

    def _format(
        self,
        text: str | None,
        parse_mode: str | None,
        entities: list[dict[str, Any]] | None,
        *,
        limit: int,
        caption: bool = False,
    ) -> tuple[str | None, list[dict[str, Any]]]:
        if text is None or (caption and text == ""):
            if caption:
                return None, []
            raise ApiError(400, "Bad Request: message text is empty", violation=True)
        if entities is not None:
            plain, parsed = text, entities
        else:
            try:
                plain, parsed = parse_formatted(text, parse_mode)
            except EntityParseError as exc:
                raise ApiError(
                    400, f"Bad Request: can't parse entities: {exc}", violation=True
                ) from None
            except UnsupportedParseModeError:
                raise ApiError(400, "Bad Request: unsupported parse_mode", violation=True) from None
        if not caption and not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty", violation=True)
        if utf16_len(plain) > limit:
            what = "message caption is too long" if caption else "message is too long"
            raise ApiError(400, f"Bad Request: {what}", violation=True)
        return plain, parsed

    def _reply_target(self, user: SimulatedUser, params: dict[str, Any]) -> int | None:
        reply = params.get("reply_parameters")
        if not reply:
            return None
        target = reply["message_id"]
        if user._get(target) is None:
            if reply.get("allow_sending_without_reply"):
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return target

    @staticmethod
    def _normalize_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
        if markup is None:
            return None
        if "inline_keyboard" in markup:
            # Telegram drops empty rows; an empty keyboard means no keyboard.
            rows = [row for row in markup["inline_keyboard"] if row]
            return {"inline_keyboard": rows} if rows else None
        return markup

    def _add_bot_message(self, user: SimulatedUser, params: dict[str, Any], **fields: Any) -> Any:
        markup = self._normalize_markup(params.get("reply_markup"))
        message = ChatMessage(
            message_id=user._next_message_id(),
            from_bot=True,
            date=self._now(),
            reply_markup=markup,
            parse_mode=params.get("parse_mode"),
            reply_to_message_id=self._reply_target(user, params),
            **fields,
        )
        user._add(message)
        self._chat_changed(user, message.message_id, "added")
        return self._message_payload(user, message)

    def _editable(self, params: dict[str, Any]) -> tuple[SimulatedUser, ChatMessage]:
        if "inline_message_id" in params:
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        if "chat_id" not in params:
            raise ApiError(400, "Bad Request: chat_id is empty", violation=True)
        if "message_id" not in params:
            raise ApiError(400, "Bad Request: message identifier is not specified", violation=True)
        user = self._chat(params["chat_id"])
        message = user._get(params["message_id"])
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited", violation=True)
        return user, message

    def _chat_changed(self, user: SimulatedUser, message_id: int, change: ChatChange) -> None:
        for listener in list(self._chat_listeners):
            try:
                listener(user, message_id, change)
            except Exception:
                # A broken listener (a web page gone) must not fail the bot's API call.
                logger.exception("chat listener %r failed", listener)

    def _new_file_id(self, prefix: str) -> tuple[str, str]:
        return prefix + secrets.token_urlsafe(36), "AQAD" + secrets.token_urlsafe(9)

    # ----------------------------------------------------------------- methods

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(409, WEBHOOK_ACTIVE)
        if self._active_poll is not None and not self._active_poll.done():
            # Telegram answers the older of two concurrent polls with 409.
            self._active_poll.set_result(None)
            self._signal.notify()
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._active_poll = mine
        self._signal.notify()  # so that wait_for(lambda: sandbox.polling) sees it
        try:
            if "allowed_updates" in params:
                self._set_allowed_updates(params["allowed_updates"])
            self._confirm_updates(params.get("offset", 0))
            limit = min(max(params.get("limit", 100), 1), 100)
            timeout = max(params.get("timeout", 0), 0)
            try:
                async with asyncio.timeout(timeout):
                    while not self._updates and not self._closing.is_set() and not mine.done():
                        await self._signal.wait()
            except TimeoutError:
                pass
            if mine.done():
                raise ApiError(409, POLL_TERMINATED)
            batch = self._updates[:limit]
            if batch:
                self._max_delivered_update_id = max(
                    self._max_delivered_update_id, batch[-1]["update_id"]
                )
            return json.loads(json.dumps(batch))
        finally:
            if self._active_poll is mine:
                self._active_poll = None

    def _confirm_updates(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _set_allowed_updates(self, allowed: list[str]) -> None:
        unknown = set(allowed) - self._update_types
        if unknown:
            logger.warning("allowed_updates has unknown update types %s", sorted(unknown))
        self._allowed_updates = frozenset(allowed) if allowed else None

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url: str = params["url"]
        if url:
            host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
            # Telegram wants HTTPS; plain HTTP is let through for a bot on this machine.
            if not (
                url.startswith("https://") or (url.startswith("http://") and host in LOOPBACK_HOSTS)
            ):
                raise ApiError(
                    400,
                    "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
                    violation=True,
                )
        secret = params.get("secret_token")
        if secret is not None and not (
            1 <= len(secret) <= 256
            and all(c.isascii() and (c.isalnum() or c in "_-") for c in secret)
        ):
            raise ApiError(
                400, "Bad Request: secret token contains unallowed characters", violation=True
            )
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in params:
            self._set_allowed_updates(params["allowed_updates"])
        self.webhook_url = url
        self.webhook_secret_token = secret if url else None
        self.webhook_max_connections = params.get("max_connections") if url else None
        self.webhook_ip_address = params.get("ip_address") if url else None
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = ""
        self.webhook_secret_token = None
        self.webhook_max_connections = None
        self.webhook_ip_address = None
        return True

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            if self.webhook_ip_address:
                info["ip_address"] = self.webhook_ip_address
            info["max_connections"] = self.webhook_max_connections or 40
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        text, entities = self._format(
            params["text"], params.get("parse_mode"), params.get("entities"), limit=TEXT_LIMIT
        )
        user = self._chat(params["chat_id"])
        return self._add_bot_message(user, params, text=text, caption=None, entities=entities)

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "photo")

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "document")

    async def _send_animation(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "animation")

    def _send_media(self, params: dict[str, Any], kind: FileKind) -> dict[str, Any]:
        stored = self._media_file(kind, params[kind], params)
        caption, entities = self._caption_of(params)
        user = self._chat(params["chat_id"])
        return self._add_bot_message(
            user, params, text=None, caption=caption, entities=entities, **stored.message_fields()
        )

    def _media_file(
        self, kind: FileKind, file: UploadedFile | str, sender: dict[str, Any]
    ) -> _StoredFile:
        """A file sent before (by file_id, or a URL), or an upload checked for what it must be
        and kept, so that the bot can send it again by a file_id. ``sender``: the call's (or
        the InputMedia's) parameters, for what the sender says about the file."""
        if isinstance(file, str):
            return self._existing_file(file, kind)
        if not file.data:
            raise ApiError(400, "Bad Request: file must be non-empty", violation=True)
        if kind == "photo":
            stored = self._new_photo(file)
        elif kind == "animation":
            stored = self._new_animation(file, sender)
        else:
            stored = self._new_document(file)
        return self._keep(stored)

    def _new_photo(self, photo: UploadedFile) -> _StoredFile:
        size = image_size(photo.data)
        if size is None:
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED", violation=True)
        width, height = size
        if width + height > 10_000 or max(width, height) > 20 * min(width, height):
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS", violation=True)
        sizes: list[dict[str, Any]] = []
        scaled = photo_sizes(width, height)
        for w, h in scaled:
            file_id, unique_id = self._new_file_id(PHOTO_ID_PREFIX)
            approx = max(1, len(photo.data) * w * h // (width * height))
            sizes.append(
                {
                    "file_id": file_id,
                    "file_unique_id": unique_id,
                    "file_size": approx,
                    "width": w,
                    "height": h,
                }
            )
        return _StoredFile("photo", photo.data, photo_sizes=sizes)

    def _new_document(self, document: UploadedFile) -> _StoredFile:
        name = document.filename or "document"
        mime = document.content_type or mimetypes.guess_type(name)[0]
        file_id, unique_id = self._new_file_id(DOCUMENT_ID_PREFIX)
        info: dict[str, Any] = {
            "file_name": name,
            "mime_type": mime or "application/octet-stream",
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_size": len(document.data),
        }
        return _StoredFile("document", document.data, document=info)

    def _new_animation(self, animation: UploadedFile, sender: dict[str, Any]) -> _StoredFile:
        """A GIF or an MP4. Width, height and duration are "as defined by the sender" (the
        spec) when given, else read from the file. (Telegram turns a GIF into an MP4; the
        sandbox keeps the GIF, and says so in mime_type.)"""
        clip = animation_info(animation.data)
        if clip is None:
            raise ApiError(400, NOT_AN_ANIMATION, violation=True)
        file_id, unique_id = self._new_file_id(ANIMATION_ID_PREFIX)
        info: dict[str, Any] = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "width": sender.get("width", clip.width),
            "height": sender.get("height", clip.height),
            "duration": sender.get("duration", round(clip.duration)),
            "mime_type": clip.mime_type,
            "file_size": len(animation.data),
        }
        if animation.filename:
            info["file_name"] = animation.filename
        return _StoredFile("animation", animation.data, animation=info)

    def _keep(self, stored: _StoredFile) -> _StoredFile:
        """Remember a file under each of its file_ids, so that the bot can send it again."""
        for file_id in stored.file_ids:
            self._files[file_id] = stored
        return stored

    def _existing_file(self, file_ref: str, kind: FileKind) -> _StoredFile:
        stored = self._files.get(file_ref)
        if stored is not None:
            if stored.kind != kind:
                raise ApiError(400, "Bad Request: type of file mismatch", violation=True)
            return stored
        if not file_ref.startswith(("http://", "https://")):
            raise ApiError(400, WRONG_FILE, violation=True)
        # No network here: stand in for whatever Telegram would have downloaded.
        name = file_ref.rstrip("/").rsplit("/", 1)[-1] or "file"
        if kind == "photo":
            file_id, unique_id = self._new_file_id(PHOTO_ID_PREFIX)
            size = {"file_id": file_id, "file_unique_id": unique_id, "width": 800, "height": 600}
            return self._keep(_StoredFile(kind, None, photo_sizes=[size]))
        if kind == "animation":
            file_id, unique_id = self._new_file_id(ANIMATION_ID_PREFIX)
            clip = {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "width": 320,
                "height": 240,
                "duration": 1,
                "file_name": name,
                "mime_type": "video/mp4",
            }
            return self._keep(_StoredFile(kind, None, animation=clip))
        file_id, unique_id = self._new_file_id(DOCUMENT_ID_PREFIX)
        document = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_name": name,
            "mime_type": mimetypes.guess_type(name)[0] or "application/octet-stream",
        }
        return self._keep(_StoredFile(kind, None, document=document))

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        if "rich_message" in params:
            raise ApiError(404, "Not Found", violation="rich_message is not implemented")
        text, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), limit=TEXT_LIMIT
        )
        user, message = self._editable(params)
        if message.text is None:
            raise ApiError(
                400, "Bad Request: there is no text in the message to edit", violation=True
            )
        return self._edit_content(user, message, params, "text", text, entities)

    async def _edit_message_caption(self, params: dict[str, Any]) -> dict[str, Any]:
        caption, entities = self._caption_of(params)
        user, message = self._editable(params)
        if message.text is not None:
            raise ApiError(
                400, "Bad Request: there is no caption in the message to edit", violation=True
            )
        return self._edit_content(user, message, params, "caption", caption, entities)

    async def _edit_message_media(self, params: dict[str, Any]) -> dict[str, Any]:
        """Replace a message's media (and caption and keyboard). Since Bot API 10.1 a text
        message can become a media message; the reverse does not exist (editMessageText on a
        media message is refused: it has no text)."""
        media = params["media"]
        kind = media["type"]
        if kind not in EDITABLE_MEDIA:
            raise ApiError(404, "Not Found", violation=f"InputMedia {kind} is not implemented")
        caption, entities = self._format(
            media.get("caption"),
            media.get("parse_mode"),
            media.get("caption_entities"),
            limit=CAPTION_LIMIT,
            caption=True,
        )
        user, message = self._editable(params)
        stored = self._media_file(kind, media["media"], media)
        markup = self._normalize_markup(params.get("reply_markup"))
        current = message.reply_markup if message.has_inline_keyboard else None
        if _media_file_id(message) in stored.file_ids and (caption, entities, markup) == (
            message.caption,
            message.entities,
            current,
        ):
            raise ApiError(400, NOT_MODIFIED)
        for name, value in _NO_CONTENT.items():
            setattr(message, name, copy.copy(value))
        for name, value in stored.message_fields().items():
            setattr(message, name, value)
        message.caption, message.entities = caption, entities
        return self._edited(user, message, media.get("parse_mode"), markup)

    def _edit_content(
        self,
        user: SimulatedUser,
        message: ChatMessage,
        params: dict[str, Any],
        field: str,
        value: str | None,
        entities: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """Replace a message's text or caption (and keyboard), as Telegram's edits do."""
        markup = self._normalize_markup(params.get("reply_markup"))
        current = message.reply_markup if message.has_inline_keyboard else None
        if value == getattr(message, field) and entities == message.entities and markup == current:
            raise ApiError(400, NOT_MODIFIED)
        setattr(message, field, value)
        message.entities = entities
        return self._edited(user, message, params.get("parse_mode"), markup)

    def _edited(
        self,
        user: SimulatedUser,
        message: ChatMessage,
        parse_mode: str | None,
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """The end of a content edit: the new keyboard, the edit date, the chat told."""
        message.parse_mode = parse_mode
        message.reply_markup = markup
        message.edit_count += 1
        message.edit_date = self._now()
        self._chat_changed(user, message.message_id, "edited")
        return self._message_payload(user, message)

    async def _edit_message_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        user, message = self._editable(params)
        markup = self._normalize_markup(params.get("reply_markup"))
        current = message.reply_markup if message.has_inline_keyboard else None
        if markup == current:
            raise ApiError(400, NOT_MODIFIED)
        message.reply_markup = markup
        # A keyboard-only change does not show the message as edited (no edit_date).
        message.edit_count += 1
        self._chat_changed(user, message.message_id, "edited")
        return self._message_payload(user, message)

    async def _delete_message(self, params: dict[str, Any]) -> bool:
        user = self._chat(params["chat_id"], writing=False)
        if not user._delete(params["message_id"]):
            raise ApiError(400, "Bad Request: message to delete not found")
        self._chat_changed(user, params["message_id"], "deleted")
        return True

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query = self._queries.get(params["callback_query_id"])
        if query is None or query.answer is not None:
            # The bot must answer each query exactly once: a second answer is a bug.
            raise ApiError(400, QUERY_TOO_OLD, violation=True)
        text = params.get("text")
        if text is not None and len(text) > CALLBACK_TEXT_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG", violation=True)
        query.answer = CallbackAnswer(
            text=text,
            show_alert=bool(params.get("show_alert", False)),
            url=params.get("url"),
            cache_time=params.get("cache_time"),
        )
        if not query.answered.done():
            query.answered.set_result(query.answer)
        return True

    async def _send_chat_action(self, params: dict[str, Any]) -> bool:
        if params["action"] not in CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request", violation=True)
        self._chat(params["chat_id"])
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = params["commands"]
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: BOT_COMMANDS_TOO_MUCH", violation=True)
        key = (_scope_key(params.get("scope")), params.get("language_code", ""))
        if commands:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    async def _set_profile_text(self, field: str, limit: int, params: dict[str, Any]) -> bool:
        text = params.get(field, "")
        if len(text) > limit:
            raise ApiError(400, f"Bad Request: {field} is too long", violation=True)
        key = (field, params.get("language_code", ""))
        if text:
            self._profile_texts[key] = text
        else:
            self._profile_texts.pop(key, None)
        return True

    async def _get_profile_text(self, field: str, params: dict[str, Any]) -> dict[str, str]:
        language_code = params.get("language_code", "")
        text = self._profile_texts.get((field, language_code))
        if text is None:
            text = self._profile_texts.get((field, ""), "")
        return {field: text}

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        key = (_scope_key(params.get("scope")), params.get("language_code", ""))
        return [dict(c) for c in self._commands.get(key, [])]

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        key = (_scope_key(params.get("scope")), params.get("language_code", ""))
        self._commands.pop(key, None)
        return True


# --------------------------------------------------------------------- module helpers


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    raw: dict[str, Any] = dict(request.query.items())
    files: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return raw, files
    content_type = request.content_type
    if content_type == "application/json":
        text = await request.text()
        if text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                raise ApiError(
                    400, "Bad Request: can't parse JSON request body", violation=True
                ) from None
            if not isinstance(body, dict):
                raise ApiError(
                    400, "Bad Request: JSON request body must be an object", violation=True
                )
            raw.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(
                    key, value.filename, value.content_type, value.file.read()
                )
            else:
                raw[key] = value
    return raw, files


# A message's content fields, emptied: what editMessageMedia clears before setting the new media.
_NO_CONTENT: dict[str, Any] = {
    "text": None,
    "caption": None,
    "entities": [],
    "photo": None,
    "photo_sizes": [],
    "document": None,
    "document_name": None,
    "document_mime_type": None,
    "document_info": None,
    "animation": None,
    "animation_info": None,
}


def _media_file_id(message: ChatMessage) -> str | None:
    """The file_id of the media a message shows (its largest photo size); None for text."""
    if message.photo_sizes:
        return message.photo_sizes[-1]["file_id"]
    for info in (message.animation_info, message.document_info):
        if info is not None:
            return info["file_id"]
    return None


def _scope_key(scope: dict[str, Any] | None) -> str:
    if not scope or scope.get("type") == "default":
        return "default"
    return json.dumps(scope, sort_keys=True)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(predicate: Callable[[], bool]) -> str:
    try:
        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)


def _trim(records: list[Any], keep_last: int | None) -> None:
    """Drop the oldest records beyond `keep_last`, a quarter of it at a time (not one by one:
    deleting from a list's front moves everything after it)."""
    if keep_last is not None and len(records) > keep_last + keep_last // 4:
        del records[: len(records) - keep_last]
