"""Training runs as rows with a status: requested (queued), started in their own process by the
dispatcher, one at a time per machine, cancellable, and marked failed if their process died."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Optional

from sqlalchemy import select
from sqlalchemy import update as sql_update

from memory.errors import InvalidInput, NotFound
from memory.models import TrainingRun, utcnow
from memory.users import is_sandbox

ACTIVE = ("queued", "running", "cancelling")
FINISHED = ("succeeded", "rejected", "failed", "cancelled")
MAX_HISTORY = 2000


def request_run(memory, user, trigger: str = "manual", kind: Optional[str] = None) -> TrainingRun:
    """Queue a run for `user` (or return the one already queued or running). An anonymous visitor's
    sandbox is never trained: InvalidInput.

    kind: "full" or "incremental" (memory.vocab.RunKind); None lets the run choose when it starts
    (rlmf.training.run.choose_kind: incremental when a live adapter can be continued, full on schedule)."""
    if is_sandbox(user.name):
        raise InvalidInput("Sandboxes of visitors without an account are not trained: sign in to train a model.")
    with memory.session() as session:
        existing = session.scalars(select(TrainingRun).where(
            TrainingRun.user_id == user.id, TrainingRun.status.in_(ACTIVE))).first()
        if existing is not None:
            return existing
        run = TrainingRun(user_id=user.id, trigger=trigger, kind=kind, status="queued", history=[])
        session.add(run)
    return run


def list_runs(memory, user_id: int, limit: int = 20) -> list[TrainingRun]:
    """The user's runs, newest first."""
    with memory.session() as session:
        return list(session.scalars(select(TrainingRun).where(TrainingRun.user_id == user_id)
                                    .order_by(TrainingRun.id.desc()).limit(limit)))


def get_run(memory, user_id: int, run_id: int) -> TrainingRun:
    """One of the user's runs, or NotFound."""
    with memory.session() as session:
        run = session.get(TrainingRun, run_id)
    if run is None or run.user_id != user_id:
        raise NotFound(f"No training run {run_id!r}.")
    return run


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
        if row.status == "queued":
            row.status, row.finished_at = "cancelled", utcnow()
        else:
            row.status = "cancelling"
            if row.pid and _alive(row.pid):
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


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (our own finished child not yet reaped) is not alive
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        return state != "Z"
    except OSError:
        return True


def recover_stale_runs(memory) -> int:
    """Mark runs left running by a dead process as failed; returns how many."""
    with memory.session() as session:
        stale = [r for r in session.scalars(select(TrainingRun).where(TrainingRun.status.in_(("running", "cancelling"))))
                 if not (r.pid and _alive(r.pid))]
        for run in stale:
            run.status = "failed" if run.status == "running" else "cancelled"
            run.error = run.error or "the training process died (killed or crashed); the live adapter is unchanged"
            run.finished_at = utcnow()
    return len(stale)


def claim(memory, run_id: int, pid: int) -> bool:
    """Atomically move a queued run to running under `pid`; False if someone else took it."""
    with memory.session() as session:
        result = session.execute(
            sql_update(TrainingRun).where(TrainingRun.id == run_id, TrainingRun.status == "queued")
            .values(status="running", pid=pid, started_at=utcnow()))
        return result.rowcount == 1


def dispatch(memory, database_url: str, *, env: Optional[dict] = None) -> Optional[int]:
    """Start the oldest queued run in its own process unless one is running; returns its run id."""
    recover_stale_runs(memory)
    with memory.session() as session:
        if session.scalars(select(TrainingRun).where(TrainingRun.status.in_(("running", "cancelling")))).first():
            return None
        run = session.scalars(select(TrainingRun).where(TrainingRun.status == "queued")
                              .order_by(TrainingRun.id)).first()
    if run is None:
        return None
    # The process takes the machine's training lock and claims the run itself (rlmf.training.run), so two
    # dispatchers racing here still train one run at a time.
    # The child imports this very code, wherever the server was started from.
    project_root = str(Path(__file__).resolve().parent.parent)
    child_env = {**os.environ, **(env or {})}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [project_root, child_env.get("PYTHONPATH")]))
    subprocess.Popen(
        [sys.executable, "-m", "rlmf.training.run", "--run-id", str(run.id), "--database", database_url],
        env=child_env, cwd=project_root, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return run.id
