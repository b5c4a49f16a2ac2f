"""Chat-engine timings: context assembly (time frame + retrieval + prompt building) at 10k notes, and
time-to-first-token of the tiny model with and without memory context.

    python -m bench.chat [--notes 10000] [--queries 200] [--model PATH_OR_ID]

Target on a 2-core machine: context assembly p95 <= 50 ms at 10k notes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.synthetic import generate_notes, generate_queries
from memory import api
from rlmf.chat.prompt import MemoryItem, build_messages

CONTEXT_TARGET_MS = 50.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


BUDGET = 1500  # prompt tokens: the tiny model's context is 2048, minus room for the reply


def assemble(user, query: str, now: datetime, count_tokens=None) -> list[dict]:
    """What the chat engine does before generating: resolve time, retrieve, build the prompt."""
    outcome = user.recall(query, now=now, k=8)
    return build_messages(now=now, question=query, frame=outcome.timeframe,
                          items=[MemoryItem.from_hit(h) for h in outcome.hits],
                          count_tokens=count_tokens, budget=BUDGET if count_tokens else None)


def time_context(user, queries: list[str], now: datetime, count_tokens=None) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        assemble(user, query, now, count_tokens)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def time_to_first_token(model, messages: list[dict], repeats: int = 5) -> float:
    from rlmf.model.generation import GenerationConfig

    gen = GenerationConfig(max_new_tokens=8, temperature=0)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        stream = model.stream(messages, gen, adapter=None)
        next(stream)
        samples.append((time.perf_counter() - started) * 1000)
        stream.close()
    return statistics.median(samples)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--model", help="model for time-to-first-token (default: a tiny model built here)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as scratch:
        memory = api.open_memory(f"sqlite:///{Path(scratch) / 'bench.db'}", embedding_model="")
        user = memory.user("bench")
        user.add_notes(generate_notes(args.notes, seed=0))
        now = datetime(2024, 7, 20, 15, 0)
        queries = generate_queries(args.queries, seed=1) + ["what did I do last week?", "我上周做了什么？"]
        time_context(user, queries[:20], now)  # warm-up
        timings = time_context(user, queries, now)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        verdict = "PASS" if p95 <= CONTEXT_TARGET_MS else "FAIL"
        print(f"context assembly at {args.notes:,} notes ({len(queries)} queries, no tokenizer): "
              f"p50 {p50:.1f} ms, p95 {p95:.1f} ms  [{verdict}: p95 <= {CONTEXT_TARGET_MS:.0f} ms]")

        from rlmf.model.personal import PersonalModel
        from rlmf.model.tiny import build_tiny_model

        model_path = args.model or build_tiny_model(Path(scratch) / "tiny")
        model = PersonalModel.load(model_path, device="cpu")
        count = lambda messages: len(model.tokenizer.apply_chat_template(  # noqa: E731
            messages, add_generation_prompt=True, tokenize=True)["input_ids"])
        with_tokens = time_context(user, queries[:50], now, count_tokens=count)
        print(f"context assembly with token budgeting by the tokenizer: p50 {percentile(with_tokens, 0.5):.1f} ms, "
              f"p95 {percentile(with_tokens, 0.95):.1f} ms")
        with_memory = assemble(user, "what did I note about the dentist last month?", now, count_tokens=count)
        without = build_messages(now=now, question="what did I note about the dentist last month?", closed_book=True)
        print(f"time to first token ({'tiny model' if not args.model else args.model}, CPU): "
              f"with memory context {time_to_first_token(model, with_memory):.1f} ms "
              f"({count(with_memory)} prompt tokens), without {time_to_first_token(model, without):.1f} ms "
              f"({count(without)} prompt tokens)")
        memory.close()
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
