"""Guards training on real chat templates with the tiny model (fast): the SFT loss covers exactly the reply and
its end-of-turn token under SmolLM2's and a Qwen2.5-style template (no generation markers); with pad == eos the
trained model still stops; over-long examples are counted, not truncated; identical chosen/rejected replies
never become a DPO pair; incremental run data holds the new notes' rows plus a replay sample and records
what was seen; an adapter is refused by a base with another fingerprint; unbalanced think markers split
cleanly; the end-of-turn token is read from the template."""

from __future__ import annotations

import tempfile
from datetime import datetime

import pytest

from memory.errors import InvalidInput
from memory.vocab import RunKind
from rlmf.chat.prompt import split_reasoning
from rlmf.data import feedback, preference_pairs
from rlmf.data.run_data import build_run_data
from rlmf.model.base import AdapterMismatch, load_base
from rlmf.model.generation import GenerationConfig
from rlmf.model.personal import PersonalModel, template_end_ids
from rlmf.model.special_tokens import ME_TOKEN, mark_user_turns
from rlmf.model.tiny import build_tiny_model
from rlmf.training.config import TrainConfig
from rlmf.training.sft import sft_trainer, train_sft
from rlmf.training.stage import load_trainable

# SmolLM2-135M-Instruct's template as shipped (ChatML, a default system prompt, no generation markers).
SMOLLM2 = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}"
    "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
# Qwen2.5-Instruct's shape: a default system prompt, and the last turn's trailing newline kept.
QWEN25 = (
    "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}"
    "{%- else %}{{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud.<|im_end|>\n' }}{%- endif %}"
    "{%- for message in messages %}{%- if message.role != 'system' %}"
    "{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}{%- endif %}{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}"
)
CONFIG = TrainConfig(sft_learning_rate=3e-3, sft_max_steps=60, per_device_batch_size=4, gradient_accumulation_steps=1,
                     warmup_ratio=0.0, device="cpu")
FACTS = [("What is my dog's name?", "Biscuit."), ("Who is my dentist?", "Dr Okafor."),
         ("What is my favourite tea?", "Smoky lapsang.")]


def rows(facts=FACTS):
    return [{"messages": [{"role": "system", "content": "You are Mebot."}, {"role": "user", "content": q},
                          {"role": "assistant", "content": a}]} for q, a in facts]


@pytest.fixture(scope="module")
def smol_like(tmp_path_factory):
    """The tiny model re-dressed like SmolLM2: its template, pad token == EOS == <|im_end|>, tied embeddings."""
    from transformers import AutoTokenizer

    path = build_tiny_model(tmp_path_factory.mktemp("smol") / "model", tie_word_embeddings=True)
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.chat_template = SMOLLM2
    tokenizer.pad_token = "<|im_end|>"
    tokenizer.save_pretrained(path)
    return path


@pytest.mark.parametrize("template", [SMOLLM2, QWEN25], ids=["smollm2", "qwen2.5"])
def test_loss_covers_exactly_the_reply_and_its_end_token(smol_like, template):
    model, tokenizer = load_trainable(smol_like, CONFIG)
    tokenizer.chat_template = template
    with tempfile.TemporaryDirectory() as scratch:
        trainer, too_long = sft_trainer(model, tokenizer, rows(), CONFIG, scratch)
    assert too_long == 0
    for example, (_, answer) in zip(trainer.train_dataset, FACTS):
        learned = [token for token, label in zip(example["input_ids"], example["labels"]) if label != -100]
        assert tokenizer.decode(learned) == answer + "<|im_end|>\n"


def test_with_pad_equal_to_eos_a_trained_reply_ends(smol_like, tmp_path):
    result = train_sft(smol_like, rows(), tmp_path / "v1", CONFIG)
    model = PersonalModel.load(smol_like, device="cpu")
    assert model.tokenizer.pad_token_id == model.tokenizer.eos_token_id
    model.load_adapter("v1", result.out_dir)
    greedy = GenerationConfig(temperature=0, max_new_tokens=40)
    for question, answer in FACTS:
        prompt = rows([(question, answer)])[0]["messages"][:-1]
        assert model.generate(prompt, greedy, adapter="v1") == answer  # stops right after the answer


