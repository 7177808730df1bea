"""Reminder schedules, sent reminders (exactly once per run date), guided-setup drafts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.models import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_schedules",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("run_days", sa.String(16), nullable=False),
        sa.Column("run_time", sa.String(5), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("next_remind_at", UtcDateTime(), nullable=True),
        sa.Column("next_run_date", sa.Date(), nullable=True),
        sa.Column("next_run_at", UtcDateTime(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index(
        "ix_reminder_schedules_next_remind_at", "reminder_schedules", ["next_remind_at"]
    )
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("run_at", UtcDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("snooze_until", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "run_date", name="uq_sent_reminders_user_run"),
    )
    op.create_index("ix_sent_reminders_snooze_until", "sent_reminders", ["snooze_until"])
    op.create_table(
        "reminder_drafts",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("run_days", sa.String(16), nullable=False),
        sa.Column("run_time", sa.String(5), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("awaiting", sa.String(16), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("reminder_drafts")
    op.drop_index("ix_sent_reminders_snooze_until", table_name="sent_reminders")
    op.drop_table("sent_reminders")
    op.drop_index("ix_reminder_schedules_next_remind_at", table_name="reminder_schedules")
    op.drop_table("reminder_schedules")
