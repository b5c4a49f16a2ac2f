"""Guards the dense half of hybrid search: with a tiny sentence-transformers model built here, vectors
are stored per note, updated and deleted with it, searched per user and fused with full-text hits; with
the bundled default (multilingual-e5-small) it is on without a setting, finds across wording and
scripts, re-embeds after a model change, fills in vectors a bulk import left pending, keeps two
processes' indexes in step, and honours a question's time frame."""

from __future__ import annotations

from datetime import datetime

import pytest


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory) -> str:
    """A random BERT encoder with a word-level vocabulary, saved as a local model folder."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    path = tmp_path_factory.mktemp("tiny-encoder")
    words = ("coffee tea tom harbour cafe bike river run bread milk garden tomato dentist friday "
             "zebra quantum violin passport").split()
    (path / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]))
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(words) + 5, hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return str(path)


@pytest.fixture
def dense_memory(database_url, tiny_encoder):
    from memory import api

    mem = api.open_memory(database_url, embedding_model=tiny_encoder)
    yield mem
    mem.close()


def test_dense_list_finds_notes_full_text_cannot(dense_memory, sqlite_url):
    user = dense_memory.user("alice")
    target = user.add_note("zebra quantum violin", created_at=datetime(2024, 7, 1))
    user.add_note("coffee tea bread", created_at=datetime(2024, 7, 2))
    # Identical text has cosine 1 whatever the weights: it must come back first.
    hits = user.search("zebra quantum violin")
    assert hits[0].note_id == target.id
    # A query with no keyword match still gets dense neighbours; without dense it gets nothing.
    assert user.search("passport") != []
    from memory import api

    plain = api.open_memory(sqlite_url)
    plain_user = plain.user("alice")
    plain_user.add_note("zebra quantum violin")
    assert plain_user.search("passport") == []
    plain.close()


def test_dense_vectors_follow_edits_deletes_and_users(dense_memory):
    alice, bob = dense_memory.user("alice"), dense_memory.user("bob")
    note = alice.add_note("garden tomato")
    bob.add_note("bob dentist friday")
    assert all(h.note_id == note.id for h in alice.search("dentist friday"))
    alice.update_note(note.id, content="river run")
    assert alice.search("river run")[0].note_id == note.id
    alice.delete_note(note.id)
    assert alice.search("river run") == []


def _dense_keys(mem, user, query):
    """Note ids of the dense list alone (no full text), best first."""
    from memory.search.fulltext import split_doc_key

    with mem.session() as session:
        keys = mem.index.dense.query(session, user_id=user.id, text=query, start=None, end=None, limit=10)
    return [row for kind, row in map(split_doc_key, keys) if kind == 0]


def test_a_model_change_leaves_vectors_pending_until_re_embedded(sqlite_url, tiny_encoder):
    from memory import api
    from memory.models import Embedding

    first = api.open_memory(sqlite_url, embedding_model=tiny_encoder)
    user = first.user("alice")
    note = user.add_note("zebra quantum violin")
    first.close()

    second = api.open_memory(sqlite_url, embedding_model="multilingual-e5-small")
    user = second.user("alice")
    assert _dense_keys(second, user, "zebra") == []  # the old model's vector is not comparable
    assert user.embed_pending() == 1 and user.embed_pending() == 0
    with second.session() as session:
        assert session.get(Embedding, 2 * note.id).model.startswith("multilingual-e5-small")
    assert _dense_keys(second, user, "zebra quantum violin") == [note.id]
    second.close()


def test_bulk_import_without_vectors_then_embedded(sqlite_url):
    from memory import api

    mem = api.open_memory(sqlite_url, embedding_model="multilingual-e5-small")
    user = mem.user("alice")
    added = user.add_notes([{"content": "My cat Mimi sleeps on the radiator."},
                            {"content": "Quarterly budget review with finance."}], embed=False)
    assert _dense_keys(mem, user, "pet") == []
    assert user.embed_pending() == 2
    assert _dense_keys(mem, user, "my pet")[0] == added[0].id
    mem.close()


def test_default_model_is_multilingual_and_on(database_url, monkeypatch):
    """With no setting, hybrid search uses the bundled multilingual-e5-small: a Chinese question finds
    a Chinese note that shares no character with it, and an English one finds a Korean note."""
    from memory import api

    monkeypatch.delenv("MEBOT_EMBEDDING_MODEL")
    mem = api.open_memory(database_url)
    user = mem.user("alice")
    cat, book, budget = user.add_notes([
        {"content": "我养了一只猫，叫咪咪。"},
        {"content": "나는 어제 책을 읽었다"},
        {"content": "Quarterly budget review with finance, numbers finally add up."},
    ])
    assert user.search("宠物")[0].note_id == cat.id  # "pet"
    assert user.search("reading a book")[0].note_id == book.id
    assert user.search("money planning at work")[0].note_id == budget.id
    mem.close()


def test_another_process_sees_new_and_deleted_vectors(sqlite_url):
    """Two Memory objects on one database (the web app and an import, say): each one's in-memory
    index catches up with what the other wrote before it answers."""
    from memory import api

    app = api.open_memory(sqlite_url, embedding_model="multilingual-e5-small")
    importer = api.open_memory(sqlite_url, embedding_model="multilingual-e5-small")
    alice_app, alice_import = app.user("alice"), importer.user("alice")
    first = alice_app.add_note("Booked the dentist for Friday.")
    assert _dense_keys(app, alice_app, "teeth appointment") == [first.id]
    second = alice_import.add_note("My cat Mimi sleeps on the radiator.")
    assert set(_dense_keys(app, alice_app, "pet")) == {first.id, second.id}
    assert _dense_keys(app, alice_app, "pet")[0] == second.id
    alice_import.delete_note(second.id)
    # The other index learns of the delete at its next row count; until then the search drops the row.
    assert [h.note_id for h in alice_app.search("pet")] == [first.id]
    app.index.dense._users[alice_app.id].counted_at = 0.0  # as if RECOUNT_S had passed
    assert _dense_keys(app, alice_app, "pet") == [first.id]
    app.close()
    importer.close()


def test_a_named_period_restricts_the_dense_list(sqlite_url):
    from memory import api

    mem = api.open_memory(sqlite_url, embedding_model="multilingual-e5-small")
    user = mem.user("alice")
    june, july = user.add_notes([{"content": "Dentist appointment, one filling.", "created_at": datetime(2024, 6, 5)},
                                 {"content": "Dentist again, the filling hurts.", "created_at": datetime(2024, 7, 5)}])
    hits = user.search("dentist in June", now=datetime(2024, 7, 20))
    assert [h.note_id for h in hits] == [june.id]
    mem.close()
