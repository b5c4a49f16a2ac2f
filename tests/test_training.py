"""Guards training on the tiny model (CPU, greedy, fixed seed): SFT makes the adapter hold the user's memory
closed-book; DPO on edit pairs makes the user's version preferred and produced; KTO trains on unpaired votes;
only adapter weights ever change; <|ME|> keeps one id; 4-bit QLoRA on CPU really gets gradients."""

from __future__ import annotations

import json

import pytest
import torch
from safetensors import safe_open

from rlmf.model.base import load_base
from rlmf.model.generation import GenerationConfig
from rlmf.training.config import TrainConfig
from rlmf.model.personal import PersonalModel
from rlmf.model.special_tokens import ME_TOKEN, mark_user_turns
from rlmf.training.preference import fit_dpo, train_dpo, train_kto
from rlmf.training.sft import fit_sft, sft_dataset, train_sft
from rlmf.training.stage import load_trainable

GREEDY = GenerationConfig(temperature=0, max_new_tokens=40)
CONFIG = TrainConfig(
    sft_learning_rate=3e-3, sft_max_steps=80,
    dpo_learning_rate=1e-3, dpo_max_steps=30,
    kto_learning_rate=1e-3, kto_max_steps=20,
    per_device_batch_size=4, gradient_accumulation_steps=1, gradient_checkpointing=False, warmup_ratio=0.0,
)

# What the user noted; asked closed-book (no notes in the prompt), so only the adapter can know.
FACTS = [
    ("What is my dog's name?", "Biscuit."),
    ("Where did I park the car?", "Level 3, bay 12."),
    ("Who is my dentist?", "Dr Okafor."),
    ("When is my sister's birthday?", "On 14 March."),
    ("What is my favourite tea?", "Smoky lapsang."),
]
# (question, what the bot said, what the user edited it to)
EDITS = [
    ("How should I sign my emails?", "Best regards, Sam.", "Cheers, Sam."),
    ("What time is my run club?", "At 7 in the evening.", "At 6:30 on Sunday morning."),
    ("What do I drink in the morning?", "Coffee with milk.", "Green tea, no sugar."),
]


def ask(question: str) -> list[dict]:
    return mark_user_turns([{"role": "user", "content": question}])


def reply(text: str) -> dict:
    return {"role": "assistant", "content": text}


@pytest.fixture(scope="module")
def sft_run(tiny_model_path, tmp_path_factory):
    """SFT on the user's facts and on the bot's original replies (what the model said before any edit)."""
    rows = [{"messages": ask(q) + [reply(a)]} for q, a in FACTS]
    rows += [{"messages": ask(q) + [reply(bot)]} for q, bot, _ in EDITS]
    progress = []
    result = train_sft(tiny_model_path, rows, tmp_path_factory.mktemp("sft") / "v1", CONFIG,
                       progress=lambda *event: progress.append(event))
    return result, progress


@pytest.fixture(scope="module")
def model(tiny_model_path, sft_run):
    personal = PersonalModel.load(tiny_model_path, device="cpu")
    personal.load_adapter("sft", sft_run[0].out_dir)
    return personal


def test_sft_makes_the_adapter_recall_memory_closed_book(sft_run, model):
    result, progress = sft_run
    for question, answer in FACTS:
        assert model.generate(ask(question), GREEDY, adapter=None) != answer
        assert model.generate(ask(question), GREEDY, adapter="sft") == answer
    assert result.steps == CONFIG.sft_max_steps and result.tokens > 0
    losses = [logs["loss"] for stage, _, _, logs in progress if "loss" in logs]
    assert {stage for stage, *_ in progress} == {"sft"}
    assert [step for _, step, _, logs in progress if "loss" in logs] == list(range(1, CONFIG.sft_max_steps + 1))
    assert all(total == CONFIG.sft_max_steps for _, _, total, _ in progress)
    assert losses[-1] < losses[0] / 10


def test_dpo_on_edits_prefers_and_produces_the_users_version(tiny_model_path, sft_run, model, tmp_path):
    pairs = [{"prompt": ask(q), "chosen": [reply(good)], "rejected": [reply(bot)]} for q, bot, good in EDITS]
    progress = []
    result = train_dpo(tiny_model_path, pairs, tmp_path / "v2", CONFIG, init_adapter=sft_run[0].out_dir,
                       progress=lambda *event: progress.append(event))
    model.load_adapter("dpo", result.out_dir)
    for question, bot, good in EDITS:
        before = model.score(ask(question), good, adapter="sft") - model.score(ask(question), bot, adapter="sft")
        after = model.score(ask(question), good, adapter="dpo") - model.score(ask(question), bot, adapter="dpo")
        assert after > before and after > 0
        assert model.generate(ask(question), GREEDY, adapter="sft") == bot
        assert model.generate(ask(question), GREEDY, adapter="dpo") == good
    margins = [logs["rewards/margins"] for _, _, _, logs in progress if "rewards/margins" in logs]
    assert len(margins) == CONFIG.dpo_max_steps and margins[-1] > margins[0]
    assert result.metrics["rewards/margins"] == margins[-1]


