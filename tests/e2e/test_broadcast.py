"""/broadcast: an admin's message to every runner, previewed, sent once each from a queue in the
database (resumed after a SIGKILL), skipping runners who blocked the bot; nobody else's."""

from __future__ import annotations

import json
import signal

from bot.coach.clock import ManualClock
from bot.db import warmups
from bot.db.engine import Database
from bot.db.migrate import upgrade_to_head
from bot.db.models import Broadcast, BroadcastRecipient
from bot.sandbox.server import BotApiSandbox, SimulatedUser
from bot.telegram import texts
from tests.e2e.processes import BotProcess
from tests.harness import BotRunner, button_data, message_by_id, say, stored_rows

ADMIN = 9000
FINISHED = "📣 Broadcast finished"


async def known_runners(database_url: str, user_ids: list[int], clock: ManualClock) -> None:
    """Runners the bot has met (as /warmup or /remind would have stored them)."""
    database = Database(database_url)
    await upgrade_to_head(database.engine)
    try:
        async with database.transaction() as db:
            for user_id in user_ids:
                await warmups.ensure_user(db, user_id, user_id, "Runner", clock())
    finally:
        await database.dispose()


def copies(runner: SimulatedUser, text: str) -> int:
    return sum(1 for m in runner.bot_messages() if m.text == text)


