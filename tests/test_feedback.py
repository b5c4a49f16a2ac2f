"""Guards feedback → preference data: votes (replaced, retracted), edits (chosen = the user's text,
rejected = the model's), sibling pairs from regenerations, KTO rows for unpaired votes, the exact
stored prompt in every example, idempotence, and deleted notes dropping out — on both databases."""

from __future__ import annotations

import pytest

from memory.errors import InvalidInput, NotFound
from memory.models import PreferencePair
from rlmf.data import feedback, preference_pairs

PROMPT = [{"role": "system", "content": "sys"}, {"role": "user", "content": "<|ME|>What did I buy?"}]


@pytest.fixture
def convo(memory):
    user = memory.user("alice")
    note = user.add_note("Bought a blue bike.")
    chat = user.new_session()
    question = user.add_message(chat.id, "user", "What did I buy?")

    def reply(text):
        return user.add_message(chat.id, "assistant", text, parent_id=question.id, prompt=PROMPT,
                                memory_items=[{"kind": "note", "id": note.id, "ref": f"N{note.id}"}])

    return user, note, reply


def stored_pairs(user):
    with user.memory.session() as session:
        return session.query(PreferencePair).filter_by(user_id=user.id).all()


def test_edit_makes_a_pair_with_the_users_version_chosen(convo):
    user, note, reply = convo
    bot = reply("You bought a car.")
    feedback.edit_reply(user, bot.id, "You bought a blue bike [N1].")
    feedback.edit_reply(user, bot.id, "You bought a blue bike.")  # a second edit replaces the first
    pairs = stored_pairs(user)
    assert len(pairs) == 1
    assert (pairs[0].chosen, pairs[0].rejected, pairs[0].source) == ("You bought a blue bike.", "You bought a car.", "edit")
    assert pairs[0].prompt == PROMPT
    assert user.message(bot.id).content == "You bought a blue bike."
    rows = preference_pairs.dpo_rows(user)
    assert rows == [{"prompt": PROMPT, "chosen": [{"role": "assistant", "content": "You bought a blue bike."}],
                     "rejected": [{"role": "assistant", "content": "You bought a car."}]}]


def test_liked_sibling_pairs_with_disliked_and_replaced_ones(convo):
    user, note, reply = convo
    first, second, third = reply("A car."), reply("A boat."), reply("A blue bike.")
    feedback.vote(user, second.id, liked=False, reason="wrong facts", comment="no boat")
    feedback.vote(user, third.id, liked=True)
    pairs = {(p.chosen, p.rejected) for p in stored_pairs(user)}
    assert pairs == {("A blue bike.", "A car."), ("A blue bike.", "A boat.")}
    assert preference_pairs.kto_rows(user) == []


def test_unpaired_votes_become_kto_rows_and_retraction_removes_them(convo):
    user, note, reply = convo
    only = reply("A blue bike.")
    feedback.vote(user, only.id, liked=True)
    feedback.vote(user, only.id, liked=False)  # replaces the like
    rows = preference_pairs.kto_rows(user)
    assert rows == [{"prompt": PROMPT, "completion": [{"role": "assistant", "content": "A blue bike."}], "label": False}]
    assert feedback.current_vote(user, only.id) == "dislike"
    assert feedback.counts(user) == {"likes": 0, "dislikes": 1, "edits": 0, "pairs": 0}
    feedback.retract_vote(user, only.id)
    assert preference_pairs.kto_rows(user) == [] and feedback.current_vote(user, only.id) is None


def test_building_twice_gives_the_same_set(convo):
    user, note, reply = convo
    a, b = reply("A car."), reply("A bike.")
    feedback.vote(user, b.id, liked=True)
    feedback.edit_reply(user, a.id, "A blue bike.")
    first = preference_pairs.dpo_rows(user)
    ids = sorted(p.id for p in stored_pairs(user))
    assert preference_pairs.dpo_rows(user) == first
    assert sorted(p.id for p in stored_pairs(user)) == ids


def test_examples_quoting_a_deleted_note_drop_out(convo):
    user, note, reply = convo
    bot = reply("A car.")
    feedback.edit_reply(user, bot.id, "A blue bike.")
    assert len(stored_pairs(user)) == 1
    user.delete_note(note.id)
    assert preference_pairs.dpo_rows(user) == [] and stored_pairs(user) == []


def test_reactions_are_checked(convo, memory):
    user, note, reply = convo
    bot = reply("A car.")
    with pytest.raises(InvalidInput):
        feedback.vote(user, bot.id, liked=True, reason="made up reason")
    with pytest.raises(InvalidInput):
        feedback.edit_reply(user, bot.id, "   ")
    with pytest.raises(InvalidInput):
        feedback.vote(user, bot.parent_id, liked=True)  # a user message
    mallory = memory.user("mallory")
    with pytest.raises(NotFound):
        feedback.vote(mallory, bot.id, liked=False)
    with pytest.raises(NotFound):
        feedback.edit_reply(mallory, bot.id, "pwned")
    assert user.message(bot.id).content == "A car." and stored_pairs(mallory) == []
