"""Wall time and peak memory of benchmark stages, in this process or in a child process.

Not a script: `bench/learning.py` uses it. In-process stages sample this process's resident memory (the
peak over the stage, loaded models included); a child's peak is the kernel's own count for that child.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

GIB = 2**30


@dataclass
class StageFigure:
    name: str
    seconds: float
    peak_gib: float
    where: str  # "bench process" | "training process"


@dataclass
class StageLog:
    """The stages run so far, in order."""

    figures: list[StageFigure] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str, echo=print) -> Iterator[None]:
        """Time the block and sample this process's peak resident memory while it runs."""
        import psutil

        process, peak, done = psutil.Process(), [0], threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], process.memory_info().rss)
                done.wait(0.2)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        echo(f"[{time.strftime('%H:%M:%S')}] {name} …")
        start = time.monotonic()
        try:
            yield
        finally:
            seconds = time.monotonic() - start
            done.set()
            sampler.join()
            peak[0] = max(peak[0], process.memory_info().rss)
            self.figures.append(StageFigure(name, seconds, peak[0] / GIB, "bench process"))
            echo(f"[{time.strftime('%H:%M:%S')}] {name}: {seconds:.0f} s")

    def child(self, name: str, argv: list[str], env: dict, log: Path, echo=print) -> int:
        """Run `argv` as a child process (output to `log`); record its wall time and peak RSS; return its exit code."""
        echo(f"[{time.strftime('%H:%M:%S')}] {name} …")
        start = time.monotonic()
        with open(log, "ab") as out:
            child = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - start
        # ru_maxrss is in KiB on Linux.
        self.figures.append(StageFigure(name, seconds, usage.ru_maxrss * 1024 / GIB, "training process"))
        echo(f"[{time.strftime('%H:%M:%S')}] {name}: {seconds:.0f} s, exit {child.returncode}")
        return child.returncode

    def seconds(self, name: str) -> Optional[float]:
        """Wall time of the stage called `name`, if it ran."""
        return next((f.seconds for f in self.figures if f.name == name), None)
