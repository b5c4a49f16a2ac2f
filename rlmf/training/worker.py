"""`mebot worker`: executes training runs from the task queue (rlmf.training.queue), on any machine that
reaches the database and the adapter store. One worker trains one run at a time; on a machine with several
GPUs start one worker per GPU (`CUDA_VISIBLE_DEVICES=1 mebot worker --device gpu`).

Beside the queue's own loop, every worker looks after the others: a run whose worker stopped sending
heartbeats (killed with -9, machine lost) goes back to the queue once, and fails with the reason the second
time; queued runs that never got a job (their app died in between) get one.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Optional

from sqlalchemy import select
from sqlalchemy import update as sql_update

from memory.models import TrainingRun, utcnow
from rlmf.training import queue

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 2  # the first try and one retry
WORKER_DIED = "the worker running it stopped (killed or its machine lost)"


def recover_lost_run(memory, run_id: int, job_id: int) -> str:
    """Decide the fate of a run whose worker died: "retry", "failed", "finished" (it had ended) or "other"
    (another worker decided first, or the run belongs to another job)."""
    with memory.session() as session:
        run = session.get(TrainingRun, run_id)
        if run is None or run.queue_job_id != job_id:
            return "other"
        if run.status not in ("running", "cancelling"):
            return "finished" if run.status not in ("queued",) else "other"
        cancelling = run.status == "cancelling"
        retry = not cancelling and run.attempts < MAX_ATTEMPTS
        if retry:
            values = {"status": "queued", "pid": None, "host": None, "stage": None, "step": 0, "total_steps": 0,
                      "error": f"attempt {run.attempts}: {WORKER_DIED}; retrying"}
        else:
            values = {"status": "cancelled" if cancelling else "failed", "finished_at": utcnow(),
                      "error": f"{WORKER_DIED} on attempt {run.attempts} of {MAX_ATTEMPTS}; the live adapter is "
                               "unchanged"}
        won = session.execute(sql_update(TrainingRun).where(
            TrainingRun.id == run_id, TrainingRun.status == run.status, TrainingRun.attempts == run.attempts)
            .values(**values)).rowcount == 1
    if not won:
        return "other"
    return "retry" if retry else "failed"


async def recover_stalled(app, memory, database_url: str, device: str, stalled_seconds: float) -> dict:
    """One pass of looking after other workers; returns {run id: outcome}."""
    from procrastinate.jobs import Status

    outcomes = {}
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds, task_name=queue.TASK)
    for job in stalled:
        run_id = int(job.task_kwargs["run_id"])
        outcome = await asyncio.to_thread(recover_lost_run, memory, run_id, job.id)
        if outcome == "retry":
            await app.job_manager.retry_job(job)
        elif outcome in ("failed", "finished"):  # "other": another worker decided; leave the job to it
            await app.job_manager.finish_job(job, status=Status.FAILED if outcome == "failed" else Status.SUCCEEDED,
                                             delete_job=False)
        outcomes[run_id] = outcome
        log.warning("run %s: its worker stopped; %s", run_id, outcome)
    await asyncio.to_thread(_sweep_orphans, memory, database_url, device)
    return outcomes


def _sweep_orphans(memory, database_url: str, device: str) -> None:
    # A run left "being deferred" (queue_job_id 0) for a minute lost its app mid-way: defer it again.
    from datetime import timedelta

    with memory.session() as session:
        session.execute(sql_update(TrainingRun).where(
            TrainingRun.status == "queued", TrainingRun.queue_job_id == 0,
            TrainingRun.created_at < utcnow() - timedelta(minutes=1)).values(queue_job_id=None))
        orphaned = session.scalar(select(TrainingRun.id).where(
            TrainingRun.status == "queued", TrainingRun.queue_job_id.is_(None)).limit(1))
    if orphaned is not None:
        queue.defer_queued(memory, database_url, device)


async def _look_after(app, memory, database_url, device, stalled_seconds) -> None:
    while True:
        try:
            await recover_stalled(app, memory, database_url, device, stalled_seconds)
        except Exception:  # a failed pass must not stop the worker; the next one retries
            log.exception("recovering stalled runs failed")
        await asyncio.sleep(max(1.0, stalled_seconds / 3))


async def run_worker(database_url: str, device: str, *, stalled_seconds: float = 30,
                     name: Optional[str] = None) -> None:
    """Execute runs from the `device` queue until interrupted (SIGINT/SIGTERM end it after the current run)."""
    from memory import api

    memory = api.open_memory(database_url)
    app = queue.make_app(database_url)
    await asyncio.to_thread(queue.ensure_schema, memory)
    async with app.open_async():
        helper = asyncio.create_task(_look_after(app, memory, database_url, device, stalled_seconds))
        try:
            await app.run_worker_async(
                queues=[queue.queue_name(device)], concurrency=1, name=name or f"{socket.gethostname()}-{device}",
                additional_context={"database_url": database_url}, wait=True,
                update_heartbeat_interval=max(1.0, stalled_seconds / 4), stalled_worker_timeout=stalled_seconds)
        finally:
            helper.cancel()
            memory.close()