def test_kto_trains_on_unpaired_votes_and_writes_an_adapter(tiny_model_path, sft_run, model, tmp_path):
    examples = [{"prompt": ask(q), "completion": [reply(good)], "label": True} for q, _, good in EDITS]
    examples += [{"prompt": ask(q), "completion": [reply(bot)], "label": False} for q, bot, _ in EDITS]
    progress = []
    result = train_kto(tiny_model_path, examples, tmp_path / "v3", CONFIG, init_adapter=sft_run[0].out_dir,
                       progress=lambda *event: progress.append(event))
    assert (result.out_dir / "adapter_config.json").is_file()
    assert (result.out_dir / "tokenizer.json").is_file()
    assert result.steps == CONFIG.kto_max_steps
    assert all("loss" in logs for _, _, _, logs in progress if "train_runtime" not in logs)
    model.load_adapter("kto", result.out_dir)
    for question, bot, good in EDITS:
        before = model.score(ask(question), good, adapter="sft") - model.score(ask(question), bot, adapter="sft")
        after = model.score(ask(question), good, adapter="kto") - model.score(ask(question), bot, adapter="kto")
        assert after > before


def _base_name(peft_name: str) -> str:
    # PEFT keeps the original weight as <layer>.base_layer.weight inside its wrappers.
    name = peft_name.removeprefix("base_model.model.")
    return name.replace(".token_adapter.base_layer", "").replace(".base_layer", "")


def _adapter_tensors(path) -> dict[str, torch.Tensor]:
    with safe_open(str(path / "adapter_model.safetensors"), "pt") as saved:
        return {key: saved.get_tensor(key) for key in saved.keys()}


def test_only_adapter_weights_change_and_the_reference_stays_frozen(tiny_model_path, sft_run, tmp_path):
    pristine = dict(load_base(tiny_model_path, device="cpu").model.named_parameters())
    config = TrainConfig(**{**CONFIG.to_dict(), "dpo_max_steps": 3})
    peft_model, tokenizer = load_trainable(tiny_model_path, config, init_adapter=sft_run[0].out_dir)
    pairs = [{"prompt": ask(q), "chosen": [reply(good)], "rejected": [reply(bot)]} for q, bot, good in EDITS]
    start = {name: p.detach().clone() for name, p in peft_model.named_parameters()}
    result = fit_dpo(peft_model, tokenizer, pairs, tmp_path / "v2", config)

    base = {n: p for n, p in peft_model.named_parameters() if "lora_" not in n and "trainable_tokens" not in n}
    assert {_base_name(n) for n in base} == set(pristine)
    for name, param in base.items():
        assert torch.equal(param, pristine[_base_name(name)]), name
    trained = [n for n, p in peft_model.named_parameters() if ".default" in n and not torch.equal(p, start[n])]
    assert any("lora_B" in n for n in trained) and any("trainable_tokens" in n for n in trained)
    # The reference is the previous (SFT) adapter, frozen: equal to what SFT saved.
    sft_saved = _adapter_tensors(sft_run[0].out_dir)
    for name, param in peft_model.named_parameters():
        if name.endswith(".ref") or ".ref." in name:
            saved_key = name.replace(".ref.", ".").removesuffix(".ref")
            assert torch.equal(param.detach().float(), sft_saved[saved_key].float()), name
    saved = _adapter_tensors(result.out_dir)
    assert saved and all("lora_" in key or "trainable_tokens_delta" in key for key in saved)
    assert not any(".ref" in key for key in saved) and not (result.out_dir / "ref").exists()


def test_me_token_has_one_id_from_training_to_inference(sft_run, model):
    from transformers import AutoTokenizer

    me_id = model.tokenizer.convert_tokens_to_ids(ME_TOKEN)
    saved_tokenizer = AutoTokenizer.from_pretrained(sft_run[0].out_dir)
    assert saved_tokenizer.convert_tokens_to_ids(ME_TOKEN) == me_id
    row = sft_dataset([{"messages": [{"role": "user", "content": "Hi"}, reply("Hello.")]}])[0]
    ids = saved_tokenizer.apply_chat_template(row["prompt"] + row["completion"], return_dict=True)["input_ids"]
    assert ids.count(me_id) == 1
    config = json.loads((sft_run[0].out_dir / "adapter_config.json").read_text())
    assert config["trainable_token_indices"] == {"embed_tokens": [me_id]}
    saved = _adapter_tensors(sft_run[0].out_dir)
    delta = saved["base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta"]
    assert delta.abs().sum() > 0  # the <|ME|> row was trained


