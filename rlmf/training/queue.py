"""Training runs on a task queue: procrastinate, on the PostgreSQL database Mebot already keeps its rows in.

Why procrastinate (rather than Celery on RabbitMQ or Redis): the run row and its job live in one database,
so there is no second system to keep in step or to back up; a per-user `lock` serialises a user's jobs
in the queue itself; workers send heartbeats, so the jobs of a worker killed with -9 are found from any
machine; and queues are plain names, one per device kind (`training-cpu`, `training-gpu`).

The row stays the source of truth: a job only carries a run id, and the task does nothing unless it can
claim the run (queued → running), so a job delivered twice, or for a cancelled run, trains nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache

from sqlalchemy import select, text
from sqlalchemy import update as sql_update
from sqlalchemy.engine import make_url

from memory.models import TrainingRun

log = logging.getLogger(__name__)

TASK = "mebot.train_run"
DEVICE_KINDS = ("cpu", "gpu")


def queue_name(device: str) -> str:
    """The queue holding runs for workers of one device kind."""
    if device not in DEVICE_KINDS:
        raise ValueError(f"unknown device kind {device!r}: use one of {', '.join(DEVICE_KINDS)}")
    return f"training-{device}"


def user_lock(user_id: int) -> str:
    """The queue lock that keeps a user's jobs one at a time."""
    return f"mebot-user-{user_id}"


def conninfo(database_url: str) -> str:
    """A libpq connection string from Mebot's SQLAlchemy URL; ValueError when it is not PostgreSQL."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("the procrastinate training queue needs PostgreSQL (MEBOT_DATABASE_URL=postgresql://…); "
                         "on SQLite use MEBOT_TRAINING_QUEUE=embedded")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(database_url: str):
    """A procrastinate App on Mebot's database with the training task registered."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(database_url)))
    app.task(name=TASK, pass_context=True)(train_run)
    return app


def ensure_schema(memory) -> None:
    """Create procrastinate's tables in the database once (under an advisory lock: workers start together)."""
    from procrastinate.schema import SchemaManager

    with memory.engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(hashtext('mebot-procrastinate-schema'))"))
        try:
            if connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
                connection.exec_driver_sql(SchemaManager.get_schema().replace("%", "%%"))
                connection.commit()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(hashtext('mebot-procrastinate-schema'))"))
            connection.commit()


def defer_queued(memory, database_url: str, device: str) -> list[int]:
    """Give every queued run that has no job yet a job on the `device` queue; returns the run ids."""
    with memory.session() as session:
        waiting = list(session.execute(select(TrainingRun.id, TrainingRun.user_id).where(
            TrainingRun.status == "queued", TrainingRun.queue_job_id.is_(None)).order_by(TrainingRun.id)))
    if not waiting:
        return []
    app = make_app(database_url)
    ensure_schema(memory)
    deferred = []
    with app.open():
        for run_id, user_id in waiting:
            if not _reserve(memory, run_id):
                continue  # another process is deferring it
            job_id = app.configure_task(TASK, queue=queue_name(device), lock=user_lock(user_id)).defer(run_id=run_id)
            with memory.session() as session:
                session.execute(sql_update(TrainingRun).where(TrainingRun.id == run_id).values(queue_job_id=job_id))
            deferred.append(run_id)
    return deferred


def _reserve(memory, run_id: int) -> bool:
    # queue_job_id 0 marks "being deferred"; the worker's sweep re-defers one left so by a crash.
    with memory.session() as session:
        return session.execute(sql_update(TrainingRun).where(
            TrainingRun.id == run_id, TrainingRun.queue_job_id.is_(None), TrainingRun.status == "queued")
            .values(queue_job_id=0)).rowcount == 1


@lru_cache(maxsize=4)
def _memory(database_url: str):
    from memory import api

    return api.open_memory(database_url)


def train_run(context, run_id: int) -> str:
    """The task: claim the run and train it in this worker; returns its final status (or "skipped")."""
    from memory import settings as settings_module
    from rlmf.training import runs
    from rlmf.training.run import execute, load_train_config

    memory = _memory(context.additional_context["database_url"])
    if not runs.claim(memory, run_id, os.getpid()):
        log.info("run %s is no longer queued (cancelled, or taken); nothing to do", run_id)
        return "skipped"
    attempt = runs.get_run_any(memory, run_id).attempts
    done = threading.Event()
    threading.Thread(target=_fence, args=(memory, run_id, attempt, done), daemon=True,
                     name=f"fence-run-{run_id}").start()
    try:
        status = execute(memory, run_id, settings_module.load(), load_train_config())
    finally:
        done.set()
    log.info("run %s: %s", run_id, status)
    return status


def taken_away(memory, run_id: int, attempt: int) -> bool:
    """Whether other workers have given up on this worker's attempt (they took it for dead and retried or
    failed the run): then this attempt must stop writing at once."""
    from rlmf.training import runs
    from rlmf.training.worker import WORKER_DIED

    row = runs.get_run_any(memory, run_id)
    return row.attempts != attempt or row.status == "queued" or (
        row.status == "failed" and (row.error or "").startswith(WORKER_DIED))


def _fence(memory, run_id: int, attempt: int, done: threading.Event, every: float = 5.0) -> None:
    # A worker cut off from the database longer than the stall timeout is presumed dead and its run retried
    # elsewhere; should it come back, it stops the process rather than train the run a second time.
    while not done.wait(every):
        try:
            lost = taken_away(memory, run_id, attempt)
        except Exception:  # the database is unreachable: keep training; we'll know when it answers
            continue
        if lost and not done.is_set():
            log.error("run %s attempt %s was taken over by another worker; stopping this worker", run_id, attempt)
            os._exit(75)
