"""The web chat's HTTP API and event stream, against a running sandbox and the real bot.

Also `python -m bot` without a token, in a subprocess: the address it prints, --fresh, a clean
stop on SIGINT, and the one line it says when the port is taken.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession
from sqlalchemy import select

from bot.coach.clock import ManualClock
from bot.db.models import ReminderSchedule, SentReminder
from bot.sandbox.run import (
    KEEP_LAST,
    connect_bot,
    delete_database,
    first_message_id,
    port_in_use_message,
    start_sandbox_server,
)
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.webchat import DEFAULT_PROFILES, NO_REMINDER, STATIC_DIR, WebChat, attach_webchat
from bot.telegram import texts
from tests.harness import BotRunner, running
from tests.sandbox.images import make_gif, make_mp4, make_png

# Ben speaks English (Ada German): the labels these tests tap are the English ones.
ADA, BEN = DEFAULT_PROFILES[0], DEFAULT_PROFILES[1]
# Generous: a subprocess imports the bot and migrates a database before it answers.
PROCESS_TIMEOUT = 60.0
HAS_PROC_NET = Path("/proc/net/tcp").exists()


# The web chat's routes must be on the app before the server starts, so these replace the
# shared `sandbox` and `bot` fixtures (same checks, same real bot) for this module.
@pytest.fixture
def webchat() -> WebChat:
    return attach_webchat(BotApiSandbox())


@pytest.fixture
async def sandbox(webchat: WebChat) -> AsyncIterator[BotApiSandbox]:
    async with running(webchat.sandbox) as server:
        yield server


@pytest.fixture
async def bot(
    sandbox: BotApiSandbox, webchat: WebChat, database_url: str, clock: ManualClock
) -> AsyncIterator[BotRunner]:
    runner = BotRunner(sandbox, database_url, clock)
    application = await runner.start()
    await connect_bot(webchat, application)
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
async def http(webchat: WebChat, sandbox: BotApiSandbox) -> AsyncIterator[ClientSession]:
    async with ClientSession(base_url=webchat.url) as session:
        yield session


async def post(http: ClientSession, path: str, body: dict[str, Any]) -> ClientResponse:
    return await http.post(path, json=body)


async def chat(http: ClientSession, user_id: int) -> list[dict[str, Any]]:
    async with http.get(f"/api/users/{user_id}/chat") as response:
        assert response.status == 200
        return (await response.json())["messages"]


async def send(http: ClientSession, sandbox: BotApiSandbox, user_id: int, text: str) -> dict:
    """Send as the user through the API; return the bot's next message as the chat JSON has it."""
    user = sandbox.user(user_id)
    before = len(user.bot_messages())
    async with await post(http, f"/api/users/{user_id}/send", {"text": text}) as response:
        assert response.status == 200, await response.text()
    await sandbox.wait_for(lambda: len(user.bot_messages()) > before)
    bot_messages = [m for m in await chat(http, user_id) if m["from_bot"]]
    return bot_messages[before]


def button(message: dict[str, Any], label: str) -> str:
    for row in message["buttons"]:
        for b in row:
            if label in b["text"]:
                return b["data"]
    raise AssertionError(f"no button {label!r} in {message['buttons']}")


