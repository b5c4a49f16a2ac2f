"""Dense retrieval: sentence embeddings for notes and messages, searched by cosine similarity.

Off unless an embedding model (a sentence-transformers id or local path) is configured.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Optional, Sequence

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from memory.search.fulltext import MESSAGE, NOTE, doc_key
from memory.models import Embedding, Message, Note


class Embedder:
    """A sentence-transformers model, loaded on first use."""

    def __init__(self, model_name_or_path: str):
        self.name = model_name_or_path
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.name, device="cpu")
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        vectors = self._load().encode(
            list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


@dataclass
class _UserMatrix:
    keys: np.ndarray  # int64 doc keys
    times: np.ndarray  # float64 POSIX timestamps
    vectors: np.ndarray  # (n, dim) float32


class DenseIndex:
    """Stores vectors in the `embedding` table and keeps each user's matrix cached in memory."""

    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self._cache: dict[int, _UserMatrix] = {}
        self._lock = threading.Lock()

    def upsert(self, session: Session, user_id: int, docs: Sequence[tuple[int, str]]) -> None:
        """Embed and store (doc key, text) pairs of one user."""
        if not docs:
            return
        vectors = self.embedder.encode([body for _, body in docs])
        for (key, _), vector in zip(docs, vectors):
            session.merge(
                Embedding(doc_key=key, user_id=user_id, model=self.embedder.name, vector=vector.tobytes())
            )
        self.forget(user_id)

    def remove(self, session: Session, user_id: int, keys: Sequence[int]) -> None:
        """Drop the vectors of these doc keys."""
        for key in keys:
            row = session.get(Embedding, key)
            if row is not None and row.user_id == user_id:
                session.delete(row)
        self.forget(user_id)

    def forget(self, user_id: int) -> None:
        """Drop the cached matrix of a user (after any write)."""
        with self._lock:
            self._cache.pop(user_id, None)

    def _matrix(self, session: Session, user_id: int) -> _UserMatrix:
        with self._lock:
            cached = self._cache.get(user_id)
        if cached is not None:
            return cached
        rows = session.execute(
            select(Embedding.doc_key, Embedding.vector).where(
                Embedding.user_id == user_id, Embedding.model == self.embedder.name
            )
        ).all()
        times = self._times(session, user_id)
        keys = np.array([r[0] for r in rows], dtype=np.int64)
        matrix = _UserMatrix(
            keys=keys,
            times=np.array([times.get(int(k), 0.0) for k in keys], dtype=np.float64),
            vectors=np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
            if rows
            else np.zeros((0, 1), dtype=np.float32),
        )
        with self._lock:
            self._cache[user_id] = matrix
        return matrix

    @staticmethod
    def _times(session: Session, user_id: int) -> dict[int, float]:
        times: dict[int, float] = {}
        for note_id, created in session.execute(
            select(Note.id, Note.created_at).where(Note.user_id == user_id)
        ):
            times[doc_key(NOTE, note_id)] = created.timestamp()
        for message_id, created in session.execute(
            select(Message.id, Message.created_at).where(Message.user_id == user_id)
        ):
            times[doc_key(MESSAGE, message_id)] = created.timestamp()
        return times

    def query(
        self,
        session: Session,
        *,
        user_id: int,
        text: str,
        start: Optional[datetime],
        end: Optional[datetime],
        limit: int,
    ) -> list[int]:
        """Doc keys of the user's documents nearest to `text`, best first."""
        matrix = self._matrix(session, user_id)
        if len(matrix.keys) == 0 or not text.strip():
            return []
        mask = np.ones(len(matrix.keys), dtype=bool)
        if start is not None:
            mask &= matrix.times >= start.timestamp()
        if end is not None:
            mask &= matrix.times < end.timestamp()
        candidates = np.flatnonzero(mask)
        if len(candidates) == 0:
            return []
        query_vector = self.embedder.encode([text])[0]
        scores = matrix.vectors[candidates] @ query_vector
        top = candidates[np.argsort(-scores)[:limit]]
        return [int(k) for k in matrix.keys[top]]

