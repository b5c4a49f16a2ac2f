"""When training happens: a nightly window, a check every few minutes that starts a run once enough new
feedback has arrived, and "train now". Every app process runs the same APScheduler 3 schedule in memory
(its job stores are one-process only); each firing is claimed in the database (rlmf.training.ticks), so with
any number of `mebot serve` processes on one database every job runs once per firing. Runs themselves are
queued rows (rlmf.training.runs), handed to the embedded dispatcher or the task queue (rlmf.training.submit)."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache, wraps
from typing import Optional

from sqlalchemy import func, select

from memory.models import Feedback, Note, TrainingRun, User, utcnow
from memory.vocab import RunTrigger
from memory.users import SANDBOX_PREFIX, purge_expired_sandboxes
from rlmf.training import ticks

log = logging.getLogger(__name__)

NIGHTLY, FEEDBACK_CHECK, DISPATCH, PROFILES, SANDBOXES = (
    "mebot-nightly-training", "mebot-feedback-check", "mebot-dispatch", "mebot-profile-refresh",
    "mebot-sandbox-cleanup")


@lru_cache(maxsize=4)
def _memory(database_url: str):
    from memory import api

    return api.open_memory(database_url)


def database_url(memory) -> str:
    """The URL a training subprocess opens (password included)."""
    return memory.engine.url.render_as_string(hide_password=False)


def _last_run_time(session, user_id: int) -> Optional[datetime]:
    return session.scalar(select(func.max(TrainingRun.created_at)).where(TrainingRun.user_id == user_id))


def new_feedback(memory, user_id: int) -> int:
    """Standing votes and edits the user gave since their last run was requested."""
    with memory.session() as session:
        since = _last_run_time(session, user_id)
        query = select(func.count()).select_from(Feedback).where(
            Feedback.user_id == user_id, Feedback.retracted_at.is_(None))
        if since is not None:
            query = query.where(Feedback.created_at > since)
        return session.scalar(query)


def _has_new_material(memory, user_id: int) -> bool:
    with memory.session() as session:
        since = _last_run_time(session, user_id)
        notes = select(func.count()).select_from(Note).where(Note.user_id == user_id)
        if since is not None:
            notes = notes.where(Note.updated_at > since)
        changed_notes = session.scalar(notes)
    return bool(changed_notes) or new_feedback(memory, user_id) > 0


def _user_ids(memory, *, sandboxes: bool = False) -> list[int]:
    # Anonymous visitors' sandboxes are throwaway: never trained.
    query = select(User.id)
    if not sandboxes:
        query = query.where(~User.name.startswith(SANDBOX_PREFIX, autoescape=True))
    with memory.session() as session:
        return list(session.scalars(query))


def feedback_check(url: str, threshold: int) -> list[int]:
    """Queue a run for every user with at least `threshold` new feedback items; returns their ids."""
    from rlmf.training import runs, submit

    memory = _memory(url)
    queued = []
    for user_id in _user_ids(memory):
        if new_feedback(memory, user_id) >= threshold:
            runs.request_run(memory, memory.user_by_id(user_id), trigger=RunTrigger.FEEDBACK)
            queued.append(user_id)
    submit.start_queued(memory, url)
    return queued


def nightly_training(url: str) -> list[int]:
    """Queue a run for every user whose notes or feedback changed since their last run."""
    from rlmf.training import runs, submit

    memory = _memory(url)
    queued = [uid for uid in _user_ids(memory) if _has_new_material(memory, uid)]
    for user_id in queued:
        runs.request_run(memory, memory.user_by_id(user_id), trigger=RunTrigger.SCHEDULE)
    submit.start_queued(memory, url)
    return queued


def dispatch(url: str) -> list[int]:
    """Hand queued runs over: start the next one if the machine is free, or enqueue them for workers."""
    from rlmf.training import submit

    return submit.start_queued(_memory(url), url)


def refresh_profiles(url: str) -> int:
    """Read new and edited notes into every user's L1 profile; returns how many notes were read."""
    memory = _memory(url)
    return sum(memory.user_by_id(uid).refresh_profile() for uid in _user_ids(memory))


