"""Guards serving many users' adapters from one OpenAI-compatible multi-LoRA server (rlmf.chat.openai_server,
which speaks vLLM's load/unload endpoints): after a rollback the next reply uses the rolled-back weights
(the server was asked to load that version, and the reply equals the local model's with it); a user's
superseded version and the least recently used adapters beyond the limit are unloaded; a server that
restarted (forgetting its adapters, refusing connections for a moment) is retried and reloaded; and a run
with an object-storage adapter store (fsspec) uploads its version, which the server then fetches."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from rlmf.chat import Chunk, Reply
from rlmf.chat.backends import OpenAIBackend
from rlmf.chat.startup import live_adapter, make_engine
from rlmf.model.generation import GenerationConfig
from rlmf.training import adapters, store

NOW = datetime(2024, 7, 20, 15, 0)
GREEDY = GenerationConfig(max_new_tokens=16, temperature=0.0)
QUESTION = [{"role": "user", "content": "What is on my mind?"}]


def random_adapter(base_path: Path, folder: Path, seed: int) -> Path:
    """A LoRA adapter with random (not zero) weights: each seed answers differently, no training needed."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_pretrained(base_path)
    peft = get_peft_model(model, LoraConfig(r=4, lora_alpha=32, target_modules="all-linear", init_lora_weights=False))
    peft.save_pretrained(folder)
    return folder


class Server:
    """rlmf.chat.openai_server on a fixed port, in this process; restartable with a fresh model."""

    def __init__(self, base_path):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base_path, self.server, self.thread, self.app = base_path, None, None, None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, delay: float = 0.0) -> None:
        import uvicorn

        from rlmf.chat.openai_server import make_app
        from rlmf.model.personal import PersonalModel

        self.model = PersonalModel.load(self.base_path, device="cpu")  # a fresh process: no adapters loaded
        self.app = make_app(self.model, "tiny")
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))

        def run():
            time.sleep(delay)
            self.server.run()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        if not delay:
            self.wait_started()

    def wait_started(self) -> None:
        deadline = time.time() + 30
        while not (self.server.started or time.time() > deadline):
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def calls(self, kind: str) -> list[str]:
        return [name for what, name, _ in self.app.state.lora_calls if what == kind]


@pytest.fixture
def server(tiny_model_path):
    running = Server(tiny_model_path)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def reference_model(tiny_model_path):
    """A model of this module's own: the session's shared one may hold adapters of another shape
    (trained with other tests' configs), which PEFT cannot mix with these."""
    from rlmf.model.personal import PersonalModel

    return PersonalModel.load(tiny_model_path, device="cpu")


@pytest.fixture
def versions(tiny_model_path, sqlite_url, tmp_path):
    """alice with adapter versions 1 and 2 (2 live); bob and carol with one version each."""
    from memory import api

    memory = api.open_memory(sqlite_url)
    made = {}
    for name, count in (("alice", 2), ("bob", 1), ("carol", 1)):
        user = memory.user(name)
        for version in range(1, count + 1):
            folder = random_adapter(tiny_model_path, tmp_path / f"{name}-v{version}", seed=len(made))
            adapters.register(memory, user_id=user.id, version=version, path=folder, base_model=str(tiny_model_path),
                              parent_id=None, metadata={})
            adapters.promote(memory, user.id, version)
            made[(name, version)] = folder
    return memory, made


def local_reply(model, folder: Path, messages) -> str:
    """The reply of `folder`'s weights computed in this process: the reference the server must match."""
    model.load_adapter(folder.name, folder)
    try:
        return model.generate(messages, GREEDY, adapter=folder.name)
    finally:
        model.unload_adapter(folder.name)


def ask(backend, memory, name, base):
    return "".join(backend.stream(QUESTION, adapter=live_adapter(memory, memory.user(name), base), gen=GREEDY))