async def sse_events(response: ClientResponse) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(event name, data) for each event of a Server-Sent Events stream."""
    name, data = "message", ""
    async for raw in response.content:
        line = raw.decode().rstrip("\r\n")
        if line.startswith("event:"):
            name = line[len("event:") :].strip()
        elif line.startswith("data:"):
            data += line[len("data:") :].strip()
        elif not line and data:
            yield name, json.loads(data)
            name, data = "message", ""


# ------------------------------------------------------------------------- the page


async def test_page_and_its_assets_are_served(http: ClientSession) -> None:
    async with http.get("/") as page:
        assert page.status == 200
        assert page.content_type == "text/html"
        html = await page.text()
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert '<script src="/static/chat.js"' in html
    assert '<link rel="stylesheet" href="/static/chat.css">' in html
    for name, kind in [("chat.js", "text/javascript"), ("chat.css", "text/css")]:
        async with http.get(f"/static/{name}") as asset:
            assert asset.status == 200 and asset.content_type == kind
    for missing in ("/static/index.htm", "/static/..%2Fserver.py", "/static/webchat.py"):
        async with http.get(missing) as response:
            assert response.status == 404, missing


async def test_the_directory_lists_runners_and_the_command_menu(
    http: ClientSession, bot: BotRunner
) -> None:
    async with http.get("/api/users") as response:
        directory = await response.json()
    runners = [(u["first_name"], u["timezone"], u["language_code"]) for u in directory["users"]]
    assert runners == [
        ("Ada", "Europe/Berlin", "de"),
        ("Ben", "America/New_York", "en"),
        ("Chandra", "Asia/Kolkata", "en"),
        ("Dmitri", "Europe/Moscow", "ru"),
        ("Lucía", "America/Mexico_City", "es"),
    ]
    # The zone the bot has for each: their accounts start in their phones' zones.
    assert [u["bot_timezone"] for u in directory["users"]] == [u[1] for u in runners]
    assert [c["command"] for c in directory["commands"]] == [c for c, _ in texts.COMMANDS]


async def test_each_runner_writes_with_their_language_code(
    http: ClientSession, sandbox: BotApiSandbox
) -> None:
    for profile in DEFAULT_PROFILES:
        path = f"/api/users/{profile.user_id}/send"
        async with await post(http, path, {"text": "/start"}) as response:
            assert response.status == 200
        update = sandbox.pending_updates[-1]
        sandbox.spec.validate_object("Update", update)
        sender = update["message"]["from"]
        assert (sender["id"], sender["first_name"]) == (profile.user_id, profile.first_name)
        assert sender["language_code"] == profile.language_code
    assert {p.language_code for p in DEFAULT_PROFILES} >= {"de", "ru", "es"}


def test_the_page_never_renders_text_as_html() -> None:
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, f"chat.js uses {sink}"
    assert "textContent" in script and "createTextNode" in script


# --------------------------------------------------------------------- the chat API


async def test_sending_warmup_puts_the_card_in_the_chat(
    http: ClientSession, sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    card = await send(http, sandbox, BEN.user_id, "/warmup")
    mine, theirs = await chat(http, BEN.user_id)
    assert mine["text"] == "/warmup" and not mine["from_bot"]
    assert theirs == card
    assert "Exercise 1 of 6" in card["text"] and "Banded Side Steps" in card["text"]
    labels = [b["text"] for row in card["buttons"] for b in row]
    assert labels[0] == texts.DONE_SET_BUTTON
    assert card["edited"] is False and card["photo"] is None and card["document"] is None


async def test_a_tap_answers_with_the_toast_text(
    http: ClientSession, sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    card = await send(http, sandbox, BEN.user_id, "/warmup")
    body = {"message_id": card["id"], "data": button(card, "Done set")}
    async with await post(http, f"/api/users/{BEN.user_id}/tap", body) as response:
        answer = await response.json()
    assert answer["text"] == texts.ANSWER_SET_DONE.format(set_number=1)
    assert answer["show_alert"] is False
    [shown] = [m for m in await chat(http, BEN.user_id) if m["id"] == card["id"]]
    assert "Set 2 of 2" in shown["text"] and shown["edited"] is True


async def test_the_event_stream_delivers_the_edit_when_the_bot_makes_it(
    http: ClientSession, sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    async with http.get("/api/events") as stream:
        assert stream.content_type == "text/event-stream"
        events = sse_events(stream)
        async with asyncio.timeout(10):
            name, snapshot = await anext(events)
            assert name == "snapshot"
            assert snapshot["chats"] == {str(p.user_id): [] for p in DEFAULT_PROFILES}
            card = await send(http, sandbox, BEN.user_id, "/warmup")
            seen = []
            async for name, data in events:
                seen.append((name, data["message"]["id"]))
                if data["message"] == card:
                    break
            assert seen[0] == ("message", 1), "the runner's own message comes first"
            body = {"message_id": card["id"], "data": button(card, "Done set")}
            tap = asyncio.ensure_future(post(http, f"/api/users/{BEN.user_id}/tap", body))
            async for name, data in events:
                if name == "message" and data["message"]["id"] == card["id"]:
                    edited = data["message"]
                    break
            (await tap).close()
    assert data["user_id"] == BEN.user_id
    assert edited["edited"] is True and "Set 2 of 2" in edited["text"]


async def test_html_from_the_bot_comes_back_as_text(
    http: ClientSession, sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    assert bot.application is not None
    html = "<script>alert(1)</script><b>x</b>"
    await bot.application.bot.send_message(BEN.user_id, html)
    await bot.application.bot.send_message(
        BEN.user_id, "&lt;script&gt;alert(2)&lt;/script&gt; <b>bold</b>", parse_mode="HTML"
    )
    plain, formatted = await chat(http, BEN.user_id)
    assert plain["text"] == html and plain["entities"] == []
    assert formatted["text"] == "<script>alert(2)</script> bold"
    assert formatted["entities"] == [{"type": "bold", "offset": 26, "length": 4}]


async def test_photos_and_documents_download(
    http: ClientSession, sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    assert bot.application is not None
    png = make_png(40, 30)
    await bot.application.bot.send_photo(BEN.user_id, png, caption="Your streak")
    data = b'{"warmups": []}'
    await bot.application.bot.send_document(
        BEN.user_id, data, filename="warm-up coach export.json", caption="Everything"
    )
    photo, document = await chat(http, BEN.user_id)
    assert photo["caption"] == "Your streak"
    assert photo["photo"]["width"] == 40 and photo["photo"]["height"] == 30
    async with http.get(photo["photo"]["url"]) as response:
        assert response.status == 200 and response.content_type == "image/png"
        assert await response.read() == png
    assert document["document"]["name"] == "warm-up coach export.json"
    assert document["document"]["size"] == len(data)
    async with http.get(document["document"]["url"]) as response:
        assert response.status == 200
        assert await response.read() == data
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="warm-up coach export.json"')
        assert response.headers["Content-Security-Policy"].startswith("sandbox")
    async with http.get(f"/api/users/{BEN.user_id}/files/999") as response:
        assert response.status == 404


async def test_animations_are_served_for_playing_and_seeking(
    http: ClientSession, sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    assert bot.application is not None
    gif, mp4 = make_gif(32, 32), make_mp4(32, 32)
    await bot.application.bot.send_animation(BEN.user_id, gif, caption="Clam Shells")
    await bot.application.bot.send_animation(BEN.user_id, mp4, caption="Side Steps")
    shown = await chat(http, BEN.user_id)
    assert [(m["caption"], m["animation"]["mime_type"]) for m in shown] == [
        ("Clam Shells", "image/gif"),
        ("Side Steps", "video/mp4"),
    ]
    assert all(m["document"] is None and m["photo"] is None for m in shown)
    assert (shown[1]["animation"]["width"], shown[1]["animation"]["duration"]) == (32, 1)
    for message, clip in zip(shown, (gif, mp4), strict=True):
        async with http.get(message["animation"]["url"]) as response:
            assert response.status == 200 and await response.read() == clip
            assert response.content_type == message["animation"]["mime_type"]
            assert response.headers["Accept-Ranges"] == "bytes"
    # A video seeks with range requests.
    url = shown[1]["animation"]["url"]
    async with http.get(url, headers={"Range": "bytes=100-199"}) as response:
        assert response.status == 206 and await response.read() == mp4[100:200]
        assert response.headers["Content-Range"] == f"bytes 100-199/{len(mp4)}"
    async with http.get(url, headers={"Range": f"bytes={len(mp4)}-"}) as response:
        assert response.status == 416


async def reminder_state(bot: BotRunner) -> list[tuple]:
    """Every runner's next reminder as the bot has it, and every reminder it has claimed."""
    assert bot.application is not None
    async with bot.application.bot_data["services"].db.transaction() as db:
        schedules = (await db.execute(select(ReminderSchedule))).scalars()
        claimed = (await db.execute(select(SentReminder))).scalars()
        return [(s.user_id, s.next_run_date, s.next_remind_at) for s in schedules] + [
            (c.user_id, c.run_date, c.status) for c in claimed
        ]


