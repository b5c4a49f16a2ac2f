"""Guards the retrieval-quality sets behind bench/recall.py: the English notes set is deterministic, has
at least 60 questions in all three categories, and every question's evidence names a real note; the
CJK and chat sets are what their generators write."""

from __future__ import annotations

import json
import re
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


def test_cjk_and_chat_sets_match_their_generators():
    """The CJK set has at least 40 questions over Chinese, Japanese and Korean notes; the chat set's
    evidence is user turns; both committed files are what the generators write."""
    from bench import make_chat_set, make_cjk_set
    from memory.scripts import HANGUL, KANA

    notes, questions = make_cjk_set.build(11)
    assert notes == make_cjk_set.build(11)[0]
    assert len(questions) >= 40
    texts = " ".join(q["question"] for q in questions)
    assert any(c in texts for c in "猫工资") and re.search(f"[{KANA}]", texts) and re.search(f"[{HANGUL}]", texts)
    assert [json.loads(line) for line in (DATA / "cjk_questions.jsonl").read_text(encoding="utf-8").splitlines()] == questions
    assert [json.loads(line) for line in (DATA / "cjk_notes.jsonl").read_text(encoding="utf-8").splitlines()] == notes

    turns, chat_questions = make_chat_set.build()
    users = {t["key"] for t in turns if t["role"] == "user"}
    assert all(set(q["evidence"]) <= users for q in chat_questions)
    assert [json.loads(line) for line in (DATA / "chat_turns.jsonl").read_text(encoding="utf-8").splitlines()] == turns
