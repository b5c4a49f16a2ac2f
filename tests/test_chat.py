"""Guards the chat engine: replies stream in chunks and are stored with the model, adapter version, exact
prompt and memory items; regenerations are siblings; memory-only mode answers time questions from notes;
the openai backend streams from a real OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timedelta

import pytest

from rlmf.chat.backends import LocalBackend, MemoryOnlyBackend, OpenAIBackend
from rlmf.chat import Chunk, ChatEngine, Reply
from rlmf.model.generation import GenerationConfig

NOW = datetime(2024, 7, 20, 15, 0)
GREEDY = GenerationConfig(max_new_tokens=24, temperature=0.0)


def run(events):
    chunks = [e.text for e in events if isinstance(e, Chunk)]
    return chunks, [e for e in events if isinstance(e, Reply)][-1]


@pytest.fixture
def alice(memory):
    user = memory.user("alice")
    user.add_notes([
        {"title": "Dentist", "content": "Dentist moved my appointment to Friday.", "created_at": NOW - timedelta(days=1, hours=5)},
        {"title": "Bike", "content": "Bought a blue bike.", "created_at": NOW - timedelta(days=1, hours=2)},
        {"title": "Old", "content": "Planted tomatoes.", "created_at": NOW - timedelta(days=9)},
    ])
    return user


def test_memory_only_mode_answers_yesterday_with_yesterdays_notes(alice):
    engine = ChatEngine(MemoryOnlyBackend("no model here"))
    chat = alice.new_session()
    chunks, reply = run(list(engine.respond(alice, chat.id, "What did I note yesterday?", now=NOW)))
    assert reply.memory_only and "Memory-only mode" in reply.answer
    assert "Friday 19 July 2024" in reply.answer
    assert "Dentist" in reply.answer and "blue bike" in reply.answer and "tomatoes" not in reply.answer
    assert {c.title for c in reply.citations} == {"Dentist", "Bike"}
    stored = alice.message(reply.message_id)
    assert stored.timeframe["phrase"] == "yesterday" and len(stored.memory_items) == 2


def test_local_tiny_model_streams_and_stores_what_produced_the_reply(alice, tiny_personal_model):
    engine = ChatEngine(LocalBackend(tiny_personal_model), gen=GREEDY, context_tokens=4096)
    chat = alice.new_session()
    events = list(engine.respond(alice, chat.id, "What did I buy yesterday?", now=NOW))
    chunks, reply = run(events)
    assert len(chunks) >= 3
    stored = alice.message(reply.message_id)
    assert stored.role == "assistant" and stored.parent_id == reply.user_message_id
    assert stored.model_name == engine.backend.name and stored.adapter_version_id is None
    assert stored.prompt == reply.prompt and "Bought a blue bike." in stored.prompt[0]["content"]
    assert {"kind": "note", "id": alice.search("blue bike")[0].note_id, "ref": f"N{alice.search('blue bike')[0].note_id}"} in stored.memory_items
    assert "".join(chunks).strip().startswith(stored.content[:5])


def test_regenerate_adds_a_sibling_and_history_uses_the_latest(alice, tiny_personal_model):
    engine = ChatEngine(LocalBackend(tiny_personal_model), gen=GenerationConfig(max_new_tokens=8, temperature=1.0, seed=1))
    chat = alice.new_session()
    _, first = run(list(engine.respond(alice, chat.id, "hello", now=NOW)))
    _, second = run(list(engine.regenerate(alice, first.message_id, now=NOW)))
    assert alice.message(second.message_id).parent_id == alice.message(first.message_id).parent_id
    _, third = run(list(engine.respond(alice, chat.id, "and then?", now=NOW)))
    history = [m["content"] for m in third.prompt[1:-1]]
    assert history[-1] == alice.message(second.message_id).content or len(history) == 2


def test_memory_switch_off_sends_no_notes(alice):
    engine = ChatEngine(MemoryOnlyBackend())
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "What did I note yesterday?", now=NOW, use_memory=False)))
    assert reply.items == [] and "Dentist" not in reply.prompt[0]["content"]


def test_memory_switch_off_asks_closed_book_as_training_does(alice):
    # The adapter learns closed-book answers from prompts built with closed_book=True (rlmf.data.synthesis):
    # memory off must send that same shape — the period resolved, no "no notes matched" line.
    engine = ChatEngine(MemoryOnlyBackend())
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "What did I note yesterday?", now=NOW, use_memory=False)))
    system = reply.prompt[0]["content"]
    assert "Time frame:" in system and "No notes matched" not in system and "<memory>" not in system


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def model_server(tiny_personal_model):
    import uvicorn

    from rlmf.chat.openai_server import make_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(tiny_personal_model, "tiny"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)


def test_openai_backend_streams_from_a_local_server(alice, model_server, tiny_personal_model):
    backend = OpenAIBackend(model_server, "tiny")
    engine = ChatEngine(backend, gen=GREEDY)
    chat = alice.new_session()
    chunks, reply = run(list(engine.respond(alice, chat.id, "What did I buy yesterday?", now=NOW)))
    assert len(chunks) >= 3
    local = tiny_personal_model.generate(reply.prompt, GREEDY, adapter=None)
    assert "".join(chunks) == local


def test_the_profile_summary_reaches_the_prompt(alice):
    from rlmf.chat.startup import make_engine
    from memory.settings import load

    alice.add_note("I love crispy bacon for breakfast.")
    alice.refresh_profile()
    engine = make_engine(load(), alice.memory, backend=MemoryOnlyBackend())
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "What should I cook?", now=NOW)))
    assert "About the user:" in reply.prompt[0]["content"] and "crispy bacon" in reply.prompt[0]["content"]


def test_local_backend_keeps_at_most_max_adapters_loaded(tiny_model_path, tmp_path):
    from rlmf.chat.backends import AdapterRef
    from rlmf.training.config import TrainConfig
    from rlmf.model.personal import PersonalModel
    from rlmf.training.sft import train_sft

    config = TrainConfig(sft_max_steps=1, per_device_batch_size=2, gradient_checkpointing=False, lora_r=4,
                         lora_alpha=8)
    rows = [{"messages": [{"role": "user", "content": "<|ME|>hi"}, {"role": "assistant", "content": "hello"}]}] * 2
    folders = [train_sft(tiny_model_path, rows, tmp_path / f"a{i}", config).out_dir for i in range(3)]
    backend = LocalBackend(PersonalModel.load(tiny_model_path, device="cpu"), max_adapters=2)
    for i, folder in enumerate([*folders, folders[0]]):
        list(backend.stream([{"role": "user", "content": "hi"}], adapter=AdapterRef(f"u{i % 3}", folder, i, 1),
                            gen=GenerationConfig(max_new_tokens=2, temperature=0)))
        assert len(backend.model.adapters) <= 2
    assert set(backend.model.adapters) == {"u2", "u0"}
