"""How many CPU threads torch should use: the cores other processes leave free.

With more threads than free cores, every parallel operation waits for its slowest thread, which the
operating system has parked behind another process: on 2 cores at load 12, a training step of a tiny
model took ~20 s with 2 threads and ~2.5 s with 1. `OMP_NUM_THREADS` set by the user always wins.

Busy cores are measured over the last second (psutil), not read from the 1-minute load average: a
process that just finished, or the parent now waiting for this one, would otherwise count as busy for a
minute and halve a training run on an idle machine.
"""

from __future__ import annotations

import os
from typing import Optional

WINDOW_S = 1.0  # how long busy cores are measured for


def busy_cores(window: float = WINDOW_S) -> float:
    """Cores other processes kept busy over the next `window` seconds (psutil's system-wide CPU share;
    the 1-minute load average where that cannot be read)."""
    try:
        import psutil

        return psutil.cpu_percent(interval=window) / 100 * (os.cpu_count() or 1)
    except Exception:  # noqa: BLE001 — no psutil or no /proc: the load average is the next best reading
        try:
            return os.getloadavg()[0]
        except OSError:  # not available on this platform
            return 0.0


def free_cores(load: Optional[float] = None, cores: Optional[int] = None) -> int:
    """Cores not busy with other work (`load`: busy cores, default: measured now by busy_cores);
    at least 1, at most `cores` (default: the machine's)."""
    cores = cores or os.cpu_count() or 1
    if load is None:
        load = busy_cores()
    return max(1, min(cores, int(cores - load + 0.5)))


def use_free_cores(echo=None) -> int:
    """Set torch's thread count to the free cores, unless OMP_NUM_THREADS says otherwise; returns it."""
    import torch

    if os.environ.get("OMP_NUM_THREADS"):
        return torch.get_num_threads()
    threads = free_cores()
    torch.set_num_threads(threads)
    if echo:
        echo(f"using {threads} of {os.cpu_count()} CPU threads (the others are busy)"
             if threads < (os.cpu_count() or 1) else f"using all {threads} CPU threads")
    return threads
