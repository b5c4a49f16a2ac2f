"""Training runs as rows with a status: requested (queued), then claimed by exactly one process (the embedded
dispatcher's subprocess on this machine, `mebot train`, or a queue worker), cancellable, and ended as failed
when the process that held them died. The row is the source of truth; the database refuses a second active
run of one user (memory.models.ONE_ACTIVE_RUN)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import psutil
from sqlalchemy import select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from memory.errors import InvalidInput, NotFound
from memory.models import TrainingRun, utcnow
from memory.owned import owned_row
from memory.users import is_sandbox
from memory.vocab import ACTIVE_RUN_STATUSES, FINISHED_RUN_STATUSES, RunStatus, RunTrigger

ACTIVE = ACTIVE_RUN_STATUSES
FINISHED = FINISHED_RUN_STATUSES
MAX_HISTORY = 2000


def request_run(memory, user, trigger: str = RunTrigger.MANUAL, kind: Optional[str] = None) -> TrainingRun:
    """Queue a run for `user`, or return the one already queued or running (also when another process
    queues one at the same moment: the unique index decides). An anonymous visitor's sandbox is never
    trained: InvalidInput.

    kind: "full" or "incremental" (memory.vocab.RunKind); None lets the run choose when it starts
    (rlmf.training.run.choose_kind: incremental when a live adapter can be continued, full on schedule)."""
    if is_sandbox(user.name):
        raise InvalidInput("Sandboxes of visitors without an account are not trained: sign in to train a model.")
    for _ in range(3):
        existing = active_run(memory, user.id)
        if existing is not None:
            return existing
        try:
            with memory.session() as session:
                run = TrainingRun(user_id=user.id, trigger=trigger, kind=kind, status=RunStatus.QUEUED.value,
                                  history=[])
                session.add(run)
            return run
        except IntegrityError:
            continue  # another process queued one between our check and our insert: return that one
    raise RuntimeError(f"could not queue a run for user {user.id}")


def list_runs(memory, user_id: int, limit: int = 20) -> list[TrainingRun]:
    """The user's runs, newest first."""
    with memory.session() as session:
        return list(session.scalars(select(TrainingRun).where(TrainingRun.user_id == user_id)
                                    .order_by(TrainingRun.id.desc()).limit(limit)))


def get_run(memory, user_id: int, run_id: int) -> TrainingRun:
    """One of the user's runs, or NotFound."""
    with memory.session() as session:
        return owned_row(session, TrainingRun, run_id, user_id=user_id, what="training run")


def get_run_any(memory, run_id: int) -> TrainingRun:
    """A run by id, whoever owns it (for the training process and the dispatcher only)."""
    with memory.session() as session:
        run = session.get(TrainingRun, run_id)
    if run is None:
        raise NotFound(f"No training run {run_id!r}.")
    return run


def get_run_status(memory, run_id: int) -> str:
    """The current status of a run."""
    with memory.session() as session:
        return session.scalar(select(TrainingRun.status).where(TrainingRun.id == run_id))


def active_run(memory, user_id: int) -> Optional[TrainingRun]:
    """The user's queued or running run, if any."""
    with memory.session() as session:
        return session.scalars(select(TrainingRun).where(
            TrainingRun.user_id == user_id, TrainingRun.status.in_(ACTIVE))).first()


def cancel_run(memory, user_id: int, run_id: int) -> TrainingRun:
    """Cancel a queued run at once; ask a running one to stop (it ends as "cancelled")."""
    run = get_run(memory, user_id, run_id)
    if run.status not in ACTIVE:
        raise InvalidInput(f"Run {run_id} has already finished ({run.status}).")
    with memory.session() as session:
        row = session.get(TrainingRun, run_id)
        if row.status == RunStatus.QUEUED:
            row.status, row.finished_at = RunStatus.CANCELLED, utcnow()
        else:
            # The run polls its row and stops at the next progress point; a local embedded process also
            # gets SIGTERM so it stops even between points.
            row.status = RunStatus.CANCELLING
            if row.pid and row.queue_job_id is None and _is_this_host(row.host) and _alive(row.pid, row.started_at):
                os.kill(row.pid, signal.SIGTERM)
        return row


