"""Every knob of a training run in one dataclass (how replies are sampled: rlmf.model.generation)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field


def _help(default, text: str):
    return field(default=default, metadata={"help": text})


@dataclass
class TrainConfig:
    """Hyperparameters of one training run: SFT, then DPO, then KTO, each on LoRA adapters."""

    # LoRA
    lora_r: int = _help(64, "LoRA rank (the AI-native memory paper trains rank 64).")
    lora_alpha: int = _help(128, "LoRA scaling numerator: updates are scaled by lora_alpha / lora_r.")
    lora_dropout: float = _help(0.05, "Dropout on the LoRA branch during training.")
    target_modules: str | list[str] = _help(
        "all-linear", "Layers that get LoRA: 'all-linear' (every linear layer but the output head) or a list of names."
    )
    train_me_embedding: bool = _help(
        True, "Also train the input embedding row of <|ME|> (stored in the adapter; the base stays frozen)."
    )

    # Optimisation, shared by the stages
    lr_scheduler: str = _help("cosine", "Learning-rate schedule of every stage (a transformers SchedulerType).")
    warmup_ratio: float = _help(0.03, "Fraction of each stage's steps spent warming the learning rate up.")
    per_device_batch_size: int = _help(4, "Examples per forward pass (KTO needs at least 2).")
    gradient_accumulation_steps: int = _help(2, "Forward passes per optimizer step.")
    max_length: int = _help(
        4096, "Longest tokenized example (prompt + reply). Covers the chat prompt budget (MEBOT_CONTEXT_TOKENS); "
        "longer examples are left out and counted in the run's data counts, never truncated.")
    gradient_checkpointing: bool | None = _help(
        None, "Recompute activations in backward: less memory, ~20% slower. None: on for CUDA, off on CPU.")
    seed: int = _help(0, "Seed for adapter initialisation and data order, so a run can be repeated.")
    load_in_4bit: bool | None = _help(
        None, "Load the base in 4-bit NF4 (QLoRA). None: 4-bit on CUDA, full precision on CPU."
    )
    device: str | None = _help(None, "'cuda', 'cuda:1' or 'cpu'. None: CUDA when available.")
    logging_steps: int = _help(1, "Report loss (and DPO reward margins) every this many optimizer steps.")

    # SFT
    sft_learning_rate: float = _help(2e-4, "Peak learning rate of supervised fine-tuning on memory data.")
    sft_epochs: float = _help(3.0, "Passes over the SFT data.")
    sft_max_steps: int = _help(-1, "If > 0, stop SFT after this many optimizer steps (overrides sft_epochs).")

    max_sft_rows: int | None = _help(
        None, "A full run trains on at most this many SFT rows (all endorsed replies plus a fixed sample of the "
        "synthesised ones). None: all.")

    history_turns: int | None = _help(
        None, "Rows from chats (endorsed replies, preference pairs, votes) keep only the last this many exchanges "
        "of their conversation before the question; the feedback is about the reply, and old turns cost every "
        "step their length. None: the whole prompt the model saw.")

    sft_closed_share: float = _help(
        0.75, "Share of closed-book rows (no notes in the prompt: what puts memories into the weights) among the "
        "synthesised rows of a capped full run; the rest are open-book (notes quoted).")

    # Incremental runs (continue the live adapter with what it has not seen)
    replay_ratio: float = _help(
        1.0, "Earlier SFT rows replayed per new row in an incremental run, so old memories are not forgotten.")
    incremental_sft_lr_scale: float = _help(
        0.25, "An incremental run's SFT rate is sft_learning_rate times this: it refines a trained adapter with a "
        "few rows, and the full rate would overwrite what it knew.")
    min_replay_rows: int = _help(16, "At least this many earlier rows are replayed (when there are that many).")
    full_run_share: float = _help(
        0.5, "An automatic run is full (from the base) when more than this share of the notes is new or changed.")

    # DPO
    min_dpo_pairs: int = _help(8, "Run DPO only when there are at least this many preference pairs.")
    dpo_beta: float = _help(0.1, "DPO beta: how far the policy may drift from the reference (the previous adapter).")
    dpo_sft_weight: float = _help(
        1.0,
        "Weight of an NLL loss on the chosen reply added to DPO (RPO). DPO alone only widens the gap to the "
        "rejected reply and can make both unlikely; this keeps the user's own version likely. 0 turns it off.",
    )
    dpo_learning_rate: float = _help(5e-5, "Peak learning rate of DPO.")
    dpo_epochs: float = _help(1.0, "Passes over the preference pairs.")
    dpo_max_steps: int = _help(-1, "If > 0, stop DPO after this many optimizer steps (overrides dpo_epochs).")

    # KTO
    min_kto_examples: int = _help(16, "Run KTO only when there are at least this many unpaired likes/dislikes.")
    kto_beta: float = _help(0.1, "KTO beta: how far the policy may drift from the reference.")
    kto_desirable_weight: float = _help(1.0, "Loss weight of liked replies (raise it when likes are rarer).")
    kto_undesirable_weight: float = _help(1.0, "Loss weight of disliked replies (raise it when dislikes are rarer).")
    kto_learning_rate: float = _help(5e-5, "Peak learning rate of KTO.")
    kto_epochs: float = _help(1.0, "Passes over the unpaired examples.")
    kto_max_steps: int = _help(-1, "If > 0, stop KTO after this many optimizer steps (overrides kto_epochs).")

    def __post_init__(self) -> None:
        if self.lora_r < 1:
            raise ValueError("lora_r must be at least 1")
        if not 0 <= self.lora_dropout < 1:
            raise ValueError("lora_dropout must be in [0, 1)")
        if self.per_device_batch_size < 1 or self.gradient_accumulation_steps < 1:
            raise ValueError("batch size and gradient accumulation steps must be at least 1")
        if not 0 <= self.warmup_ratio < 1:
            raise ValueError("warmup_ratio must be in [0, 1)")
        if self.dpo_beta <= 0 or self.kto_beta <= 0:
            raise ValueError("DPO and KTO beta must be positive")
        if self.dpo_sft_weight < 0:
            raise ValueError("dpo_sft_weight cannot be negative")
        if self.min_dpo_pairs < 1 or self.min_kto_examples < 1:
            raise ValueError("the minimum pair and example counts must be at least 1")

    @classmethod
    def for_device(cls, device: str | None = None, **overrides) -> "TrainConfig":
        """The defaults for where training will run — the paper's settings on CUDA, CPU_DEFAULTS on a CPU —
        with `overrides` on top."""
        if device is None:
            from rlmf.model.base import default_device

            resolved = default_device()
        else:
            resolved = device
        base = CPU_DEFAULTS if not resolved.startswith("cuda") else {}
        return cls(**{**base, **overrides, "device": device})

    def to_dict(self) -> dict:
        """The config as plain JSON-ready values, for adapter metadata."""
        return asdict(self)


# What makes a full run (30 notes, 16 preference pairs, the 135M model) finish in minutes on a 2-core CPU.
# Measured with bench/train.py; see the README's "Training on a CPU".
CPU_DEFAULTS: dict = {
    "lora_r": 16,
    "lora_alpha": 32,
    "per_device_batch_size": 1,  # no padding to compute on; a long row costs only its own length
    "gradient_accumulation_steps": 4,
    "sft_learning_rate": 1e-3,  # one pass over few rows: a high rate, or the facts do not stick
    "sft_epochs": 1.0,
    # ~8 closed-book rows per note for 30-40 notes: what one pass can afford in the time budget (384 rows
    # took 12.5 minutes, ~95 tokens/s, on 2 idle cores), every note seen under most of its cue words.
    "max_sft_rows": 320,
    "sft_closed_share": 0.9,  # open-book rows are ~3x longer (the notes are quoted)
    "min_replay_rows": 8,
    # Few steps: a higher rate than the GPU default so a handful of edits shows. 5e-4 for 3 epochs taught
    # the habit to every answer but wiped what SFT had put in (16 edits, the learning bench).
    "dpo_learning_rate": 3e-4,
    "dpo_epochs": 2.0,
    "min_dpo_pairs": 4,
    "history_turns": 2,  # a DPO step costs 4 passes over each prompt: a long chat history dominated its time
    "kto_epochs": 1.0,
}


def stage_steps(examples: int, config: TrainConfig, stage: str) -> int:
    """Optimizer steps a stage will take on `examples` rows (max_steps when set, else epochs over the data)."""
    max_steps = {"sft": config.sft_max_steps, "dpo": config.dpo_max_steps, "kto": config.kto_max_steps}[stage]
    if max_steps > 0:
        return max_steps
    epochs = {"sft": config.sft_epochs, "dpo": config.dpo_epochs, "kto": config.kto_epochs}[stage]
    per_epoch = math.ceil(examples / config.per_device_batch_size / config.gradient_accumulation_steps)
    return max(1, math.ceil(per_epoch * epochs))
