"""Guards bench/learning.py, the proof that the personal model learns, so it cannot rot: its persona is well
formed (≥ 30 dated notes over ≥ 2 months; ≥ 40 questions in four kinds whose accepted keywords are in the notes
but never in the question, and whose wording nothing training sees contains), its scoring and the habit's
edits mean what they say, and its quick mode runs every step end to end on the tiny model — notes in, answers
with and without memory, edits that become preference pairs, a full and then an incremental training run in
their own processes, perplexity — and prints every target with PASS or FAIL."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from bench import learning, persona as persona_module
from bench.learning_report import report

pytestmark = pytest.mark.slow


def test_persona_is_well_formed_and_held_out():
    persona = persona_module.load()
    dates = sorted(datetime.fromisoformat(n["created_at"]) for n in persona.notes)
    assert len(persona.notes) >= 30 and (dates[-1] - dates[0]).days >= 60
    assert len(persona.questions) >= 40
    assert {q.kind for q in persona.questions} == set(persona_module.KINDS)
    assert len({q.id for q in persona.questions}) == len(persona.questions)
    assert all(datetime.fromisoformat(q.now) for q in persona.questions)

    notes_text = " ".join(f"{n['title']} {n['content']}" for n in persona.notes).lower()
    trained_on = notes_text + " ".join(t.question for t in persona.edits).lower()
    for q in persona.questions:
        for group in q.keywords:  # every accepted answer is something the notes say
            assert any(word.lower() in notes_text for word in group), (q.id, group)
        assert q.question.lower() not in trained_on, q.id
    assert len(persona.edits) >= 24  # 16 before the full run, 8 before the incremental one


def test_scoring_and_the_habit():
    question = persona_module.Question("x", "summary", "How did my training go?", "2025-05-20T10:00",
                                       [["12 km", "12km"], ["1:52"]])
    assert question.score("You ran 12km and finished in 1:52.") == 1.0
    assert question.score("You ran 12 km.") == 0.5
    assert question.score("I don't know.") == 0.0
    assert persona_module.edited("You could go for a walk.") == "Pip, you could go for a walk."
    assert persona_module.addresses_user(persona_module.edited("Tolstoy is fine."))
    assert not persona_module.addresses_user("Pipettes are in the lab.")


def test_quick_run_measures_every_step(tmp_path, tiny_model_path):
    args = learning.make_parser().parse_args(["--quick", "--model", str(tiny_model_path), "--workdir", str(tmp_path)])
    figures = learning.run(args)

    assert "stopped" not in figures, figures.get("stopped")
    conditions = {"base_memory", "base_closed", "full_memory", "full_closed", "incremental_memory", "incremental_closed"}
    assert set(figures["answers"]) == conditions
    assert len(figures["answers"]["full_closed"]) == len(figures["answers"]["full_memory"]) == len(persona_module.KINDS)
    assert [a["kind"] for a in figures["answers"]["base_closed"]] == ["fact"]
    full, incremental = figures["runs"]["full"], figures["runs"]["incremental"]
    assert full["status"] in ("succeeded", "rejected") and incremental["status"] in ("succeeded", "rejected")
    # The edits reached training as preference pairs: 2 before the full run, 1 more before the incremental one.
    assert full["data_counts"]["dpo"] + full["data_counts"]["dpo_heldout"] >= 2
    assert incremental["data_counts"]["dpo"] + incremental["data_counts"]["dpo_heldout"] >= 1
    assert all(math.isfinite(figures["perplexity"][k]) and figures["perplexity"][k] > 1
               for k in ("base", "full", "incremental"))
    stages = {s["name"]: s for s in figures["stages"]}
    assert stages["full training run"]["where"] == "training process"
    assert stages["incremental training run"]["peak_gib"] > 0

    printed = report(figures)
    for target in ("closed-book fact accuracy", "adapter+memory", "habit after DPO", "perplexity rise",
                   "incremental run after"):
        line = next(line for line in printed.splitlines() if target in line and ("PASS" in line or "FAIL" in line))
        assert line
    assert "load before:" in printed
