"""Search over one user's memory: fulltext (FTS5 / tsvector), embeddings (dense vectors, FAISS), embedders
(the models), textindex (what the index sees), statements (what of a chat message is memory), fusion (the
hybrid of both, restricted to the query's time frame)."""

from memory.search.fusion import RRF_K, Hit, SearchIndex, SearchOutcome, fuse, message_doc, note_doc, searchable

__all__ = ["RRF_K", "Hit", "SearchIndex", "SearchOutcome", "fuse", "message_doc", "note_doc", "searchable"]
