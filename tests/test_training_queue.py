"""Guards training on the procrastinate task queue with real `mebot worker` processes, the real PostgreSQL
server and the tiny model: two workers finish five users' queued runs with never two runs of one user at
once and every adapter where its row says; a worker killed with -9 mid-run leaves the live adapter loadable
and the run is retried once (a second loss fails it with the reason), never stuck "running"; two app
processes firing the same nightly window over one database queue exactly one run per eligible user; a run
queued for GPUs is never fetched by a CPU worker; an attempt that others gave up on knows it must stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from memory import api
from memory.models import SchedulerTick, TrainingRun
from rlmf.training import adapters, runs, submit
from rlmf.training.worker import MAX_ATTEMPTS, recover_lost_run

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SHORT = {"sft_max_steps": 4, "per_device_batch_size": 4, "gradient_accumulation_steps": 1,
         "gradient_checkpointing": False, "warmup_ratio": 0.0}
LONG = {**SHORT, "sft_max_steps": 5000}
FINISHED = ("succeeded", "rejected")


@pytest.fixture
def queue_env(postgres_url, tiny_model_path, tmp_path, monkeypatch):
    values = {"MEBOT_HOME": str(tmp_path / "home"), "MEBOT_DATABASE_URL": postgres_url,
              "MEBOT_BASE_MODEL": str(tiny_model_path), "MEBOT_TRAINING_QUEUE": "procrastinate",
              "MEBOT_TRAIN_CONFIG": json.dumps(SHORT), "MEBOT_WORKER_STALLED_SECONDS": "6",
              "HF_HUB_OFFLINE": "1"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


class Workers:
    """`mebot worker` processes started by a test, stopped (or already killed) at its end."""

    def __init__(self, env: dict, logs: Path):
        self.env, self.logs, self.processes = env, logs, []

    def start(self, **overrides) -> subprocess.Popen:
        log = open(self.logs / f"worker{len(self.processes)}.log", "w")
        process = subprocess.Popen([sys.executable, "-m", "webapp.cli", "worker", "--device", "cpu"],
                                   env={**os.environ, **self.env, **overrides}, stdout=log, stderr=log)
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def wait_ready(self, seconds: float = 300) -> None:
        """Until every started worker listens to its queue."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            logs = [p.read_text() for p in sorted(self.logs.glob("worker*.log"))]
            if len(logs) == len(self.processes) and all("Starting worker on queues" in log for log in logs):
                return
            time.sleep(0.5)
        pytest.fail(f"the workers did not start\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(p.read_text()[-1500:] for p in sorted(self.logs.glob("worker*.log")))


@pytest.fixture
def workers(queue_env, tmp_path):
    started = Workers(queue_env, tmp_path)
    yield started
    started.stop()


def wait_for(condition, seconds: float, workers: Workers, what: str):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}\n{workers.tail()}")


def _queue_run(memory, user):
    run = runs.request_run(memory, user)
    submit.start_queued(memory, memory.engine.url.render_as_string(hide_password=False))
    return run


