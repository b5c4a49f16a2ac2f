"""Preference stages on top of the previous adapter: DPO on edit pairs, KTO on unpaired likes and dislikes."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from rlmf.training.config import TrainConfig
from rlmf.model.scoring import completion_token_ids
from rlmf.model.special_tokens import mark_user_turns
from rlmf.training.stage import (
    Progress,
    StageResult,
    check_new_out_dir,
    copy_reference_tokens,
    load_trainable,
    progress_callback,
    run_stage,
    split_by_length,
    trl_args,
)


def _longest(tokenizer: Any, row: dict, keys: tuple[str, ...]) -> int:
    return max(len(completion_token_ids(tokenizer, row["prompt"], row[key][0])[0]) for key in keys)


def _fitting(tokenizer: Any, dataset: Any, keys: tuple[str, ...], max_length: int, stage: str) -> tuple[Any, int]:
    from datasets import Dataset

    rows = dataset.to_list()
    kept, dropped = split_by_length(rows, [_longest(tokenizer, r, keys) for r in rows], max_length, stage)
    return Dataset.from_list(kept), dropped


def _assistant(message: Any, what: str, index: int) -> list[dict]:
    # Rows may carry the reply as a list with one assistant message (TRL's format) or as that message alone.
    messages = message if isinstance(message, list) else [message]
    if len(messages) != 1 or not isinstance(messages[0], dict) or messages[0].get("role") != "assistant":
        raise ValueError(f"row {index}: {what} must be one assistant message")
    return [dict(messages[0])]


def dpo_dataset(pairs: list[dict]) -> Any:
    """Check DPO rows ({"prompt", "chosen", "rejected"}) and mark user turns with <|ME|>."""
    from datasets import Dataset

    if not pairs:
        raise ValueError("DPO needs at least one preference pair")
    clean = []
    for index, pair in enumerate(pairs):
        chosen = _assistant(pair.get("chosen"), "chosen", index)
        rejected = _assistant(pair.get("rejected"), "rejected", index)
        if chosen[0]["content"] == rejected[0]["content"]:
            raise ValueError(f"row {index}: chosen and rejected are the same text")
        clean.append({"prompt": mark_user_turns(pair["prompt"]), "chosen": chosen, "rejected": rejected})
    return Dataset.from_list(clean)


def kto_dataset(examples: list[dict]) -> Any:
    """Check KTO rows ({"prompt", "completion", "label": bool}) and mark user turns with <|ME|>."""
    from datasets import Dataset

    if not examples:
        raise ValueError("KTO needs at least one example")
    clean = []
    for index, example in enumerate(examples):
        if not isinstance(example.get("label"), bool):
            raise ValueError(f"row {index}: label must be True (liked) or False (disliked)")
        completion = _assistant(example.get("completion"), "completion", index)
        clean.append({"prompt": mark_user_turns(example["prompt"]), "completion": completion,
                      "label": example["label"]})
    return Dataset.from_list(clean)


def fit_dpo(model: Any, tokenizer: Any, pairs: list[dict], out_dir: str | Path, config: TrainConfig,
            progress: Progress | None = None) -> StageResult:
    """Train the PEFT `model` in place with DPO against a frozen copy of its adapter; save to `out_dir`."""
    from trl import DPOConfig, DPOTrainer

    dataset, too_long = _fitting(tokenizer, dpo_dataset(pairs), ("chosen", "rejected"), config.max_length, "dpo")
    report = progress_callback("dpo", progress)
    extra: dict[str, Any] = {"beta": config.dpo_beta}
    if config.dpo_sft_weight > 0:
        extra.update(loss_type=["sigmoid", "sft"], loss_weights=[1.0, config.dpo_sft_weight])
    with tempfile.TemporaryDirectory(prefix="mebot-dpo-") as scratch:
        args = trl_args(
            DPOConfig, config, model, scratch,
            learning_rate=config.dpo_learning_rate, epochs=config.dpo_epochs, max_steps=config.dpo_max_steps,
            **extra,
        )
        trainer = DPOTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                             callbacks=[report])
        copy_reference_tokens(trainer.model)
        return run_stage("dpo", trainer, report, tokenizer, out_dir, len(dataset), too_long)


def fit_kto(model: Any, tokenizer: Any, examples: list[dict], out_dir: str | Path, config: TrainConfig,
            progress: Progress | None = None) -> StageResult:
    """Train the PEFT `model` in place with KTO against a frozen copy of its adapter; save to `out_dir`."""
    from trl import KTOConfig, KTOTrainer

    dataset, too_long = _fitting(tokenizer, kto_dataset(examples), ("completion",), config.max_length, "kto")
    if config.per_device_batch_size < 2:
        raise ValueError("KTO needs per_device_batch_size >= 2 (it estimates a KL term across the batch)")
    report = progress_callback("kto", progress)
    with tempfile.TemporaryDirectory(prefix="mebot-kto-") as scratch:
        args = trl_args(
            KTOConfig, config, model, scratch,
            learning_rate=config.kto_learning_rate, epochs=config.kto_epochs, max_steps=config.kto_max_steps,
            beta=config.kto_beta,
            desirable_weight=config.kto_desirable_weight,
            undesirable_weight=config.kto_undesirable_weight,
        )
        trainer = KTOTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                             callbacks=[report])
        copy_reference_tokens(trainer.model)
        return run_stage("kto", trainer, report, tokenizer, out_dir, len(dataset), too_long)


def train_dpo(base_path: str | Path, pairs: list[dict], out_dir: str | Path, config: TrainConfig | None,
              init_adapter: str | Path | None, progress: Progress | None = None) -> StageResult:
    """Continue `init_adapter` (usually the SFT one) with DPO on preference pairs; save the result to `out_dir`."""
    config = config or TrainConfig()
    dpo_dataset(pairs)  # fail on bad rows before the slow model load
    check_new_out_dir(out_dir)
    model, tokenizer = load_trainable(base_path, config, init_adapter)
    return fit_dpo(model, tokenizer, pairs, out_dir, config, progress)


def train_kto(base_path: str | Path, examples: list[dict], out_dir: str | Path, config: TrainConfig | None,
              init_adapter: str | Path | None, progress: Progress | None = None) -> StageResult:
    """Continue `init_adapter` with KTO on unpaired liked/disliked replies; save the result to `out_dir`."""
    config = config or TrainConfig()
    kto_dataset(examples)
    check_new_out_dir(out_dir)
    model, tokenizer = load_trainable(base_path, config, init_adapter)
    return fit_kto(model, tokenizer, examples, out_dir, config, progress)