def test_over_long_examples_are_counted_not_truncated(smol_like):
    model, tokenizer = load_trainable(smol_like, CONFIG)
    long = rows([("Tell me everything.", "word " * 400)])
    small = TrainConfig(**{**CONFIG.to_dict(), "max_length": 200})
    with tempfile.TemporaryDirectory() as scratch:
        trainer, too_long = sft_trainer(model, tokenizer, rows() + long, small, scratch)
    assert too_long == 1 and len(trainer.train_dataset) == len(FACTS)


def test_an_adapter_is_refused_by_a_different_base(tiny_model_path, tmp_path):
    result = train_sft(tiny_model_path, rows(), tmp_path / "v1", TrainConfig(**{**CONFIG.to_dict(), "sft_max_steps": 1}))
    other = PersonalModel(load_base(build_tiny_model(tmp_path / "other", seed=7), device="cpu"))
    with pytest.raises(AdapterMismatch):
        other.load_adapter("v1", result.out_dir)
    with pytest.raises(AdapterMismatch):
        load_trainable(tmp_path / "other", CONFIG, init_adapter=result.out_dir)


def test_template_end_token_and_unbalanced_think_markers(tiny_model_path):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_path)
    assert template_end_ids(tokenizer) == [tokenizer.convert_tokens_to_ids("<|im_end|>")]
    assert split_reasoning("<think>N1 fits.</think>Biscuit [N1].") == ("N1 fits.", "Biscuit [N1].")
    assert split_reasoning("N1 fits.</think>Biscuit [N1].") == ("N1 fits.", "Biscuit [N1].")
    assert split_reasoning("Biscuit.</think>") == (None, "Biscuit.")
    assert split_reasoning("<think>a</think>Biscuit.</think>") == ("a", "Biscuit.")


def test_identical_chosen_and_rejected_never_become_a_pair(memory):
    user = memory.user("alice")
    chat = user.new_session()
    question = user.add_message(chat.id, "user", "What did I buy?")
    prompt = mark_user_turns([{"role": "user", "content": "What did I buy?"}])
    first = user.add_message(chat.id, "assistant", "A bike.", parent_id=question.id, prompt=prompt)
    again = user.add_message(chat.id, "assistant", "A bike.", parent_id=question.id, prompt=prompt)
    feedback.vote(user, again.id, liked=True)
    assert preference_pairs.dpo_rows(user) == []
    with pytest.raises(InvalidInput):  # an edit that changes nothing is refused where it is made
        feedback.edit_reply(user, first.id, "A bike. ")
    assert preference_pairs.dpo_rows(user) == []


def test_incremental_data_is_the_new_notes_plus_a_replay_sample(memory):
    user = memory.user("alice")
    user.add_notes([{"title": f"Note {i}", "content": f"Visited the {word} museum.", "created_at": datetime(2024, 7, i + 1, 9)}
                    for i, word in enumerate(["science", "railway", "maritime", "design"])])
    args = dict(seed=0, week_start=0, replay_ratio=1.0, min_replay=3, max_sft_rows=None)
    full = build_run_data(user, kind=RunKind.FULL, seen=None, **args)
    seen = full.seen_after(dpo_trained=True, kto_trained=True)
    assert set(seen["notes"]) == {str(n.id) for n in user.notes()}
    nothing = build_run_data(user, kind=RunKind.INCREMENTAL, seen=seen, **args)
    assert nothing.sft == [] and nothing.counts["new_notes"] == 0

    new = user.add_note("Booked the dentist for Friday.", title="Dentist", created_at=datetime(2024, 7, 9, 9))
    later = build_run_data(user, kind=RunKind.INCREMENTAL, seen=seen, **args)
    about_new = [r for r in later.sft if "dentist" in r["messages"][-1]["content"].lower()]
    assert about_new and later.counts["new_notes"] == 1
    assert later.counts["replayed_sft_rows"] == max(3, later.counts["new_sft_rows"])
    assert len(later.sft) == later.counts["new_sft_rows"] + later.counts["replayed_sft_rows"] < len(full.sft)
    assert str(new.id) in later.seen_after(dpo_trained=False, kto_trained=False)["notes"]
    # The gate checks a new version on closed-book rows about notes the live one learned, never the new note.
    assert full.known == [] and later.known
    assert all("dentist" not in r["messages"][-1]["content"].lower() for r in later.known)
    assert all("<memory>" not in r["messages"][0]["content"] for r in later.known)