def test_two_workers_finish_five_users_runs_one_per_user_at_a_time(queue_env, workers):
    memory = api.open_memory()
    users = [memory.user(f"user{i}") for i in range(5)]
    for i, user in enumerate(users):
        user.add_notes([{"title": "Pet", "content": f"My cat number {i} is called Whisker{i}."},
                        {"title": "Work", "content": f"I work at desk {i} on the third floor."}])
    workers.start()
    workers.start()
    workers.wait_ready()  # both listening, so both take runs
    queued = [_queue_run(memory, user) for user in users]
    assert all(r.status in ("queued", "running") for r in queued)
    assert _queue_run(memory, users[0]).id == queued[0].id  # asking again while queued or running: the same run

    seen_running: dict[int, set[int]] = {}
    def all_finished():
        rows = [runs.get_run(memory, u.id, r.id) for u, r in zip(users, queued)]
        for row in rows:
            if row.status == "running":
                seen_running.setdefault(row.user_id, set()).add(row.id)
        return all(row.status in FINISHED + ("failed",) for row in rows) and rows

    rows = wait_for(all_finished, 600, workers, "five runs to finish")
    assert [r.status for r in rows if r.status not in FINISHED] == [], [r.error for r in rows]
    assert all(len(ids) == 1 for ids in seen_running.values())
    assert len({r.pid for r in rows}) == 2, "both workers took runs"
    assert all(r.attempts == 1 and r.queue_job_id for r in rows)
    with memory.session() as session:
        assert session.query(TrainingRun).count() == 5  # nothing ran twice or was queued twice
    for user, row in zip(users, rows):
        version = adapters.versions(memory, user.id)
        assert len(version) == 1 and version[0].id == row.adapter_version_id
        assert (Path(version[0].path) / "adapter_config.json").is_file()
        assert json.loads((Path(version[0].path) / adapters.METADATA_FILE).read_text())["run_id"] == row.id


def test_kill_9_of_a_worker_mid_run_retries_once_and_keeps_the_live_adapter(queue_env, workers, tiny_model_path):
    from rlmf.model.personal import PersonalModel

    memory = api.open_memory()
    user = memory.user("alice")
    user.add_notes([{"title": "Dog", "content": "My dog is called Biscuit."}])
    first = _queue_run(memory, user)
    short = workers.start()
    wait_for(lambda: runs.get_run(memory, user.id, first.id).status in FINISHED, 300, workers, "the first run")
    live = adapters.live(memory, user.id)
    assert live is not None and live.version == 1
    short.send_signal(signal.SIGTERM)
    short.wait(timeout=60)

    user.add_note("A new note, so there is something to learn.")
    doomed = workers.start(MEBOT_TRAIN_CONFIG=json.dumps(LONG))
    run = _queue_run(memory, user)
    wait_for(lambda: (lambda r: r.status == "running" and r.stage == "sft" and r.step >= 2)(
        runs.get_run(memory, user.id, run.id)), 300, workers, "the long run to get going")
    assert runs.get_run(memory, user.id, run.id).pid == doomed.pid
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=30)

    # Nothing half-written is visible; the live adapter loads.
    assert adapters.live(memory, user.id).id == live.id
    assert [v.version for v in adapters.versions(memory, user.id)] == [1]
    model = PersonalModel.load(tiny_model_path, device="cpu")
    model.load_adapter("live", live.path)

    workers.start()  # a healthy worker notices the silent one and retries its run
    done = wait_for(lambda: (lambda r: r.status not in ("queued", "running") and r)(
        runs.get_run(memory, user.id, run.id)), 300, workers, "the retried run to end")
    assert done.status in FINISHED, done.error
    assert done.attempts == 2
    assert [v.version for v in adapters.versions(memory, user.id)] == [2, 1]


def test_a_second_lost_attempt_fails_the_run_with_the_reason(postgres_url):
    memory = api.open_memory(postgres_url)
    user = memory.user("alice")
    run = runs.request_run(memory, user)
    runs.update(memory, run.id, queue_job_id=41)
    assert runs.claim(memory, run.id, pid=1)
    assert recover_lost_run(memory, run.id, job_id=41) == "retry"
    assert recover_lost_run(memory, run.id, job_id=41) == "other"  # a second worker deciding too: no effect
    assert runs.get_run(memory, user.id, run.id).status == "queued"
    assert runs.claim(memory, run.id, pid=2)
    assert recover_lost_run(memory, run.id, job_id=41) == "failed"
    failed = runs.get_run(memory, user.id, run.id)
    assert failed.status == "failed" and failed.attempts == MAX_ATTEMPTS and "killed" in failed.error
    assert recover_lost_run(memory, run.id, job_id=7) == "other"