async def test_fire_reminder_sends_a_demonstration_and_moves_no_real_reminder(
    http: ClientSession, sandbox: BotApiSandbox, bot: BotRunner
) -> None:
    path = f"/api/users/{BEN.user_id}/fire-reminder"
    async with await post(http, path, {}) as response:
        assert await response.json() == {"fired": False, "run_date": None, "toast": NO_REMINDER}
    # Ben's account was set up in New York's time zone, so /remind defaults to it: at the
    # clock's 01:30 there, his next run is this Wednesday's.
    summary = await send(http, sandbox, BEN.user_id, "/remind mon,wed,fri 07:00")
    assert "(America/New_York)" in summary["text"]
    before = await reminder_state(bot)
    ben = sandbox.user(BEN.user_id)
    for pressed in (1, 2):  # two presses used to skip two real reminders
        async with await post(http, path, {}) as response:
            assert await response.json() == {
                "fired": True,
                "run_date": "2026-11-25",
                "toast": "⏰ Sent the reminder for your run on Wed 25 Nov",
            }
        await sandbox.wait_for(lambda count=1 + pressed: len(ben.bot_messages()) == count)
        reminder = [m for m in await chat(http, BEN.user_id) if m["from_bot"]][-1]
        assert reminder["text"].startswith("Run at 07:00: time to warm up")
    assert await reminder_state(bot) == before, "the real schedule stays as it was"
    assert sandbox.user(ADA.user_id).chat == [], "the other runners' chats are untouched"