def test_after_a_rollback_the_next_reply_uses_the_rolled_back_weights(server, versions, tiny_model_path,
                                                                      reference_model, monkeypatch):
    from memory.settings import load

    memory, made = versions
    monkeypatch.setenv("MEBOT_BASE_MODEL", str(tiny_model_path))
    backend = OpenAIBackend(server.url, str(tiny_model_path), max_adapters=8)
    engine = make_engine(load(), memory, backend=backend)
    engine.gen = GREEDY
    alice = memory.user("alice")
    chat = alice.new_session()

    def reply(text):
        events = list(engine.respond(alice, chat.id, text, now=NOW, use_memory=False))
        return "".join(e.text for e in events if isinstance(e, Chunk)), [e for e in events if isinstance(e, Reply)][-1]

    text, stored = reply("hello")
    assert stored.adapter_version == 2 and server.calls("load") == ["u1-v2"]
    assert text == local_reply(reference_model, made[("alice", 2)], alice.message(stored.message_id).prompt)

    adapters.rollback(memory, alice.id, 1)
    text, stored = reply("hello again")
    assert stored.adapter_version == 1
    assert server.calls("load") == ["u1-v2", "u1-v1"] and server.calls("unload") == ["u1-v2"]
    rolled_back = local_reply(reference_model, made[("alice", 1)], alice.message(stored.message_id).prompt)
    assert text == rolled_back
    assert rolled_back != local_reply(reference_model, made[("alice", 2)], alice.message(stored.message_id).prompt)
    assert set(server.model.adapters) == {"u1-v1"}


def test_least_recently_used_adapters_are_unloaded_beyond_the_limit(server, versions, tiny_model_path):
    memory, _ = versions
    backend = OpenAIBackend(server.url, "tiny", max_adapters=2)
    for name in ("alice", "bob", "alice", "carol"):
        ask(backend, memory, name, str(tiny_model_path))
    assert server.calls("unload") == ["u2-v1"]  # bob's was the least recently used when carol came
    assert set(server.model.adapters) == {"u1-v2", "u3-v1"}


def test_a_restarted_server_is_retried_and_the_adapter_loaded_again(server, versions, tiny_model_path,
                                                                    reference_model):
    memory, made = versions
    backend = OpenAIBackend(server.url, "tiny", max_adapters=8, retry_wait=0.5)
    first = ask(backend, memory, "alice", str(tiny_model_path))
    server.stop()
    server.start(delay=1.0)  # refuses connections for a second, then comes back without adapters
    again = ask(backend, memory, "alice", str(tiny_model_path))
    assert again == first == local_reply(reference_model, made[("alice", 2)], QUESTION)
    assert server.calls("load") == ["u1-v2"]


def test_a_run_publishes_to_object_storage_and_serving_fetches_it(server, sqlite_url, tiny_model_path,
                                                                 reference_model, monkeypatch):
    import json
    import os

    import fsspec

    from memory import api
    from memory.settings import load
    from rlmf.training import runs
    from rlmf.training.run import execute, load_train_config

    monkeypatch.setenv("MEBOT_ADAPTER_STORE", "memory://mebot-test-store")
    monkeypatch.setenv("MEBOT_BASE_MODEL", str(tiny_model_path))
    memory = api.open_memory(sqlite_url)
    bob = memory.user("bob")
    bob.add_notes([{"title": "Dog", "content": "My dog is called Biscuit."}])
    run = runs.request_run(memory, bob)
    assert runs.claim(memory, run.id, os.getpid())
    config = load_train_config(json.dumps({"sft_max_steps": 2, "per_device_batch_size": 2,
                                           "gradient_checkpointing": False}))
    assert execute(memory, run.id, load(), config) in ("succeeded", "rejected"), runs.get_run_any(memory, run.id).error
    version = adapters.versions(memory, bob.id)[0]
    assert version.path == "memory://mebot-test-store/u1/v1" and store.has_file(version.path, "adapter_config.json")
    assert store.has_file(version.path, adapters.METADATA_FILE)
    assert not any((load().home / "adapter-staging").rglob("adapter_config.json"))  # nothing left in staging
    adapters.promote(memory, bob.id, 1)
    backend = OpenAIBackend(server.url, "tiny")
    # The server fetches the URL itself (here in this process, hence the same memory filesystem).
    assert ask(backend, memory, "bob", str(tiny_model_path)) == local_reply(
        reference_model, store.local_copy(version.path), QUESTION)
    assert server.app.state.lora_calls[-1] == ("load", "u1-v1", version.path)
    fsspec.filesystem("memory").rm("/mebot-test-store", recursive=True)