def test_an_attempt_given_up_on_knows_it_must_stop(postgres_url):
    from rlmf.training.queue import taken_away

    memory = api.open_memory(postgres_url)
    user = memory.user("alice")
    run = runs.request_run(memory, user)
    runs.update(memory, run.id, queue_job_id=3)
    assert runs.claim(memory, run.id, pid=1)
    assert not taken_away(memory, run.id, attempt=1)
    recover_lost_run(memory, run.id, job_id=3)  # the others took attempt 1 for dead: back in the queue
    assert taken_away(memory, run.id, attempt=1)
    assert runs.claim(memory, run.id, pid=2)
    assert taken_away(memory, run.id, attempt=1) and not taken_away(memory, run.id, attempt=2)
    runs.update(memory, run.id, status="succeeded")
    assert not taken_away(memory, run.id, attempt=2)  # it finished itself


NIGHTLY_APP = """
import logging, sys, time
from datetime import datetime, timezone
from memory import api, settings
from rlmf.training.scheduler import NIGHTLY, TrainingScheduler
logging.basicConfig(level=logging.INFO)
memory = api.open_memory()
app_scheduler = TrainingScheduler(memory, settings.load()).start()
at = datetime.fromtimestamp(float(sys.argv[1]), timezone.utc)
app_scheduler.scheduler.modify_job(NIGHTLY, next_run_time=at)
time.sleep(max(0.0, at.timestamp() - time.time()) + 6)
app_scheduler.shutdown()
"""


def test_two_app_processes_queue_one_nightly_run_per_eligible_user(queue_env):
    memory = api.open_memory()
    eligible = [memory.user(name) for name in ("ana", "ben", "cy")]
    for user in eligible:
        user.add_note(f"{user.name} wrote something today.")
    idle = memory.user("dora")  # nothing new: not trained
    fire_at = str(time.time() + 8)  # both processes fire the nightly job at this instant
    apps = [subprocess.Popen([sys.executable, "-c", NIGHTLY_APP, fire_at], env={**os.environ, **queue_env},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [app.communicate(timeout=120)[0] for app in apps]
    assert all(app.returncode == 0 for app in apps), outputs
    assert sum("mebot-nightly-training: another process has this firing" in out for out in outputs) == 1, outputs
    with memory.session() as session:
        rows = session.query(TrainingRun).all()
        assert sorted(r.user_id for r in rows) == sorted(u.id for u in eligible)
        assert all(r.trigger == "schedule" and r.queue_job_id for r in rows), outputs
        assert idle.id not in {r.user_id for r in rows}
        assert session.query(SchedulerTick).filter_by(job="mebot-nightly-training").count() == 1


def test_runs_for_gpus_wait_in_the_gpu_queue_where_cpu_workers_never_look(postgres_url):
    import asyncio

    from rlmf.training import queue

    memory = api.open_memory(postgres_url)
    alice, bob = memory.user("alice"), memory.user("bob")
    gpu_run = runs.request_run(memory, alice)
    assert queue.defer_queued(memory, postgres_url, "gpu") == [gpu_run.id]
    cpu_run = runs.request_run(memory, bob)
    assert queue.defer_queued(memory, postgres_url, "cpu") == [cpu_run.id]
    assert queue.defer_queued(memory, postgres_url, "cpu") == []  # each run gets one job

    async def fetch(queues):
        app = queue.make_app(postgres_url)
        async with app.open_async():
            worker_id = await app.job_manager.register_worker()
            try:
                return await app.job_manager.fetch_job(queues, worker_id)
            finally:
                await app.job_manager.unregister_worker(worker_id)

    taken = asyncio.run(fetch(["training-cpu"]))
    assert taken.task_kwargs == {"run_id": cpu_run.id} and taken.lock == f"mebot-user-{bob.id}"
    assert asyncio.run(fetch(["training-cpu"])) is None  # the gpu run is not for a cpu worker
    assert asyncio.run(fetch(["training-gpu"])).task_kwargs == {"run_id": gpu_run.id}
    with pytest.raises(ValueError):
        queue.queue_name("tpu")
