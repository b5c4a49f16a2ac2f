"""What the training stages share: a trainable PEFT model on the base, TRL arguments, progress, saving."""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rlmf.model.base import check_adapter_base, load_base, write_base_record
from rlmf.training.config import TrainConfig
from rlmf.model.special_tokens import ME_TOKEN

logger = logging.getLogger(__name__)

# progress(stage, step, total_steps, logs): logs holds "loss" and, for DPO/KTO, "rewards/margins".
# An exception raised by progress stops the stage and nothing is saved: that is how a run is cancelled.
Progress = Callable[[str, int, int, dict], None]


@dataclass
class StageResult:
    """What one stage did: where the adapter is, how long it took, what it logged last."""

    stage: str
    out_dir: Path
    examples: int
    steps: int
    seconds: float
    tokens: int
    metrics: dict = field(default_factory=dict)
    too_long: int = 0  # examples left out because they exceed max_length (never silently)

    def to_dict(self) -> dict:
        """JSON-ready summary for adapter metadata."""
        return {
            "stage": self.stage,
            "out_dir": str(self.out_dir),
            "examples": self.examples,
            "steps": self.steps,
            "seconds": round(self.seconds, 3),
            "tokens": self.tokens,
            "too_long": self.too_long,
            "metrics": self.metrics,
        }


def lora_config(config: TrainConfig, tokenizer: Any, model: Any) -> Any:
    """The LoRA setup of a fresh adapter: all linear layers, plus the <|ME|> embedding row when asked."""
    from peft import LoraConfig

    extra = {}
    if config.train_me_embedding and _tied_embeddings(model):
        # PEFT would also wrap the tied output head, which TRL's fused log-prob head cannot read. LoRA on
        # every linear layer still learns to react to the marker's fixed embedding.
        logger.info("The base ties its input and output embeddings: the <|ME|> row stays frozen.")
    elif config.train_me_embedding:
        # Only the one embedding row is trained and saved (not the whole vocabulary, as modules_to_save would).
        extra["trainable_token_indices"] = {"embed_tokens": [tokenizer.convert_tokens_to_ids(ME_TOKEN)]}
    return LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.target_modules,
        task_type="CAUSAL_LM",
        **extra,
    )


def _tied_embeddings(model: Any) -> bool:
    output = model.get_output_embeddings()
    return output is not None and output.weight is model.get_input_embeddings().weight


def load_trainable(base_path: str | Path, config: TrainConfig, init_adapter: str | Path | None = None):
    """Load the base and put a trainable adapter on it: a fresh one, or a copy of `init_adapter` to continue.

    Raises rlmf.model.base.AdapterMismatch when `init_adapter` was trained on another base."""
    from peft import PeftModel, get_peft_model
    from transformers import set_seed

    base = load_base(base_path, device=config.device, load_in_4bit=config.load_in_4bit)
    set_seed(config.seed)  # LoRA's A matrices are drawn at random
    if init_adapter is None:
        model = get_peft_model(base.model, lora_config(config, base.tokenizer, base.model))
    else:
        check_adapter_base(Path(init_adapter), base.fingerprint)
        model = PeftModel.from_pretrained(base.model, str(init_adapter), is_trainable=True)
    # Saved with every adapter this model produces (see save_adapter).
    model.mebot_base_record = {"base_model": base.label, "base_fingerprint": base.fingerprint}
    return model, base.tokenizer


def trl_args(args_class: type, config: TrainConfig, model: Any, output_dir: str, *, learning_rate: float,
             epochs: float, max_steps: int, **extra: Any) -> Any:
    """Arguments for a TRL trainer from our config (precision and device follow where the model lives)."""
    on_cuda = model.device.type == "cuda"
    return args_class(
        output_dir=output_dir,
        learning_rate=learning_rate,
        num_train_epochs=epochs,
        max_steps=max_steps,
        lr_scheduler_type=config.lr_scheduler,
        warmup_steps=config.warmup_ratio,
        per_device_train_batch_size=config.per_device_batch_size,
        gradient_accumulation_steps=config.gradient_accumulation_steps,
        gradient_checkpointing=on_cuda if config.gradient_checkpointing is None else config.gradient_checkpointing,
        max_length=config.max_length,
        # TRL defaults to bf16, which CPUs reject; on CUDA the 4-bit base computes in bf16 anyway.
        bf16=on_cuda,
        use_cpu=not on_cuda,
        seed=config.seed,
        data_seed=config.seed,
        logging_steps=config.logging_steps,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        dataloader_num_workers=0,
        **extra,
    )


