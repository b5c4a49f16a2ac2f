"""Guards "export is everything, re-importable": a user with notes, chats with regenerated replies,
votes with reasons and comments (one retracted), an edited reply, profile facts and corrections is
exported through JSON and imported into a fresh user in another database; every table's rows of that
user then compare equal (ids may differ; content, dates and links may not). Every table is accounted
for: copied by the export, rebuilt from what it copies, or kept by the server alone."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlmodel import SQLModel

from memory import api, citations
from memory.models import ChatSession, Message, Note
from memory.portability import export_user, import_files
from rlmf.data import feedback

COPIED = {"user", "note", "chat_session", "message", "feedback", "preference_pair", "profile_item",
          "profile_state"}
REBUILT = {"embedding", "profile_evidence"}  # vectors and what each note says: made again from the notes
SERVER_ONLY = {"training_run", "adapter_version", "scheduler_tick"}  # trained weights live on this server
# Columns that say where a row sits in this database, or when this server last read the notes.
LOCAL_COLUMNS = {"id", "user_id", "adapter_version_id", "read_until", "read_until_id", "refreshed_at"}
ACCOUNT_COLUMNS = {"name", "password_hash", "created_at"}  # the account in this database, not its data
ID_COLUMNS = {"note_id": "note", "message_id": "message", "parent_id": "message", "chosen_message_id": "message",
              "rejected_message_id": "message", "session_id": "chat_session", "feedback_id": "feedback"}


def _fill(user) -> None:
    bike = user.add_note("I bought a blue bike at Velo Shop.", title="Bike", created_at="2024-07-18T09:30:00")
    user.add_note("I love sushi, I hate olives.", created_at="2024-08-02T19:00:00")
    user.update_note(bike.id, summary="the bike")
    chat = user.new_session()
    question = user.add_message(chat.id, "user", "What bike did I buy?")
    prompt = [{"role": "system", "content": f"[{citations.note_ref(bike.id)}] 2024-07-18 Bike"},
              {"role": "user", "content": "What bike did I buy?"}]
    items = [{"kind": "note", "id": bike.id, "ref": citations.note_ref(bike.id)}]
    first = user.add_message(chat.id, "assistant", "A red car.", parent_id=question.id, prompt=prompt,
                             memory_items=items, model_name="tiny")
    second = user.add_message(chat.id, "assistant", f"A blue bike {citations.cite(citations.note_ref(bike.id))}.",
                              parent_id=question.id, prompt=prompt, memory_items=items, model_name="tiny",
                              reasoning="the note of 18 July")
    feedback.vote(user, first.id, liked=True)
    feedback.vote(user, first.id, liked=False, reason="wrong facts", comment="It was a bike, not a car.")
    feedback.vote(user, second.id, liked=True, reason="accurate", comment="Spot on")
    feedback.edit_reply(user, second.id, f"A blue bike from Velo Shop [{citations.note_ref(bike.id)}].")
    later = user.new_session(title="Food")
    ask = user.add_message(later.id, "user", "What food do I like?")
    user.add_message(later.id, "assistant", "Sushi.", parent_id=ask.id)
    profile = user.profile()
    olives = next(f for f in profile.preferences if "olive" in f.label)
    user.delete_profile_item(olives.id)
    user.add_preference("ramen", "like", reason="warm")
    user.set_bio("Cyclist and sushi fan.")
    user.set_calendar(country="DE", date_order="dmy")
    user.set_timezone("Europe/Berlin")


def _rows(memory, user_id: int, table) -> list[dict]:
    column = "id" if table.name == "user" else "user_id"
    with memory.engine.connect() as connection:
        return [dict(r._mapping) for r in connection.execute(select(table).where(table.c[column] == user_id))]


def _local(row: dict) -> set[str]:
    """What only this database says of a row: the account itself, and when it read the notes (the date of a
    fact extracted from them; the user's own facts keep theirs)."""
    if "password_hash" in row:
        return ACCOUNT_COLUMNS
    return {"created_at", "updated_at"} if row.get("origin") == "extracted" else set()


class _Canon:
    """Rows of one user with ids replaced by what the rows are: a note by its text, a message by its
    conversation, place and words, so two databases' copies compare equal."""

    def __init__(self, memory, user_id: int):
        self.memory, self.user_id = memory, user_id
        with memory.session() as session:
            notes = list(session.scalars(select(Note).where(Note.user_id == user_id).order_by(Note.created_at)))
            chats = list(session.scalars(select(ChatSession).where(ChatSession.user_id == user_id)
                                         .order_by(ChatSession.created_at)))
            messages = list(session.scalars(select(Message).where(Message.user_id == user_id)
                                            .order_by(Message.created_at, Message.id)))
        self.labels = {"note": {n.id: i for i, n in enumerate(notes)},
                       "chat_session": {c.id: i for i, c in enumerate(chats)},
                       "message": {m.id: i for i, m in enumerate(messages)}}
        feedback_rows = sorted(_rows(memory, user_id, SQLModel.metadata.tables["feedback"]),
                               key=lambda r: (r["created_at"], self.labels["message"][r["message_id"]]))
        self.labels["feedback"] = {r["id"]: i for i, r in enumerate(feedback_rows)}

    def value(self, column: str, value):
        if column in ID_COLUMNS and value is not None:
            return (ID_COLUMNS[column], self.labels[ID_COLUMNS[column]][value])
        if column == "memory_items" and value:
            return [{**item, "id": self.labels[item["kind"]][item["id"]], "ref": None} for item in value]
        if column == "source_note_ids":
            return sorted(self.labels["note"][i] for i in value)
        return self.text(value)

    def text(self, value):
        if isinstance(value, str):
            return citations.renumbered(value, self.labels["note"], self.labels["message"])
        if isinstance(value, list):
            return [self.text(v) for v in value]
        if isinstance(value, dict):
            return {k: self.text(v) for k, v in value.items()}
        return value

    def table(self, name: str) -> list:
        rows = [{c: self.value(c, v) for c, v in row.items() if c not in LOCAL_COLUMNS | _local(row)}
                for row in _rows(self.memory, self.user_id, SQLModel.metadata.tables[name])]
        return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


def test_every_table_is_copied_rebuilt_or_kept_by_the_server():
    assert set(SQLModel.metadata.tables) == COPIED | REBUILT | SERVER_ONLY


def test_export_and_import_into_a_fresh_database_restores_every_row(memory, tmp_path):
    ana = memory.user("ana")
    _fill(ana)
    document = export_user(ana)
    data = json.dumps(document).encode("utf-8")

    other = api.open_memory(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        other.user("someone").add_note("Takes the first ids, so the copy's ids differ.")
        copy = other.user("ana-copy")
        report = import_files(copy, [("mebot-export-ana.json", data, None)])
        assert report.refused == [] and report.notes == 2 and report.conversations == 2
        again = import_files(copy, [("mebot-export-ana.json", data, None)])
        assert (again.notes, again.conversations, again.already_there) == (0, 0, 4)
        copy.profile()  # the server reads the notes again: what each note says is rebuilt
        ana.profile()
        before, after = _Canon(memory, ana.id), _Canon(other, copy.id)
        assert list(before.labels["note"]) != list(after.labels["note"])  # the ids did change
        for name in sorted(COPIED | REBUILT - {"embedding"}):
            assert before.table(name) == after.table(name), name
    finally:
        other.close()


def test_the_export_names_votes_reasons_comments_and_the_original_of_an_edit(memory):
    ana = memory.user("ana")
    _fill(ana)
    replies = [m for s in export_user(ana)["sessions"] for m in s["messages"] if m["role"] == "assistant"]
    reactions = [f for m in replies for f in m["feedback"]]
    assert {(f["kind"], f["reason"], f["comment"]) for f in reactions} >= {
        ("dislike", "wrong facts", "It was a bike, not a car."), ("like", "accurate", "Spot on")}
    assert any(f["retracted_at"] for f in reactions)
    assert any(m["original_content"] and m["original_content"].startswith("A blue bike") for m in replies)


def test_notes_restored_with_older_dates_still_reach_a_profile_that_was_read_already(memory):
    ana, bob = memory.user("ana"), memory.user("bob")
    ana.add_note("I love sushi.")
    data = json.dumps(export_user(ana)).encode("utf-8")
    bob.add_note("I love green tea.")
    bob.profile()  # bob's notes are read: the watermark is now later than ana's note was last changed
    import_files(bob, [("mebot-export-ana.json", data, None)])
    assert {"sushi", "green tea"} <= {f.label for f in bob.profile().likes}


def test_an_export_of_the_first_version_still_imports(memory):
    document = {"format": "mebot-export", "version": 1, "user": "ana", "timezone": "UTC",
                "notes": [{"title": "Bike", "content": "Bought a bike.", "created_at": "2024-07-18T09:30:00+00:00"}],
                "sessions": [{"title": "Bike", "messages": [
                    {"id": 1, "parent_id": None, "role": "user", "content": "What did I buy?"},
                    {"id": 2, "parent_id": 1, "role": "assistant", "content": "A bike [N7]."}]}]}
    ana = memory.user("ana")
    report = import_files(ana, [("old.json", json.dumps(document).encode("utf-8"), None)])
    assert (report.notes, report.conversations, report.refused) == (1, 1, [])
    assert [m.content for m in ana.messages(ana.sessions()[0].id)] == ["What did I buy?", "A bike [N7]."]
