"""Guards the stored L1 profile on SQLite and PostgreSQL: the paper's example read through the store
(the user's likes and dislikes, not Emmy's or Alice's), incremental refresh on add/edit/delete
(a deleted note never stays a source), the newer statement winning with the older kept as
history, user edits and deletions surviving re-extraction, isolation between users, bulk adds
that extract nothing, the pluggable (LLM) extractor, the bio/status/summary text, the CLI and
export/import of the user's corrections."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from conftest import PAPER_NOTES, ScriptedModel
from memory.errors import InvalidInput, NotFound
from memory.models import ProfileEvidence
from memory.portability import export_user, import_export
from memory.profile.merge import MAX_SOURCES, Evidence, fold, merge
from memory.profile.refresh import llm_extractor
from memory.profile.schema import ExtractedFacts, Topic


def _paper(user):
    return user.add_notes([{"content": text, "created_at": f"2026-05-{day:02d} 09:00"}
                           for day, text in enumerate(PAPER_NOTES, start=1)])


def _mine(profile) -> set[tuple[str, str]]:
    return {(f.label, f.polarity) for f in profile.preferences}


def _all_sources(profile) -> set[int]:
    ids = set()
    for f in profile.facts():
        ids |= set(f.source_note_ids)
        for h in f.history:
            ids |= set(h.get("note_ids", []))
    return ids


def _evidence_count(memory, user) -> int:
    with memory.session() as session:
        return session.scalar(select(func.count()).select_from(ProfileEvidence)
                              .where(ProfileEvidence.user_id == user.id))


def test_paper_example_through_the_store(memory):
    user = memory.user("ana")
    notes = _paper(user)
    profile = user.profile()
    assert _mine(profile) == {("medium-rare steak", "like"), ("crispy bacon", "like"),
                              ("creamy mushroom risotto", "like"), ("spicy food", "dislike"), ("butter", "dislike")}
    assert {(f.holder, f.label, f.polarity) for f in profile.others} == {
        ("Emmy", "fried chicken", "like"), ("Alice", "butter", "like")}
    assert {f.label for f in profile.people} == {"Emmy", "Alice"}
    butter = next(f for f in profile.preferences if f.label == "butter")
    assert butter.source_note_ids == [notes[0].id] and butter.origin == "extracted" and butter.id
    assert butter.stated_at.date().isoformat() == "2026-05-01"
    food = next(g for g in profile.topics if g.coarse == "food")
    assert "medium-rare steak" in {f.label for f in food.fine}
    assert "Likes " in profile.bio and "butter" in profile.bio and profile.bio_origin == "facts"
    assert profile.status.startswith("Lately (")
    assert user.refresh_profile() == 0  # nothing new to read


def test_incremental_add_edit_and_delete(memory):
    user = memory.user("ben")
    first = user.add_note("I love green tea in the morning.", created_at="2026-01-01")
    second = user.add_note("Honestly I love green tea.", created_at="2026-01-05")
    assert user.refresh_profile() == 2
    tea = next(f for f in user.profile().preferences if f.label == "green tea")
    assert set(tea.source_note_ids) == {first.id, second.id} and tea.note_count == 2

    added = user.add_note("I really enjoy hiking. My friend Tom came along.", created_at="2026-01-06")
    assert user.refresh_profile() == 1  # only the new note is read
    profile = user.profile()
    assert ("hiking", "like") in _mine(profile)
    assert {(f.label, f.relation) for f in profile.people} == {("Tom", "friend")}

    user.update_note(added.id, content="I can't stand hiking.")
    assert user.refresh_profile() == 1
    profile = user.profile()
    assert ("hiking", "dislike") in _mine(profile) and not profile.people

    user.delete_note(first.id)
    tea = next(f for f in user.profile().preferences if f.label == "green tea")
    assert tea.source_note_ids == [second.id] and tea.note_count == 1
    user.delete_note(second.id)
    profile = user.profile()
    assert "green tea" not in {f.label for f in profile.facts()}
    assert not _all_sources(profile) & {first.id, second.id}
    assert set(_evidence_rows(memory, user)) == {added.id}


def _evidence_rows(memory, user) -> list[int]:
    with memory.session() as session:
        return list(session.scalars(select(ProfileEvidence.note_id).where(ProfileEvidence.user_id == user.id)))


def test_deleting_a_note_updates_the_profile_at_once(memory):
    user = memory.user("cai")
    note = user.add_note("I love jazz.")
    user.profile()
    user.delete_note(note.id)
    with pytest.raises(NotFound):
        user.delete_note(note.id)
    # Already gone before any refresh reads anything.
    assert user.refresh_profile() == 0
    assert user.profile().preferences == []


def test_newer_statement_wins_and_the_older_is_history(memory):
    user = memory.user("dee")
    steak = user.add_note("I love steak.", created_at="2026-01-10")
    user.add_note("I like coffee a lot.", created_at="2026-01-11")
    user.profile()
    meat = user.add_note("I don't eat meat anymore.", created_at="2026-03-01")
    user.add_note("I don't like coffee.", created_at="2026-02-01")
    # Written later but dated earlier: the older date loses to the February dislike.
    user.add_note("I like coffee.", created_at="2025-12-01")
    profile = user.profile()
    assert ("steak", "like") not in _mine(profile) and ("meat", "dislike") in _mine(profile)
    old = next(f for f in profile.superseded if f.label == "steak")
    assert old.status == "superseded" and old.source_note_ids == [steak.id]
    assert old.superseded_by["label"] == "meat" and old.superseded_by["note_id"] == meat.id
    coffee = next(f for f in profile.preferences if f.label == "coffee")
    assert coffee.polarity == "dislike"
    assert [h["polarity"] for h in coffee.history] == ["like"]

    user.add_note("I love steak again, a proper ribeye steak.", created_at="2026-04-01")
    assert ("steak", "like") in _mine(user.profile())
    user.delete_note(meat.id)  # without the retraction, the old like stands again
    profile = user.profile()
    assert ("meat", "dislike") not in _mine(profile) and not any(f.label == "steak" for f in profile.superseded)


def test_user_edits_and_deletions_survive_re_extraction(memory):
    user = memory.user("eve")
    _paper(user)
    profile = user.profile()
    by_label = {f.label: f for f in profile.preferences}
    user.delete_profile_item(by_label["butter"].id)
    moved = user.update_profile_item(by_label["spicy food"].id, item="very spicy food")
    flipped = user.update_profile_item(by_label["crispy bacon"].id, polarity="dislike", reason="too salty")
    sushi = user.add_preference("sushi", "like")
    assert moved.origin == flipped.origin == sushi.origin == "user"

    user.add_notes([{"content": "I really don't like butter.", "created_at": "2026-06-01"},
                    {"content": "I love crispy bacon now.", "created_at": "2026-06-02"},
                    {"content": "I hate sushi.", "created_at": "2026-06-03"},
                    {"content": "Try to avoid spicy food for me.", "created_at": "2026-06-04"}])
    user.refresh_profile(rebuild=True)  # every note read again
    mine = _mine(user.profile())
    assert not {label for label, _ in mine} & {"butter", "spicy food"}
    assert {("very spicy food", "dislike"), ("crispy bacon", "dislike"), ("sushi", "like")} <= mine
    bacon = user.profile().fact(flipped.id)
    assert bacon.reason == "too salty" and bacon.origin == "user"

    user.set_bio("Home cook who loves slow Sundays.")
    assert user.profile().bio == "Home cook who loves slow Sundays." and user.profile().bio_origin == "user"
    user.set_bio(None)
    assert user.profile().bio_origin == "facts"
    with pytest.raises(InvalidInput):
        user.update_profile_item(sushi.id, polarity="love")
    with pytest.raises(InvalidInput):
        user.update_profile_item(sushi.id, relation="friend")
    with pytest.raises(InvalidInput):
        user.update_profile_item(moved.id, item="sushi")  # already the user's own fact


def test_people_can_be_added_and_corrected(memory):
    user = memory.user("fay")
    user.add_note("Lunch with my sister today.")
    sister = next(f for f in user.profile().people if f.relation == "sister")
    named = user.update_profile_item(sister.id, name="Ana")
    assert (named.label, named.relation) == ("Ana", "sister")
    user.refresh_profile(rebuild=True)
    assert [(f.label, f.relation) for f in user.profile().people] == [("Ana", "sister")]
    acme = user.add_person("Acme", "employer", entity="organisation")
    assert user.profile().fact(acme.id).entity == "organisation"
    with pytest.raises(InvalidInput):
        user.add_person(None, None)


def test_users_are_isolated(memory):
    alice, bob = memory.user("alice"), memory.user("bob")
    _paper(alice)
    item = alice.profile().preferences[0]
    bob_profile = bob.profile()
    assert bob_profile.facts() == [] and bob_profile.bio == "" and bob_profile.status == ""
    assert bob.profile_summary() == ""
    for attempt in (lambda: bob.update_profile_item(item.id, polarity="dislike"),
                    lambda: bob.delete_profile_item(item.id), lambda: bob.delete_profile_item(10**9)):
        with pytest.raises(NotFound):
            attempt()
    assert alice.profile().fact(item.id).polarity == item.polarity


def test_bulk_add_extracts_nothing_and_refresh_scales(memory):
    user = memory.user("gus")
    rows = [{"content": f"Went to the gym, session {i}.", "created_at": f"2025-{1 + i // 500:02d}-01 08:00"}
            for i in range(5000)]
    started = time.perf_counter()
    user.add_notes(rows)
    rate = len(rows) / (time.perf_counter() - started)
    assert _evidence_count(memory, user) == 0
    # The requirement is 2,000 notes/s on 100k; a loose bound here still catches extraction at add time.
    assert rate > 1000, f"{rate:.0f} notes/s"

    def gym(text, note_date):  # a cheap stand-in for the extractor: one topic per note
        return ExtractedFacts(topics=[Topic(fine="gym", coarse="sport", path=["gym", "sport"])])

    assert user.refresh_profile(extractor=gym) == 5000
    topic = user.profile().topics[0].fine[0]
    assert topic.note_count == 5000 and len(topic.source_note_ids) == MAX_SOURCES
    assert topic.source_note_ids == sorted(topic.source_note_ids, reverse=True)


def test_a_model_can_do_the_extraction(memory):
    user = memory.user("hal")
    user.add_note("Mum adores tulips; I find them dull.")
    reply = {"preferences": [{"item": "tulips", "polarity": "dislike", "holder": None},
                             {"item": "tulips", "polarity": "like", "holder": "Mum"}],
             "people": [{"name": None, "relation": "mother"}], "topics": [], "no_longer": []}
    model = ScriptedModel(["not json", json.dumps(reply)])
    profile = user.profile(extractor=llm_extractor(model, retries=1))
    assert len(model.prompts) == 2 and "Mum adores tulips" in model.prompts[0]
    assert _mine(profile) == {("tulips", "dislike")}
    assert [(f.holder, f.polarity) for f in profile.others] == [("Mum", "like")]


def test_summary_fits_the_prompt_and_is_empty_without_facts(memory):
    user = memory.user("ivy")
    assert user.profile().bio == "" and user.profile_summary() == ""
    user.add_notes([{"content": f"I love dish number {i} with extra cheese.", "created_at": "2026-02-01"}
                    for i in range(60)] + [{"content": text} for text in PAPER_NOTES])
    summary = user.profile_summary()
    assert 200 < len(summary) <= 800
    assert "Dislikes: " in summary and "Others' preferences: " in summary
    user.set_bio("word " * 400)
    assert len(user.profile_summary(max_chars=300)) <= 300


def test_cli_prints_the_profile(memory, database_url, capsys):
    from webapp.cli import main

    user = memory.user("jon")
    _paper(user)
    assert main(["--database", database_url, "profile", "--user", "jon", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {p["label"] for p in data["preferences"]} >= {"butter", "crispy bacon"}
    assert main(["--database", database_url, "profile", "--user", "jon"]) == 0
    text = capsys.readouterr().out
    assert "dislikes:" in text and "Emmy likes fried chicken" in text


def test_export_and_import_restore_corrections(memory):
    user = memory.user("kim")
    _paper(user)
    profile = user.profile()
    butter = next(f for f in profile.preferences if f.label == "butter")
    user.delete_profile_item(butter.id)
    user.add_preference("sushi", "like", reason="fresh")
    user.set_status("Training for a marathon.")
    document = json.loads(json.dumps(export_user(user)))
    assert "butter" not in {p["label"] for p in document["profile"]["preferences"]}

    copy = memory.user("kim-copy")
    counts = import_export(copy, document)
    assert counts["profile_items"] == 2
    restored = copy.profile()
    assert "butter" not in {f.label for f in restored.preferences}
    assert ("sushi", "like") in _mine(restored) and restored.status == "Training for a marathon."


def _e(note_id: int, day: int, key: str = "gym") -> Evidence:
    from datetime import datetime, timezone

    return Evidence(note_id, "topic", key, {"fine": key, "coarse": "sport", "path": [key, "sport"]},
                    datetime(2026, 1, day, tzinfo=timezone.utc))


def test_folding_new_notes_equals_merging_everything():
    rows = [_e(i, 1 + (i * 7) % 28) for i in range(1, 250)]
    folded = merge("topic", rows[:50])
    for start in range(50, len(rows), 60):
        folded = fold("topic", folded, rows[start:start + 60])
    assert folded == merge("topic", rows)


def test_a_teacher_llm_on_an_openai_compatible_endpoint_extracts_the_profile(sqlite_url, monkeypatch):
    """A real HTTP server on 127.0.0.1 plays the teacher; MEBOT_PROFILE_LLM_URL switches extraction to it."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from memory import api

    answer = {"preferences": [{"item": "oolong tea", "polarity": "like", "holder": None, "reason": None}],
              "people": [], "topics": [], "no_longer": []}
    asked = []

    class Teacher(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append(body["messages"][0]["content"])
            reply = json.dumps({"choices": [{"message": {"role": "assistant", "content": json.dumps(answer)}}]})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(reply.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Teacher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("MEBOT_PROFILE_LLM_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("MEBOT_PROFILE_LLM_MODEL", "teacher")
    mem = api.open_memory(sqlite_url)
    user = mem.user("alice")
    user.add_note("Had a lovely cup of something at the tea house.")
    assert [f.label for f in user.profile().likes] == ["oolong tea"]
    assert asked and "lovely cup" in asked[0]
    server.shutdown()
    mem.close()


@pytest.mark.parametrize("changes, words", [
    ({"polarity": "meh"}, "polarity"), ({"item": "   "}, "item"), ({"status": "deleted"}, "delete the item"),
    ({"confidence": 2}, "confidence"), ({"holder": "Ana"}, "cannot change holder"),
    ({"reason": "bad \ud800"}, "surrogate"), ({"item": "x" * 201}, "item"),
])
def test_user_edits_are_validated_by_the_edit_model(memory, changes, words):
    from memory.profile.schema import MAX_ITEM_CHARS

    assert MAX_ITEM_CHARS == 200  # the limit the last case exceeds, defined once in the schema
    ana = memory.user("ana")
    sushi = ana.add_preference("sushi", "like")
    with pytest.raises(InvalidInput, match=words):
        ana.update_profile_item(sushi.id, **changes)
    assert [(f.label, f.polarity) for f in ana.profile().likes] == [("sushi", "like")]  # nothing half-applied


def test_a_fact_has_one_shape():
    from dataclasses import fields

    from memory.models import ProfileItem
    from memory.profile.facts import ProfileFact
    from memory.profile.merge import Merged
    from memory.profile.schema import CorrectedItem

    merged = {f.name for f in fields(Merged)}
    columns = set(ProfileItem.__table__.columns.keys())
    assert merged <= columns  # every field of a fact is stored as it is named
    assert {f.name for f in fields(ProfileFact)} == merged | {"id", "kind", "origin", "quotes"}
    assert set(CorrectedItem.model_fields) <= columns  # what an export carries of a user's item
