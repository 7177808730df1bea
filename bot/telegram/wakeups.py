"""Dispatcher jobs that wake at the earliest due instant: one per kind of due work.

Reminders and check-ins both keep their due instants in indexed database columns. Each has one
scheduler job armed at the earliest one, re-armed after every run and whenever an instant
changes, plus a safety net that wakes every few minutes to pick up changes made by another
process. This module is that arming; what is due, and how it is sent, stays with each kind.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.telegram.dispatching import leads
from bot.telegram.services import services_in

Dispatch = Callable[[ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

SAFETY_NET_INTERVAL = timedelta(minutes=5)
# APScheduler drops a job that runs more than misfire_grace_time late (1 s by default). Never
# drop a dispatcher: it decides itself what is still worth sending (a reminder before its run is
# sent late, one after is dropped; a check-in long overdue is closed), so any lateness is handled
# correctly. coalesce: several missed wake-ups run once.
JOB_KWARGS: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}


def arm_dispatcher(
    application: Application, name: str, dispatch: Dispatch, wake: datetime | None
) -> None:
    """(Re)schedule the `name` job for `wake` (by the bot's clock), or remove it if None.

    Only the process that leads runs dispatchers (bot/telegram/dispatching.py); elsewhere this
    does nothing, and the leader picks the new work up on its next check."""
    job_queue = application.job_queue
    if job_queue is None or not leads(application):
        return
    for job in job_queue.get_jobs_by_name(name):
        job.schedule_removal()
    if wake is None:
        return
    services = services_in(application)
    delay = max(0.0, (wake - services.clock()).total_seconds())
    job_queue.run_once(dispatch, when=delay, name=name, job_kwargs=JOB_KWARGS)


def arm_dispatcher_by(
    application: Application, name: str, dispatch: Dispatch, due: datetime
) -> None:
    """Make sure the `name` job wakes by `due` (new work was just added for then).

    Cheaper than arm_dispatcher on a hot path: no query. If the job already wakes by then, it
    will find the new work itself; otherwise it is moved earlier.
    """
    job_queue = application.job_queue
    if job_queue is None or not leads(application):
        return
    services = services_in(application)
    delay = max(0.0, (due - services.clock()).total_seconds())
    wake_by = datetime.now(UTC) + timedelta(seconds=delay)
    jobs = job_queue.get_jobs_by_name(name)
    if any(job.next_t is not None and job.next_t <= wake_by for job in jobs):
        return
    for job in jobs:
        job.schedule_removal()
    job_queue.run_once(dispatch, when=delay, name=name, job_kwargs=JOB_KWARGS)


def start_dispatcher(
    application: Application, name: str, safety_net_name: str, dispatch: Dispatch
) -> None:
    """At start-up: the safety net, and a dispatch at once to catch up after downtime."""
    job_queue = application.job_queue
    assert job_queue is not None, "python-telegram-bot[job-queue] is required"
    job_queue.run_repeating(
        dispatch,
        interval=SAFETY_NET_INTERVAL,
        first=SAFETY_NET_INTERVAL,
        name=safety_net_name,
        job_kwargs=JOB_KWARGS,
    )
    job_queue.run_once(dispatch, when=0, name=name, job_kwargs=JOB_KWARGS)


def stop_dispatcher(application: Application, name: str, safety_net_name: str) -> None:
    """Leadership lost: this process's jobs for the dispatcher go (the new leader's run)."""
    job_queue = application.job_queue
    if job_queue is None:
        return
    for job in job_queue.get_jobs_by_name(name) + job_queue.get_jobs_by_name(safety_net_name):
        job.schedule_removal()
