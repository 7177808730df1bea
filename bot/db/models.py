"""Database tables: runners and their warm-up sessions (SQLAlchemy 2 typed models)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def as_utc(value: datetime) -> datetime:
    """A stored instant as an aware UTC datetime (SQLite gives it back without its zone)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which forgets the zone) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store aware UTC instants only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return as_utc(value) if value is not None else None


class Base(AsyncAttrs, DeclarativeBase):
    pass


class User(Base):
    """A runner, keyed by their Telegram user id."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    first_name: Mapped[str] = mapped_column(String(128), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The locale the bot speaks with them (None: not known yet, English); chosen with /language,
    # or else following their Telegram app's language_code.
    language: Mapped[str | None] = mapped_column(String(16))
    language_chosen: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When a send was refused because they blocked the bot (403); broadcasts skip them.
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WarmupSession(Base):
    """One walk-through of the routine, kept step by step so a restart loses nothing."""

    __tablename__ = "warmup_sessions"
    __table_args__ = (Index("ix_warmup_sessions_user_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The message that shows this warm-up; buttons on any other message are old.
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    exercise_index: Mapped[int]
    set_number: Mapped[int]
    sets_done: Mapped[list[int]] = mapped_column(JSON)
    skipped: Mapped[list[bool]] = mapped_column(JSON)
    showing_how_to: Mapped[bool]
    # Grows with every change; an UPDATE ... WHERE version = ? makes a double tap count once,
    # even across two bot processes.
    version: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When a set was last counted or an exercise skipped (the MIN_SET_SECONDS guard).
    moved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # How the card is shown: "animation" (a moving demonstration with the text as its caption)
    # or "text". Fixed when the warm-up starts; warm-ups from before demonstrations are text.
    card_kind: Mapped[str] = mapped_column(String(16), default="text", server_default="text")
    # The plan it follows (bot/coach/plan.py): the runner's level of each exercise by key when it
    # started (None: from before levels, all level 1) and whether it is the quick version.
    levels: Mapped[dict[str, int] | None] = mapped_column(JSON)
    quick: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Level changes its first card announces: [[exercise key, from level, to level], ...].
    announced: Mapped[list[list[object]] | None] = mapped_column(JSON)


class ReminderSchedule(Base):
    """A runner's run days and time, and the next reminder instant precomputed in UTC.

    The local rule (days, wall-clock time, the user's time zone) is the truth; `next_remind_at`
    is derived from it whenever it fires or changes, so one indexed query finds everything due.
    """

    __tablename__ = "reminder_schedules"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    run_days: Mapped[str] = mapped_column(String(16))  # "0,2,4": 0=Mon .. 6=Sun
    run_time: Mapped[str] = mapped_column(String(5))  # "07:00", local wall clock
    lead_minutes: Mapped[int]
    enabled: Mapped[bool]
    # The reminder's first button starts the quick version (one set of each) instead of the full.
    quick: Mapped[bool] = mapped_column(default=False, server_default=false())
    next_remind_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    next_run_date: Mapped[date | None] = mapped_column(Date)
    next_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Breaks ties between reminders due at the same instant, differently each run date, so the
    # lateness of a peak the limit cannot absorb falls on different runners each time.
    next_rank: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SentReminder(Base):
    """One reminder per (runner, local run date): the row is the exactly-once guarantee.

    It is inserted before the message is sent; a second process, a retry or a restart that tries
    the same run date hits the unique constraint and sends nothing.
    """

    __tablename__ = "sent_reminders"
    __table_args__ = (
        UniqueConstraint("user_id", "run_date", name="uq_sent_reminders_user_run"),
        # The few rows still `sending`: the dispatcher looks for ones a stopped process left.
        Index(
            "ix_sent_reminders_sending",
            "run_at",
            postgresql_where=text("status = 'sending'"),
            sqlite_where=text("status = 'sending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    run_date: Mapped[date] = mapped_column(Date)
    run_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # sending -> sent | skipped (warm-up already done) | missed (run passed) | blocked | failed;
    # sent -> snoozed -> sent again; sent -> dismissed ("Not today"); sending -> lost (the
    # process sending it stopped first: it may or may not have arrived; never sent again).
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    snooze_until: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class ReminderDraft(Base):
    """The guided /remind setup in progress, so a restart in the middle loses nothing."""

    __tablename__ = "reminder_drafts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    run_days: Mapped[str] = mapped_column(String(16))
    run_time: Mapped[str | None] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    lead_minutes: Mapped[int]
    quick: Mapped[bool] = mapped_column(default=False, server_default=false())
    # What typed text means while the setup waits for it: "time", "timezone" or None.
    awaiting: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WarmupCompletion(Base):
    """A completed warm-up as the streak saw it: the runner's local date and whether it counted.

    `note` is what the completion card said (milestone, freeze, not counted), so the card can be
    redrawn with the same words.
    """

    __tablename__ = "warmup_completions"
    __table_args__ = (Index("ix_warmup_completions_user_date", "user_id", "local_date"),)

    warmup_id: Mapped[int] = mapped_column(
        ForeignKey("warmup_sessions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    counted: Mapped[bool]
    exercises_done: Mapped[int]
    quick: Mapped[bool] = mapped_column(default=False, server_default=false())
    completed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    note: Mapped[dict[str, object]] = mapped_column(JSON)


class UserStats(Base):
    """The running totals /stats shows, updated with each warm-up and check-in, so /stats reads
    one row whatever the length of the history. The streak columns are a `StreakState`."""

    __tablename__ = "user_stats"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    current: Mapped[int] = mapped_column(default=0)
    longest: Mapped[int] = mapped_column(default=0)
    freezes: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # Of `total`, the quick ones (/stats shows quick and full apart).
    quick_total: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    last_day: Mapped[date | None] = mapped_column(Date)
    frozen_days: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates, oldest first
    earned_since_freeze: Mapped[int] = mapped_column(default=0)
    # The latest frozen day the runner was told about; each freeze is announced once.
    freezes_told_through: Mapped[date | None] = mapped_column(Date)
    feel_sum: Mapped[int] = mapped_column(default=0)
    feel_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class UserSettings(Base):
    """Per-runner choices from /settings; no row means every default."""

    __tablename__ = "user_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    # Minutes after a completed warm-up to ask how the run felt; None: check-ins are off.
    checkin_minutes: Mapped[int | None]
    # Moving demonstrations on the warm-up card; None: the default, on.
    demonstrations: Mapped[bool | None]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CheckIn(Base):
    """The after-run "How did your run feel?", asked once by the check-in dispatcher.

    pending -> sending (claimed with UPDATE ... WHERE status = 'pending', so it is asked once
    even with two processes) -> asked -> answered; pending, sending or asked -> expired (no
    answer in time, turned off, the send failed); sending -> lost (the process asking it
    stopped first: it may or may not have arrived; never asked again).
    """

    __tablename__ = "check_ins"
    __table_args__ = (
        Index("ix_check_ins_status_due", "status", "due_at"),
        Index("ix_check_ins_status_expires", "status", "expires_at"),
        Index("ix_check_ins_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    warmup_id: Mapped[int] = mapped_column(
        ForeignKey("warmup_sessions.id", ondelete="CASCADE"), unique=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    feel: Mapped[int | None]
    pain: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When its "go down a level" button was taken: it works once.
    eased_off_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DemoUpload(Base):
    """A demonstration clip as Telegram knows it, so it is uploaded once per bot: the file_id
    to send it again, and the file_unique_id a message's animation carries (which clip a card
    shows). Keyed by the clip's slug and content hash: a redrawn clip is uploaded anew."""

    __tablename__ = "demo_uploads"

    clip_key: Mapped[str] = mapped_column(String(96), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(128))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ExerciseLevel(Base):
    """A runner's level of one exercise (no row: level 1) and the counting that moves it up
    (bot/coach/level_rules.py)."""

    __tablename__ = "exercise_levels"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    exercise_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[int]
    # Easy-rated warm-ups in a row in which this exercise was done in full.
    easy_count: Mapped[int] = mapped_column(default=0)
    # The day it last went up by itself: at most once a week.
    last_up_on: Mapped[date | None] = mapped_column(Date)