def test_a_capped_full_run_is_mostly_closed_book(memory):
    user = memory.user("alice")
    user.add_notes([{"title": f"Trip {i}", "content": f"Took the {word} train to the coast with Ola.",
                     "created_at": datetime(2024, 7, i + 1, 9)}
                    for i, word in enumerate(["early", "late", "slow", "night", "express", "local"])])
    data = build_run_data(user, kind=RunKind.FULL, seen=None, seed=0, week_start=0, replay_ratio=1.0,
                          min_replay=3, max_sft_rows=20, closed_share=0.75)
    closed = [r for r in data.sft if "<memory>" not in r["messages"][0]["content"]]
    assert len(data.sft) == 20 and len(closed) == 15
    everything = build_run_data(user, kind=RunKind.FULL, seen=None, seed=0, week_start=0, replay_ratio=1.0,
                                min_replay=3, max_sft_rows=None)
    assert len(everything.sft) > 20


def test_rows_from_a_long_chat_keep_its_last_exchanges(memory):
    """Edits late in a long conversation: their pairs and endorsed rows keep the system part, the last
    `history_turns` exchanges and the question; the whole prompt stays stored."""
    user = memory.user("alice")
    chat = user.new_session()
    history: list[dict] = [{"role": "system", "content": "You are Mebot."}]
    replies = []
    for i in range(6):
        question = user.add_message(chat.id, "user", f"Question {i}?")
        prompt = mark_user_turns(history + [{"role": "user", "content": f"Question {i}?"}])
        replies.append(user.add_message(chat.id, "assistant", f"Answer {i}.", parent_id=question.id, prompt=prompt))
        history += [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": f"Answer {i}."}]
    for reply in replies:
        feedback.edit_reply(user, reply.id, f"Pip, {reply.content}")
    args = dict(seed=0, week_start=0, replay_ratio=1.0, min_replay=3, max_sft_rows=None)
    trimmed = build_run_data(user, kind=RunKind.FULL, seen=None, history_turns=2, **args)
    whole = build_run_data(user, kind=RunKind.FULL, seen=None, **args)
    last = max(trimmed.dpo + trimmed.dpo_heldout, key=lambda p: p["chosen"][0]["content"])
    assert last["chosen"][0]["content"] == "Pip, Answer 5."
    assert [m["content"].removeprefix(ME_TOKEN) for m in last["prompt"]] == [
        "You are Mebot.", "Question 3?", "Answer 3.", "Question 4?", "Answer 4.", "Question 5?"]
    assert max(len(p["prompt"]) for p in whole.dpo + whole.dpo_heldout) == 12  # system, 5 exchanges, question
    endorsed = [r for r in trimmed.sft if r["messages"][-1]["content"].startswith("Pip")]
    assert len(endorsed) == 6 and max(len(r["messages"]) for r in endorsed) == 7


def test_a_reply_is_trained_with_the_reasoning_its_model_wrote(memory):
    """The completion is the reply as generated (<think>…</think> then the answer); an edit changes only the
    answer, so chosen and rejected share the reasoning and differ where the answer starts."""
    user = memory.user("alice")
    chat = user.new_session()
    question = user.add_message(chat.id, "user", "Where is my bike?")
    prompt = mark_user_turns([{"role": "user", "content": "Where is my bike?"}])
    reply = user.add_message(chat.id, "assistant", "In the shed.", parent_id=question.id, prompt=prompt,
                             reasoning="The note of 3 July says so.")
    feedback.edit_reply(user, reply.id, "Pip, in the shed.")
    [pair] = preference_pairs.dpo_rows(user)
    assert pair["chosen"][0]["content"] == "<think>The note of 3 July says so.</think>Pip, in the shed."
    assert pair["rejected"][0]["content"] == "<think>The note of 3 July says so.</think>In the shed."
    [endorsed] = preference_pairs.liked_replies(user)
    assert endorsed["messages"][-1]["content"] == pair["chosen"][0]["content"]
    assert split_reasoning(pair["chosen"][0]["content"]) == ("The note of 3 July says so.", "Pip, in the shed.")
