"""Bulk-import rate, embedding rate and hybrid search latency for one user's synthetic notes at several
sizes (SQLite, the default dense model).

Run: python -m bench.retrieval [--sizes 1000,10000,100000] [--queries 200] [--embed-sample 500]

Per size: the notes are imported without vectors (`add_notes(embed=False)`: the bulk-import rate),
then `--embed-sample` of them are embedded by the model (`embed_pending`: the rate with embeddings).
The model costs ~20-80 ms a note on two cores, so embedding 100k notes would take hours here: the
remaining notes get random unit vectors of the model's width, stored like real ones, so the search
still scans every vector (an exact scan costs the same whatever the values). Then 200 varied queries
are timed through the full hybrid search (time frame, full text, query encoding, vector scan, fusion).
`--embed-sample all` embeds every note for real.
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
TARGET_P95_MS = {True: 100.0, False: 50.0}  # with the dense default / full text only
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
                   help="sentence-transformers id or path, or off; default: the default model")
    p.add_argument("--embed-sample", default="500", help="notes embedded for real per size, or 'all'")
    return p


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def ingest(user, notes: list[dict], batch: int) -> float:
    """Add `notes` in batches without vectors; return notes per second."""
    t0 = time.perf_counter()
    for i in range(0, len(notes), batch):
        user.add_notes(notes[i:i + batch], embed=False)
    return len(notes) / (time.perf_counter() - t0)


def embed(user, sample: int) -> float:
    """Embed `sample` pending notes with the model; return notes per second."""
    t0 = time.perf_counter()
    done = user.embed_pending(limit=sample)
    return done / (time.perf_counter() - t0) if done else 0.0


def fill_random_vectors(mem, user, seed: int) -> int:
    """Store random unit vectors for every note still pending; returns how many."""
    import numpy as np
    from sqlalchemy import select

    from memory.models import Note
    from memory.search import note_doc

    dense = mem.index.dense
    rng = np.random.default_rng(seed)
    width = dense.embedder.encode_query("width").shape[0]
    with mem.session() as session:
        docs = [note_doc(n) for n in session.scalars(select(Note).where(Note.user_id == user.id))]
        pending = dense.pending_keys(session, user.id, [d.key for d in docs])
    docs = [d for d in docs if d.key in pending]
    for i in range(0, len(docs), 5000):
        chunk = docs[i:i + 5000]
        vectors = rng.standard_normal((len(chunk), width)).astype("float32")
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with mem.session() as session:
            dense.store(session, user.id, chunk, vectors)
    return len(docs)


def search_latencies(user, queries: list[str], k: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of each query (CPU: all of the process's threads, so what the
    query cost without the waits for a core a busy machine adds); also how many found something."""
    for q in queries[:10]:  # warm the page cache and any lazy set-up before timing
        user.search(q, now=END, k=k)
    times, cpu, answered = [], [], 0
    for q in queries:
        t0, c0 = time.perf_counter(), time.process_time()
        hits = user.search(q, now=END, k=k)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        answered += bool(hits)
    return times, cpu, answered


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
        embed_rate, random_vectors = 0.0, 0
        if mem.index.dense is not None:
            sample = n if args.embed_sample == "all" else min(n, int(args.embed_sample))
            embed_rate = embed(user, sample)
            random_vectors = fill_random_vectors(mem, user, args.seed)
        times, cpu, answered = search_latencies(user, queries, args.k)
    finally:
        mem.close()
    return {"n": n, "ingest": rate, "embed": embed_rate, "random": random_vectors, "dense": embed_rate > 0,
            "p50": percentile(times, 50), "p95": percentile(times, 95), "cpu95": percentile(cpu, 95),
            "max": max(times), "mean": statistics.fmean(times), "answered": answered,
            "queries": len(queries), "mb": path.stat().st_size / 1e6}


def report(rows: list[dict]) -> bool:
    """Print the table and the PASS/FAIL lines; True when every measured target passed."""
    print(f"{'notes':>8} {'import/s':>9} {'embed/s':>8} {'random v':>9} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
          f"{'cpu95 ms':>8} {'hits>0':>7} {'db MB':>6}")
    for r in rows:
        print(f"{r['n']:>8} {r['ingest']:>9.0f} {r['embed']:>8.1f} {r['random']:>9} {r['p50']:>7.1f} {r['p95']:>7.1f} "
              f"{r['max']:>7.1f} {r['cpu95']:>8.1f} {r['answered']:>3}/{r['queries']:<3} {r['mb']:>6.1f}")
    ok = True
    for r in rows:
        passed = r["ingest"] >= TARGET_INGEST_PER_S
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} import without vectors at {r['n']}: {r['ingest']:.0f} notes/s "
              f"(target >= {TARGET_INGEST_PER_S:.0f})")
    big = [r for r in rows if r["n"] == TARGET_P95_SIZE]
    if big:
        target = TARGET_P95_MS[big[0]["dense"]]
        passed = big[0]["p95"] <= target
        ok &= passed
        print(f"{'PASS' if passed else 'FAIL'} search p95 at {TARGET_P95_SIZE}: {big[0]['p95']:.1f} ms "
              f"(target <= {target:.0f} ms{' with dense' if big[0]['dense'] else ', full text only'})")
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
