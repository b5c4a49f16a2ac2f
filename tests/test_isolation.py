"""Guards privacy in the memory layer: no function lets one user read, find or change another's notes,
conversations or messages — on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from memory.errors import InvalidInput, NotFound


@pytest.fixture
def two_users(memory):
    alice, bob = memory.user("alice"), memory.user("bob")
    secret = bob.add_note("Bob's secret: the vault code is 4711", title="vault")
    chat = bob.new_session()
    question = bob.add_message(chat.id, "user", "remind me about the vault code")
    return alice, bob, secret, chat, question


def test_search_never_returns_another_users_rows(two_users):
    alice, bob, secret, chat, question = two_users
    alice.add_note("my own vault is a bike lock")
    hits = alice.search("vault code 4711")
    assert all(h.note_id != secret.id and h.message_id != question.id for h in hits)
    assert {h.note_id for h in bob.search("vault code")} >= {secret.id}


def test_notes_of_another_user_cannot_be_read_changed_or_deleted(two_users):
    alice, bob, secret, chat, question = two_users
    with pytest.raises(NotFound):
        alice.note(secret.id)
    with pytest.raises(NotFound):
        alice.update_note(secret.id, content="pwned")
    with pytest.raises(NotFound):
        alice.delete_note(secret.id)
    assert alice.notes() == []
    assert bob.note(secret.id).content.startswith("Bob's secret")


def test_conversations_of_another_user_are_invisible(two_users):
    alice, bob, secret, chat, question = two_users
    assert alice.sessions() == []
    with pytest.raises(NotFound):
        alice.messages(chat.id)
    with pytest.raises(NotFound):
        alice.add_message(chat.id, "user", "sneaking in")
    with pytest.raises(NotFound):
        alice.message(question.id)
    own = alice.new_session()
    with pytest.raises((NotFound, InvalidInput)):
        alice.add_message(own.id, "assistant", "reply", parent_id=question.id)
    assert [m.content for m in bob.messages(chat.id)] == ["remind me about the vault code"]
