"""Supervised fine-tuning of a user's adapter on chats built from their memory (assistant tokens only)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from rlmf.training.config import TrainConfig
from rlmf.model.special_tokens import mark_user_turns
from rlmf.training.stage import (
    Progress,
    StageResult,
    check_new_out_dir,
    load_trainable,
    progress_callback,
    run_stage,
    trl_args,
)


def sft_dataset(rows: list[dict]) -> Any:
    """Check SFT rows ({"messages": [...]} ending in an assistant turn) and mark user turns with <|ME|>."""
    from datasets import Dataset

    if not rows:
        raise ValueError("SFT needs at least one example")
    clean = []
    for index, row in enumerate(rows):
        messages = row.get("messages")
        if not messages or not any(message.get("role") == "assistant" for message in messages):
            raise ValueError(f"SFT row {index} has no assistant message to learn from")
        clean.append({"messages": mark_user_turns(messages)})
    return Dataset.from_list(clean)


def fit_sft(model: Any, tokenizer: Any, rows: list[dict], out_dir: str | Path, config: TrainConfig,
            progress: Progress | None = None) -> StageResult:
    """Train the PEFT `model` in place on `rows` and save its adapter to `out_dir`."""
    from trl import SFTConfig, SFTTrainer

    dataset = sft_dataset(rows)
    report = progress_callback("sft", progress)
    with tempfile.TemporaryDirectory(prefix="mebot-sft-") as scratch:
        args = trl_args(
            SFTConfig, config, model, scratch,
            learning_rate=config.sft_learning_rate, epochs=config.sft_epochs, max_steps=config.sft_max_steps,
            assistant_only_loss=True,
            packing=False,
        )
        trainer = SFTTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                             callbacks=[report])
        return run_stage("sft", trainer, report, tokenizer, out_dir, len(dataset))


def train_sft(base_path: str | Path, rows: list[dict], out_dir: str | Path, config: TrainConfig | None = None,
              progress: Progress | None = None, init_adapter: str | Path | None = None) -> StageResult:
    """Load the base, train a new adapter (or continue `init_adapter`) on SFT rows, save it to `out_dir`."""
    config = config or TrainConfig()
    sft_dataset(rows)  # fail on bad rows before the slow model load
    check_new_out_dir(out_dir)
    model, tokenizer = load_trainable(base_path, config, init_adapter)
    return fit_sft(model, tokenizer, rows, out_dir, config, progress)
