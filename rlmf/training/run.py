"""One training run, start to finish, in its own process:

    python -m rlmf.training.run --run-id N [--database URL]

SFT on data synthesised from the user's notes (plus replies they liked or edited), then DPO on their
preference pairs and KTO on unpaired votes when there are enough; each stage starts from the previous
stage's adapter. The result is a new version folder; it goes live only through the evaluation gate.
Progress (stage, step/total, loss, reward margin) is written to the run's row as it goes. Killed at any
moment, it leaves the live adapter and the database intact: stages write to a private work folder, and
the version folder appears by one rename.
"""

from __future__ import annotations

import argparse
import fcntl
import gc
import json
import os
import shutil
import signal
import sys
import time
import traceback
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Callable, Optional

from memory.profile import summary as profile_summary
from memory import settings as settings_module
from memory.models import utcnow
from memory.vocab import RunStatus
from rlmf.training import adapters, runs
from rlmf.data import preference_pairs
from rlmf.training.config import TrainConfig
from rlmf.training.gate import GateConfig, evaluate, passes
from rlmf.data.synthesis import NoteView, Synthesiser, split_holdout


class Cancelled(Exception):
    """The run was asked to stop."""


def load_train_config(overrides: Optional[str] = None) -> TrainConfig:
    """TrainConfig with overrides from JSON (default: the MEBOT_TRAIN_CONFIG environment variable)."""
    raw = overrides if overrides is not None else settings_module.load().train_config
    values = json.loads(raw) if raw and raw.strip() else {}
    known = {f.name for f in fields(TrainConfig)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown training setting(s): {', '.join(sorted(unknown))}")
    return TrainConfig(**values)


@contextmanager
def machine_lock(home: Path, wait: bool):
    """The machine's training lock: one run trains at a time. Yields False when busy and not waiting."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "training.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class ProgressWriter:
    """Writes a run's progress to its row, at most every `interval` seconds (and at stage ends)."""

    def __init__(self, memory, run_id: int, echo: Optional[Callable[[str], None]] = None, interval: float = 0.5):
        self.memory, self.run_id, self.echo, self.interval = memory, run_id, echo, interval
        self.pending: list[dict] = []
        self.last_write = 0.0
        self.state: dict = {}

    def __call__(self, stage: str, step: int, total: int, logs: dict) -> None:
        point = {"stage": stage, "step": step, "loss": logs.get("loss"),
                 "reward_margin": logs.get("rewards/margins")}
        if point["loss"] is not None or point["reward_margin"] is not None:
            self.pending.append(point)
        self.state = {"stage": stage, "step": step, "total_steps": total}
        if self.echo and point["loss"] is not None:
            self.echo(f"{stage} {step}/{total} loss {point['loss']:.4f}"
                      + (f" margin {point['reward_margin']:.3f}" if point["reward_margin"] is not None else ""))
        if time.monotonic() - self.last_write >= self.interval:
            self.flush()

    def flush(self) -> None:
        runs.append_history(self.memory, self.run_id, self.pending, **self.state)
        self.pending, self.last_write = [], time.monotonic()
        if runs.get_run_status(self.memory, self.run_id) == RunStatus.CANCELLING:
            raise Cancelled()

    def stage(self, stage: str) -> None:
        self.state = {"stage": stage, "step": 0, "total_steps": 0}
        self.flush()


def build_data(user, *, seed: int, week_start: int) -> dict:
    """Every dataset of a run: SFT rows (train/held-out), DPO pairs (train/held-out), KTO rows."""
    notes = [NoteView(n.id, n.title, n.content, n.created_at) for n in user.notes()]
    profile = user.profile()  # refreshed: the run learns the L1 facts as they stand now
    synthesised = Synthesiser(notes, seed=seed, week_start=week_start,
                              profile=profile_summary.summary(profile) or None).rows(profile=profile)
    sft_train, sft_heldout = split_holdout(synthesised, share=0.1, seed=seed)
    sft_train = [{"messages": r["messages"]} for r in sft_train] + preference_pairs.liked_replies(user)
    pairs = preference_pairs.dpo_rows(user)
    # With few pairs every one is needed for training; the gate then checks them in-sample.
    pairs_train, pairs_heldout = split_holdout(pairs, share=0.2, seed=seed) if len(pairs) >= 10 else (pairs, pairs)
    return {"sft": sft_train, "sft_heldout": sft_heldout, "dpo": pairs_train, "dpo_heldout": pairs_heldout,
            "kto": preference_pairs.kto_rows(user), "notes": len(notes)}


def execute(memory, run_id: int, settings, config: TrainConfig, echo=None) -> RunStatus:
    """Run the claimed run `run_id` to its end; returns its final status."""
    from rlmf.training.preference import train_dpo, train_kto
    from rlmf.training.sft import train_sft

    run = runs.get_run_any(memory, run_id)
    user = memory.user_by_id(run.user_id)
    progress = ProgressWriter(memory, run_id, echo)
    adapters.clean_leftovers(settings.adapters_dir, user.id)
    work = adapters.user_dir(settings.adapters_dir, user.id) / f".run{run_id}"
    try:
        data = build_data(user, seed=config.seed, week_start=settings.week_start)
        counts = {k: len(v) if isinstance(v, list) else v for k, v in data.items()}
        runs.update(memory, run_id, data_counts=counts)
        if not data["sft"]:
            raise ValueError("no notes to learn from yet: add some notes first")
        parent = adapters.live(memory, user.id)
        stages: dict[str, dict] = {}

        progress.stage("sft")
        result = train_sft(settings.base_model, data["sft"], work / "sft", config, progress)
        stages["sft"] = result.to_dict()
        latest = result.out_dir
        if len(data["dpo"]) >= config.min_dpo_pairs:
            progress.stage("dpo")
            result = train_dpo(settings.base_model, data["dpo"], work / "dpo", config, latest, progress)
            stages["dpo"], latest = result.to_dict(), result.out_dir
        if len(data["kto"]) >= config.min_kto_examples:
            progress.stage("kto")
            result = train_kto(settings.base_model, data["kto"], work / "kto", config, latest, progress)
            stages["kto"], latest = result.to_dict(), result.out_dir
        gc.collect()

        progress.stage("eval")
        parent_path = Path(parent.path) if parent and parent.base_model == settings.base_model else None
        results = evaluate(settings.base_model, latest, parent_path, data["sft_heldout"], data["dpo_heldout"])
        promote, why = passes(results, GateConfig())

        version, folder = adapters.next_version_dir(memory, settings.adapters_dir, user.id)
        latest.rename(folder)  # the version appears whole, or not at all
        metrics = {"evaluation": results, "gate": why, "stages": stages}
        row = adapters.register(memory, user_id=user.id, version=version, path=folder,
                                base_model=settings.base_model, parent_id=parent.id if parent else None,
                                metadata={"data_counts": counts, "metrics": metrics, "train_config": config.to_dict(),
                                          "run_id": run_id})
        if promote:
            adapters.promote(memory, user.id, version)
        else:
            adapters.reject(memory, user.id, version, metrics)
        status = RunStatus.SUCCEEDED if promote else RunStatus.REJECTED
        progress.flush()
        runs.update(memory, run_id, status=status, metrics=metrics, adapter_version_id=row.id,
                    finished_at=utcnow(), error=None if promote else why)
        return status
    except Cancelled:
        runs.update(memory, run_id, status=RunStatus.CANCELLED, finished_at=utcnow())
        return RunStatus.CANCELLED
    except Exception as exc:
        runs.update(memory, run_id, status=RunStatus.FAILED, finished_at=utcnow(),
                    error=f"{type(exc).__name__}: {exc}"[:2000] + "\n" + traceback.format_exc()[-3000:])
        return RunStatus.FAILED
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _raise_cancelled(signum, frame):
    # SIGTERM (cancel) becomes an exception inside the training loop, so the run ends cleanly.
    raise Cancelled()


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
        status = execute(memory, args.run_id, settings, load_train_config(),
                         echo=print if args.verbose else None)
    memory.close()
    return 0 if status in (RunStatus.SUCCEEDED, RunStatus.REJECTED, RunStatus.CANCELLED) else 1


if __name__ == "__main__":
    sys.exit(main())