async def test_the_api_refuses_what_a_browser_page_elsewhere_could_send(
    http: ClientSession, bot: BotRunner
) -> None:
    send_path = f"/api/users/{BEN.user_id}/send"
    # A cross-site form post cannot set a JSON content type without a CORS preflight.
    async with http.post(send_path, data={"text": "/warmup"}) as response:
        assert response.status == 415
    async with http.get("/", headers={"Host": "evil.example:8080"}) as response:
        assert response.status == 403
    async with http.get("/api/users/123/chat") as response:
        assert response.status == 404, "only the simulated runners can be used"
    async with await post(http, send_path, {"text": "   "}) as response:
        assert response.status == 400
    async with await post(http, send_path, {"text": "x" * 4097}) as response:
        assert response.status == 400


# ------------------------------------------------------------ python -m bot, no token


def sandbox_env(tmp_path: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TELEGRAM_BOT_TOKEN="",
        SANDBOX_PORT=str(port),
        SANDBOX_DATABASE_URL=f"sqlite:///{tmp_path / 'coach.db'}",
        # The real bot's database: the sandbox must leave it alone.
        DATABASE_URL=f"sqlite:///{tmp_path / 'real-bot.db'}",
        LOG_LEVEL="WARNING",
        # These processes run on the real clock: a second ✅ Done set a fast test makes within
        # 2 s would be taken for a gloved double tap.
        MIN_SET_SECONDS="0",
    )
    return env


async def start_bot_process(
    tmp_path: Path, port: int, *args: str, log_level: str = "WARNING"
) -> asyncio.subprocess.Process:
    # cwd: a folder with no .env, so only the environment above counts.
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env={**sandbox_env(tmp_path, port), "LOG_LEVEL": log_level},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


