"""When a warm-up's last set was counted or exercise skipped, so that a double tap on the redrawn
card (MIN_SET_SECONDS) counts nothing. Warm-ups already under way have none: their next set counts.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.models import UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("warmup_sessions") as table:
        table.add_column(sa.Column("moved_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("warmup_sessions") as table:
        table.drop_column("moved_at")