async def test_an_admin_broadcast_reaches_every_runner_once_and_skips_who_blocked(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    admin = sandbox.user(ADMIN, "Ops")
    runners = [sandbox.user(8900 + n) for n in range(6)]  # sent to before the admin (by id)
    blocker, refused = runners[-1], runners[0]
    assert refused.id < admin.id  # sent to first: the one 403 below is theirs
    await known_runners(database_url, [admin.id, *(r.id for r in runners)], clock)
    bot = BotRunner(sandbox, database_url, clock, admin_user_ids=(ADMIN,))
    await bot.start()
    text = "Track night moves to 19:00 🏃"
    try:
        blocker.block()  # Telegram tells the bot (my_chat_member): left out from now on
        # Handled in order with the chat's next update, whose reply then meets the block.
        await blocker.send("/help")
        await sandbox.wait_for(
            lambda: any(
                c.status == 403 and str(c.params.get("chat_id")) == str(blocker.id)
                for c in sandbox.calls_to("sendMessage")
            )
        )
        assert (await say(sandbox, admin, "/broadcast")).text == str(texts.BROADCAST_ASK)
        preview = await say(sandbox, admin, text)
        assert preview.text == f"{text}\n\n📣 Preview. This goes to 6 runners."
        labels = [label for row in preview.buttons for label, _ in row]
        assert labels == ["📣 Send", "✖ Cancel"]
        # One who blocked the bot without the bot hearing of it: the send gets a 403.
        sandbox.fail_next(1, status=403, methods={"sendMessage"})
        answer = await admin.tap(preview.message_id, button_data(preview, "Send"))
        assert answer.text == "Sending…"
        await sandbox.wait_for(
            lambda: message_by_id(admin, preview.message_id).text.startswith(FINISHED), timeout=30
        )
        final = message_by_id(admin, preview.message_id)
        assert final.text == (
            "📣 Broadcast finished, 6 runners:\n✅ sent 5 · 🚫 blocked the bot 1 · ⚠️ failed 0"
        )
        assert final.buttons == []
        # Each runner's /export lists what they were sent, or that it was refused.
        for runner, status in [(runners[1], "sent"), (refused, "blocked")]:
            exported = json.loads((await say(sandbox, runner, "/export")).document)
            [received] = exported["broadcasts_received"]
            assert (received["status"], received["text"]) == (status, text)
        # A second tap on Send (an old preview) sends nothing more.
        again = await admin.tap(preview.message_id, button_data(preview, "Send"))
        assert again.text == str(texts.ANSWER_BROADCAST_GONE)
        assert [copies(r, text) for r in [admin, *runners]] == [1, 0, 1, 1, 1, 1, 0]

        # Next time both are left out, and Cancel sends nothing.
        await say(sandbox, admin, "/broadcast")
        second = await say(sandbox, admin, "Hills on Sunday")
        assert second.text.endswith("This goes to 5 runners.")
        await admin.tap(second.message_id, button_data(second, "Cancel"))
        assert message_by_id(admin, second.message_id).text == str(texts.BROADCAST_CANCELLED)
        # Unblocking ("Restart" in the app) brings the runner back.
        blocker.unblock()
        await say(sandbox, blocker, "/help")  # after the unblock, in this chat's order
        await say(sandbox, admin, "/broadcast")
        third = await say(sandbox, admin, "Hills on Sunday")
        assert third.text.endswith("This goes to 6 runners.")
    finally:
        await bot.stop()
    assert all(copies(runner, "Hills on Sunday") == 0 for runner in [admin, *runners])
    statuses = sorted(b.status for b in await stored_rows(database_url, Broadcast))
    assert statuses == ["cancelled", "done", "preview"]


async def test_a_non_admins_broadcast_is_an_unknown_command_and_does_nothing(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    admin, stranger = sandbox.user(ADMIN, "Ops"), sandbox.user(9201, "Mallory")
    await known_runners(database_url, [admin.id, stranger.id], clock)
    bot = BotRunner(sandbox, database_url, clock, admin_user_ids=(ADMIN,))
    await bot.start()
    try:
        reply = await say(sandbox, stranger, "/broadcast")
        assert reply.text == texts.UNKNOWN_COMMAND.format(command="/broadcast")
        # Their next text is just text, not a broadcast.
        plain = await say(sandbox, stranger, "Free pizza for everyone")
        assert plain.text == str(texts.PLAIN_TEXT)
        # An admin's preview waits; the stranger forges its Send button on their own message.
        await say(sandbox, admin, "/broadcast")
        preview = await say(sandbox, admin, "Real news")
        data = button_data(preview, "Send")
        forged = await stranger.tap(plain.message_id, data)
        assert not forged.text
    finally:
        await bot.stop()
    [broadcast] = await stored_rows(database_url, Broadcast)
    assert broadcast.status == "preview" and broadcast.admin_user_id == ADMIN
    assert await stored_rows(database_url, BroadcastRecipient) == []
    assert copies(stranger, "Real news") == 0 and copies(stranger, "Free pizza for everyone") == 0


async def test_a_broadcast_killed_mid_send_resumes_and_sends_each_runner_once(
    sandbox: BotApiSandbox, database_url: str, clock: ManualClock
) -> None:
    admin = sandbox.user(ADMIN, "Ops")
    runners = [sandbox.user(9300 + n) for n in range(8)]
    everyone = [admin, *runners]
    await known_runners(database_url, [r.id for r in everyone], clock)
    # Two messages a second: one send in flight at a time, slow enough to stop mid-way.
    settings = {"ADMIN_USER_IDS": str(ADMIN), "TELEGRAM_MESSAGES_PER_SECOND": "2"}
    text = "Intervals moved to Thursday"

    def delivered() -> int:
        return sum(copies(runner, text) for runner in everyone)

    first = BotProcess(sandbox, database_url, **settings)
    await first.start_polling(sandbox)
    try:
        await say(sandbox, admin, "/broadcast")
        preview = await say(sandbox, admin, text)
        await admin.tap(preview.message_id, button_data(preview, "Send"), timeout=15)
        await sandbox.wait_for(lambda: delivered() >= 2, timeout=30)
        # The next message arrives but its answer is held, as if on the wire back: the bot
        # has sent it and not yet recorded it. Killed right then.
        sandbox.response_delay_s = 5.0
        before = delivered()
        await sandbox.wait_for(lambda: delivered() > before, timeout=30)
        first.signal(signal.SIGKILL)
        await first.wait(timeout=10)
    finally:
        await first.kill()
    sandbox.response_delay_s = 0.0
    assert delivered() == 3
    second = BotProcess(sandbox, database_url, **settings)
    await second.start_polling(sandbox)
    try:
        await sandbox.wait_for(
            lambda: message_by_id(admin, preview.message_id).text.startswith(FINISHED),
            timeout=60,
        )
    finally:
        second.signal(signal.SIGTERM)
        assert await second.wait(timeout=15) == 0
    assert [copies(runner, text) for runner in everyone] == [1] * len(everyone)
    final = message_by_id(admin, preview.message_id).text
    expected = texts.BROADCAST_DONE.format(9, sent=8, blocked=0, failed=0)
    assert final == f"{expected}\n{texts.BROADCAST_UNCONFIRMED.format(1)}"
    statuses = sorted(r.status for r in await stored_rows(database_url, BroadcastRecipient))
    assert statuses == ["sent"] * 8 + ["unconfirmed"]
