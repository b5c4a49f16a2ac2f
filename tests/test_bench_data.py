"""Guards the retrieval-quality set behind bench/recall.py: it is deterministic, has at least 60
questions in all three categories, and every question's evidence names a real note."""

from __future__ import annotations

import json
from pathlib import Path

from bench.make_recall_set import build_notes, build_questions

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"


def test_recall_set_is_deterministic_and_consistent():
    notes = build_notes(7, 500)
    assert notes == build_notes(7, 500)
    questions = build_questions(notes)
    keys = {n["key"] for n in notes}
    assert len(questions) >= 60
    assert {q["category"] for q in questions} == {"single_fact", "cross_note", "time_bounded"}
    assert all(q["evidence"] and set(q["evidence"]) <= keys for q in questions)


def test_committed_files_match_the_generator():
    committed = [json.loads(line) for line in (DATA / "recall_notes.jsonl").read_text().splitlines() if line]
    assert len(committed) == 500
    assert {n["key"] for n in committed} == {n["key"] for n in build_notes(7, 500)}
