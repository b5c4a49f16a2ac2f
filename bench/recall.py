"""Recall@5 and recall@10 of memory search: full text alone, dense alone and the hybrid (the default),
on the English notes set, the Chinese/Japanese/Korean notes set and the multi-session chat set.

Run: python -m bench.recall [--sets notes,cjk,chat] [--embedding-model ID_OR_PATH] [--misses]

recall@k of one question = evidence found in the top k / min(k, evidence), so a perfect ranking scores
1.0 even when a question has more than k pieces of evidence; figures are means over questions. Notes
and turns dated after a question's `now` are left out of its ranking: at that moment they did not exist.
Evidence is a note (notes sets) or a user turn (chat set: the conversations are replayed through the
same API the chat uses, so the user's questions to Mebot are stored as they would be).
The dense model is --embedding-model, else MEBOT_EMBEDDING_MODEL, else the default (multilingual-e5-small).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SETS = {
    "notes": ("recall_notes.jsonl", "recall_questions.jsonl"),
    "cjk": ("cjk_notes.jsonl", "cjk_questions.jsonl"),
    "chat": ("chat_turns.jsonl", "chat_questions.jsonl"),
}
# Runs: (label, full-text weight, dense weight, RRF k); None = the default configuration.
RUNS = [("fulltext", 1.0, 0.0, None), ("dense", 0.0, 1.0, None), ("hybrid", None, None, None)]
KS = (5, 10)


def make_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sets", default="notes,cjk,chat", help="comma-separated: notes, cjk, chat")
    p.add_argument("--embedding-model", default=None, help="sentence-transformers id or local path for the dense half")
    p.add_argument("--misses", action="store_true", help="list the questions whose evidence is not all in the top 10")
    p.add_argument("--index-questions", action="store_true",
                   help="index the user's questions to Mebot as memory, as before (to measure what that costs)")
    p.add_argument("--tune", default="",
                   help="also run the hybrid at these dense-weight:k pairs (full text weight 1), e.g. 2:60,3:20")
    return p


def load_jsonl(path: Path) -> list[dict]:
    """Every non-blank line of a JSONL file."""
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def recall_at(ranked: list, evidence: set, k: int) -> float:
    """Share of the evidence found in the top k, out of what k results could hold."""
    return len(evidence.intersection(ranked[:k])) / min(k, len(evidence))


def past_ranking(user, question: str, now: datetime, dated: dict) -> list:
    """Refs ("N", id) / ("M", id) the search ranks for `question`, best first, without any dated after `now`."""
    # The sets replay months at once, so a frame like "this week" can reach items written after the
    # question; they did not exist yet. Ask for the usual 10, and for more only when some were dropped.
    k = max(KS)
    while True:
        hits = user.search(question, now=now, k=k)
        refs = [("N", h.note_id) if h.note_id is not None else ("M", h.message_id) for h in hits]
        past = [r for r in refs if r in dated and dated[r] <= now]
        if len(past) >= max(KS) or len(hits) < k:
            return past
        k += len(hits) - len(past)


def load_notes(user, rows: list[dict]) -> tuple[dict, dict]:
    """Add the notes; return key → ref and ref → date."""
    added = user.add_notes([{"content": n["content"], "title": n["title"], "summary": n.get("summary"),
                             "created_at": datetime.fromisoformat(n["created_at"])} for n in rows])
    refs = {n["key"]: ("N", row.id) for n, row in zip(rows, added)}
    return refs, {("N", row.id): datetime.fromisoformat(n["created_at"]) for n, row in zip(rows, added)}


def load_turns(user, rows: list[dict]) -> tuple[dict, dict]:
    """Replay the conversations turn by turn; return key → ref and ref → date."""
    sessions, refs, dated, parent = {}, {}, {}, None
    for t in rows:
        if t["session"] not in sessions:
            sessions[t["session"]] = user.new_session().id
        moment = datetime.fromisoformat(t["created_at"])
        message = user.add_message(sessions[t["session"]], t["role"], t["text"], created_at=user.local_time(moment),
                                   parent_id=parent if t["role"] == "assistant" else None)
        parent = message.id if t["role"] == "user" else parent
        refs[t["key"]] = ("M", message.id)
        dated[("M", message.id)] = moment
    return refs, dated


def evaluate(name: str, embedding_model: str | None, workdir: Path, runs: list = RUNS) -> dict:
    """Load one set into a fresh database, ask every question in each run, return per-run rows."""
    from memory import api  # imported late so --help works without the app's dependencies loaded

    docs_file, questions_file = SETS[name]
    docs, questions = load_jsonl(DATA / docs_file), load_jsonl(DATA / questions_file)
    mem = api.open_memory(f"sqlite:///{workdir / name}.db", embedding_model=embedding_model)
    results = {}
    try:
        user = mem.user("recall")
        t0 = time.perf_counter()
        refs, dated = (load_turns if name == "chat" else load_notes)(user, docs)
        ingest_s = time.perf_counter() - t0
        default_weights, default_k = mem.index.weights, mem.index.rrf_k
        for label, fulltext_w, dense_w, rrf_k in runs:
            mem.index.weights = default_weights if fulltext_w is None else (fulltext_w, dense_w)
            mem.index.rrf_k = default_k if rrf_k is None else rrf_k
            rows, search_s = [], 0.0
            for q in questions:
                now = datetime.fromisoformat(q["now"])
                t0 = time.perf_counter()
                ranked = past_ranking(user, q["question"], now, dated)
                search_s += time.perf_counter() - t0
                evidence = {refs[key] for key in q["evidence"]}
                rows.append({"id": q["id"], "category": q["category"], "question": q["question"],
                             **{f"r@{k}": recall_at(ranked, evidence, k) for k in KS}})
            results[label] = {"rows": rows, "search_ms": 1000 * search_s / len(questions)}
        model = mem.index.dense.embedder.name if mem.index.dense else None
    finally:
        mem.close()
    return {"set": name, "docs": len(docs), "questions": len(questions), "ingest_s": ingest_s,
            "model": model, "runs": results}


def summarise(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Mean recall@k per category (in order of first appearance) and overall."""
    groups = defaultdict(list)
    for r in rows:
        groups[r["category"]].append(r)
    groups["overall"] = rows
    return {name: {"n": len(g), **{f"r@{k}": sum(r[f"r@{k}"] for r in g) / len(g) for k in KS}}
            for name, g in groups.items()}