def purge_sandboxes(url: str, hours: float) -> int:
    """Delete the anonymous sandboxes older than `hours`; returns how many went."""
    from datetime import timedelta

    memory, removed = _memory(url), 0
    while (batch := purge_expired_sandboxes(memory, timedelta(hours=hours))):
        removed += batch
    return removed


def train_now(memory, user):
    """Queue a run for `user` and hand it over at once; returns the run."""
    from rlmf.training import runs, submit

    run = runs.request_run(memory, user, trigger=RunTrigger.MANUAL)
    submit.start_queued(memory, database_url(memory))
    return run


def once_per_firing(job_id: str, slot_of):
    """Wrap a job so that of all processes firing it, only the one that claims the firing runs it.

    `slot_of(now)` names the firing (the same in every process); the others return None."""

    def decorate(job):
        @wraps(job)
        def claimed(url: str, **kwargs):
            if not ticks.claim(_memory(url), job_id, slot_of(utcnow())):
                log.info("%s: another process has this firing", job_id)
                return None
            return job(url, **kwargs)

        return claimed

    return decorate


class TrainingScheduler:
    """The app's scheduler: the same jobs in every app process, each firing run by one of them."""

    DISPATCH_SECONDS, PROFILES_SECONDS, SANDBOXES_SECONDS = 20, 120, 600

    def __init__(self, memory, settings):
        from apscheduler.schedulers.background import BackgroundScheduler

        self.memory = memory
        self.settings = settings
        self.url = database_url(memory)
        self.scheduler = BackgroundScheduler(
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=settings.default_timezone,
        )

    def start(self, paused: bool = False) -> "TrainingScheduler":
        """Add (or replace) the jobs and start; paused=True adds the jobs without running them."""
        from apscheduler.triggers.interval import IntervalTrigger

        from rlmf.training import runs

        runs.recover_stale_runs(self.memory)
        ticks.prune(self.memory)
        self.scheduler.start(paused=paused)
        zone = self.settings.default_timezone
        feedback_seconds = 60 * self.settings.feedback_check_minutes

        def every(seconds: int) -> IntervalTrigger:  # fires at the same instants in every process
            return IntervalTrigger(seconds=seconds, start_date=ticks.EPOCH)

        jobs = [
            (NIGHTLY, nightly_training, "cron", {"hour": self.settings.train_hour, "minute": 0},
             lambda now: ticks.daily_slot(now, zone), {}),
            (FEEDBACK_CHECK, feedback_check, every(feedback_seconds), {},
             lambda now: ticks.interval_slot(now, feedback_seconds), {"threshold": self.settings.feedback_threshold}),
            (DISPATCH, dispatch, every(self.DISPATCH_SECONDS), {},
             lambda now: ticks.interval_slot(now, self.DISPATCH_SECONDS), {}),
            (PROFILES, refresh_profiles, every(self.PROFILES_SECONDS), {},
             lambda now: ticks.interval_slot(now, self.PROFILES_SECONDS), {}),
            (SANDBOXES, purge_sandboxes, every(self.SANDBOXES_SECONDS), {},
             lambda now: ticks.interval_slot(now, self.SANDBOXES_SECONDS), {"hours": self.settings.sandbox_hours}),
        ]
        for job_id, job, trigger, trigger_args, slot_of, kwargs in jobs:
            self.scheduler.add_job(once_per_firing(job_id, slot_of)(job), trigger, id=job_id,
                                   kwargs={"url": self.url, **kwargs}, replace_existing=True, coalesce=True,
                                   max_instances=1, **trigger_args)
        return self

    def next_run_time(self) -> Optional[datetime]:
        """When the nightly training window next opens."""
        job = self.scheduler.get_job(NIGHTLY)
        return getattr(job, "next_run_time", None) if job else None

    def jobs(self) -> list:
        return self.scheduler.get_jobs()

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)
