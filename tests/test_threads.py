"""Guards the CPU thread count of training: the cores other work leaves free, at least one, and the
user's OMP_NUM_THREADS untouched."""

from __future__ import annotations

import torch

import os
import subprocess
import sys

from rlmf.model.threads import busy_cores, free_cores, use_free_cores


def test_free_cores_follow_the_load():
    assert free_cores(load=0.0, cores=2) == 2
    assert free_cores(load=0.9, cores=2) == 1
    assert free_cores(load=12.0, cores=2) == 1  # never zero
    assert free_cores(load=3.2, cores=16) == 13


def test_the_users_thread_setting_wins(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        torch.set_num_threads(1)
        assert use_free_cores() == 1
        monkeypatch.delenv("OMP_NUM_THREADS")
        assert 1 <= use_free_cores() <= (__import__("os").cpu_count() or 1)
    finally:
        torch.set_num_threads(before)


def test_busy_cores_are_measured_now():
    """A process spinning on one core is seen within the window; the reading is never above the machine's."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        import time

        time.sleep(0.3)
        busy = busy_cores(window=1.0)
    finally:
        spinner.kill()
        spinner.wait()
    assert 0.8 <= busy <= (os.cpu_count() or 1)