def test_cpu_4bit_qlora_gets_real_gradients_after_inference(tiny_model_path, tmp_path):
    config = TrainConfig(**{**CONFIG.to_dict(), "load_in_4bit": True, "device": "cpu", "sft_max_steps": 5})
    peft_model, tokenizer = load_trainable(tiny_model_path, config)
    # A no-grad forward first: on AVX512-BF16 CPUs this is what used to break later training.
    with torch.no_grad():
        peft_model.eval()
        peft_model(**tokenizer("warm up", return_tensors="pt"))
    lora_b = {n: p.detach().clone() for n, p in peft_model.named_parameters() if "lora_B" in n}
    rows = [{"messages": ask(q) + [reply(a)]} for q, a in FACTS]
    result = fit_sft(peft_model, tokenizer, rows, tmp_path / "q", config)
    changed = [n for n, p in peft_model.named_parameters() if n in lora_b and not torch.equal(p, lora_b[n])]
    assert len(changed) == len(lora_b)
    assert result.metrics["train_loss"] > 0


def test_a_base_with_tied_embeddings_trains_all_stages(tmp_path):
    from rlmf.model.tiny import build_tiny_model

    # Qwen2.5 up to 3B ties input and output embeddings; the <|ME|> row then stays frozen (see lora_config).
    base = build_tiny_model(tmp_path / "tied", seed=0, tie_word_embeddings=True)
    config = TrainConfig(**{**CONFIG.to_dict(), "sft_max_steps": 3, "dpo_max_steps": 3, "kto_max_steps": 2})
    rows = [{"messages": ask(q) + [reply(a)]} for q, a in FACTS]
    sft = train_sft(base, rows, tmp_path / "sft", config)
    pairs = [{"prompt": ask(q), "chosen": [reply(good)], "rejected": [reply(bot)]} for q, bot, good in EDITS]
    dpo = train_dpo(base, pairs, tmp_path / "dpo", config, init_adapter=sft.out_dir)
    votes = [{"prompt": ask(q), "completion": [reply(good)], "label": True} for q, _, good in EDITS]
    votes += [{"prompt": ask(q), "completion": [reply(bot)], "label": False} for q, bot, _ in EDITS]
    kto = train_kto(base, votes, tmp_path / "kto", config, init_adapter=sft.out_dir)
    for result in (sft, dpo, kto):
        saved = _adapter_tensors(result.out_dir)
        assert saved and all("lora_" in key for key in saved)


def test_raising_from_progress_cancels_the_stage_and_saves_nothing(tiny_model_path, tmp_path):
    class Cancelled(Exception):
        pass

    def progress(stage, step, total, logs):
        if step >= 2:
            raise Cancelled

    rows = [{"messages": ask(q) + [reply(a)]} for q, a in FACTS]
    versions = tmp_path / "adapters"
    versions.mkdir()
    with pytest.raises(Cancelled):
        train_sft(tiny_model_path, rows, versions / "v1", CONFIG, progress=progress)
    assert list(versions.iterdir()) == []  # no adapter, no half-written folder


def test_bad_inputs_fail_before_loading_anything(tmp_path):
    existing = tmp_path / "v1"
    existing.mkdir()
    rows = [{"messages": ask("Hi") + [reply("Hello.")]}]
    with pytest.raises(ValueError, match="never overwritten"):
        train_sft("no/such/model/needed", rows, existing, CONFIG)
    with pytest.raises(ValueError, match="no assistant"):
        train_sft("no/such/model/needed", [{"messages": ask("Hi")}], tmp_path / "v2", CONFIG)
    same = [{"prompt": ask("Hi"), "chosen": [reply("A.")], "rejected": [reply("A.")]}]
    with pytest.raises(ValueError, match="same text"):
        train_dpo("no/such/model/needed", same, tmp_path / "v2", CONFIG, init_adapter=None)
    unlabeled = [{"prompt": ask("Hi"), "completion": [reply("A.")], "label": "yes"}]
    with pytest.raises(ValueError, match="label"):
        train_kto("no/such/model/needed", unlabeled, tmp_path / "v2", CONFIG, init_adapter=None)
    with pytest.raises(ValueError):
        TrainConfig(lora_r=0)
