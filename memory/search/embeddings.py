"""Dense retrieval: one vector per note or message in the `embedding` table, searched in a per-user
in-memory FAISS index (Johnson et al., "Billion-scale similarity search with GPUs", 2019).

Vectors are stored with the name of the model that made them; a document whose vector came from
another model (or none yet) is *pending* and is embedded again (`pending_keys`). The table is the
truth; each process keeps, per user, an exact inner-product index (`IndexFlat`, vectors kept as
float16) that catches up with the table before every query: rows written since it was loaded are
added (one index seek finds whether there are any), and a changed row count, checked every
RECOUNT_S, reloads it after deletes made elsewhere. A query therefore costs one encoded question and
one scan in C, never a reload of every vector.

The same code serves SQLite and PostgreSQL: the PostgreSQL server here has no pgvector, so vectors
stay in a plain bytea column there too and are searched in process.
"""

from __future__ import annotations

import threading
import time
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
# How often the row count is checked for deletes made by another process; until then such a
# document can still be returned as a key, which the caller's row lookup drops.
RECOUNT_S = 30.0


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
    counted_at: float = 0.0  # monotonic time of the last row count
    _arrays: Optional[tuple[np.ndarray, np.ndarray]] = None  # (keys, times), made when a frame needs them

    def remove(self, keys: Sequence[int]) -> None:
        present = [k for k in keys if k in self.times]
        if present:
            self.index.remove_ids(np.asarray(present, dtype=np.int64))
            for k in present:
                del self.times[k]
            self._arrays = None

    def add(self, keys: list[int], times: list[float], vectors: np.ndarray) -> None:
        self.remove(keys)
        self.index.add_with_ids(vectors, np.asarray(keys, dtype=np.int64))
        self.times.update(zip(keys, times))
        self._arrays = None

    def keys_between(self, lo: float, hi: float) -> np.ndarray:
        """Doc keys of the documents dated in [lo, hi)."""
        if self._arrays is None:
            self._arrays = (np.fromiter(self.times.keys(), dtype=np.int64, count=len(self.times)),
                            np.fromiter(self.times.values(), dtype=np.float64, count=len(self.times)))
        keys, times = self._arrays
        return keys[(times >= lo) & (times < hi)]


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
    def _newest(self, session: Session, user_id: int) -> Optional[datetime]:
        # A seek on ix_embedding_user_model_embedded: cheap at any size.
        return session.scalar(select(func.max(Embedding.embedded_at)).where(
            Embedding.user_id == user_id, Embedding.model == self.embedder.name))

    def _count(self, session: Session, user_id: int) -> int:
        # A scan of that index: ~70 ms at 100k on a busy machine, so it runs every RECOUNT_S only.
        return session.scalar(select(func.count()).where(
            Embedding.user_id == user_id, Embedding.model == self.embedder.name))

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
        newest = self._newest(session, user_id)
        with self._lock:
            cached = self._users.get(user_id)
            recount = cached is None or time.monotonic() - cached.counted_at > RECOUNT_S
            if cached is not None and cached.synced_at == newest and not recount:
                return cached
            stale = cached is None or cached.synced_at is None
            if not stale and newest != cached.synced_at:
                cached = self._load(user_id, self._rows(session, user_id, cached.synced_at), cached)
            if not stale and recount:
                # Deletes made by other processes (this one's are applied as they happen).
                stale = len(cached.times) != self._count(session, user_id)
            if stale:
                cached = self._load(user_id, self._rows(session, user_id, None), None)
            if recount or stale:
                cached.counted_at = time.monotonic()
            cached.synced_at = newest
            self._users[user_id] = cached
            return cached

    def query(self, session: Session, *, user_id: int, text: str, start: Optional[datetime],
              end: Optional[datetime], limit: int, vector: Optional[np.ndarray] = None) -> list[int]:
        """Doc keys of the user's documents nearest to `text` (cosine), best first, within [start, end).
        `vector` is `text` already encoded (`embedder.encode_query`), when the caller had it made."""
        if not text.strip():
            return []
        cached = self._synced(session, user_id)
        if not cached.times:
            return []
        if vector is None:
            vector = self.embedder.encode_query(text)
        vector = vector.reshape(1, -1).astype(np.float32)
        if vector.shape[1] != cached.index.d:
            return []  # vectors of an older model with another width: none are comparable yet
        faiss, params = _faiss(), None
        if start is not None or end is not None:
            lo = _timestamp(start) if start is not None else float("-inf")
            hi = _timestamp(end) if end is not None else float("inf")
            allowed = cached.keys_between(lo, hi)
            if len(allowed) == 0:
                return []
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed))
        with self._lock:
            _, ids = cached.index.search(vector, min(limit, len(cached.times)), params=params)
        return [int(k) for k in ids[0] if k >= 0]
