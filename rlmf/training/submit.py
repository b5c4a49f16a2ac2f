"""Handing queued runs to what executes them: the embedded dispatcher on this machine (the default, for one
person on a laptop) or the task queue's workers (many users; rlmf.training.queue)."""

from __future__ import annotations

from typing import Optional

from memory import settings as settings_module
from rlmf.training import runs


def start_queued(memory, database_url: str, settings: Optional[settings_module.Settings] = None) -> list[int]:
    """Start (embedded) or enqueue (task queue) the queued runs; returns the ids handed over."""
    settings = settings or settings_module.load()
    if settings.training_queue == "procrastinate":
        from rlmf.training import queue

        return queue.defer_queued(memory, database_url, settings.train_device)
    started = runs.dispatch(memory, database_url)
    return [started] if started is not None else []