def update(memory, run_id: int, **fields) -> None:
    """Write fields of a run (used by the training process as it goes)."""
    with memory.session() as session:
        row = session.get(TrainingRun, run_id)
        for name, value in fields.items():
            setattr(row, name, value)


def append_history(memory, run_id: int, entries: list[dict], **fields) -> None:
    """Add progress points (stage, step, loss, reward margin) and update fields, in one write."""
    with memory.session() as session:
        row = session.get(TrainingRun, run_id)
        history = list(row.history or []) + entries
        if len(history) > MAX_HISTORY:  # keep the curve's shape, not every point
            history = history[::2]
        row.history = history
        for name, value in fields.items():
            setattr(row, name, value)


def this_host() -> str:
    """The name runs record as the machine their process runs on."""
    return socket.gethostname()


def _is_this_host(host: Optional[str]) -> bool:
    return host is None or host == this_host()  # None: a row written before hosts were recorded


def _alive(pid: int, started_at: Optional[datetime] = None) -> bool:
    """Whether `pid` is a live process (not a zombie) that existed when the run started (not a reused pid)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        created = process.create_time()
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True
    if started_at is not None:
        started = started_at if started_at.tzinfo else started_at.replace(tzinfo=timezone.utc)
        return created <= started.timestamp() + 5  # the pid now belongs to a process born after the claim
    return True


DIED = "the training process died (killed or crashed); the live adapter is unchanged"


def recover_stale_runs(memory) -> int:
    """Mark runs that a dead process on this machine left running as failed; returns how many.

    Runs held by queue workers are left to the queue's recovery (rlmf.training.worker), which sees their
    heartbeats from any machine.
    """
    with memory.session() as session:
        held = session.scalars(select(TrainingRun).where(
            TrainingRun.status.in_((RunStatus.RUNNING, RunStatus.CANCELLING)), TrainingRun.queue_job_id.is_(None)))
        stale = [r for r in held if _is_this_host(r.host) and not (r.pid and _alive(r.pid, r.started_at))]
        for run in stale:
            run.status = RunStatus.FAILED if run.status == RunStatus.RUNNING else RunStatus.CANCELLED
            run.error = run.error or DIED
            run.finished_at = utcnow()
    return len(stale)


def claim(memory, run_id: int, pid: int) -> bool:
    """Atomically move a queued run to running under `pid` on this machine; False if someone else took it."""
    with memory.session() as session:
        result = session.execute(
            sql_update(TrainingRun).where(TrainingRun.id == run_id, TrainingRun.status == RunStatus.QUEUED)
            .values(status=RunStatus.RUNNING, pid=pid, host=this_host(), started_at=utcnow(),
                    attempts=TrainingRun.attempts + 1))
        return result.rowcount == 1


def dispatch(memory, database_url: str, *, env: Optional[dict] = None) -> Optional[int]:
    """Start the oldest queued run in its own process unless one is running; returns its run id.

    The embedded way to train (one machine, no queue): runs handed to a task queue are left to its workers.
    """
    recover_stale_runs(memory)
    with memory.session() as session:
        if session.scalars(select(TrainingRun).where(TrainingRun.status.in_((RunStatus.RUNNING, RunStatus.CANCELLING)),
                                                     TrainingRun.queue_job_id.is_(None))).first():
            return None
        run = session.scalars(select(TrainingRun).where(TrainingRun.status == RunStatus.QUEUED,
                                                        TrainingRun.queue_job_id.is_(None))
                              .order_by(TrainingRun.id)).first()
    if run is None:
        return None
    # The process takes the machine's training lock and claims the run itself (rlmf.training.run), so two
    # dispatchers racing here still train one run at a time.
    # The child imports this very code, wherever the server was started from.
    project_root = str(Path(__file__).resolve().parents[2])
    child_env = {**os.environ, **(env or {})}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [project_root, child_env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "rlmf.training.run", "--run-id", str(run.id), "--database", database_url],
        env=child_env, cwd=project_root, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # Reap it when it ends, so a long-lived server collects no zombies.
    threading.Thread(target=process.wait, name=f"reap-training-run-{run.id}", daemon=True).start()
    return run.id