class LevelProgress(Base):
    """What moves every exercise at once: Hard ratings in a row, and the last pain reported."""

    __tablename__ = "level_progress"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    hard_run: Mapped[int] = mapped_column(default=0)
    pain_on: Mapped[date | None] = mapped_column(Date)  # in the runner's time zone
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WarmupRating(Base):
    """How a completed warm-up felt, as the runner rated it on the summary card: once each."""

    __tablename__ = "warmup_ratings"

    warmup_id: Mapped[int] = mapped_column(
        ForeignKey("warmup_sessions.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rating: Mapped[str] = mapped_column(String(8))  # easy | right | hard
    rated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LevelChange(Base):
    """The history of a runner's levels: every change, why, and whether a card announced it."""

    __tablename__ = "level_changes"
    __table_args__ = (Index("ix_level_changes_user", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    exercise_key: Mapped[str] = mapped_column(String(64))
    from_level: Mapped[int]
    to_level: Mapped[int]
    reason: Mapped[str] = mapped_column(String(8))  # easy | hard | pain | manual
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    announced: Mapped[bool] = mapped_column(default=False)


class Broadcast(Base):
    """An operator's message to every runner (/broadcast), sent from a queue in the database.

    writing (waiting for the text) -> preview -> sending -> done; writing or preview ->
    cancelled. `message_id` is the admin's message that shows the preview, then the progress.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    admin_user_id: Mapped[int] = mapped_column(BigInteger)
    admin_chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str | None] = mapped_column(String(4096))
    entities: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BroadcastRecipient(Base):
    """One runner's copy of a broadcast: the row that makes it resumable and never sent twice.

    pending -> sending (claimed right before the send) -> sent | blocked | failed; sending ->
    unconfirmed (the process sending it stopped: it may have arrived; never sent again).
    """

    __tablename__ = "broadcast_recipients"
    __table_args__ = (Index("ix_broadcast_recipients_status", "broadcast_id", "status"),)

    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
