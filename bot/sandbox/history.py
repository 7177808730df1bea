"""The simulated runners' chats, kept in a SQLite file beside the offline sandbox's database.

Telegram keeps a chat, so after `bin/run` again the runners see what they saw before, and an
old warm-up card's buttons still work (the bot kept its side in its own database). Kept here:
every message as it looks now (text, caption, entities, buttons, edits), the files the bot
uploaded (so their file_ids still work), each chat's last message id and the last update id.

Why a separate SQLite file and not JSON: each change is one small transaction (a JSON file
would be rewritten whole on every edit, and half-written by a crash), files are stored once as
BLOBs, and the bot's own database stays the bot's (Alembic's, and a demo runner's /forget
must not touch the chats). Writes are synchronous on the loop's thread: a message is a row of
a few hundred bytes, and WAL with synchronous=NORMAL commits without waiting for the disk.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.sandbox.users import ChatMessage, SimulatedUser

if TYPE_CHECKING:
    from bot.sandbox.server import BotApiSandbox, _StoredFile

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    user_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    body TEXT NOT NULL,            -- the ChatMessage without its bytes, as JSON
    PRIMARY KEY (user_id, message_id)
);
CREATE TABLE IF NOT EXISTS files (
    file_id TEXT PRIMARY KEY,      -- the first of its file_ids
    kind TEXT NOT NULL,
    body TEXT NOT NULL,            -- its PhotoSizes, Document or Animation, as JSON
    data BLOB
);
CREATE TABLE IF NOT EXISTS chats (
    user_id INTEGER PRIMARY KEY,
    last_message_id INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
"""
# A message's bytes live in `files`, found again by the message's file_id.
BYTES_FIELDS = ("photo", "document", "animation")
_MESSAGE_FIELDS = frozenset(f.name for f in dataclasses.fields(ChatMessage))


def history_path(database: Path) -> Path:
    """Where the chats are kept for a sandbox database file: data/sandbox.db keeps them in
    data/sandbox-chats.db."""
    return database.with_name(f"{database.stem}-chats{database.suffix or '.db'}")


class ChatHistory:
    """The chats of one sandbox, in one SQLite file: ``restore`` them into a sandbox before it
    is used, ``attach`` to write every change, ``close`` when the sandbox has stopped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)  # autocommit; BEGIN by hand
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = NORMAL")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"{path} was written by a newer sandbox (schema {version})")
        self._db.executescript(SCHEMA)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._sandbox: BotApiSandbox | None = None
        self._detach: Any = None

    # ------------------------------------------------------------------ reading

    def restore(self, sandbox: BotApiSandbox) -> int:
        """Put the kept chats of the sandbox's users back, files first (so their file_ids work
        again), and number what comes next after what was; returns how many messages."""
        from bot.sandbox.server import _StoredFile

        files: dict[str, _StoredFile] = {}
        for kind, body, data in self._db.execute("SELECT kind, body, data FROM files"):
            info = json.loads(body)
            stored = _StoredFile(
                kind,
                data,
                photo_sizes=info.get("photo_sizes", []),
                document=info.get("document", {}),
                animation=info.get("animation", {}),
            )
            sandbox._keep(stored)
            for known_id in stored.file_ids:
                files[known_id] = stored
        users = {user.id: user for user in sandbox.users}
        restored = 0
        for user_id, body in self._db.execute(
            "SELECT user_id, body FROM messages ORDER BY user_id, message_id"
        ):
            user = users.get(user_id)
            if user is None:
                continue  # a runner no longer offered: their chat stays in the file
            user._add(_message_from(json.loads(body), files))
            restored += 1
        for user_id, last_message_id in self._db.execute(
            "SELECT user_id, last_message_id FROM chats"
        ):
            if user_id in users:
                users[user_id].continue_message_ids_after(last_message_id)
        row = self._db.execute("SELECT value FROM counters WHERE name = 'last_update_id'")
        last_update = row.fetchone()
        if last_update is not None:
            sandbox.continue_update_ids_after(last_update[0])
        logger.info("Restored %s chat messages from %s", restored, self.path)
        return restored

    # ------------------------------------------------------------------ writing

    def attach(self, sandbox: BotApiSandbox) -> None:
        """Write every message added, edited or deleted from now on."""
        self._sandbox = sandbox
        self._detach = sandbox.add_chat_listener(self._on_chat_change)

    def close(self) -> None:
        """Stop writing; keeps the last update id the sandbox handed out."""
        if self._detach is not None:
            self._detach()
            self._detach = None
        if self._sandbox is not None:
            self._save_update_id(self._sandbox.last_update_id)
        self._db.close()

    def _on_chat_change(self, user: SimulatedUser, message_id: int, change: str) -> None:
        assert self._sandbox is not None
        self._db.execute("BEGIN")
        try:
            if change == "deleted":
                self._db.execute(
                    "DELETE FROM messages WHERE user_id = ? AND message_id = ?",
                    (user.id, message_id),
                )
            else:
                message = user._get(message_id)
                if message is not None:
                    self._save_message(user.id, message)
            self._db.execute(
                "INSERT INTO chats (user_id, last_message_id) VALUES (?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET last_message_id = excluded.last_message_id",
                (user.id, user._last_message_id),
            )
            self._save_update_id(self._sandbox.last_update_id)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _save_message(self, user_id: int, message: ChatMessage) -> None:
        body = {
            name: value
            for name, value in dataclasses.asdict(message).items()
            if name not in BYTES_FIELDS
        }
        self._db.execute(
            "INSERT INTO messages (user_id, message_id, body) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id, message_id) DO UPDATE SET body = excluded.body",
            (user_id, message.message_id, json.dumps(body, ensure_ascii=False)),
        )
        assert self._sandbox is not None
        file_id = _file_id_of(message)
        stored = self._sandbox._files.get(file_id) if file_id is not None else None
        if stored is not None:
            self._save_file(stored)

    def _save_file(self, stored: _StoredFile) -> None:
        body = {
            "photo_sizes": stored.photo_sizes,
            "document": stored.document,
            "animation": stored.animation,
        }
        self._db.execute(
            "INSERT INTO files (file_id, kind, body, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (file_id) DO NOTHING",
            (stored.file_ids[0], stored.kind, json.dumps(body), stored.data),
        )

    def _save_update_id(self, last_update_id: int) -> None:
        self._db.execute(
            "INSERT INTO counters (name, value) VALUES ('last_update_id', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)",
            (last_update_id,),
        )


def _file_id_of(message: ChatMessage) -> str | None:
    """The file_id of the file a message shows, whichever size of a photo."""
    if message.photo_sizes:
        return message.photo_sizes[0]["file_id"]
    for info in (message.animation_info, message.document_info):
        if info is not None:
            return info["file_id"]
    return None


def _message_from(body: dict[str, Any], files: dict[str, _StoredFile]) -> ChatMessage:
    message = ChatMessage(**{k: v for k, v in body.items() if k in _MESSAGE_FIELDS})
    file_id = _file_id_of(message)
    stored = files.get(file_id) if file_id is not None else None
    if stored is not None:
        for name, value in stored.message_fields().items():
            if name in BYTES_FIELDS:
                setattr(message, name, value)
    return message
