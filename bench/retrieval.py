"""Bulk-ingest rate and search latency for one user's synthetic notes at several sizes (SQLite).

Run: python -m bench.retrieval [--sizes 1000,10000,100000] [--queries 200]
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

# Targets from the issue, for this 2-core machine.
TARGET_P95_MS = 50.0
TARGET_P95_SIZE = 100_000
TARGET_INGEST_PER_S = 2_000.0
# Synthetic notes span these six years; queries are asked at the end of the span, so phrases like
# "this morning" or "this year" name periods that hold notes.
START, END = datetime(2019, 1, 1), datetime(2024, 12, 31, 20, 0)


def make_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1000,10000,100000", help="comma-separated note counts")
    p.add_argument("--queries", type=int, default=200, help="timed search queries per size")
    p.add_argument("--batch", type=int, default=1000, help="notes per add_notes call")
    p.add_argument("--k", type=int, default=10, help="hits asked per search")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--embedding-model", default=None,
                   help="sentence-transformers id or path; default off (full-text only)")
    return p


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def ingest(user, notes: list[dict], batch: int) -> float:
    """Add `notes` in batches; return notes per second."""
    t0 = time.perf_counter()
    for i in range(0, len(notes), batch):
        user.add_notes(notes[i:i + batch])
    return len(notes) / (time.perf_counter() - t0)


def search_latencies(user, queries: list[str], k: int) -> tuple[list[float], int]:
    """Time each query in milliseconds; also count how many returned at least one hit."""
    for q in queries[:10]:  # warm the page cache and any lazy set-up before timing
        user.search(q, now=END, k=k)
    times, answered = [], 0
    for q in queries:
        t0 = time.perf_counter()
        hits = user.search(q, now=END, k=k)
        times.append((time.perf_counter() - t0) * 1000)
        answered += bool(hits)
    return times, answered


def bench_size(n: int, args: argparse.Namespace, workdir: Path) -> dict:
    """Ingest `n` notes into a fresh database and time the queries against it."""
    from memory import api  # imported late so --help works without the app's dependencies loaded

    notes = generate_notes(n, seed=args.seed, start=START, end=END)
    queries = generate_queries(args.queries, seed=args.seed + 1)
    path = workdir / f"bench_{n}.db"
    mem = api.open_memory(f"sqlite:///{path}", embedding_model=args.embedding_model)
    try:
        user = mem.user("bench")
        rate = ingest(user, notes, args.batch)
        times, answered = search_latencies(user, queries, args.k)
    finally:
        mem.close()
    return {"n": n, "ingest": rate, "p50": percentile(times, 50), "p95": percentile(times, 95),
            "max": max(times), "mean": statistics.fmean(times), "answered": answered,
            "queries": len(queries), "mb": path.stat().st_size / 1e6}


def report(rows: list[dict]) -> bool:
    """Print the table and the PASS/FAIL lines; True when every measured target passed."""
    print(f"{'notes':>8} {'ingest/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'hits>0':>7} {'db MB':>6}")
    for r in rows:
        print(f"{r['n']:>8} {r['ingest']:>9.0f} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['max']:>7.1f} "
              f"{r['answered']:>3}/{r['queries']:<3} {r['mb']:>6.1f}")
    ok = True
    for r in rows:
        passed = r["ingest"] >= TARGET_INGEST_PER_S
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} ingest at {r['n']}: {r['ingest']:.0f} notes/s "
              f"(target >= {TARGET_INGEST_PER_S:.0f})")
    big = [r for r in rows if r["n"] == TARGET_P95_SIZE]
    if big:
        passed = big[0]["p95"] <= TARGET_P95_MS
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} search p95 at {TARGET_P95_SIZE}: {big[0]['p95']:.1f} ms "
              f"(target <= {TARGET_P95_MS:.0f} ms)")
    else:
        print(f"SKIP search p95 target: needs --sizes to include {TARGET_P95_SIZE}")
    return ok


def main(args: argparse.Namespace) -> int:
    """Run every size and print the figures; exit status 1 when a target failed."""
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="mebot-bench-") as tmp:
        for n in sizes:
            rows.append(bench_size(n, args, Path(tmp)))
            print(f"measured {n} notes", file=sys.stderr, flush=True)
    return 0 if report(rows) else 1


if __name__ == "__main__":
    sys.exit(main(make_parser().parse_args()))
