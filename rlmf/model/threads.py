"""How many CPU threads torch should use: the cores other processes leave free.

With more threads than free cores, every parallel operation waits for its slowest thread, which the
operating system has parked behind another process: on 2 cores at load 12, a training step of a tiny
model took ~20 s with 2 threads and ~2.5 s with 1. `OMP_NUM_THREADS` set by the user always wins.
"""

from __future__ import annotations

import os
from typing import Optional


def free_cores(load: Optional[float] = None, cores: Optional[int] = None) -> int:
    """Cores not busy with other work, from the 1-minute load average (`load`, default: the machine's);
    at least 1, at most `cores` (default: the machine's)."""
    cores = cores or os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:  # not available on this platform
            return cores
    return max(1, min(cores, int(cores - load + 0.5)))


def use_free_cores(echo=None) -> int:
    """Set torch's thread count to the free cores, unless OMP_NUM_THREADS says otherwise; returns it."""
    import torch

    if os.environ.get("OMP_NUM_THREADS"):
        return torch.get_num_threads()
    threads = free_cores()
    torch.set_num_threads(threads)
    if echo:
        echo(f"using {threads} of {os.cpu_count()} CPU threads (the others are busy)")
    return threads
