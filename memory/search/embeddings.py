"""Dense retrieval: one vector per note or message in the `embedding` table, searched in a per-user
in-memory FAISS index (Johnson et al., "Billion-scale similarity search with GPUs", 2019).

Vectors are stored with the name of the model that made them; a document whose vector came from
another model (or none yet) is *pending* and is embedded again (`pending_keys`). The table is the
truth; each process keeps, per user, an exact inner-product index (`IndexFlat`, vectors kept as
float16) that catches up with the table before every query: rows written since it was loaded are
added, and a changed row count (a delete elsewhere) reloads it. A query therefore costs one encoded
question and one scan in C, never a reload of every vector.

The same code serves SQLite and PostgreSQL: the PostgreSQL server here has no pgvector, so vectors
stay in a plain bytea column there too and are searched in process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional, Sequence

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from memory.models import Embedding, utcnow
from memory.search.embedders import Embedder
from memory.search.fulltext import IndexedDoc

BATCH = 64  # texts per encoder call


def _faiss():
    import faiss

    # One thread: on a small shared machine OpenMP threads spin against each other (a 100k scan
    # took 90 ms on two threads, 3.5 ms on one). The setting is per calling thread, so it is made
    # before every search.
    faiss.omp_set_num_threads(1)
    return faiss


def _timestamp(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


@dataclass
class _UserIndex:
    index: object  # faiss.IndexIDMap2
    times: dict[int, float] = field(default_factory=dict)  # doc key → POSIX time of the document
    synced_at: Optional[datetime] = None  # newest embedded_at seen
    count: int = 0

    def remove(self, keys: Sequence[int]) -> None:
        present = [k for k in keys if k in self.times]
        if present:
            self.index.remove_ids(np.asarray(present, dtype=np.int64))
            for k in present:
                del self.times[k]

    def add(self, keys: list[int], times: list[float], vectors: np.ndarray) -> None:
        self.remove(keys)
        self.index.add_with_ids(vectors, np.asarray(keys, dtype=np.int64))
        self.times.update(zip(keys, times))


class DenseIndex:
    """Embeds documents at write time and answers nearest-neighbour queries per user."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self._users: dict[int, _UserIndex] = {}
        self._lock = threading.Lock()

    # --- writing ----------------------------------------------------------------------------------
    def embed(self, docs: Sequence[IndexedDoc]) -> np.ndarray:
        """(n, dim) vectors of these documents, encoded in batches (no database access)."""
        texts = [f"{d.title}\n{d.body}".strip() for d in docs]
        parts = [self.embedder.encode_documents(texts[i:i + BATCH]) for i in range(0, len(texts), BATCH)]
        return np.vstack(parts) if parts else np.zeros((0, 1), dtype=np.float32)

    def store(self, session: Session, user_id: int, docs: Sequence[IndexedDoc], vectors: np.ndarray) -> None:
        """Write (or replace) the vectors of these documents of one user."""
        if not docs:
            return
        keys = [d.key for d in docs]
        session.execute(delete(Embedding).where(Embedding.doc_key.in_(keys)))
        now = utcnow()
        session.execute(insert(Embedding), [
            {"doc_key": d.key, "user_id": user_id, "model": self.embedder.name,
             "vector": np.asarray(v, dtype="<f4").tobytes(), "created_at": d.created_at, "embedded_at": now}
            for d, v in zip(docs, vectors)
        ])

    def remove(self, session: Session, user_id: int, keys: Sequence[int]) -> None:
        """Drop the vectors of these doc keys (of this user only)."""
        if not keys:
            return
        session.execute(delete(Embedding).where(Embedding.user_id == user_id, Embedding.doc_key.in_(list(keys))))
        with self._lock:
            cached = self._users.get(user_id)
            if cached is not None:
                cached.remove(list(keys))

    def pending_keys(self, session: Session, user_id: int, keys: Sequence[int]) -> set[int]:
        """Which of these doc keys have no vector from the current model."""
        done: set[int] = set()
        keys = list(keys)
        for i in range(0, len(keys), 5000):
            done.update(session.scalars(select(Embedding.doc_key).where(
                Embedding.user_id == user_id, Embedding.model == self.embedder.name,
                Embedding.doc_key.in_(keys[i:i + 5000]))))
        return set(keys) - done

    # --- searching --------------------------------------------------------------------------------
    def _state(self, session: Session, user_id: int) -> tuple[int, Optional[datetime]]:
        row = session.execute(select(func.count(), func.max(Embedding.embedded_at)).where(
            Embedding.user_id == user_id, Embedding.model == self.embedder.name)).one()
        return int(row[0]), row[1]

    def _rows(self, session: Session, user_id: int, since: Optional[datetime]):
        query = select(Embedding.doc_key, Embedding.vector, Embedding.created_at).where(
            Embedding.user_id == user_id, Embedding.model == self.embedder.name)
        if since is not None:
            query = query.where(Embedding.embedded_at >= since)
        return session.execute(query).all()

    def _load(self, user_id: int, rows, cached: Optional[_UserIndex]) -> _UserIndex:
        if not rows and cached is not None:
            return cached
        vectors = np.vstack([np.frombuffer(r[1], dtype="<f4") for r in rows]) if rows else None
        if cached is None:
            faiss = _faiss()
            dim = vectors.shape[1] if vectors is not None else 1
            flat = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
            cached = _UserIndex(index=faiss.IndexIDMap2(flat))
        if vectors is not None:
            cached.add([int(r[0]) for r in rows],
                       [_timestamp(r[2]) if r[2] is not None else 0.0 for r in rows], vectors)
        return cached

    def _synced(self, session: Session, user_id: int) -> _UserIndex:
        count, newest = self._state(session, user_id)
        with self._lock:
            cached = self._users.get(user_id)
            if cached is not None and cached.count == count and cached.synced_at == newest:
                return cached
            if cached is not None and newest is not None and cached.synced_at is not None:
                cached = self._load(user_id, self._rows(session, user_id, cached.synced_at), cached)
            if cached is None or len(cached.times) != count:
                cached = self._load(user_id, self._rows(session, user_id, None), None)
            cached.count, cached.synced_at = count, newest
            self._users[user_id] = cached
            return cached

    def query(self, session: Session, *, user_id: int, text: str, start: Optional[datetime],
              end: Optional[datetime], limit: int) -> list[int]:
        """Doc keys of the user's documents nearest to `text` (cosine), best first, within [start, end)."""
        if not text.strip():
            return []
        cached = self._synced(session, user_id)
        if not cached.times:
            return []
        vector = self.embedder.encode_query(text).reshape(1, -1).astype(np.float32)
        if vector.shape[1] != cached.index.d:
            return []  # vectors of an older model with another width: none are comparable yet
        faiss, params = _faiss(), None
        if start is not None or end is not None:
            lo = _timestamp(start) if start is not None else float("-inf")
            hi = _timestamp(end) if end is not None else float("inf")
            allowed = [k for k, t in cached.times.items() if lo <= t < hi]
            if not allowed:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
        with self._lock:
            _, ids = cached.index.search(vector, min(limit, len(cached.times)), params=params)
        return [int(k) for k in ids[0] if k >= 0]
