"""The runner's language: the locale the bot speaks with them (also in reminders and check-ins,
which no update of theirs carries), and whether they chose it with /language or it follows their
Telegram app (automatic). Runners from before start automatic, in English until their next update.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("language", sa.String(16), nullable=True))
        table.add_column(
            sa.Column("language_chosen", sa.Boolean(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.drop_column("language_chosen")
        table.drop_column("language")
