"""Moving demonstrations on the warm-up card: the clips' Telegram file ids (uploaded once per
bot), the runner's on/off setting, and each warm-up's card kind (those from before stay text).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.models import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "demo_uploads",
        sa.Column("clip_key", sa.String(96), primary_key=True),
        sa.Column("file_id", sa.String(256), nullable=False),
        sa.Column("file_unique_id", sa.String(128), nullable=False),
        sa.Column("uploaded_at", UtcDateTime(), nullable=False),
    )
    with op.batch_alter_table("user_settings") as table:
        table.add_column(sa.Column("demonstrations", sa.Boolean(), nullable=True))
    with op.batch_alter_table("warmup_sessions") as table:
        table.add_column(
            sa.Column("card_kind", sa.String(16), nullable=False, server_default="text")
        )


def downgrade() -> None:
    with op.batch_alter_table("warmup_sessions") as table:
        table.drop_column("card_kind")
    with op.batch_alter_table("user_settings") as table:
        table.drop_column("demonstrations")
    op.drop_table("demo_uploads")
