"""Training runs and adapter versions as the Training tab shows them. No Gradio here."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from rlmf.training import adapters, runs
from rlmf.data import feedback
from webapp.render import esc, when

RUN_HEADERS = ["Run", "Status", "Trigger", "Started", "Duration", "Data", "Metrics", "Note"]
VERSION_HEADERS = ["Version", "Status", "Created", "Metrics"]


def _utc(moment: Optional[datetime]) -> Optional[datetime]:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def duration(run) -> str:
    """'1m 05s' from start to finish (or to now while running)."""
    start = _utc(run.started_at)
    if start is None:
        return ""
    end = _utc(run.finished_at) or datetime.now(timezone.utc)
    seconds = max(0, int((end - start).total_seconds()))
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def _compact(values) -> str:
    if not isinstance(values, dict):
        return ""
    shown = []
    for key, value in values.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown.append(f"{key} {value:.3g}" if isinstance(value, float) else f"{key} {value}")
        elif isinstance(value, str) and len(value) < 80:
            shown.append(f"{key}: {value}")
    return ", ".join(shown)


def _metrics(run) -> str:
    metrics = run.metrics if isinstance(run.metrics, dict) else {}
    candidate = (metrics.get("evaluation") or {}).get("candidate") if isinstance(metrics.get("evaluation"), dict) else None
    return _compact(candidate) or _compact(metrics)


def last_run_start(memory, user_id: int) -> Optional[datetime]:
    """When the user's latest finished run began: feedback given since then is new to training."""
    for run in runs.list_runs(memory, user_id, limit=50):
        if run.status in runs.FINISHED and run.started_at is not None:
            return _utc(run.started_at)
    return None


def counts_html(user) -> str:
    """Feedback since the last run: likes, dislikes, edits, pairs."""
    since = last_run_start(user.memory, user.id)
    numbers = feedback.counts(user, since=since)
    label = f"since the last run ({esc(when(since, user))})" if since else "so far (no training run yet)"
    cells = "".join(f'<div class="mebot-count"><b>{numbers[k]}</b><span>{k}</span></div>'
                    for k in ("likes", "dislikes", "edits", "pairs"))
    return f'<div class="mebot-counts-label">Feedback {label}</div><div class="mebot-counts">{cells}</div>'


def schedule_html(scheduler, user) -> str:
    """The nightly window with its next run, and the feedback threshold that starts a run early."""
    if scheduler is None:
        return '<div class="mebot-notice">No training is scheduled here; use “Train now”.</div>'
    from rlmf.training.scheduler import new_feedback

    settings = scheduler.settings
    next_run = scheduler.next_run_time()
    nightly = f"Nightly training at {settings.train_hour:02d}:00" + (
        f" (next: {esc(when(next_run, user))})" if next_run else "")
    early = (f"; earlier once {settings.feedback_threshold} new reactions arrive "
             f"({new_feedback(user.memory, user.id)} so far)")
    return f'<div class="mebot-notice">{nightly}{early}.</div>'


def progress_html(run, user) -> str:
    """The live state of a queued or running run; empty when none is active."""
    if run is None:
        return '<div class="mebot-notice" data-testid="training-idle">No run in progress.</div>'
    if run.status == "queued":
        return f'<div class="mebot-notice" data-testid="training-active">Run {run.id} is queued and starts shortly.</div>'
    latest = next((h for h in reversed(run.history or []) if h.get("loss") is not None), None)
    loss = f" · loss {latest['loss']:.4f}" if latest else ""
    total = run.total_steps or 0
    share = min(100, int(100 * run.step / total)) if total else 0
    kind = f" ({esc(run.kind)})" if run.kind else ""
    eta = f" · about {max(1, round(run.eta_s / 60))} min left" if run.eta_s else ""
    return (f'<div class="mebot-progress" data-testid="training-active">'
            f"<div>Run {run.id}{kind} · {esc(run.status)} · stage {esc(run.stage or '…')} · "
            f"step {run.step}/{total}{esc(loss)} · {esc(duration(run))}{eta}</div>"
            f'<div class="mebot-bar"><div style="width:{share}%"></div></div></div>')


def run_rows(memory, user) -> list[list[str]]:
    """The run history table, newest first."""
    rows = []
    for run in runs.list_runs(memory, user.id, limit=20):
        note = (run.error or "").strip().splitlines()[0][:160] if run.error else ""
        rows.append([str(run.id), run.status, run.trigger, when(run.started_at or run.created_at, user),
                     duration(run), _compact(run.data_counts), _metrics(run), note])
    return rows


def curve(run) -> list[dict]:
    """Loss and reward-margin points of a run, numbered in the order they were logged."""
    points = []
    for index, entry in enumerate(run.history or [] if run else []):
        for series, key in (("loss", "loss"), ("reward margin", "reward_margin")):
            value = entry.get(key)
            if isinstance(value, (int, float)):
                points.append({"point": index, "value": float(value), "series": f"{entry.get('stage')} {series}"})
    return points


def latest_with_history(memory, user_id: int):
    """The newest run that logged progress, or None."""
    return next((r for r in runs.list_runs(memory, user_id, limit=20) if r.history), None)


def version_rows(memory, user) -> list[list[str]]:
    """Adapter versions, newest first, the live one marked."""
    rows = []
    for v in adapters.versions(memory, user.id):
        status = "● live" if v.status == "live" else v.status
        metrics = v.metrics if isinstance(v.metrics, dict) else {}
        evaluation = metrics.get("evaluation") if isinstance(metrics.get("evaluation"), dict) else {}
        rows.append([f"v{v.version}", status, when(v.created_at, user),
                     _compact(evaluation.get("candidate")) or str(metrics.get("gate") or "")])
    return rows


def rollback_choices(memory, user_id: int) -> list[tuple[str, int]]:
    """Versions the user can make live again: any with weights that was not rejected, and the bare base."""
    choices = [(f"v{v.version}" + (" (live)" if v.status == "live" else ""), v.version)
               for v in adapters.versions(memory, user_id) if v.status != "rejected"]
    return choices + [("base model (no adapter)", 0)]
