"""Does the personal model learn? One invented person, end to end through Mebot's own code, on a real model.

    python -m bench.learning                  # the packaged SmolLM2-135M-Instruct (tens of minutes on 2 cores)
    python -m bench.learning --quick --model tiny   # a smoke run of every stage on the tiny random model

Notes go in through memory.api; questions are asked through the chat engine (the product's prompt format,
greedy replies) and scored by keywords; edits go through rlmf.data.feedback; training runs are queued as
rows and run by the product's entry point `python -m rlmf.training.run` in their own process. The steps:

 1. the base answers the held-out questions with memory (retrieval in the prompt) and without it;
 2. the user chats and edits 16 replies, always calling herself by her nickname (a habit the base lacks);
 3. a full run (SFT on the notes, DPO on the edits); its adapter answers closed-book and with memory;
 4. 8 more edits, then an incremental run from the live adapter: its wall time, the habit it reaches,
    and closed-book recall after it (forgetting);
 5. perplexity of the base and the adapters on a general text that has nothing to do with the user.

Every question is held out: training sees the notes and the edited chats, never the question wording.
Prints a table per question kind, the habit's adoption, retention, each stage's wall time and peak memory,
and PASS/FAIL against the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
# Run as a plain script, Python puts bench/ first on sys.path; put the repository root there instead.
if sys.path and Path(sys.path[0] or ".").resolve() == _BENCH:
    sys.path[0] = str(_BENCH.parent)
else:
    sys.path.insert(0, str(_BENCH.parent))

from bench import persona as persona_module  # noqa: E402
from bench.learning_report import report  # noqa: E402
from bench.learning_steps import Bench  # noqa: E402

# A smoke run's training settings: enough steps for the tiny model to move, few enough to finish in seconds.
QUICK_TRAIN_CONFIG = {"sft_max_steps": 4, "dpo_max_steps": 2, "per_device_batch_size": 2,
                      "gradient_accumulation_steps": 1, "max_length": 1024, "min_dpo_pairs": 1,
                      "gradient_checkpointing": False, "lora_r": 8, "lora_alpha": 16}
QUICK_NOTES = 8  # a smoke run learns from the first few notes only, so its data steps stay short


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.learning", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None,
                        help="base model: a Hub id, a folder, a .gguf file, or 'tiny' (built locally); "
                             "default: the packaged SmolLM2-135M-Instruct")
    parser.add_argument("--quick", action="store_true",
                        help=f"a smoke run: {QUICK_NOTES} notes, one question per kind, 2 + 1 edits, a few training steps")
    parser.add_argument("--edits", type=int, default=None, help="edited replies before the full run (default 16)")
    parser.add_argument("--new-edits", type=int, default=None,
                        help="edited replies before the incremental run (default 8)")
    parser.add_argument("--edits-with-memory", action="store_true",
                        help="ask the chat turns the user edits with memory on (default: off, shorter prompts)")
    parser.add_argument("--per-kind", type=int, default=None,
                        help="ask only the first N questions of each kind (default: all; quick: 1)")
    parser.add_argument("--max-new-tokens", type=int, default=None, help="longest reply (default 96; quick 24)")
    parser.add_argument("--train-config", default=None,
                        help="JSON overrides of the training settings (MEBOT_TRAIN_CONFIG); default: the product's "
                             "own defaults, or a few steps with --quick")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep the database, adapters and logs here (default: a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this JSON file")
    parser.add_argument("--show-answers", action="store_true", help="print every question with its replies")
    return parser


def settings_of(args: argparse.Namespace) -> argparse.Namespace:
    """Fill the defaults that depend on --quick."""
    args.edits = args.edits if args.edits is not None else (2 if args.quick else 16)
    args.new_edits = args.new_edits if args.new_edits is not None else (1 if args.quick else 8)
    args.max_new_tokens = args.max_new_tokens or (24 if args.quick else 96)
    args.per_kind = args.per_kind or (1 if args.quick else None)
    if args.train_config is None and args.quick:
        args.train_config = json.dumps(QUICK_TRAIN_CONFIG)
    return args


def run(args: argparse.Namespace) -> dict:
    """Every step of the benchmark; returns the figures (see bench.learning_report for their shape)."""
    args = settings_of(args)
    persona = persona_module.load()
    questions = persona.questions
    if args.quick:
        persona = persona_module.Persona(persona.notes[:QUICK_NOTES], persona.questions, persona.edits,
                                         persona.general_text)
    if args.per_kind:
        questions = persona_module.sample_per_kind(questions, args.per_kind)
    if args.edits + args.new_edits > len(persona.edits):
        raise SystemExit(f"the persona has {len(persona.edits)} chat turns to edit; asked for "
                         f"{args.edits} + {args.new_edits}")
    with tempfile.TemporaryDirectory(prefix="mebot-bench-learning-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        bench = Bench(workdir, model=args.model, train_config=args.train_config,
                      max_new_tokens=args.max_new_tokens, show_answers=args.show_answers,
                      edits_with_memory=args.edits_with_memory)
        return bench.run(persona, questions, edits=args.edits, new_edits=args.new_edits)


def _interrupt(signum, frame):
    raise KeyboardInterrupt  # a killed benchmark still prints what it measured


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    from rlmf.model.threads import use_free_cores

    use_free_cores(echo=print)  # replies are generated here; training runs pick their own in their process
    figures = run(args)
    print(report(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    sys.exit(main())
