"""A loopback TCP proxy between the bot and PostgreSQL that can cut its connections silently.

`cut_silently()` plays a network cut nobody announced (a NAT or load balancer forgetting the
connection, a crashed host): the bot's end still looks open, and only its next request fails,
when the proxy resets the connection instead of passing the bytes on. The server's own goodbye
(pg_terminate_backend) is another case: asyncpg reads it and marks the connection closed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class CuttableProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._server: asyncio.Server | None = None
        self._links: set[_Link] = set()
        self.port = 0
        self.resets = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for link in list(self._links):
            link.close()
        await self._server.wait_closed()

    def cut_silently(self) -> None:
        """Every connection open now: reset (RST) on the bot's next bytes, which go nowhere."""
        for link in self._links:
            link.cut = True

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        link = _Link(writer, up_writer)
        self._links.add(link)
        try:
            await asyncio.gather(
                self._pump(reader, up_writer, link, from_bot=True),
                self._pump(up_reader, writer, link, from_bot=False),
            )
        finally:
            self._links.discard(link)
            link.close()

    async def _pump(
        self,
        source: asyncio.StreamReader,
        sink: asyncio.StreamWriter,
        link: _Link,
        *,
        from_bot: bool,
    ) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await source.read(65536):
                if link.cut:
                    if from_bot:
                        self.resets += 1
                        link.close()
                    return
                sink.write(data)
                await sink.drain()
        link.close()


class _Link:
    def __init__(self, bot_side: asyncio.StreamWriter, server_side: asyncio.StreamWriter) -> None:
        self.bot_side, self.server_side = bot_side, server_side
        self.cut = False

    def close(self) -> None:
        # abort(): a reset, not a goodbye (no FIN after the server's last message).
        self.bot_side.transport.abort()
        self.server_side.transport.abort()


@contextlib.asynccontextmanager
async def proxied(host: str, port: int) -> AsyncIterator[CuttableProxy]:
    proxy = CuttableProxy(host, port)
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.stop()
