"""A day of a hosted Mebot: how long training runs wait in the queue for a given number of GPU workers.

    python -m bench.training_queue                        # measure a tiny-model run, then simulate
    python -m bench.training_queue --run-seconds-tiny 40  # skip the measurement (reuse a figure)

1. Measures one real full training run on the tiny model (rlmf.model.tiny) in this process, with the CPU
   defaults and a typical user's data (notes and edited replies), its SFT capped at `--steps`: wall time, the
   part that is not training (loading, data synthesis, the evaluation gate) and the full run's time
   extrapolated from seconds per step; and the characters a full run with the GPU defaults trains on.
2. Scales it to a Qwen2.5-0.5B and a 7B base on one data-centre GPU: training compute ≈ 4 · parameters ·
   tokens (forward and activation backward through a frozen base; LoRA weights are tiny), tokens counted
   for the real models' tokenizer (about 3.5 characters per token), at an assumed effective throughput
   (`--gpu-tflops`, default 150 TFLOP/s ≈ 15% of an H100/H200's dense bf16 peak, typical of small-batch
   QLoRA), plus a fixed per-run overhead (`--overhead-0.5b`, `--overhead-7b`: loading a 4-bit base, the
   gate). These are estimates, printed with their inputs; measure on the real GPU to replace them.
3. Simulates one day of N users (default 10,000): a share of them is active, gives feedback at a Poisson
   rate, and writes notes; a run is queued when a user's new reactions reach the threshold, and nightly at
   03:00 local time for every user with anything new (users spread over `--zones` time zones); a user never
   has two runs at once (a request while one is queued or running joins it, as rlmf.training.runs does).
   W workers take runs first come, first served.

Prints queue wait p50/p95/max, worker utilisation and how long the nightly batch takes, for each W and both
model sizes.
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

_BENCH = Path(__file__).resolve().parent
if sys.path and Path(sys.path[0] or ".").resolve() == _BENCH:
    sys.path[0] = str(_BENCH.parent)
else:
    sys.path.insert(0, str(_BENCH.parent))

PARAMETERS = {"0.5b": 0.49e9, "7b": 7.6e9}
CHARS_PER_TOKEN = 3.5  # Qwen2.5's tokenizer on English prose
DAY = 24 * 3600.0


def measure_tiny_run(notes: int = 40, edits: int = 10, steps: int = 20) -> dict:
    """One real full run on the tiny model with the CPU defaults, its SFT capped at `steps` optimizer steps:
    wall seconds and the full CPU run extrapolated from seconds per step; and the characters a full run with
    the GPU defaults (rlmf.training.config: the paper's settings on CUDA) trains on."""
    import os

    from memory import api, settings as settings_module
    from memory.vocab import RunKind
    from rlmf.data import feedback
    from rlmf.data.run_data import build_run_data
    from rlmf.model.tiny import build_tiny_model
    from rlmf.training import runs
    from rlmf.training.config import TrainConfig, stage_steps
    from rlmf.training.run import execute, load_train_config

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        os.environ.update({"MEBOT_HOME": str(home), "MEBOT_BASE_MODEL": str(build_tiny_model(home / "tiny")),
                           "HF_HUB_OFFLINE": "1"})
        memory = api.open_memory(f"sqlite:///{home / 'mebot.db'}")
        user = memory.user("typical")
        topics = ["walked the dog", "lunch with my sister", "dentist at nine", "the garden plan", "a book on trains",
                  "coffee with Sam", "project meeting moved", "a swim before work", "bought a blue bike", "tomatoes"]
        user.add_notes([{"title": f"Note {i}", "content": f"Today: {topics[i % len(topics)]} (entry {i})."}
                        for i in range(notes)])
        chat = user.new_session()
        for i in range(edits):
            question = user.add_message(chat.id, "user", f"What about {topics[i % len(topics)]}?")
            reply = user.add_message(chat.id, "assistant", "I do not know.", parent_id=question.id,
                                     prompt=[{"role": "user", "content": question.content}])
            feedback.edit_reply(user, reply.id, f"You noted {topics[i % len(topics)]}.")
        settings = settings_module.load()

        def full_data(config):
            return build_run_data(user, kind=RunKind.FULL, seen=None, seed=config.seed, week_start=settings.week_start,
                                  replay_ratio=config.replay_ratio, min_replay=config.min_replay_rows,
                                  max_sft_rows=config.max_sft_rows)

        gpu, cpu = TrainConfig.for_device("cuda"), load_train_config("{}")
        gpu_data, cpu_data = full_data(gpu), full_data(cpu)
        characters = _characters(gpu_data.sft) * gpu.sft_epochs + _characters(gpu_data.dpo) * gpu.dpo_epochs
        cpu_steps = sum(stage_steps(len(rows), cpu, stage) for stage, rows in (("sft", cpu_data.sft), ("dpo", cpu_data.dpo))
                        if rows and (stage == "sft" or len(rows) >= cpu.min_dpo_pairs))
        capped = load_train_config(json.dumps({"sft_max_steps": steps, "dpo_max_steps": max(1, steps // 4)}))
        run = runs.request_run(memory, user, kind="full")
        runs.claim(memory, run.id, os.getpid())
        started = time.perf_counter()
        status = execute(memory, run.id, settings, capped)
        wall = time.perf_counter() - started
        row = runs.get_run_any(memory, run.id)
        stages = (row.metrics or {}).get("stages", {})
        memory.close()
    train_s = sum(s["seconds"] for s in stages.values())
    steps_done = steps + (max(1, steps // 4) if "dpo" in stages else 0)
    return {"status": status, "wall_s": round(wall, 1), "train_s": round(train_s, 1), "steps": steps_done,
            "stages": {k: {"seconds": v["seconds"], "tokens": v["tokens"]} for k, v in stages.items()},
            "sft_rows_gpu": len(gpu_data.sft), "dpo_pairs": len(gpu_data.dpo), "cpu_full_run_steps": cpu_steps,
            "cpu_full_run_s_estimate": round(wall - train_s + train_s * cpu_steps / steps_done),
            "trained_characters_gpu": int(characters)}


def _characters(value) -> int:
    """Characters of text in a dataset (rows of messages, prompt/completion pairs …)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_characters(v) for k, v in value.items() if k not in ("notes", "feedback_id", "key", "label"))
    if isinstance(value, (list, tuple)):
        return sum(_characters(v) for v in value)
    return 0


def estimate_run_seconds(trained_characters: int, parameters: float, tflops: float, overhead_s: float) -> float:
    """Seconds of one run on a GPU: 4·P·tokens at `tflops` effective, plus a fixed overhead."""
    tokens = trained_characters / CHARS_PER_TOKEN
    return overhead_s + 4 * parameters * tokens / (tflops * 1e12)


def day_of_requests(users: int, active_share: float, reactions_per_day: float, threshold: int, zones: int,
                    seed: int) -> list[tuple[float, int, bool]]:
    """(time of day in seconds, user, nightly?) for every run request of one day, in time order."""
    rng = random.Random(seed)
    requests = []
    for user in range(users):
        if rng.random() >= active_share:
            continue
        offset = (user % zones) * DAY / zones  # the user's time zone shifts their day
        reactions = sorted(rng.uniform(8, 23) * 3600 for _ in range(_poisson(rng, reactions_per_day)))
        for count in range(threshold, len(reactions) + 1, threshold):  # feedback-triggered runs
            requests.append(((reactions[count - 1] + offset) % DAY, user, False))
        requests.append(((3 * 3600 + offset) % DAY, user, True))  # nightly: something new today
    return sorted(requests)


def _poisson(rng: random.Random, mean: float) -> int:
    count, limit, product = 0, pow(2.718281828459045, -mean), rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def simulate(requests: list[tuple[float, int, bool]], workers: int, run_seconds: float, seed: int) -> dict:
    """FIFO queue, `workers` servers, one run per user at a time; runs last run_seconds × lognormal(0, 0.3)."""
    rng = random.Random(seed)
    free_at = [0.0] * workers
    heapq.heapify(free_at)
    busy_until: dict[int, float] = {}  # user → when their latest run ends
    waits, busy, nightly_done = [], 0.0, 0.0
    for at, user, nightly in requests:
        if at < busy_until.get(user, -1.0):
            continue  # the user's run is still queued or running: the request joins it
        start = max(at, heapq.heappop(free_at))
        duration = run_seconds * rng.lognormvariate(0, 0.3)
        heapq.heappush(free_at, start + duration)
        busy_until[user] = start + duration
        waits.append(start - at)
        busy += duration
        if nightly:
            nightly_done = max(nightly_done, start + duration - at)
    horizon = max(DAY, max(free_at))
    waits.sort()
    return {"runs": len(waits), "p50": _q(waits, 0.5), "p95": _q(waits, 0.95), "max": waits[-1] if waits else 0.0,
            "utilisation": busy / (workers * horizon), "nightly_done": nightly_done}


def _q(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--active-share", type=float, default=0.3, help="share of users active on a given day")
    parser.add_argument("--reactions-per-day", type=float, default=12.0, help="mean reactions of an active user")
    parser.add_argument("--threshold", type=int, default=20, help="MEBOT_FEEDBACK_THRESHOLD")
    parser.add_argument("--zones", type=int, default=1, help="time zones users are spread over (1: one burst)")
    parser.add_argument("--workers", default="1,2,4,8,16,32,64,128")
    parser.add_argument("--gpu-tflops", type=float, default=150.0, help="effective training throughput of a GPU")
    parser.add_argument("--overhead-0.5b", dest="overhead_05", type=float, default=30.0, help="seconds per run")
    parser.add_argument("--overhead-7b", dest="overhead_7", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--steps", type=int, default=20, help="SFT steps of the measured tiny run")
    parser.add_argument("--run-seconds-tiny", type=float, default=None, help="skip measuring; use this wall time")
    parser.add_argument("--trained-characters", type=int, default=None, help="with --run-seconds-tiny")
    parser.add_argument("--run-seconds-0.5b", dest="run_05", type=float, default=None,
                        help="a measured GPU run time for 0.5B (e.g. from bench.run_time on a GPU): replaces the estimate")
    parser.add_argument("--run-seconds-7b", dest="run_7", type=float, default=None,
                        help="a measured GPU run time for 7B: replaces the estimate")
    parser.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if args.run_seconds_tiny is None and not (args.run_05 and args.run_7):
        print(f"measuring a tiny-model run (CPU defaults, SFT capped at {args.steps} steps; 40 notes, "
              "10 edited replies)…", flush=True)
        measured = measure_tiny_run(steps=args.steps)
        print(json.dumps(measured, indent=2))
    else:
        measured = {"cpu_full_run_s_estimate": args.run_seconds_tiny or float("nan"),
                    "trained_characters_gpu": args.trained_characters or 800_000}
    characters = measured["trained_characters_gpu"]
    per_run = {"0.5b": args.run_05 or estimate_run_seconds(characters, PARAMETERS["0.5b"], args.gpu_tflops,
                                                           args.overhead_05),
               "7b": args.run_7 or estimate_run_seconds(characters, PARAMETERS["7b"], args.gpu_tflops, args.overhead_7)}
    tiny = measured["cpu_full_run_s_estimate"]
    tiny = "not measured" if tiny != tiny else f"~{tiny:.0f} s (a full run, extrapolated)"
    print(f"\nper run: tiny on this CPU {tiny}; on one GPU at "
          f"{args.gpu_tflops:.0f} TFLOP/s (or as given): 0.5B {per_run['0.5b']:.0f} s, 7B {per_run['7b']:.0f} s "
          f"({characters / CHARS_PER_TOKEN:,.0f} tokens a run)")
    requests = day_of_requests(args.users, args.active_share, args.reactions_per_day, args.threshold, args.zones,
                               args.seed)
    print(f"{args.users:,} users, {args.active_share:.0%} active, {args.reactions_per_day} reactions/day, threshold "
          f"{args.threshold}, {args.zones} time zone(s): {len(requests):,} run requests in the day\n")
    print(f"{'GPU workers':>11} | {'0.5B wait p50':>13} {'p95':>9} {'max':>9} {'util':>5} {'nightly':>8} | "
          f"{'7B wait p50':>11} {'p95':>9} {'max':>9} {'util':>5} {'nightly':>8}")
    for workers in [int(w) for w in args.workers.split(",")]:
        cells = []
        for size in ("0.5b", "7b"):
            result = simulate(requests, workers, per_run[size], args.seed)
            cells.append(f"{_duration(result['p50']):>{13 if size == '0.5b' else 11}} {_duration(result['p95']):>9} "
                         f"{_duration(result['max']):>9} {result['utilisation']:>5.0%} "
                         f"{_duration(result['nightly_done']):>8}")
        print(f"{workers:>11} | {cells[0]} | {cells[1]}")
    print("\nwait: from a run's request to its start; util: busy share of the workers over the day (or longer, "
          "when the backlog spills over); nightly: from the nightly window opening to its last run ending "
          "(over 24 h: the day's work does not fit).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
