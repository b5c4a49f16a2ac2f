"""A run's progress on its row: stage, step/total, loss and reward margin, and an ETA for the whole run."""

from __future__ import annotations

import time
from typing import Callable, Optional

from rlmf.training import runs

# How much longer one optimizer step of a preference stage takes than an SFT step on the same rows: it
# scores a chosen and a rejected reply, and the frozen reference once more.
STEP_COST = {"sft": 1.0, "dpo": 2.5, "kto": 2.5}


class Cancelled(Exception):
    """The run was asked to stop."""


class ProgressWriter:
    """Writes a run's progress to its row, at most every `interval` seconds (and at stage ends).

    The ETA (seconds left, the run's `eta_s`) extrapolates the SFT-equivalent step time
    measured so far over the steps the plan still has; before the first step it is unknown (None)."""

    def __init__(self, memory, run_id: int, echo: Optional[Callable[[str], None]] = None, interval: float = 0.5):
        self.memory, self.run_id, self.echo, self.interval = memory, run_id, echo, interval
        self.pending: list[dict] = []
        self.last_write = 0.0
        self.state: dict = {}
        self.steps_plan: dict[str, int] = {}
        self.done_units = 0.0  # finished work, in SFT-step units
        self.train_seconds = 0.0
        self.stage_started = time.monotonic()
        self.current = ""
        self.current_step = 0

    def __call__(self, stage: str, step: int, total: int, logs: dict) -> None:
        point = {"stage": stage, "step": step, "loss": logs.get("loss"),
                 "reward_margin": logs.get("rewards/margins")}
        if point["loss"] is not None or point["reward_margin"] is not None:
            self.pending.append(point)
        if total:
            self.steps_plan[stage] = total
        self.current_step = step
        self.state = {"stage": stage, "step": step, "total_steps": total}
        if self.echo and point["loss"] is not None:
            eta = self.eta()
            self.echo(f"{stage} {step}/{total} loss {point['loss']:.4f}"
                      + (f" margin {point['reward_margin']:.3f}" if point["reward_margin"] is not None else "")
                      + (f" eta {eta:.0f} s" if eta is not None else ""))
        if time.monotonic() - self.last_write >= self.interval:
            self.flush()

    def plan(self, steps: dict[str, int]) -> None:
        """The stages this run will train and their expected optimizer steps."""
        self.steps_plan = dict(steps)
        self.flush()

    def eta(self) -> Optional[float]:
        """Seconds left for the planned stages, or None before any step was timed."""
        units_now = self.done_units + STEP_COST.get(self.current, 1.0) * self.current_step
        seconds = self.train_seconds + (time.monotonic() - self.stage_started if self.current in STEP_COST else 0)
        if units_now <= 0:
            return None
        total_units = sum(STEP_COST.get(stage, 1.0) * steps for stage, steps in self.steps_plan.items())
        return max(0.0, (total_units - units_now) * seconds / units_now)

    def flush(self) -> None:
        eta = self.eta()
        runs.append_history(self.memory, self.run_id, self.pending, **self.state,
                            eta_s=None if eta is None else round(eta))
        self.pending, self.last_write = [], time.monotonic()
        if runs.get_run_status(self.memory, self.run_id) == "cancelling":
            raise Cancelled()

    def stage(self, stage: str) -> None:
        if self.current in STEP_COST:
            self.done_units += STEP_COST[self.current] * self.steps_plan.get(self.current, self.current_step)
            self.train_seconds += time.monotonic() - self.stage_started
        self.current, self.current_step, self.stage_started = stage, 0, time.monotonic()
        self.state = {"stage": stage, "step": 0, "total_steps": self.steps_plan.get(stage, 0)}
        self.flush()
