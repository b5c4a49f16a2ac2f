"""Guards the SFT data synthesised from notes: the inference prompt format (<|ME|>, system part), first-person
questions in several wordings, closed- and open-book items, time-aware chain of thought whose period comes
from the time-frame parser, L1 facts, and determinism for a seed."""

from __future__ import annotations

from datetime import datetime, timezone

from rlmf.model.special_tokens import ME_TOKEN
from rlmf.data.synthesis import NoteView, Synthesiser, cue_words, keywords

NOTES = [
    NoteView(1, "Dog", "My dog is called Biscuit.", datetime(2024, 7, 1, 9, tzinfo=timezone.utc)),
    NoteView(2, "Bike", "Bought a blue bike at the market with Tom.", datetime(2024, 7, 3, 9, tzinfo=timezone.utc)),
    NoteView(3, "Coffee", "Coffee with Tom at the harbour, talked about the bike.", datetime(2024, 7, 10, 9, tzinfo=timezone.utc)),
]


def test_rows_use_the_inference_format_and_are_deterministic():
    rows = Synthesiser(NOTES, seed=3).rows()
    assert rows == Synthesiser(NOTES, seed=3).rows() != Synthesiser(NOTES, seed=4).rows()
    for row in rows:
        system, *turns, answer = row["messages"]
        assert system["role"] == "system" and system["content"].startswith("You are Mebot")
        assert turns[-1]["role"] == "user" and turns[-1]["content"].startswith(ME_TOKEN)
        assert answer["role"] == "assistant" and answer["content"].startswith("<think>")
    kinds = {row["kind"] for row in rows}
    assert kinds == {"open", "closed"}
    closed = [r for r in rows if r["kind"] == "closed"]
    assert all("<memory>" not in r["messages"][0]["content"] and "[N" not in r["messages"][-1]["content"] for r in closed)


def test_recall_questions_are_first_person_and_varied():
    rows = Synthesiser(NOTES, seed=0).rows()
    questions = [r["messages"][-2]["content"][len(ME_TOKEN):] for r in rows]
    assert len(set(questions)) == len(questions) or len(set(questions)) > 0.8 * len(questions)
    assert sum(" I " in f" {q} " or " my " in f" {q} " or "me " in q for q in questions) > 0.8 * len(questions)
    assert "dog" in keywords(NOTES[0]) and "biscuit" in keywords(NOTES[0])
    cross = [r["messages"][-1]["content"] for r in rows
             if "tom" in r["messages"][-2]["content"].lower() and "2 times" in r["messages"][-1]["content"]]
    assert cross and all("Bike" in answer and "Coffee" in answer for answer in cross)


def test_period_questions_resolve_the_period_in_the_chain_of_thought():
    rows = Synthesiser(NOTES, seed=1).period_summaries(20)
    assert rows
    for row in rows:
        answer = row["messages"][-1]["content"]
        assert answer.startswith("<think>'") and "' = " in answer.split("</think>")[0]
        system = row["messages"][0]["content"]
        assert "Time frame: '" in system


def test_profile_facts_become_questions(memory):
    user = memory.user("alice")
    user.add_notes([{"content": "I love crispy bacon. My friend Tom is visiting."}])
    profile = user.profile()
    rows = Synthesiser(NOTES, seed=0).profile_facts(profile)
    answers = " ".join(r["messages"][-1]["content"] for r in rows)
    assert "crispy bacon" in answers and "Tom is your friend" in answers


def test_a_note_is_asked_closed_book_by_many_of_its_words():
    note = NoteView(7, "Tolstoy", "My dog Tolstoy, a grey whippet, chewed the sofa cushion.", NOTES[0].created_at)
    assert cue_words(note, 4) == ["tolstoy", "dog", "grey", "whippet"]  # the subject words, early
    rows = Synthesiser([note], seed=0).note_recall(note)
    closed = [r["messages"][-2]["content"] for r in rows if r["kind"] == "closed"]
    assert any(q.endswith(" dog?") or " dog." in q or "about dog" in q for q in closed), closed
    assert all("Tolstoy" in r["messages"][-1]["content"] for r in rows)


def test_people_are_asked_both_ways(memory):
    user = memory.user("alice")
    user.add_notes([{"content": "My sister Maja called about the climbing trip."}])
    answers = {r["messages"][-2]["content"]: r["messages"][-1]["content"]
               for r in Synthesiser(NOTES, seed=0).profile_facts(user.profile())}
    assert any("Maja is your sister" in a for a in answers.values())
    assert any("sister" in q and "Maja" not in q and "Your sister is Maja" in a for q, a in answers.items())
