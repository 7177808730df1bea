"""Repository for runners' levels: each exercise's level and the counting that moves it (the rules
are bot/coach/level_rules.py), the ratings of warm-ups and the history of changes. Takes an
AsyncSession; never commits.

Every change goes through one path: lock the runner's `level_progress` row, read their state,
apply a rule, store the new state and the changes. Two taps (or two processes) on the same
runner's levels therefore take turns, and a warm-up is rated once (its rating's primary key).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach import level_rules
from bot.coach.level_rules import LevelState, Rated, Rating
from bot.db.models import (
    ExerciseLevel,
    LevelChange,
    LevelProgress,
    WarmupCompletion,
    WarmupRating,
)
from bot.db.rows import locked_row


async def current_levels(session: AsyncSession, user_id: int) -> dict[str, int]:
    """The runner's level of each exercise by key (a missing key: level 1)."""
    rows = await session.execute(
        select(ExerciseLevel.exercise_key, ExerciseLevel.level).where(
            ExerciseLevel.user_id == user_id
        )
    )
    return {key: level for key, level in rows}


@dataclass(frozen=True)
class RatingOutcome:
    rated: Rated
    held_by_pain: bool  # an Easy rating that would have counted toward a level-up, on hold


async def rate_warmup(
    session: AsyncSession,
    user_id: int,
    warmup_id: int,
    rating: Rating,
    done_in_full: frozenset[str],
    top_levels: Mapping[str, int],
    today: date,
    now: datetime,
) -> RatingOutcome | None:
    """Rate a completed warm-up and move the levels as the rules say; None when it was rated
    already (a double tap, an old summary): nothing is counted twice."""

    def rule(state: LevelState) -> Rated:
        return level_rules.rate(state, rating, done_in_full, top_levels, today)

    progress = await _locked_progress(session, user_id, now)
    if await session.get(WarmupRating, warmup_id) is not None:
        return None
    session.add(WarmupRating(warmup_id=warmup_id, user_id=user_id, rating=rating, rated_at=now))
    before, rated = await _apply(session, user_id, progress, rule, now)
    held = rating is Rating.EASY and level_rules.pain_holds(before, today)
    return RatingOutcome(rated, held)


async def ease_off(
    session: AsyncSession, user_id: int, top_levels: Mapping[str, int], today: date, now: datetime
) -> Rated:
    """Every exercise one level down, as the runner chose after reporting pain."""
    progress = await _locked_progress(session, user_id, now)
    _, rated = await _apply(
        session, user_id, progress, lambda s: level_rules.ease_off(s, top_levels, today), now
    )
    return rated


async def set_level(
    session: AsyncSession,
    user_id: int,
    key: str,
    level: int,
    top_levels: Mapping[str, int],
    now: datetime,
) -> Rated:
    """One exercise's level, set by hand (/levels); the counting starts again."""
    progress = await _locked_progress(session, user_id, now)
    _, rated = await _apply(
        session, user_id, progress, lambda s: level_rules.set_level(s, key, level, top_levels), now
    )
    return rated


async def note_pain(session: AsyncSession, user_id: int, day: date, now: datetime) -> None:
    """Pain reported in a check-in on the runner's local `day`: level-ups wait a week."""
    progress = await _locked_progress(session, user_id, now)
    state = level_rules.with_pain(LevelState(pain_on=progress.pain_on), day)
    progress.pain_on, progress.updated_at = state.pain_on, now


async def rating_of(session: AsyncSession, warmup_id: int) -> Rating | None:
    row = await session.get(WarmupRating, warmup_id)
    return Rating(row.rating) if row is not None else None


async def latest_completed(session: AsyncSession, user_id: int) -> int | None:
    """The runner's most recently completed warm-up: the one whose summary may be rated."""
    return await session.scalar(
        select(WarmupCompletion.warmup_id)
        .where(WarmupCompletion.user_id == user_id)
        .order_by(WarmupCompletion.completed_at.desc(), WarmupCompletion.warmup_id.desc())
        .limit(1)
    )


async def take_announcements(
    session: AsyncSession, user_id: int
) -> tuple[tuple[str, int, int], ...]:
    """Level changes not yet told, as (exercise key, from level, to level), one per exercise
    (two changes in a row show as one), and marks them told: each is announced once."""
    rows = (
        await session.scalars(
            select(LevelChange)
            .where(LevelChange.user_id == user_id, LevelChange.announced.is_(False))
            .order_by(LevelChange.id)
        )
    ).all()
    if not rows:
        return ()
    await session.execute(
        update(LevelChange)
        .where(LevelChange.user_id == user_id, LevelChange.id <= rows[-1].id)
        .values(announced=True)
        .execution_options(synchronize_session=False)
    )
    return level_rules.net_changes((row.exercise_key, row.from_level, row.to_level) for row in rows)


async def _locked_progress(session: AsyncSession, user_id: int, now: datetime) -> LevelProgress:
    return await locked_row(
        session,
        LevelProgress,
        user_id,
        lambda: LevelProgress(user_id=user_id, hard_run=0, pain_on=None, updated_at=now),
    )


async def _apply(
    session: AsyncSession,
    user_id: int,
    progress: LevelProgress,
    rule: Callable[[LevelState], Rated],
    now: datetime,
) -> tuple[LevelState, Rated]:
    """Read the runner's state, apply `rule`, store what changed; returns the state before."""
    rows = {
        row.exercise_key: row
        for row in await session.scalars(
            select(ExerciseLevel).where(ExerciseLevel.user_id == user_id)
        )
    }
    before = LevelState(
        levels={key: row.level for key, row in rows.items()},
        easy_counts={key: row.easy_count for key, row in rows.items() if row.easy_count},
        last_up={key: row.last_up_on for key, row in rows.items() if row.last_up_on is not None},
        hard_run=progress.hard_run,
        pain_on=progress.pain_on,
    )
    rated = rule(before)
    after = rated.state
    for key in {*rows, *after.levels, *after.easy_counts, *after.last_up}:
        level = after.levels.get(key, level_rules.FIRST_LEVEL)
        count, last_up = after.easy_counts.get(key, 0), after.last_up.get(key)
        row = rows.get(key)
        if row is None:
            session.add(
                ExerciseLevel(
                    user_id=user_id,
                    exercise_key=key,
                    level=level,
                    easy_count=count,
                    last_up_on=last_up,
                )
            )
        elif key in after.levels:
            row.level, row.easy_count, row.last_up_on = level, count, last_up
        # else: an exercise no longer in the routine keeps its stored row, in case it returns.
    progress.hard_run, progress.pain_on, progress.updated_at = after.hard_run, after.pain_on, now
    for change in rated.changes:
        session.add(
            LevelChange(
                user_id=user_id,
                exercise_key=change.key,
                from_level=change.from_level,
                to_level=change.to_level,
                reason=change.reason,
                changed_at=now,
                announced=change.reason.told_on_the_spot,
            )
        )
    return before, rated