def progress_callback(stage: str, progress: Progress | None) -> Any:
    """A TrainerCallback that passes each log line to `progress` and keeps the last one."""
    from transformers import TrainerCallback

    class _Report(TrainerCallback):
        def __init__(self):
            self.last_logs: dict = {}

        def on_log(self, args, state, control, logs=None, **kwargs):
            logs = {key: value for key, value in (logs or {}).items() if isinstance(value, (int, float))}
            self.last_logs = {**self.last_logs, **logs}
            if progress is not None:
                progress(stage, state.global_step, state.max_steps, logs)

    return _Report()


def split_by_length(rows: list[dict], lengths: list[int], max_length: int, stage: str) -> tuple[list[dict], int]:
    """(rows that fit in max_length tokens, how many did not); a warning names the count.

    Truncating would cut the end of the reply (the part that is learned) or its end-of-turn token, so
    over-long examples are left out whole and counted instead."""
    kept = [row for row, length in zip(rows, lengths) if length <= max_length]
    dropped = len(rows) - len(kept)
    if dropped:
        logger.warning("%s: %d of %d examples are longer than max_length=%d tokens and are left out; raise "
                       "max_length to train on them", stage, dropped, len(rows), max_length)
    if not kept:
        raise ValueError(f"{stage}: every example is longer than max_length={max_length} tokens")
    return kept, dropped


def run_stage(stage: str, trainer: Any, report: Any, tokenizer: Any, out_dir: str | Path, examples: int,
              too_long: int = 0) -> StageResult:
    """Train, then save only the trained adapter (and the tokenizer) to `out_dir`, all or nothing."""
    out_dir = check_new_out_dir(out_dir)
    from transformers import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # progress() is the reporting channel, not stdout
    started = time.perf_counter()
    output = trainer.train()
    seconds = time.perf_counter() - started
    save_adapter(trainer.model, tokenizer, out_dir)
    metrics = {**report.last_logs, **output.metrics}
    return StageResult(
        stage=stage,
        out_dir=out_dir,
        examples=examples,
        steps=trainer.state.global_step,
        seconds=seconds,
        tokens=int(metrics.get("num_tokens", 0)),
        metrics=metrics,
        too_long=too_long,
    )


def check_new_out_dir(out_dir: str | Path) -> Path:
    """Refuse to write over an existing folder: a saved adapter version is never modified."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ValueError(f"{out_dir} already exists; adapters are never overwritten")
    return out_dir


def save_adapter(model: Any, tokenizer: Any, out_dir: Path) -> None:
    """Write the "default" adapter and the tokenizer to a sibling folder, then rename it into place."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        # DPO/KTO add a frozen "ref" copy of the previous adapter; it must not be saved beside the new one.
        # Embedding layers are not saved: add_me_token rebuilds them identically at every load.
        model.save_pretrained(partial, selected_adapters=["default"], save_embedding_layers=False)
        tokenizer.save_pretrained(partial)
        record = getattr(model, "mebot_base_record", None)
        if record is not None:
            write_base_record(partial, record)
        partial.rename(out_dir)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def copy_reference_tokens(model: Any) -> None:
    """Make the "ref" adapter's trained token rows equal the "default" ones (TRL copies only LoRA weights)."""
    import torch

    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, param in params.items():
            if name.endswith(".default") and name[: -len("default")] + "ref" in params:
                params[name[: -len("default")] + "ref"].copy_(param)