def make_old_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE progress_from_last_time (x)")


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def listening_addresses(port: int) -> list[str]:
    """Local addresses with a listening TCP socket on ``port``, from /proc (Linux)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.rpartition(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.append(address)
    return found


async def test_python_m_bot_without_token_runs_the_sandbox_fresh_and_stops_cleanly(
    tmp_path: Path,
) -> None:
    database = tmp_path / "coach.db"
    make_old_database(database)
    process = await start_bot_process(tmp_path, 0, "--fresh")
    try:
        assert process.stdout is not None
        async with asyncio.timeout(PROCESS_TIMEOUT):
            line = (await process.stdout.readline()).decode()
        assert line.startswith("Warm-up Coach sandbox: open http://127.0.0.1:"), line
        url = line.split("open ", 1)[1].split()[0]
        port = int(url.rsplit(":", 1)[1])
        assert "progress_from_last_time" not in tables(database), "--fresh starts empty"
        assert {"users", "warmup_sessions"} <= tables(database)
        if HAS_PROC_NET:
            assert listening_addresses(port) == ["0100007F"], "listens on 127.0.0.1 only"
        async with ClientSession() as http:
            async with http.get(url) as page:
                assert page.status == 200
            # A browser tab still listening must not hold up the stop.
            async with http.get(f"{url}/api/events") as stream:
                events = sse_events(stream)
                async with asyncio.timeout(PROCESS_TIMEOUT):
                    assert (await anext(events))[0] == "snapshot"
                process.send_signal(signal.SIGINT)
                async with asyncio.timeout(PROCESS_TIMEOUT):
                    assert [event async for event in events] == [], "the stream just ends"
                    _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert stderr.decode().startswith("No TELEGRAM_BOT_TOKEN is set, so this starts the offline")
    assert "users" in tables(database), "the progress is kept for next time"
    assert not (tmp_path / "real-bot.db").exists(), "the demo runners stay out of the real bot's"


async def sandbox_url(process: asyncio.subprocess.Process) -> str:
    """The web chat's address, from the line the sandbox prints once it is up."""
    assert process.stdout is not None
    async with asyncio.timeout(PROCESS_TIMEOUT):
        line = (await process.stdout.readline()).decode()
    assert line.startswith("Warm-up Coach sandbox: open http://127.0.0.1:"), line
    return line.split("open ", 1)[1].split()[0]


async def stop_process(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGINT)
    async with asyncio.timeout(PROCESS_TIMEOUT):
        _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()


async def bot_card(http: ClientSession, user_id: int, text: str) -> dict[str, Any]:
    """Send as the runner and return the bot's reply, waiting on the live events for it."""
    async with http.get("/api/events") as stream:
        events = sse_events(stream)
        async with asyncio.timeout(PROCESS_TIMEOUT):
            assert (await anext(events))[0] == "snapshot"
            async with await post(http, f"/api/users/{user_id}/send", {"text": text}) as sent:
                assert sent.status == 200
            async for name, data in events:
                if name == "message" and data["message"]["from_bot"]:
                    return data["message"]
    raise AssertionError("the event stream ended")


