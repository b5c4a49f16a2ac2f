"""One training run, start to finish, in its own process:

    python -m rlmf.training.run --run-id N [--database URL]

SFT on data synthesised from the user's notes (plus replies they liked or edited), then DPO on their
preference pairs and KTO on unpaired votes when there are enough; each stage starts from the previous
stage's adapter. A full run starts from the bare base with everything; an incremental run continues the
live adapter with what it has not seen plus a replay sample (rlmf.data.run_data). The result is a new
version folder recording what it has seen; it goes live only through the evaluation gate.
Progress (stage, step/total, loss, reward margin, ETA) is written to the run's row as it goes. Killed at any
moment, it leaves the live adapter and the database intact: stages write to a private work folder, and
the version folder appears by one rename.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import shutil
import signal
import sys
import traceback
from contextlib import contextmanager
from dataclasses import fields, replace
from pathlib import Path
from typing import Optional

from memory import settings as settings_module
from memory.models import utcnow
from memory.vocab import RunKind, RunStatus, RunTrigger
from rlmf.training import adapters, runs, store
from rlmf.model.threads import use_free_cores
from rlmf.training.config import TrainConfig
from rlmf.training.gate import GateConfig, evaluate, passes
from rlmf.training.plan import minimums, stage_plan
from rlmf.training.progress import Cancelled, ProgressWriter


def load_train_config(overrides: Optional[str] = None, device: Optional[str] = None) -> TrainConfig:
    """TrainConfig with overrides from JSON (default: the MEBOT_TRAIN_CONFIG environment variable), on the
    defaults of `device` (None: this machine's) unless the overrides name one."""
    raw = overrides if overrides is not None else settings_module.load().train_config
    values = json.loads(raw) if raw and raw.strip() else {}
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown training setting(s): {', '.join(sorted(unknown))}")
    return TrainConfig.for_device(values.pop("device", device), **values)


@contextmanager
def machine_lock(home: Path, wait: bool):
    """The machine's training lock (a file lock, on any OS): one embedded run trains at a time.

    Yields False when busy and not waiting."""
    from filelock import FileLock, Timeout

    home.mkdir(parents=True, exist_ok=True)
    lock = FileLock(home / "training.lock")
    try:
        lock.acquire(timeout=-1 if wait else 0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


class NothingToLearn(Exception):
    """An incremental run found nothing the live adapter has not seen."""


def choose_kind(requested: Optional[str], trigger: str, live_row, fingerprint: str, changed: int, total: int,
                full_share: float) -> RunKind:
    """Full or incremental: full when asked (or scheduled), when there is no live adapter of this base to
    continue, or when more than `full_share` of the notes are new or changed; else incremental."""
    if requested == RunKind.FULL or (requested is None and trigger == RunTrigger.SCHEDULE):
        return RunKind.FULL
    if live_row is None or live_row.seen is None or live_row.base_fingerprint != fingerprint:
        return RunKind.FULL
    if requested is None and total and changed / total > full_share:
        return RunKind.FULL
    return RunKind.INCREMENTAL


def sft_config(config: TrainConfig, kind: RunKind) -> TrainConfig:
    """The SFT settings of a run: an incremental run refines the live adapter at a lower rate."""
    if kind != RunKind.INCREMENTAL:
        return config
    return replace(config, sft_learning_rate=config.sft_learning_rate * config.incremental_sft_lr_scale)


def _live_seen_and_changes(user, live_row) -> tuple[int, int]:
    from rlmf.data.run_data import changed_notes
    from rlmf.data.synthesis import NoteView

    rows = user.notes()
    notes = [NoteView(n.id, n.title, n.content, n.created_at) for n in rows]
    updated = {n.id: (n.updated_at or n.created_at).isoformat() for n in rows}
    return len(changed_notes(notes, updated, (live_row.seen if live_row else None) or {})), len(notes)


def execute(memory, run_id: int, settings, config: TrainConfig, echo=None) -> str:
    """Run the claimed run `run_id` to its end; returns its final status."""
    from rlmf.data.run_data import build_run_data
    from rlmf.model.base import base_fingerprint, resolve_source
    from rlmf.training.preference import train_dpo, train_kto
    from rlmf.training.sft import train_sft

    run = runs.get_run_any(memory, run_id)
    user = memory.user_by_id(run.user_id)
    progress = ProgressWriter(memory, run_id, echo)
    root = store.training_root(settings)  # the store's folder, or local staging for object storage
    adapters.clean_leftovers(root, user.id)
    work = adapters.user_dir(root, user.id) / f".run{run_id}"
    try:
        progress.stage("prepare")
        source = resolve_source(settings.base_model, echo=echo)
        fingerprint = base_fingerprint(source)
        parent = adapters.live(memory, user.id)
        changed, total = _live_seen_and_changes(user, parent)
        kind = choose_kind(run.kind, run.trigger, parent, fingerprint, changed, total,
                           config.full_run_share)
        data = build_run_data(user, kind=kind, seen=parent.seen if parent else None, seed=config.seed,
                              week_start=settings.week_start, replay_ratio=config.replay_ratio,
                              min_replay=config.min_replay_rows, max_sft_rows=config.max_sft_rows,
                              closed_share=config.sft_closed_share, history_turns=config.history_turns)
        plan = stage_plan(data, config)
        # The plan and the minimums it was held to go on the row first, so even a run that stops here
        # tells which stages it would have trained and what the others were missing.
        counts = {"kind": kind.value, **data.counts, "needs": minimums(config), "plan": plan}
        runs.update(memory, run_id, data_counts=counts, kind=kind.value)
        if kind == RunKind.FULL and not data.sft:
            raise ValueError("no notes to learn from yet: add some notes first")
        if kind == RunKind.INCREMENTAL and not plan:
            raise NothingToLearn(f"nothing new since version {parent.version} that a run can train on yet: add or "
                                 "edit notes, or give more feedback")
        progress.plan(plan)
        stages: dict[str, dict] = {}
        latest = store.local_copy(parent.path) if kind == RunKind.INCREMENTAL else None
        for stage, rows, train in (("sft", data.sft, train_sft), ("dpo", data.dpo, train_dpo),
                                   ("kto", data.kto, train_kto)):
            if stage not in plan:
                continue
            progress.stage(stage)
            if stage == "sft":
                result = train_sft(settings.base_model, rows, work / stage, sft_config(config, kind), progress,
                                   init_adapter=latest)
            else:
                result = train(settings.base_model, rows, work / stage, config, latest, progress)
            stages[stage], latest = result.to_dict(), result.out_dir
            counts[f"{stage}_too_long"] = result.too_long
        runs.update(memory, run_id, data_counts=counts)
        gc.collect()

        progress.stage("eval")
        metadata = {"kind": kind.value, "data_counts": counts, "stages": stages, "train_config": config.to_dict(),
                    "run_id": run_id}
        seen = data.seen_after(dpo_trained="dpo" in plan, kto_trained="kto" in plan)
        status, row, why, metrics = judge_and_register(
            memory, settings, user_id=user.id, candidate=latest, parent=parent, fingerprint=fingerprint,
            base_label=source.label, sft_heldout=data.sft_heldout, dpo_heldout=data.dpo_heldout,
            metadata=metadata, seen=seen, known=data.known)
        progress.flush()
        runs.update(memory, run_id, status=status, metrics=metrics, adapter_version_id=row.id, eta_s=0,
                    finished_at=utcnow(), error=None if status == RunStatus.SUCCEEDED else why)
        return status
    except Cancelled:
        runs.update(memory, run_id, status=RunStatus.CANCELLED, finished_at=utcnow())
        return RunStatus.CANCELLED
    except NothingToLearn as exc:
        runs.update(memory, run_id, status=RunStatus.FAILED, finished_at=utcnow(), error=str(exc))
        return RunStatus.FAILED
    except Exception as exc:
        runs.update(memory, run_id, status=RunStatus.FAILED, finished_at=utcnow(),
                    error=f"{type(exc).__name__}: {exc}"[:2000] + "\n" + traceback.format_exc()[-3000:])
        return RunStatus.FAILED
    finally:
        shutil.rmtree(work, ignore_errors=True)


def judge_and_register(memory, settings, *, user_id: int, candidate: Path, parent, fingerprint: str,
                       base_label: str, sft_heldout: list[dict], dpo_heldout: list[dict], metadata: dict,
                       seen: dict, known: Optional[list[dict]] = None) -> tuple[str, object, str, dict]:
    """Gate a trained adapter folder against the live version (or the bare base), move it into the user's
    next version folder, record it, and promote it only if it passed.

    `known`: closed-book rows the live version was trained on; the candidate must not have forgotten them.
    Returns (status "succeeded" | "rejected", the AdapterVersion row, the gate's reason, metrics)."""
    parent_path = store.local_copy(parent.path) if parent and parent.base_fingerprint == fingerprint else None
    results = evaluate(settings.base_model, candidate, parent_path, sft_heldout, dpo_heldout,
                       known if parent_path is not None else None)
    promote, why = passes(results, GateConfig())
    # The store's folder, or local staging when the store is object storage (rlmf.training.store).
    version, folder = adapters.next_version_dir(memory, store.training_root(settings), user_id)
    Path(candidate).rename(folder)  # the version appears whole, or not at all
    metrics = {"evaluation": results, "gate": why, "stages": metadata.get("stages", {})}
    row = adapters.register(memory, user_id=user_id, version=version, path=folder, base_model=base_label,
                            base_fingerprint=fingerprint, seen=seen, parent_id=parent.id if parent else None,
                            metadata={**metadata, "metrics": metrics})
    row = adapters.relocate(memory, row.id, store.publish(folder, user_id, version, settings))
    if promote:
        adapters.promote(memory, user_id, version)
    else:
        adapters.reject(memory, user_id, version, metrics)
    return (RunStatus.SUCCEEDED if promote else RunStatus.REJECTED), row, why, metrics


def _raise_cancelled(signum, frame):
    # SIGTERM (cancel) becomes an exception inside the training loop, so the run ends cleanly.
    raise Cancelled()


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m rlmf.training.run", description="Run one queued training run.")
    parser.add_argument("--run-id", type=int, required=True)
    parser.add_argument("--database", help="SQLAlchemy URL (default: the settings' database)")
    parser.add_argument("--wait", action="store_true", help="wait for the machine's training lock")
    parser.add_argument("--verbose", action="store_true", help="print progress")
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    from memory import api

    args = make_parser().parse_args(argv)
    settings = settings_module.load()
    memory = api.open_memory(args.database)
    signal.signal(signal.SIGTERM, _raise_cancelled)
    with machine_lock(settings.home, wait=args.wait) as locked:
        if not locked:
            return 0  # another run is training on this machine; this one stays queued
        if not runs.claim(memory, args.run_id, os.getpid()):
            return 0
        if not _cuda_available():  # on a CPU, only the cores other work leaves free
            use_free_cores(echo=print if args.verbose else None)
        status = execute(memory, args.run_id, settings, load_train_config(),
                         echo=print if args.verbose else None)
    memory.close()
    return 0 if status in (RunStatus.SUCCEEDED, RunStatus.REJECTED, RunStatus.CANCELLED) else 1


if __name__ == "__main__":
    sys.exit(main())
