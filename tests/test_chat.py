"""Guards the chat engine: replies stream in chunks and are stored with the model, adapter version, exact
prompt and memory items; with scripted replies through the real engine, citations, the reasoning split,
history trimming and regenerations (history follows the latest sibling) are asserted exactly; memory-only
mode answers time questions from notes; the openai backend streams from a real OpenAI-compatible server on
127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time
from datetime import datetime, timedelta

import pytest

from conftest import ScriptedBackend
from rlmf.chat.backends import LocalBackend, MemoryOnlyBackend, OpenAIBackend
from rlmf.chat import Chunk, ChatEngine, Reply
from rlmf.model.generation import GenerationConfig
from memory.errors import InvalidInput, NotFound

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
    assert reply.memory_only and "Memory-only mode (no language model loaded)" in reply.answer
    # Why no model answers is said once, in the page's banner, not in every reply.
    assert "no model here" not in reply.answer and chunks == [reply.answer]
    assert "Friday 19 July 2024" in reply.answer
    assert "Dentist" in reply.answer and "blue bike" in reply.answer and "tomatoes" not in reply.answer
    assert {c.title for c in reply.citations} == {"Dentist", "Bike"}
    stored = alice.message(reply.message_id)
    assert stored.timeframe["phrase"] == "yesterday" and len(stored.memory_items) == 2


def test_memory_only_mode_answers_likes_and_dislikes_from_the_profile(memory):
    ana = memory.user("ana")
    ana.add_notes([{"content": "I love sushi.", "created_at": NOW - timedelta(days=3)},
                   {"content": "I hate mushrooms.", "created_at": NOW - timedelta(days=2)}])
    ana.profile()  # read the notes into L1, as the scheduler does
    engine = ChatEngine(MemoryOnlyBackend("no model here"))
    chat = ana.new_session()
    _, likes = run(list(engine.respond(ana, chat.id, "what do I like?", now=NOW)))
    _, dislikes = run(list(engine.respond(ana, chat.id, "What do I dislike?", now=NOW)))
    assert "sushi" in likes.answer and "mushroom" not in likes.answer
    assert "mushroom" in dislikes.answer and "sushi" not in dislikes.answer


def test_a_stopped_reply_keeps_what_was_said_so_far(alice):
    from conftest import ScriptedBackend

    engine = ChatEngine(ScriptedBackend(["one two three four five six"]))
    chat = alice.new_session()
    events = engine.respond(alice, chat.id, "count for me", now=NOW)
    assert [next(events).text, next(events).text] == ["one ", "two "]
    events.close()  # what the web app's Stop does to the stream
    question, reply = alice.messages(chat.id)
    assert reply.role == "assistant" and reply.parent_id == question.id and reply.content == "one two …"


def test_memory_only_banner_gives_the_reason_once_with_the_fix():
    from webapp.render import mode_banner

    offline = mode_banner(ChatEngine(MemoryOnlyBackend("'Qwen/x' is not in the local Hugging Face cache")))
    assert "not in the local Hugging Face cache" in offline and "MEBOT_BASE_MODEL" in offline
    assert "MEBOT_BACKEND=local" in mode_banner(ChatEngine(MemoryOnlyBackend("no model configured")))


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


# --- scripted replies through the real engine ----------------------------------------------------

def ids(user, *titles) -> list[int]:
    by_title = {n.title: n.id for n in user.notes()}
    return [by_title[t] for t in titles]


def test_citations_are_the_cited_items_in_order_of_mention(alice):
    dentist, bike = ids(alice, "Dentist", "Bike")
    text = f"You bought a blue bike [N{bike}] and saw the dentist [N{dentist}]; see [N{bike}], [N999] and [M{bike}]."
    backend = ScriptedBackend([text])
    chat = alice.new_session()
    chunks, reply = run(list(ChatEngine(backend).respond(alice, chat.id, "What did I note yesterday?", now=NOW)))
    assert [(c.kind, c.id) for c in reply.citations] == [("note", bike), ("note", dentist)]
    assert [(i.kind, i.id) for i in reply.items] == [("note", dentist), ("note", bike)]
    assert len(chunks) == len(text.split(" ")) and "".join(chunks) == text
    assert (reply.answer, reply.reasoning) == (text, None)
    assert backend.prompts == [reply.prompt] and backend.adapters == [None] and backend.gens == [GenerationConfig()]
    assert f"Time frame: {reply.timeframe.describe()}." in reply.prompt[0]["content"]
    stored = alice.message(reply.message_id)
    assert (stored.content, stored.reasoning, stored.model_name, stored.prompt) == (text, None, "scripted", reply.prompt)
    assert stored.memory_items == [{"kind": "note", "id": dentist, "ref": f"N{dentist}"},
                                   {"kind": "note", "id": bike, "ref": f"N{bike}"}]
    assert stored.timeframe["phrase"] == "yesterday" and reply.timeframe.phrase == "yesterday"
    assert reply.model_name == "scripted" and not reply.memory_only and reply.adapter_version is None


def test_reasoning_is_split_from_the_answer_and_stored_apart(alice):
    (bike,) = ids(alice, "Bike")
    backend = ScriptedBackend([f"<think>Yesterday: the bike note N{bike}.</think> A blue bike [N{bike}].",
                               "<think>Still thinking, cut short"])
    engine = ChatEngine(backend)
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "What did I buy yesterday?", now=NOW)))
    assert (reply.reasoning, reply.answer) == (f"Yesterday: the bike note N{bike}.", f"A blue bike [N{bike}].")
    assert [c.id for c in reply.citations] == [bike]
    stored = alice.message(reply.message_id)
    assert (stored.reasoning, stored.content) == (reply.reasoning, reply.answer)
    # No answer after the reasoning: the whole text is stored, so nothing the model wrote is lost.
    _, cut = run(list(engine.respond(alice, chat.id, "And then?", now=NOW)))
    assert (cut.reasoning, cut.answer) == ("Still thinking, cut short", "<think>Still thinking, cut short")


def test_the_question_is_not_quoted_as_its_own_memory(alice):
    (bike,) = ids(alice, "Bike")
    chat = alice.new_session()
    _, reply = run(list(ChatEngine(ScriptedBackend(["ok"])).respond(alice, chat.id, "blue bike", now=NOW)))
    assert [(i.kind, i.id) for i in reply.items] == [("note", bike)]


def test_history_keeps_the_latest_turns_that_fit_the_budget(alice):
    backend = ScriptedBackend([f"answer {i}" for i in range(7)])
    # A word is a token; the prompt's budget is what the context leaves for the reply's 10 tokens.
    engine = ChatEngine(backend, gen=GenerationConfig(max_new_tokens=10), context_tokens=10_000)
    chat = alice.new_session()
    for i in range(5):
        run(list(engine.respond(alice, chat.id, f"question {i}", now=NOW, use_memory=False)))
    # Asking question 5 adds "answer 4" and "question 5" (4 tokens) to the last prompt.
    needed = backend.count_tokens(backend.prompts[-1]) + 4
    engine.context_tokens = needed + 10  # fits exactly: all history stays
    _, fits = run(list(engine.respond(alice, chat.id, "question 5", now=NOW, use_memory=False)))
    pairs = [[f"<|ME|>question {i}", f"answer {i}"] for i in range(5)]
    assert [m["content"] for m in fits.prompt[1:]] == [*sum(pairs, []), "<|ME|>question 5"]
    answer_4 = next(m for m in alice.messages(chat.id) if m.content == "answer 4")
    assert alice.message(fits.user_message_id).parent_id == answer_4.id
    engine.context_tokens = needed + 10 - 1  # one token short: the oldest question and answer go
    _, trimmed = run(list(engine.regenerate(alice, fits.message_id, now=NOW, use_memory=False)))
    assert [m["content"] for m in trimmed.prompt[1:]] == [*sum(pairs[1:], []), "<|ME|>question 5"]
    assert trimmed.prompt[0] == fits.prompt[0]


def test_memory_items_go_after_the_history_least_relevant_first(alice):
    backend = ScriptedBackend(["one", "two", "three"])
    engine = ChatEngine(backend, gen=GenerationConfig(max_new_tokens=10))
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "blue bike dentist", now=NOW)))
    first, last = reply.items[0].text, reply.items[-1].text
    assert len(reply.items) == 2 and first in reply.prompt[0]["content"] and last in reply.prompt[0]["content"]
    needed = backend.count_tokens(reply.prompt)
    engine.context_tokens = needed + 10
    _, fits = run(list(engine.regenerate(alice, reply.message_id, now=NOW)))
    assert fits.prompt == reply.prompt
    engine.context_tokens = needed + 10 - 1
    _, trimmed = run(list(engine.regenerate(alice, reply.message_id, now=NOW)))
    assert first in trimmed.prompt[0]["content"] and last not in trimmed.prompt[0]["content"]
    assert trimmed.prompt[-1] == reply.prompt[-1]


def test_regenerate_adds_a_sibling_and_history_uses_the_latest(alice):
    backend = ScriptedBackend(["first reply", "second reply", "third reply", "fourth reply"])
    engine = ChatEngine(backend)
    chat = alice.new_session()
    _, first = run(list(engine.respond(alice, chat.id, "hello", now=NOW, use_memory=False)))
    _, second = run(list(engine.regenerate(alice, first.message_id, now=NOW, use_memory=False)))
    assert alice.message(second.message_id).parent_id == first.user_message_id == second.user_message_id
    assert backend.prompts[1] == backend.prompts[0]  # the same question with the same history
    _, third = run(list(engine.respond(alice, chat.id, "and then?", now=NOW, use_memory=False)))
    assert [m["content"] for m in third.prompt[1:]] == ["<|ME|>hello", "second reply", "<|ME|>and then?"]
    assert alice.message(third.user_message_id).parent_id == second.message_id
    # Regenerating an earlier reply sees only the turns before its question.
    _, fourth = run(list(engine.regenerate(alice, first.message_id, now=NOW, use_memory=False)))
    assert [m["content"] for m in fourth.prompt[1:]] == ["<|ME|>hello"]
    assert "Now: Saturday 20 July 2024, 15:00" in fourth.prompt[0]["content"]


def test_only_a_reply_can_be_regenerated(alice):
    from memory.errors import InvalidInput

    engine = ChatEngine(ScriptedBackend(["a reply"]))
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "hello", now=NOW, use_memory=False)))
    with pytest.raises(InvalidInput, match=r"^Only a reply to a question can be regenerated\.$"):
        list(engine.regenerate(alice, reply.user_message_id, now=NOW))
    follow_up = alice.add_message(chat.id, "user", "and then?", parent_id=reply.message_id)
    with pytest.raises(InvalidInput):  # a question that follows a reply is still a question
        list(engine.regenerate(alice, follow_up.id, now=NOW))


def test_replies_use_the_users_adapter_and_record_its_version(alice, tmp_path):
    from rlmf.training import adapters

    folder = tmp_path / "v1"
    folder.mkdir()
    row = adapters.register(alice.memory, user_id=alice.id, version=1, path=folder, base_model="scripted",
                            parent_id=None, metadata={})
    backend = ScriptedBackend(["adapted"])
    engine = ChatEngine(backend, adapters=lambda user: adapters.ref(row) if user.id == alice.id else None)
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "hello", now=NOW)))
    assert backend.adapters == [adapters.ref(row)] and reply.adapter_version == 1
    assert alice.message(reply.message_id).adapter_version_id == row.id
    # Without a model nothing is generated, so no adapter answered.
    memory_only = ChatEngine(MemoryOnlyBackend(), adapters=engine.adapters)
    _, listed = run(list(memory_only.respond(alice, chat.id, "hello", now=NOW)))
    assert listed.adapter_version is None and alice.message(listed.message_id).adapter_version_id is None


def test_memory_items_and_the_profile_follow_the_settings_and_the_switch(alice):
    (dentist,) = ids(alice, "Dentist")
    backend = ScriptedBackend(["one", "two"])
    gen = GenerationConfig(max_new_tokens=7, temperature=0.0)
    engine = ChatEngine(backend, gen=gen, memory_items=1, profile_text=lambda user: "Likes: green tea")
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "What did I note yesterday?", now=NOW)))
    assert [(i.kind, i.id) for i in reply.items] == [("note", dentist)] and backend.gens == [gen]
    assert "About the user:\nLikes: green tea" in reply.prompt[0]["content"]
    _, off = run(list(engine.respond(alice, chat.id, "What did I note yesterday?", now=NOW, use_memory=False)))
    assert "About the user" not in off.prompt[0]["content"] and off.items == []


def test_a_conversation_can_be_renamed_and_deleted_with_the_feedback_on_it(alice):
    from rlmf.data import feedback

    engine = ChatEngine(MemoryOnlyBackend())
    chat = alice.new_session()
    _, reply = run(list(engine.respond(alice, chat.id, "What did I note yesterday?", now=NOW)))
    run(list(engine.regenerate(alice, reply.message_id, now=NOW)))
    feedback.vote(alice, reply.message_id, False, reason="wrong date")
    feedback.edit_reply(alice, reply.message_id, "You noted the dentist and a bike.")
    kept = alice.new_session()
    run(list(engine.respond(alice, kept.id, "and the bike?", now=NOW)))

    assert alice.rename_session(chat.id, "  Dentist and bike ").title == "Dentist and bike"
    with pytest.raises(InvalidInput):
        alice.rename_session(chat.id, "   ")
    alice.delete_session(chat.id)
    assert [c.id for c in alice.sessions()] == [kept.id]
    assert feedback.counts(alice)["edits"] == 0 and feedback.counts(alice)["pairs"] == 0
    assert not [h for h in alice.recall("yesterday", now=NOW).hits if h.message_id is not None
                and h.message_id != alice.messages(kept.id)[0].id]
    with pytest.raises(NotFound):
        alice.messages(chat.id)
