"""Guards the personal model's core on the tiny model: the tiny model itself, the <|ME|> token, loading the
base (and failing fast without one), adapter switching, streaming, the adapter lock, and log-prob scoring."""

from __future__ import annotations

import threading
import time

import pytest

from rlmf.model.base import ModelUnavailable, load_base
from rlmf.model.generation import GenerationConfig
from rlmf.training.config import TrainConfig
from rlmf.model.personal import PersonalModel
from rlmf.model.scoring import completion_logprob, completion_token_ids
from rlmf.model.special_tokens import ME_TOKEN, add_me_token, mark_user_turns
from rlmf.model.tiny import build_tiny_model

GREEDY = GenerationConfig(temperature=0, max_new_tokens=48)
PARKING = [{"role": "user", "content": "Where did I park the car?"}]
PARKING_ANSWER = "Level 3, bay 12, next to the lift."
DENTIST = [{"role": "user", "content": "Who is my dentist?"}]
DENTIST_ANSWER = "Dr Okafor on Mill Road."


def _adapter(base_path, out_dir, answers):
    from rlmf.training.sft import train_sft

    rows = [{"messages": mark_user_turns(prompt + [{"role": "assistant", "content": answer}])}
            for prompt, answer in answers]
    config = TrainConfig(sft_learning_rate=3e-3, sft_max_steps=60, per_device_batch_size=len(rows),
                         gradient_accumulation_steps=1, gradient_checkpointing=False, warmup_ratio=0.0)
    return train_sft(base_path, rows, out_dir, config).out_dir


@pytest.fixture(scope="module")
def two_adapters(tiny_model_path, tmp_path_factory):
    """Two users' adapters, trained to answer the same questions differently."""
    root = tmp_path_factory.mktemp("adapters")
    alice = _adapter(tiny_model_path, root / "alice", [(PARKING, PARKING_ANSWER), (DENTIST, DENTIST_ANSWER)])
    bob = _adapter(tiny_model_path, root / "bob", [(PARKING, "On the street."), (DENTIST, "I have none.")])
    return alice, bob


@pytest.fixture(scope="module")
def personal_model(tiny_model_path, two_adapters):
    model = PersonalModel.load(tiny_model_path, device="cpu")
    model.load_adapter("alice", two_adapters[0])
    model.load_adapter("bob", two_adapters[1])
    return model


def test_tiny_model_is_deterministic_and_small(tmp_path):
    first = build_tiny_model(tmp_path / "a", seed=0)
    started = time.perf_counter()  # after the first call, which also pays for importing transformers
    second = build_tiny_model(tmp_path / "b", seed=0)
    elapsed = time.perf_counter() - started
    other = build_tiny_model(tmp_path / "c", seed=1)
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "model.safetensors").read_bytes() != (other / "model.safetensors").read_bytes()
    assert elapsed < 5
    assert "noise" in (first / "README.md").read_text()


def test_tiny_model_template_marks_the_assistant_part(tiny_model_path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_path)
    chat = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello there."}]
    rendered = tokenizer.apply_chat_template(chat, return_dict=True, return_assistant_tokens_mask=True)
    trained = [t for t, m in zip(rendered["input_ids"], rendered["assistant_masks"]) if m]
    assert tokenizer.decode(trained) == "Hello there.<|im_end|>"
    prompt = tokenizer.apply_chat_template(chat[:1], tokenize=False, add_generation_prompt=True)
    assert prompt == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"


def test_mark_user_turns_is_idempotent_and_leaves_other_roles():
    chat = [
        {"role": "system", "content": "Notes: ..."},
        {"role": "user", "content": "What did I note?"},
        {"role": "assistant", "content": "Two notes."},
        {"role": "user", "content": "And yesterday?"},
    ]
    marked = mark_user_turns(chat)
    assert [m["content"] for m in marked] == [
        "Notes: ...", ME_TOKEN + "What did I note?", "Two notes.", ME_TOKEN + "And yesterday?"
    ]
    assert mark_user_turns(marked) == marked
    assert chat[1]["content"] == "What did I note?"  # the caller's list is not modified


