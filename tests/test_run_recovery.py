"""Guards recovery of embedded training runs: a run left "running" by a killed `mebot train` no longer blocks
the next one (the CLI marks it failed and trains); a refusal (the machine is busy) exits non-zero; the
processes the server starts are reaped, not left as zombies; a run held by a queue worker or another machine
is never judged by this machine's process table."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from memory import api
from rlmf.training import runs
from rlmf.training.run import machine_lock


def mebot(*args, env=None):
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_killed_mebot_train_does_not_block_the_next_one(mebot_home, tiny_model_path):
    memory = api.open_memory()
    alice = memory.user("alice")
    stale = runs.request_run(memory, alice)
    assert runs.claim(memory, stale.id, dead_pid())  # what a `mebot train` killed with -9 leaves behind

    result = mebot("train", "--user", "alice", env={"MEBOT_BASE_MODEL": str(tiny_model_path)})
    assert "already being trained" not in result.stderr
    assert runs.get_run(memory, alice.id, stale.id).status == "failed"
    assert "died" in runs.get_run(memory, alice.id, stale.id).error
    latest = runs.list_runs(memory, alice.id)[0]
    assert latest.id != stale.id and latest.attempts == 1
    assert "no notes to learn from" in latest.error  # it was claimed and executed (alice has no notes)
    assert result.returncode == 1


def test_refusing_to_train_exits_non_zero(mebot_home):
    memory = api.open_memory()
    memory.user("alice")
    with machine_lock(mebot_home, wait=False) as held:
        assert held
        result = mebot("train", "--user", "alice")
    assert result.returncode != 0 and "another run is training on this machine" in result.stderr
    assert runs.active_run(memory, memory.user("alice").id).status == "queued"


def test_the_dispatcher_reaps_the_training_processes_it_starts(mebot_home, sqlite_url, tiny_model_path,
                                                               monkeypatch):
    monkeypatch.setenv("MEBOT_BASE_MODEL", str(tiny_model_path))
    memory = api.open_memory(sqlite_url)
    alice = memory.user("alice")
    run = runs.request_run(memory, alice)
    assert runs.dispatch(memory, sqlite_url) == run.id
    deadline = time.time() + 180
    while runs.get_run(memory, alice.id, run.id).status in ("queued", "running") and time.time() < deadline:
        time.sleep(0.2)
    assert runs.get_run(memory, alice.id, run.id).status == "failed"  # no notes: it ends quickly
    deadline = time.time() + 20
    while time.time() < deadline:
        zombies = [c for c in psutil.Process().children() if c.status() == psutil.STATUS_ZOMBIE]
        if not zombies:
            break
        time.sleep(0.2)
    assert zombies == []


def test_runs_held_elsewhere_are_not_judged_by_this_machine(memory):
    alice, bob = memory.user("alice"), memory.user("bob")
    remote = runs.request_run(memory, alice)
    queued = runs.request_run(memory, bob)
    assert runs.claim(memory, remote.id, dead_pid()) and runs.claim(memory, queued.id, dead_pid())
    runs.update(memory, remote.id, host="another-machine")
    runs.update(memory, queued.id, queue_job_id=5)
    assert runs.recover_stale_runs(memory) == 0
    assert {runs.get_run(memory, u.id, r.id).status for u, r in ((alice, remote), (bob, queued))} == {"running"}
    runs.update(memory, remote.id, host=runs.this_host())
    assert runs.recover_stale_runs(memory) == 1
