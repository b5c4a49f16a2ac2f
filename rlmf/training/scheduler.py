"""When training happens: a nightly window, a check every few minutes that starts a run once enough new
feedback has arrived, and "train now". APScheduler 3 keeps the jobs in the app's database; start it in
exactly one process (the app). Runs themselves go through rlmf.training.runs (queued rows, one process each)."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from typing import Optional

from sqlalchemy import func, select

from memory.models import Feedback, Note, TrainingRun, User
from memory.users import SANDBOX_PREFIX, purge_expired_sandboxes

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
    from rlmf.training import runs

    memory = _memory(url)
    queued = []
    for user_id in _user_ids(memory):
        if new_feedback(memory, user_id) >= threshold:
            runs.request_run(memory, memory.user_by_id(user_id), trigger="feedback")
            queued.append(user_id)
    runs.dispatch(memory, url)
    return queued


def nightly_training(url: str) -> list[int]:
    """Queue a run for every user whose notes or feedback changed since their last run."""
    from rlmf.training import runs

    memory = _memory(url)
    queued = [uid for uid in _user_ids(memory) if _has_new_material(memory, uid)]
    for user_id in queued:
        runs.request_run(memory, memory.user_by_id(user_id), trigger="schedule")
    runs.dispatch(memory, url)
    return queued


def dispatch(url: str) -> Optional[int]:
    """Start the next queued run if the machine is free."""
    from rlmf.training import runs

    return runs.dispatch(_memory(url), url)


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
    """Queue a run for `user` and start it if the machine is free; returns the run."""
    from rlmf.training import runs

    run = runs.request_run(memory, user, trigger="manual")
    runs.dispatch(memory, database_url(memory))
    return run


class TrainingScheduler:
    """The app's scheduler: jobs stored in the database, each with a fixed id so restarts replace them."""

    def __init__(self, memory, settings):
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        self.memory = memory
        self.settings = settings
        self.url = database_url(memory)
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=memory.engine, tablename="apscheduler_jobs")},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
            timezone=settings.default_timezone,
        )

    def start(self, paused: bool = False) -> "TrainingScheduler":
        """Add (or replace) the jobs and start; paused=True stores the jobs without running them."""
        from rlmf.training import runs

        runs.recover_stale_runs(self.memory)
        self.scheduler.start(paused=paused)
        common = {"replace_existing": True, "coalesce": True, "max_instances": 1}
        self.scheduler.add_job(nightly_training, "cron", hour=self.settings.train_hour, minute=0,
                               id=NIGHTLY, kwargs={"url": self.url}, **common)
        self.scheduler.add_job(feedback_check, "interval", minutes=self.settings.feedback_check_minutes,
                               id=FEEDBACK_CHECK, kwargs={"url": self.url, "threshold": self.settings.feedback_threshold},
                               **common)
        self.scheduler.add_job(dispatch, "interval", seconds=20, id=DISPATCH, kwargs={"url": self.url}, **common)
        self.scheduler.add_job(refresh_profiles, "interval", minutes=2, id=PROFILES, kwargs={"url": self.url},
                               **common)
        self.scheduler.add_job(purge_sandboxes, "interval", minutes=10, id=SANDBOXES,
                               kwargs={"url": self.url, "hours": self.settings.sandbox_hours}, **common)
        return self

    def next_run_time(self) -> Optional[datetime]:
        """When the nightly training window next opens."""
        job = self.scheduler.get_job(NIGHTLY)
        return job.next_run_time if job else None

    def jobs(self) -> list:
        return self.scheduler.get_jobs()

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)
