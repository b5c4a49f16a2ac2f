"""Supervised fine-tuning of a user's adapter on chats built from their memory (assistant tokens only).

Rows are given to TRL in its conversational prompt–completion form: the loss covers exactly the tokens the
chat template adds after the prompt rendered with its generation prompt — the reply and its end-of-turn
token. That works with any chat template (no `{% generation %}` markers needed) and, since labels are
masked by position rather than by token id, a tokenizer whose pad token is its EOS still learns to stop.
"""

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
    load_trainable,
    progress_callback,
    run_stage,
    split_by_length,
    trl_args,
)


def prompt_completion(rows: list[dict]) -> list[dict]:
    """SFT rows ({"messages": [..., assistant]}) as {"prompt": [...], "completion": [assistant]}, user turns
    marked with <|ME|>. Raises ValueError for a row that does not end in an assistant turn."""
    if not rows:
        raise ValueError("SFT needs at least one example")
    converted = []
    for index, row in enumerate(rows):
        messages = row.get("messages")
        if not messages or messages[-1].get("role") != "assistant" or not messages[-1].get("content"):
            raise ValueError(f"SFT row {index} has no assistant message to learn from (it must end with one)")
        converted.append({"prompt": mark_user_turns(messages[:-1]),
                          "completion": [{"role": "assistant", "content": messages[-1]["content"]}]})
    return converted


def sft_dataset(rows: list[dict]) -> Any:
    """Check SFT rows and return them as a prompt–completion Dataset (see prompt_completion)."""
    from datasets import Dataset

    return Dataset.from_list(prompt_completion(rows))


def sft_lengths(tokenizer: Any, rows: list[dict]) -> list[int]:
    """Token count of each prompt–completion row under the chat template."""
    return [len(completion_token_ids(tokenizer, r["prompt"], r["completion"][0])[0]) for r in rows]


def sft_trainer(model: Any, tokenizer: Any, rows: list[dict], config: TrainConfig, scratch: str,
                callbacks: list | None = None) -> tuple[Any, int]:
    """(TRL SFTTrainer over the rows that fit max_length, how many did not). Its train_dataset holds the
    tokenized rows with `labels` (-100 outside the completion)."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    converted = prompt_completion(rows)
    converted, too_long = split_by_length(converted, sft_lengths(tokenizer, converted), config.max_length, "sft")
    args = trl_args(
        SFTConfig, config, model, scratch,
        learning_rate=config.sft_learning_rate, epochs=config.sft_epochs, max_steps=config.sft_max_steps,
        completion_only_loss=True,
        packing=False,  # packing without flash attention lets rows attend to each other
        train_sampling_strategy="group_by_length",  # batches of similar length: less padding
    )
    trainer = SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(converted),
                         processing_class=tokenizer, callbacks=callbacks or [])
    return trainer, too_long


def fit_sft(model: Any, tokenizer: Any, rows: list[dict], out_dir: str | Path, config: TrainConfig,
            progress: Progress | None = None) -> StageResult:
    """Train the PEFT `model` in place on `rows` and save its adapter to `out_dir`."""
    report = progress_callback("sft", progress)
    with tempfile.TemporaryDirectory(prefix="mebot-sft-") as scratch:
        trainer, too_long = sft_trainer(model, tokenizer, rows, config, scratch, [report])
        return run_stage("sft", trainer, report, tokenizer, out_dir, len(trainer.train_dataset), too_long)


def train_sft(base_path: str | Path, rows: list[dict], out_dir: str | Path, config: TrainConfig | None = None,
              progress: Progress | None = None, init_adapter: str | Path | None = None) -> StageResult:
    """Load the base, train a new adapter (or continue `init_adapter`) on SFT rows, save it to `out_dir`."""
    config = config or TrainConfig()
    prompt_completion(rows)  # fail on bad rows before the slow model load
    check_new_out_dir(out_dir)
    model, tokenizer = load_trainable(base_path, config, init_adapter)
    return fit_sft(model, tokenizer, rows, out_dir, config, progress)
