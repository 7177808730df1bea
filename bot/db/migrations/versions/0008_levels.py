"""Levels, the quick version and the runner's say on difficulty: each runner's level per
exercise, the ratings of warm-ups, the history of level changes; each warm-up's plan (levels,
quick); quick as a reminder default; quick warm-ups counted apart. Runners from before are at
level 1 everywhere, their warm-ups full.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.models import UtcDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Literal defaults ("0", not sa.false()): SQLite then adds the column with ALTER TABLE, where an
# expression would make Alembic copy the whole table.
_FALSE = "0"


def _user_key() -> sa.Column:
    return sa.Column(
        "user_id",
        sa.BigInteger(),
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )


def upgrade() -> None:
    op.create_table(
        "exercise_levels",
        _user_key(),
        sa.Column("exercise_key", sa.String(64), primary_key=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("easy_count", sa.Integer(), nullable=False),
        sa.Column("last_up_on", sa.Date(), nullable=True),
    )
    op.create_table(
        "level_progress",
        _user_key(),
        sa.Column("hard_run", sa.Integer(), nullable=False),
        sa.Column("pain_on", sa.Date(), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
    )
    op.create_table(
        "warmup_ratings",
        sa.Column(
            "warmup_id",
            sa.Integer(),
            sa.ForeignKey("warmup_sessions.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("rating", sa.String(8), nullable=False),
        sa.Column("rated_at", UtcDateTime(), nullable=False),
    )
    op.create_index("ix_warmup_ratings_user_id", "warmup_ratings", ["user_id"])
    op.create_table(
        "level_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "user_id",
            sa.BigInteger(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("exercise_key", sa.String(64), nullable=False),
        sa.Column("from_level", sa.Integer(), nullable=False),
        sa.Column("to_level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(8), nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_level_changes_user", "level_changes", ["user_id", "id"])
    with op.batch_alter_table("warmup_sessions") as table:
        table.add_column(sa.Column("levels", sa.JSON(), nullable=True))
        table.add_column(sa.Column("quick", sa.Boolean(), nullable=False, server_default=_FALSE))
        table.add_column(sa.Column("announced", sa.JSON(), nullable=True))
    with op.batch_alter_table("warmup_completions") as table:
        table.add_column(sa.Column("quick", sa.Boolean(), nullable=False, server_default=_FALSE))
    for name in ("reminder_schedules", "reminder_drafts"):
        with op.batch_alter_table(name) as table:
            table.add_column(
                sa.Column("quick", sa.Boolean(), nullable=False, server_default=_FALSE)
            )
    with op.batch_alter_table("user_stats") as table:
        table.add_column(sa.Column("quick_total", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("check_ins") as table:
        table.add_column(sa.Column("eased_off_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_ins") as table:
        table.drop_column("eased_off_at")
    with op.batch_alter_table("user_stats") as table:
        table.drop_column("quick_total")
    for name in ("reminder_drafts", "reminder_schedules"):
        with op.batch_alter_table(name) as table:
            table.drop_column("quick")
    with op.batch_alter_table("warmup_completions") as table:
        table.drop_column("quick")
    with op.batch_alter_table("warmup_sessions") as table:
        table.drop_column("announced")
        table.drop_column("quick")
        table.drop_column("levels")
    op.drop_index("ix_level_changes_user", "level_changes")
    op.drop_table("level_changes")
    op.drop_index("ix_warmup_ratings_user_id", "warmup_ratings")
    op.drop_table("warmup_ratings")
    op.drop_table("level_progress")
    op.drop_table("exercise_levels")
