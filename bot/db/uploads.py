"""Repository for the demonstration clips' Telegram file ids. Takes an AsyncSession; never
commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DemoUpload


async def get_upload(session: AsyncSession, clip_key: str) -> DemoUpload | None:
    return await session.get(DemoUpload, clip_key)


async def store_upload(
    session: AsyncSession, clip_key: str, file_id: str, file_unique_id: str, now: datetime
) -> None:
    """Keep what Telegram gave for an upload (another process may just have stored its own:
    either is good, the last one stays)."""
    await session.merge(
        DemoUpload(
            clip_key=clip_key, file_id=file_id, file_unique_id=file_unique_id, uploaded_at=now
        )
    )


async def forget_upload(session: AsyncSession, clip_key: str) -> None:
    """Telegram no longer takes the file id: the clip is uploaded again next time."""
    await session.execute(delete(DemoUpload).where(DemoUpload.clip_key == clip_key))
