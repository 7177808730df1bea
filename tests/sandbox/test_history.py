"""The offline sandbox keeps the runners' chats across a restart, as Telegram keeps a chat: the
messages with their edits, buttons and files come back, the old card's buttons still work with
the restarted bot, file_ids still work, and ids go on from where they were."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram import InputMediaAnimation

from bot.coach.clock import ManualClock
from bot.config import SettingsError
from bot.sandbox.history import ChatHistory, history_path
from bot.sandbox.run import connect_bot, keep_chats, start_sandbox_server
from bot.sandbox.server import BotApiSandbox
from bot.sandbox.webchat import DEFAULT_PROFILES, WebChat
from bot.telegram import texts
from tests.harness import BotRunner, say
from tests.sandbox.images import make_gif, make_mp4

# Ben speaks English (Ada German): the labels these tests tap are the English ones.
BEN = DEFAULT_PROFILES[1]


@dataclass
class Run:
    """One run of the offline sandbox: server, web chat, kept chats and the real bot."""

    sandbox: BotApiSandbox
    webchat: WebChat
    history: ChatHistory | None
    bot: BotRunner

    async def stop(self) -> None:
        await self.bot.stop()
        await self.sandbox.stop()
        if self.history is not None:
            self.history.close()
        assert self.sandbox.violations == []


async def start_run(sandbox_db: Path, database_url: str, clock: ManualClock) -> Run:
    """As bin/run does it: the server, the chats kept beside its database, then the bot."""
    sandbox, webchat = await start_sandbox_server(0)
    history = keep_chats(sandbox, f"sqlite+aiosqlite:///{sandbox_db}")
    bot = BotRunner(sandbox, database_url, clock)
    await connect_bot(webchat, await bot.start())
    return Run(sandbox, webchat, history, bot)


async def test_the_chats_come_back_after_a_restart_and_old_buttons_work(
    tmp_path: Path, database_url: str, clock: ManualClock
) -> None:
    sandbox_db = tmp_path / "sandbox.db"
    first = await start_run(sandbox_db, database_url, clock)
    try:
        ben = first.sandbox.user(BEN.user_id)
        card = await say(first.sandbox, ben, "/warmup")
        assert (await ben.tap_button(texts.DONE_SET_BUTTON, card.message_id)).text == (
            texts.ANSWER_SET_DONE.format(set_number=1)
        )
        await say(first.sandbox, ben, "/stats")  # a photo (or, without /stats, a reply)
        app = first.bot.application
        assert app is not None
        gif = make_gif(32, 32)
        clip = await app.bot.send_animation(BEN.user_id, gif, caption="Clam Shells")
        gone = await app.bot.send_message(BEN.user_id, "deleted before the restart")
        await app.bot.delete_message(BEN.user_id, gone.message_id)
        # A text turned into an animation, and its file replaced: what is kept is the last.
        demo = await app.bot.send_message(BEN.user_id, "Side Steps")
        await app.bot.edit_message_media(
            InputMediaAnimation(make_mp4(32, 32), caption="Side Steps"),
            BEN.user_id,
            demo.message_id,
        )
        await first.sandbox.user(BEN.user_id).send("hello from Ben")
        before = {p.user_id: first.sandbox.user(p.user_id).chat for p in DEFAULT_PROFILES}
        last_update_id = first.sandbox.last_update_id
    finally:
        await first.stop()
    assert history_path(sandbox_db).exists()

    second = await start_run(sandbox_db, database_url, clock)
    try:
        after = {p.user_id: second.sandbox.user(p.user_id).chat for p in DEFAULT_PROFILES}
        assert after == before, "every chat as it was: texts, edits, buttons, files"
        ben = second.sandbox.user(BEN.user_id)
        assert gone.message_id not in [m.message_id for m in ben.chat]
        assert "Set 2 of 2" in (ben.message(card.message_id).text or "")
        # The old card's button, tapped after the restart, works with the restarted bot.
        answer = await ben.tap_button(texts.DONE_SET_BUTTON, card.message_id)
        assert answer.text is not None and answer.text.startswith("Exercise done!")
        assert "Exercise 2 of 6" in (ben.message(card.message_id).text or "")
        # Ids go on after the old ones: Telegram never reuses them.
        update_id = await ben.send("/help")
        assert update_id > last_update_id
        await second.sandbox.wait_for(lambda: len(ben.chat) > len(before[BEN.user_id]) + 1)
        new_ids = [m.message_id for m in ben.chat[len(before[BEN.user_id]) :]]
        assert min(new_ids) > max(m.message_id for m in before[BEN.user_id])
        # A file_id from the last run still works.
        app = second.bot.application
        assert app is not None and clip.animation is not None
        again = await app.bot.send_animation(BEN.user_id, clip.animation.file_id)
        assert ben.message(again.message_id).animation == gif
    finally:
        await second.stop()


async def test_unreadable_kept_chats_stop_the_start_with_one_line(tmp_path: Path) -> None:
    sandbox_db = tmp_path / "sandbox.db"
    history_path(sandbox_db).write_bytes(b"this is not a SQLite file, it is much longer " * 4)
    sandbox = BotApiSandbox()
    with pytest.raises(SettingsError, match=r"cannot read the chats kept in .*--fresh"):
        keep_chats(sandbox, f"sqlite+aiosqlite:///{sandbox_db}")
    assert keep_chats(sandbox, "sqlite+aiosqlite://") is None, "in memory: nothing to keep"


def test_the_chats_live_beside_the_sandbox_database() -> None:
    assert history_path(Path("data/sandbox.db")) == Path("data/sandbox-chats.db")
    assert history_path(Path("/x/coach")) == Path("/x/coach-chats.db")
