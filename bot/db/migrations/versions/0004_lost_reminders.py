"""A partial index on the reminders still `sending`, for finding those a stopped process left.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SENDING = sa.text("status = 'sending'")


def upgrade() -> None:
    op.create_index(
        "ix_sent_reminders_sending",
        "sent_reminders",
        ["run_at"],
        postgresql_where=_SENDING,
        sqlite_where=_SENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_sent_reminders_sending", table_name="sent_reminders")
