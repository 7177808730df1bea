"""The web chat: a Telegram-style private chat in the browser, served by the sandbox itself.

It is a few routes on the sandbox's own aiohttp app (one port for the Bot API and the page):

    GET  /                                    the page (static/index.html)
    GET  /static/{name}                       chat.js, chat.css
    GET  /api/users                           the simulated users, the bot and its command menu
    GET  /api/users/{user_id}/chat            one user's chat as JSON
    POST /api/users/{user_id}/send            {"text": ...}: the user sends a message
    POST /api/users/{user_id}/tap             {"message_id", "data"}: a tap; answers the toast
    POST /api/users/{user_id}/fire-reminder   a demonstration of this user's next reminder, now
    GET  /api/users/{user_id}/files/{id}      a photo, animation or document of a message
    GET  /api/events                          Server-Sent Events: a snapshot, then every change
                                              (messages, and a runner's time zone at the bot)

The page renders everything from the bot with textContent (never as HTML), so whatever the bot
sends shows as text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.sandbox.media import animation_info, image_size
from bot.sandbox.server import LOOPBACK_HOSTS, TEXT_LIMIT, BotApiSandbox
from bot.sandbox.users import ChatMessage, SimulatedUser

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_FILES = {
    "chat.js": "text/javascript",
    "chat.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
# The page loads nothing from elsewhere and runs no inline script: a message that somehow got
# rendered as HTML still could not run code.
PAGE_CSP = (
    "default-src 'self'; img-src 'self' blob:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
# Files come from the bot; served as inert downloads so a document cannot script our page.
FILE_CSP = "sandbox; default-src 'none'"
IMAGE_TYPES = {
    b"\x89PNG": "image/png",
    b"\xff\xd8": "image/jpeg",
    b"GIF8": "image/gif",
    b"RIFF": "image/webp",
}
# How long a tap waits for answerCallbackQuery; Telegram's clients give up after about as long.
TAP_TIMEOUT = 15.0
# A comment line now and then lets a stream notice a browser that went away.
KEEPALIVE_SECONDS = 20.0
# A browser tab that stops reading is dropped rather than buffered forever; it reconnects and
# gets a fresh snapshot.
MAX_BACKLOG = 1000
NO_REMINDER = "Set reminders first with /remind"
REMINDER_SENT = "⏰ Sent the reminder for your run on {run}"

# Sends a demonstration of the runner's next reminder; returns the run's date it stands for.
FireReminder = Callable[[int], Awaitable[date | None]]
# The time zone the bot has for a runner (None: it has no account for them).
RunnerTimezone = Callable[[int], Awaitable[str | None]]


@dataclass(frozen=True)
class Profile:
    """A simulated runner the page can switch to.

    ``timezone`` is their phone's (message times show in it, and the bot's account for them
    starts in it); ``language_code`` is their Telegram app's language, sent with everything
    they do (``from.language_code``), as Telegram does. The page itself stays in English."""

    user_id: int
    first_name: str
    timezone: str
    city: str
    language_code: str


DEFAULT_PROFILES: tuple[Profile, ...] = (
    Profile(7_100_001, "Ada", "Europe/Berlin", "Berlin", "de"),
    Profile(7_100_002, "Ben", "America/New_York", "New York", "en"),
    Profile(7_100_003, "Chandra", "Asia/Kolkata", "Bengaluru", "en"),
    Profile(7_100_004, "Dmitri", "Europe/Moscow", "Moscow", "ru"),
    Profile(7_100_005, "Lucía", "America/Mexico_City", "Mexico City", "es"),
)


class WebChat:
    """The web chat routes on one sandbox. ``fire_reminder`` and ``runner_timezone`` are set
    once the bot is running (then ``refresh_zones()`` reads every runner's zone)."""

    def __init__(
        self,
        sandbox: BotApiSandbox,
        profiles: tuple[Profile, ...] = DEFAULT_PROFILES,
        *,
        fire_reminder: FireReminder | None = None,
        runner_timezone: RunnerTimezone | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.profiles = profiles
        self.fire_reminder = fire_reminder
        self.runner_timezone = runner_timezone
        self._by_id = {p.user_id: p for p in profiles}
        self._streams: set[asyncio.Queue[bytes | None]] = set()
        # The zone the bot has for each runner, as last read; the page shows it in the list.
        self._zones: dict[int, str | None] = {p.user_id: None for p in profiles}
        self._zones_to_read: set[int] = set()
        self._zone_reader: asyncio.Task[None] | None = None
        for profile in profiles:
            sandbox.user(profile.user_id, profile.first_name, language_code=profile.language_code)

    @property
    def url(self) -> str:
        return f"http://{self.sandbox.host}:{self.sandbox.port}"

    def attach(self) -> None:
        """Add the routes; must happen before ``sandbox.start()`` (aiohttp freezes the router)."""
        router = self.sandbox.app.router
        router.add_get("/", self._page)
        router.add_get("/static/{name}", self._static)
        router.add_get("/api/users", self._users)
        router.add_get("/api/users/{user_id}/chat", self._chat)
        router.add_post("/api/users/{user_id}/send", self._send)
        router.add_post("/api/users/{user_id}/tap", self._tap)
        router.add_post("/api/users/{user_id}/fire-reminder", self._fire)
        router.add_get("/api/users/{user_id}/files/{message_id}", self._file)
        router.add_get("/api/events", self._events)
        self.sandbox.app.on_shutdown.append(self._close_streams)
        self.sandbox.app.on_shutdown.append(self._stop_reading_zones)
        self.sandbox.add_chat_listener(self._on_chat_change)

    async def refresh_zones(self, user_ids: Iterable[int] | None = None) -> None:
        """Read the runners' time zones from the bot; a change goes to the open pages."""
        if self.runner_timezone is None:
            return
        for user_id in list(user_ids if user_ids is not None else self._zones):
            zone = await self.runner_timezone(user_id)
            if zone != self._zones.get(user_id):
                self._zones[user_id] = zone
                self._broadcast(_event("runner", {"user_id": user_id, "bot_timezone": zone}))

    # ------------------------------------------------------------------ pages

    async def _page(self, request: web.Request) -> web.StreamResponse:
        _check_host(request)
        return web.FileResponse(
            STATIC_DIR / "index.html",
            headers={
                "Content-Type": "text/html; charset=utf-8",
                "Content-Security-Policy": PAGE_CSP,
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-cache",
            },
        )

    async def _static(self, request: web.Request) -> web.StreamResponse:
        _check_host(request)
        name = request.match_info["name"]
        content_type = STATIC_FILES.get(name)
        if content_type is None:
            raise web.HTTPNotFound()
        return web.FileResponse(
            STATIC_DIR / name,
            headers={
                "Content-Type": f"{content_type}; charset=utf-8",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-cache",
            },
        )

    # -------------------------------------------------------------------- API

    async def _users(self, request: web.Request) -> web.Response:
        _check_host(request)
        return web.json_response(self._directory())

    async def _chat(self, request: web.Request) -> web.Response:
        _check_host(request)
        user = self._user(request)
        return web.json_response({"user_id": user.id, "messages": self._messages(user)})

    async def _send(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await _json_body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return _error(400, "Type a message first.")
        text = text.strip()
        if len(text) > TEXT_LIMIT:
            return _error(400, f"A message can be at most {TEXT_LIMIT} characters.")
        update_id = await user.send(text)
        return web.json_response({"update_id": update_id})

    async def _tap(self, request: web.Request) -> web.Response:
        user = self._user(request)
        body = await _json_body(request)
        message_id, data = body.get("message_id"), body.get("data")
        if not isinstance(message_id, int) or not isinstance(data, str) or not data:
            return _error(400, "A tap needs message_id and data.")
        try:
            answer = await user.tap(message_id, data, timeout=TAP_TIMEOUT)
        except LookupError:
            return _error(404, "That message is gone.")
        except TimeoutError:
            logger.warning("the bot did not answer a tap by user %s on %s", user.id, message_id)
            return _error(504, "The bot did not answer the tap.")
        return web.json_response(asdict(answer))

    async def _fire(self, request: web.Request) -> web.Response:
        user = self._user(request)
        await _json_body(request)
        if self.fire_reminder is None:
            return _error(503, "The bot is not running.")
        try:
            run_date = await self.fire_reminder(user.id)
        except Exception:
            # The page shows one sentence; the details belong in the sandbox's log.
            logger.exception("firing the next reminder of user %s failed", user.id)
            return _error(500, "The reminder could not be sent; see the sandbox's log.")
        if run_date is None:
            return web.json_response({"fired": False, "run_date": None, "toast": NO_REMINDER})
        run = f"{run_date:%a} {run_date.day} {run_date:%b}"  # "Mon 7 Dec"
        toast = REMINDER_SENT.format(run=run)
        return web.json_response({"fired": True, "run_date": run_date.isoformat(), "toast": toast})

    async def _file(self, request: web.Request) -> web.Response:
        _check_host(request)
        user = self._user(request)
        try:
            message = user._get(int(request.match_info["message_id"]))
        except ValueError:
            message = None
        headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": FILE_CSP}
        if message is not None and message.animation is not None:
            clip = animation_info(message.animation)
            if clip is not None:  # the page plays it: a GIF in <img>, an MP4 in <video>
                return _ranged(request, message.animation, clip.mime_type, headers)
        if message is not None and message.photo is not None:
            content_type = _image_type(message.photo)
            if content_type is not None:
                return web.Response(body=message.photo, content_type=content_type, headers=headers)
            headers["Content-Disposition"] = _attachment(f"photo-{message.message_id}")
            return web.Response(
                body=message.photo, content_type="application/octet-stream", headers=headers
            )
        if message is not None and message.document is not None:
            name = message.document_name or f"document-{message.message_id}"
            headers["Content-Disposition"] = _attachment(name)
            return web.Response(
                body=message.document,
                content_type=message.document_mime_type or "application/octet-stream",
                headers=headers,
            )
        raise web.HTTPNotFound()

    # ------------------------------------------------------------ live updates

    async def _events(self, request: web.Request) -> web.StreamResponse:
        _check_host(request)
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        # The snapshot and the subscription happen with no await between them, so no change
        # can fall in between.
        self._streams.add(queue)
        snapshot = _event("snapshot", {**self._directory(), "chats": self._chats()})
        try:
            await response.write(snapshot)
            while True:
                try:
                    async with asyncio.timeout(KEEPALIVE_SECONDS):
                        item = await queue.get()
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if item is None:
                    break
                await response.write(item)
        except ConnectionResetError:
            logger.debug("web chat event stream closed by the browser")
        finally:
            self._streams.discard(queue)
        return response

    def _on_chat_change(self, user: SimulatedUser, message_id: int, change: str) -> None:
        if user.id not in self._by_id:
            return
        live = user._get(message_id)
        if live is not None and live.from_bot:
            # The bot answers after it has stored what the runner did: a /remind with another
            # zone, or a /forget, is in its database by the time its reply is here.
            self._read_zone_soon(user.id)
        if not self._streams:
            return
        if change == "deleted":
            event = _event("delete", {"user_id": user.id, "message_id": message_id})
        elif live is None:
            return
        else:
            event = _event("message", {"user_id": user.id, "message": message_json(user, live)})
        self._broadcast(event)

    def _broadcast(self, event: bytes) -> None:
        for queue in list(self._streams):
            if queue.qsize() >= MAX_BACKLOG:
                logger.warning("a web chat tab stopped reading; dropping its event stream")
                self._streams.discard(queue)
                queue.put_nowait(None)
            else:
                queue.put_nowait(event)

    def _read_zone_soon(self, user_id: int) -> None:
        if self.runner_timezone is None:
            return
        self._zones_to_read.add(user_id)
        if self._zone_reader is None or self._zone_reader.done():
            self._zone_reader = asyncio.create_task(self._read_zones())

    async def _read_zones(self) -> None:
        # One reader, one runner at a time: an older read never lands after a newer one.
        while self._zones_to_read:
            user_id = self._zones_to_read.pop()
            try:
                await self.refresh_zones([user_id])
            except Exception:
                # The list keeps the zone it showed; the bot may be stopping.
                logger.warning("could not read user %s's time zone from the bot", user_id)

    async def _stop_reading_zones(self, app: web.Application) -> None:
        if self._zone_reader is not None:
            self._zone_reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._zone_reader

    async def _close_streams(self, app: web.Application) -> None:
        for queue in list(self._streams):
            queue.put_nowait(None)
        self._streams.clear()

    # --------------------------------------------------------------- helpers

    def _user(self, request: web.Request) -> SimulatedUser:
        _check_host(request)
        try:
            user_id = int(request.match_info["user_id"])
        except ValueError:
            raise web.HTTPNotFound() from None
        if user_id not in self._by_id:
            raise web.HTTPNotFound()
        return self.sandbox.user(user_id)

    def _directory(self) -> dict[str, Any]:
        return {
            "bot": {"name": "Warm-up Coach", "username": self.sandbox.bot_username},
            "commands": self.sandbox.commands,
            "users": [
                {**asdict(p), "bot_timezone": self._zones.get(p.user_id)} for p in self.profiles
            ],
        }

    def _messages(self, user: SimulatedUser) -> list[dict[str, Any]]:
        return [message_json(user, m) for m in user.chat]

    def _chats(self) -> dict[str, list[dict[str, Any]]]:
        return {str(p.user_id): self._messages(self.sandbox.user(p.user_id)) for p in self.profiles}


def attach_webchat(
    sandbox: BotApiSandbox,
    profiles: tuple[Profile, ...] = DEFAULT_PROFILES,
    *,
    fire_reminder: FireReminder | None = None,
    runner_timezone: RunnerTimezone | None = None,
) -> WebChat:
    """Create the web chat for ``sandbox`` (not yet started) and add its routes."""
    webchat = WebChat(
        sandbox, profiles, fire_reminder=fire_reminder, runner_timezone=runner_timezone
    )
    webchat.attach()
    return webchat


def message_json(user: SimulatedUser, message: ChatMessage) -> dict[str, Any]:
    """A message as the page draws it. Text stays text; entities say how to format it."""
    file_url = f"/api/users/{user.id}/files/{message.message_id}"
    payload: dict[str, Any] = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "text": message.text,
        "caption": message.caption,
        "entities": message.entities,
        "date": message.date,
        "edited": message.edit_date is not None,
        "reply_to": message.reply_to_message_id,
        "buttons": _inline_buttons(message),
        "photo": None,
        "animation": None,
        "document": None,
    }
    if message.photo_sizes:
        largest = message.photo_sizes[-1]
        payload["photo"] = {
            "url": file_url if message.photo is not None else None,
            "width": largest.get("width"),
            "height": largest.get("height"),
        }
    if message.animation_info is not None:
        info = message.animation_info
        # The clip's own id in the address: a clip swapped in place (editMessageMedia) is a new
        # address, which the browser loads instead of replaying the one it has.
        version = info.get("file_unique_id", "")
        payload["animation"] = {
            "url": f"{file_url}?v={version}" if message.animation is not None else None,
            "mime_type": info.get("mime_type"),
            "width": info.get("width"),
            "height": info.get("height"),
            "duration": info.get("duration"),
        }
    if message.document_info is not None:
        payload["document"] = {
            "url": file_url if message.document is not None else None,
            "name": message.document_name or "document",
            "mime_type": message.document_mime_type,
            "size": message.document_info.get("file_size"),
        }
    return payload


def _inline_buttons(message: ChatMessage) -> list[list[dict[str, Any]]]:
    # Only inline keyboards belong to a message; a reply keyboard is not drawn.
    if not message.has_inline_keyboard or message.reply_markup is None:
        return []
    rows = message.reply_markup["inline_keyboard"]
    return [
        [{"text": b["text"], "data": b.get("callback_data"), "url": b.get("url")} for b in row]
        for row in rows
    ]


def _check_host(request: web.Request) -> None:
    # A page elsewhere can point a DNS name at 127.0.0.1 ("DNS rebinding"); only answer to names
    # that really mean this machine.
    host = request.url.host or ""
    if host.strip("[]") not in LOOPBACK_HOSTS:
        raise web.HTTPForbidden(text="The sandbox only answers on 127.0.0.1 / localhost.")


async def _json_body(request: web.Request) -> dict[str, Any]:
    _check_host(request)
    # A JSON content type makes a cross-site form post need a CORS preflight, which we never
    # grant: another page in the browser cannot make a runner send or tap.
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="Send JSON (Content-Type: application/json).")
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="The body is not JSON.") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="The body must be a JSON object.")
    return body


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def _event(name: str, data: dict[str, Any]) -> bytes:
    # JSON has no raw newlines, so one data: line carries the whole event.
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def _image_type(data: bytes) -> str | None:
    if image_size(data) is None:
        return None
    for magic, content_type in IMAGE_TYPES.items():
        if data.startswith(magic):
            return content_type
    return None


def _ranged(
    request: web.Request, body: bytes, content_type: str, headers: dict[str, str]
) -> web.Response:
    """The file, or the byte range asked for: a browser seeks in a video (and shows the frame
    it seeked to) only where the server answers ranges."""
    headers = {**headers, "Accept-Ranges": "bytes"}
    try:
        wanted = request.http_range
    except ValueError:
        wanted = slice(len(body), None)  # unreadable: refused below
    if wanted.start is None and wanted.stop is None:
        return web.Response(body=body, content_type=content_type, headers=headers)
    start, stop, _ = wanted.indices(len(body))
    if start >= stop:
        raise web.HTTPRequestRangeNotSatisfiable(headers={"Content-Range": f"bytes */{len(body)}"})
    headers["Content-Range"] = f"bytes {start}-{stop - 1}/{len(body)}"
    return web.Response(
        status=206, body=body[start:stop], content_type=content_type, headers=headers
    )


def _attachment(name: str) -> str:
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
