"""Start and stop an Application by hand, for the entry points that share an event loop.

`Application.run_polling` owns the loop and calls `post_init`/`post_shutdown` itself. The sandbox
(server and bot in one loop) and the tests start the same Application step by step; doing it here
keeps those steps, including the hooks, identical everywhere.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application

# Short long-polls keep shutdown and restarts quick on loopback; Telegram itself allows up to 50.
LOCAL_POLL_TIMEOUT = 10


async def start_polling(
    application: Application, *, poll_timeout: int = LOCAL_POLL_TIMEOUT
) -> None:
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(
        timeout=poll_timeout, poll_interval=0, allowed_updates=Update.ALL_TYPES
    )
    await application.start()


async def stop_polling(application: Application) -> None:
    """Stop taking updates, let handlers in flight finish, then release everything."""
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()
    if application.post_shutdown:
        await application.post_shutdown(application)
