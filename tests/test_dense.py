"""Guards the dense half of hybrid search with a tiny sentence-transformers model built here: vectors
are stored per note, updated and deleted with it, searched per user, and fused with full-text hits."""

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