async def test_bin_run_again_shows_the_chats_and_their_buttons_still_work(tmp_path: Path) -> None:
    process = await start_bot_process(tmp_path, 0)
    try:
        url = await sandbox_url(process)
        async with ClientSession(base_url=url) as http:
            card = await bot_card(http, BEN.user_id, "/warmup")
            tap = {"message_id": card["id"], "data": button(card, "Done set")}
            async with await post(http, f"/api/users/{BEN.user_id}/tap", tap) as response:
                assert (await response.json())["text"] == texts.ANSWER_SET_DONE.format(set_number=1)
            before = await chat(http, BEN.user_id)
        await stop_process(process)
        process = await start_bot_process(tmp_path, 0)
        url = await sandbox_url(process)
        async with ClientSession(base_url=url) as http:
            assert await chat(http, BEN.user_id) == before, "the chat as it was"
            [kept] = [m for m in before if m["id"] == card["id"]]
            # A process started as bin/run starts it draws demonstrations: the card is a caption.
            assert "Set 2 of 2" in (kept["text"] or kept["caption"]) and kept["edited"] is True
            # The old card's button, after the restart: the bot kept the warm-up.
            tap = {"message_id": card["id"], "data": button(kept, "Done set")}
            async with await post(http, f"/api/users/{BEN.user_id}/tap", tap) as response:
                assert (await response.json())["text"].startswith("Exercise done!")
            [shown] = [m for m in await chat(http, BEN.user_id) if m["id"] == card["id"]]
            assert "Exercise 2 of 6" in (shown["text"] or shown["caption"])
            reply = await bot_card(http, BEN.user_id, "/help")
            assert reply["id"] > max(m["id"] for m in before), "ids go on"
        await stop_process(process)
        process = await start_bot_process(tmp_path, 0, "--fresh")
        url = await sandbox_url(process)
        async with ClientSession(base_url=url) as http:
            assert await chat(http, BEN.user_id) == [], "--fresh starts empty"
        await stop_process(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_taken_port_gets_one_clear_line_and_exit_code_2(tmp_path: Path) -> None:
    database = tmp_path / "coach.db"
    make_old_database(database)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        # The default log level: no log line may come before or after the reason.
        process = await start_bot_process(tmp_path, port, "--fresh", log_level="INFO")
        async with asyncio.timeout(PROCESS_TIMEOUT):
            stdout, stderr = await process.communicate()
    assert process.returncode == 2
    assert stderr.decode().splitlines() == [port_in_use_message(port)], "the reason, alone"
    assert port_in_use_message(port) == (
        f"Port {port} is in use; set SANDBOX_PORT={port + 1} (or any free port) and run again."
    )
    assert stdout == b""
    assert "progress_from_last_time" in tables(database), "a failed start deletes nothing"


async def test_fresh_is_refused_for_the_real_bot(tmp_path: Path) -> None:
    env = sandbox_env(tmp_path, 0)
    env["TELEGRAM_BOT_TOKEN"] = "123456:REAL-TOKEN"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--fresh",
        cwd=tmp_path,
        env=env,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(PROCESS_TIMEOUT):
        _, stderr = await process.communicate()
    assert process.returncode == 2
    assert stderr.decode().startswith("--fresh starts the offline sandbox")


def test_fresh_deletes_the_sqlite_file_and_its_journals(tmp_path: Path) -> None:
    database = tmp_path / "coach.db"
    make_old_database(database)
    (tmp_path / "coach.db-wal").write_bytes(b"")
    make_old_database(tmp_path / "coach-chats.db")  # the chats kept beside it
    (tmp_path / "coach-chats.db-shm").write_bytes(b"")
    deleted = delete_database(f"sqlite+aiosqlite:///{database}")
    assert sorted(p.name for p in deleted) == [
        "coach-chats.db",
        "coach-chats.db-shm",
        "coach.db",
        "coach.db-wal",
    ]
    assert list(tmp_path.iterdir()) == []
    assert delete_database(f"sqlite+aiosqlite:///{database}") == [], "nothing there: fine"


async def test_message_ids_go_on_after_a_restart() -> None:
    # The bot's database keeps the ids of cards it will edit; a restarted sandbox, even one
    # without its kept chats, must not hand out those ids (or update ids) again.
    before = first_message_id(time.time())
    sandbox, _ = await start_sandbox_server(0)
    try:
        update_id = await sandbox.user(BEN.user_id).send("/start")
        [message] = sandbox.user(BEN.user_id).chat
    finally:
        await sandbox.stop()
    assert message.message_id > before and update_id > before
    assert first_message_id(time.time() + 60) >= message.message_id + 59


async def test_the_offline_sandbox_keeps_a_bounded_log() -> None:
    sandbox, _ = await start_sandbox_server(0)
    try:
        assert sandbox.keep_last == KEEP_LAST  # what test_keep_last.py shows bounded
    finally:
        await sandbox.stop()


async def test_the_sandbox_binds_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        await BotApiSandbox().start(host="0.0.0.0")