def report(result: dict, show_misses: bool) -> None:
    """Print one table per set: a row per category, recall@5/@10 for each run."""
    labels = list(result["runs"])
    summaries = {label: summarise(result["runs"][label]["rows"]) for label in labels}
    if len(labels) > len(RUNS):  # tuning: one line per run, overall only
        print(f"\n== {result['set']} (tuning): overall recall@5 / @10")
        for label in labels:
            print(f"{label:<14}{summaries[label]['overall']['r@5']:>8.3f}{summaries[label]['overall']['r@10']:>8.3f}")
        return
    print(f"\n== {result['set']}: {result['docs']} documents, {result['questions']} questions; "
          f"dense model {result['model']}; ingest {result['ingest_s']:.1f} s")
    print(f"{'category':<14}{'n':>4}" + "".join(f"{label + ' @' + str(k):>14}" for label in labels for k in KS))
    for name, first in summaries[labels[0]].items():
        cells = "".join(f"{summaries[label][name][f'r@{k}']:>14.3f}" for label in labels for k in KS)
        print(f"{name:<14}{first['n']:>4}{cells}")
    print("mean search ms: " + ", ".join(f"{label} {result['runs'][label]['search_ms']:.1f}" for label in labels))
    if show_misses:
        for label in labels:
            for row in result["runs"][label]["rows"]:
                if row["r@10"] < 1:
                    print(f"miss {label} {row['id']} r@10={row['r@10']:.2f} {row['question']}")


def main(args: argparse.Namespace) -> int:
    """Evaluate every chosen set and print its table."""
    if args.index_questions:
        from memory.search import fusion

        fusion.stated_text = lambda text: text  # every user turn is memory again
    pairs = [p.split(":") for p in args.tune.split(",") if p.strip()]
    runs = RUNS + [(f"w{w} k{k}", 1.0, float(w), float(k)) for w, k in pairs]
    with tempfile.TemporaryDirectory(prefix="mebot-recall-") as tmp:
        for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
            report(evaluate(name, args.embedding_model, Path(tmp), runs), args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main(make_parser().parse_args()))