def test_me_token_is_added_to_a_base_without_it_identically_at_every_load(tmp_path):
    import torch

    path = build_tiny_model(tmp_path / "no-me", seed=0, include_me_token=False)
    first, second = load_base(path, device="cpu"), load_base(path, device="cpu")
    me_id = first.tokenizer.convert_tokens_to_ids(ME_TOKEN)
    assert me_id == second.tokenizer.convert_tokens_to_ids(ME_TOKEN) == len(first.tokenizer) - 1
    assert first.tokenizer(ME_TOKEN + "hello")["input_ids"][0] == me_id
    embeddings = first.model.get_input_embeddings().weight
    assert embeddings.shape[0] == len(first.tokenizer)
    assert torch.equal(embeddings[me_id], second.model.get_input_embeddings().weight[me_id])
    assert torch.allclose(embeddings[me_id], embeddings[:me_id].mean(dim=0))
    assert add_me_token(first.tokenizer, first.model) == me_id  # idempotent: no second token, no growth
    assert first.model.get_input_embeddings().weight.shape[0] == len(first.tokenizer)


def test_me_token_added_into_a_padded_vocabulary_gets_the_mean_row(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # Qwen2.5 has more embedding rows than tokens; the new token takes a spare row with arbitrary values.
    path = build_tiny_model(tmp_path / "no-me", seed=0, include_me_token=False)
    tokenizer, model = AutoTokenizer.from_pretrained(path), AutoModelForCausalLM.from_pretrained(path)
    model.resize_token_embeddings(len(tokenizer) + 8)
    me_id = add_me_token(tokenizer, model)
    weights = model.get_input_embeddings().weight
    assert weights.shape[0] == len(tokenizer) + 7
    assert torch.allclose(weights[me_id], weights[:me_id].mean(dim=0))
    head = model.get_output_embeddings().weight
    assert torch.allclose(head[me_id], head[:me_id].mean(dim=0))


def test_me_token_is_one_token_in_the_inference_prompt(tiny_model_path):
    base = load_base(tiny_model_path, device="cpu")
    me_id = base.tokenizer.convert_tokens_to_ids(ME_TOKEN)
    ids, _ = completion_token_ids(base.tokenizer, [{"role": "user", "content": "Hi"}], "Hello.")
    assert ids.count(me_id) == 1
    assert base.tokenizer.decode(ids).count(ME_TOKEN) == 1


def test_load_base_cpu_defaults_to_full_precision(tiny_model_path):
    import torch

    base = load_base(tiny_model_path, device="cpu")
    assert not base.quantized and base.model.dtype == torch.float32


def test_load_base_cpu_4bit_turns_off_the_avx512_repacking(tiny_model_path):
    import bitsandbytes as bnb

    base = load_base(tiny_model_path, device="cpu", load_in_4bit=True)
    layers = [m for m in base.model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert base.quantized and layers
    assert all(layer.support_avx512bf16_for_cpu is False for layer in layers)


def test_load_base_fails_fast_when_offline_without_a_copy(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable, match="HF_HUB_OFFLINE"):
        load_base("mebot-tests/no-such-model", device="cpu")
    assert time.perf_counter() - started < 5


def test_load_base_fails_fast_when_the_hub_is_unreachable(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    started = time.perf_counter()
    with pytest.raises(ModelUnavailable, match="unreachable"):
        load_base("mebot-tests/no-such-model", device="cpu")
    assert time.perf_counter() - started < 10


def test_load_base_rejects_a_missing_folder(tmp_path):
    with pytest.raises(ModelUnavailable, match="no model folder"):
        load_base(tmp_path / "missing", device="cpu")


def test_switching_adapters_changes_the_reply_and_none_restores_the_base(tiny_model_path, two_adapters):
    model = PersonalModel.load(tiny_model_path, device="cpu")
    bare = model.generate(PARKING, GREEDY)
    model.use_adapter("alice", two_adapters[0])
    assert model.generate(PARKING, GREEDY) == PARKING_ANSWER
    model.use_adapter("bob", two_adapters[1])
    assert model.generate(PARKING, GREEDY) == "On the street."
    model.use_adapter("alice")  # already loaded: no path needed
    assert model.generate(DENTIST, GREEDY) == DENTIST_ANSWER
    model.use_adapter(None)
    assert model.generate(PARKING, GREEDY) == bare
    assert bare not in (PARKING_ANSWER, "On the street.")
    model.unload_adapter("alice")
    model.unload_adapter("bob")
    assert model.adapters == {} and model.active_adapter is None
    assert model.generate(PARKING, GREEDY) == bare


def test_use_adapter_refuses_an_unknown_name_or_folder(personal_model, tmp_path):
    with pytest.raises(ValueError, match="not loaded"):
        personal_model.use_adapter("carol")
    with pytest.raises(ValueError, match="not an adapter folder"):
        personal_model.load_adapter("carol", tmp_path)


def test_stream_yields_chunks_that_join_to_the_greedy_reply(personal_model):
    for adapter in ("alice", "bob", None):
        chunks = list(personal_model.stream(PARKING, GREEDY, adapter=adapter))
        assert "".join(chunks) == personal_model.generate(PARKING, GREEDY, adapter=adapter)
    chunks = list(personal_model.stream(PARKING, GREEDY, adapter="alice"))
    assert len(chunks) >= 3 and "".join(chunks) == PARKING_ANSWER  # stops at end of turn


def test_a_stream_closed_early_or_finished_on_another_thread_frees_the_model(personal_model):
    stream = personal_model.stream(PARKING, GREEDY, adapter="alice")
    assert next(stream)
    stream.close()
    finished = []
    resumed = personal_model.stream(DENTIST, GREEDY, adapter="alice")
    first = next(resumed)
    # Gradio resumes generators on worker threads: the lock must be releasable from there.
    worker = threading.Thread(target=lambda: finished.append(first + "".join(resumed)))
    worker.start()
    worker.join(timeout=30)
    assert finished == [DENTIST_ANSWER]
    checker = threading.Thread(target=lambda: finished.append(personal_model.generate(PARKING, GREEDY, adapter="bob")))
    checker.start()
    checker.join(timeout=30)
    assert finished[-1] == "On the street.", "the model stayed locked"


def test_concurrent_users_never_get_each_others_adapter(personal_model):
    expected = {"alice": PARKING_ANSWER, "bob": "On the street."}
    results: list[tuple[str, str]] = []

    def user(name: str) -> None:
        for _ in range(4):
            results.append((name, "".join(personal_model.stream(PARKING, GREEDY, adapter=name))))

    threads = [threading.Thread(target=user, args=(name,)) for name in ("alice", "bob", "alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 16
    assert all(reply == expected[name] for name, reply in results)


def test_completion_logprob_matches_token_by_token_scoring(personal_model):
    import torch

    model, tokenizer = personal_model.model, personal_model.tokenizer
    ids, start = completion_token_ids(tokenizer, DENTIST, DENTIST_ANSWER)
    assert tokenizer.decode(ids[start:]).startswith(DENTIST_ANSWER + "<|im_end|>")
    model.set_adapter("alice")
    expected = 0.0
    with torch.inference_mode():
        for position in range(start, len(ids)):
            logits = model(input_ids=torch.tensor([ids[:position]])).logits[0, -1]
            expected += torch.log_softmax(logits.float(), dim=-1)[ids[position]].item()
    assert completion_logprob(model, tokenizer, DENTIST, DENTIST_ANSWER) == pytest.approx(expected, abs=1e-3)
    assert personal_model.score(DENTIST, DENTIST_ANSWER, adapter="alice") == pytest.approx(expected, abs=1e-3)
    assert personal_model.score(DENTIST, DENTIST_ANSWER, adapter="alice") > personal_model.score(
        DENTIST, DENTIST_ANSWER, adapter="bob"
    )


def test_generation_config_rejects_nonsense():
    with pytest.raises(ValueError):
        GenerationConfig(max_new_tokens=0)
    with pytest.raises(ValueError):
        GenerationConfig(temperature=-1)
    assert GenerationConfig(temperature=0).greedy
