"""Streaks and check-ins: completed warm-ups by local date, running totals, settings, check-ins.

Only new tables: existing ones are not altered. (On SQLite an ALTER that batch mode turns into a
table copy would DROP the old `users` table, and with foreign keys on that cascades into every
runner's rows.)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.models import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warmup_completions",
        sa.Column("warmup_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("exercises_done", sa.Integer(), nullable=False),
        sa.Column("completed_at", UtcDateTime(), nullable=False),
        sa.Column("note", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["warmup_id"], ["warmup_sessions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("warmup_id"),
    )
    op.create_index(
        "ix_warmup_completions_user_date", "warmup_completions", ["user_id", "local_date"]
    )
    op.create_table(
        "user_stats",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("current", sa.Integer(), nullable=False),
        sa.Column("longest", sa.Integer(), nullable=False),
        sa.Column("freezes", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("frozen_days", sa.JSON(), nullable=False),
        sa.Column("earned_since_freeze", sa.Integer(), nullable=False),
        sa.Column("freezes_told_through", sa.Date(), nullable=True),
        sa.Column("feel_sum", sa.Integer(), nullable=False),
        sa.Column("feel_count", sa.Integer(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("checkin_minutes", sa.Integer(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("warmup_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("due_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("asked_at", UtcDateTime(), nullable=True),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("feel", sa.Integer(), nullable=True),
        sa.Column("pain", sa.String(16), nullable=True),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["warmup_id"], ["warmup_sessions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("warmup_id"),
    )
    op.create_index("ix_check_ins_status_due", "check_ins", ["status", "due_at"])
    op.create_index("ix_check_ins_status_expires", "check_ins", ["status", "expires_at"])
    op.create_index("ix_check_ins_user", "check_ins", ["user_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_check_ins_user", table_name="check_ins")
    op.drop_index("ix_check_ins_status_expires", table_name="check_ins")
    op.drop_index("ix_check_ins_status_due", table_name="check_ins")
    op.drop_table("check_ins")
    op.drop_table("user_settings")
    op.drop_table("user_stats")
    op.drop_index("ix_warmup_completions_user_date", table_name="warmup_completions")
    op.drop_table("warmup_completions")
