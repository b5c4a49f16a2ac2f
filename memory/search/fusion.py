"""Hybrid search over one user's memory: full-text and dense lists fused by weighted reciprocal rank
(Cormack et al., SIGIR 2009), restricted to the time frame the query names."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from memory import timeframe as timeframes
from memory.citations import message_ref, note_ref
from memory.search.embeddings import DenseIndex
from memory.search.fulltext import MESSAGE, NOTE, IndexedDoc, doc_key, split_doc_key
from memory.models import Message, Note
from memory.notes import list_notes
from memory.search.statements import stated_text
from memory.search.textindex import MAX_QUERY_CHARS, query_terms

RRF_K = 20  # reciprocal rank fusion constant (60 in the paper; smaller lets each list's top count more)
MAX_K = 200
# How much each list counts in the fusion, and how deep each is read: tuned on bench/recall.py's sets
# (see bench/README.md). Dense is the better ranker on paraphrases and other scripts; full text keeps
# exact names, numbers and rare words in front.
FULLTEXT_WEIGHT = 1.0
DENSE_WEIGHT = 2.0
DEPTH = 50
_ENCODER_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mebot-encode")


@dataclass(frozen=True)
class Hit:
    note_id: Optional[int]
    message_id: Optional[int]
    title: str
    text: str
    created_at: datetime
    score: float
    session_id: Optional[int] = None

    @property
    def ref(self) -> str:
        """A short id for prompts and citations: N12 for note 12, M40 for message 40."""
        return note_ref(self.note_id) if self.note_id is not None else message_ref(self.message_id)


@dataclass(frozen=True)
class SearchOutcome:
    hits: list[Hit]
    timeframe: Optional["timeframes.TimeFrame"] = None
    terms: list[str] = field(default_factory=list)


def note_doc(note: Note) -> IndexedDoc:
    """How a note enters the index."""
    body = note.content if not note.summary else f"{note.summary}\n{note.content}"
    return IndexedDoc(doc_key(NOTE, note.id), note.user_id, note.created_at, note.title, body)


def message_doc(message: Message) -> IndexedDoc:
    """How a message enters the index: its statements, not its questions."""
    return IndexedDoc(doc_key(MESSAGE, message.id), message.user_id, message.created_at, "",
                      stated_text(message.content))


def searchable(message: Message) -> bool:
    """Memory is what the user stated: their own messages, less their questions to Mebot. Replies
    echo notes and would crowd them out."""
    return message.role == "user" and bool(stated_text(message.content))


class SearchIndex:
    """Keeps the full-text (and, with an embedding model, the dense) index in step with notes and messages."""

    def __init__(self, fulltext, dense: Optional[DenseIndex] = None):
        self.fulltext = fulltext
        self.dense = dense
        # (full text, dense) weights in the fusion; a list weighted 0 is not asked (bench/recall.py
        # measures each half alone this way).
        self.weights = (FULLTEXT_WEIGHT, DENSE_WEIGHT)
        self.rrf_k = RRF_K

    def upsert(self, session: Session, user_id: int, docs: Sequence[IndexedDoc], embed: bool = True) -> None:
        """Index (or re-index) these documents of one user; embed=False leaves their vectors pending."""
        self.fulltext.upsert(session, docs)
        if self.dense is not None and embed and docs:
            self.dense.store(session, user_id, docs, self.dense.embed(docs))

    def remove(self, session: Session, user_id: int, keys: Sequence[int]) -> None:
        """Drop these documents of one user from the index."""
        self.fulltext.remove(session, keys)
        if self.dense is not None:
            self.dense.remove(session, user_id, keys)

    def search(
        self,
        session: Session,
        *,
        user_id: int,
        query: str,
        now: datetime,
        k: int = 10,
        week_start: int = 0,
        country: str | None = None,
        day_first: bool | None = None,
    ) -> SearchOutcome:
        """The user's best-matching notes and messages for `query`, judged at time `now`."""
        query = query if isinstance(query, str) else ""
        query = query[:MAX_QUERY_CHARS]
        k = max(1, min(int(k), MAX_K))
        frame = (timeframes.parse(query, now=now, week_start=week_start, country=country, day_first=day_first)
                 if query.strip() else None)
        keywords = timeframes.strip_phrase(query, frame) if frame else query
        terms = query_terms(keywords)
        start, end = (frame.start, frame.end) if frame else (None, None)
        depth = max(2 * k, DEPTH)

        ranked_lists = []
        fulltext_weight, dense_weight = self.weights
        use_dense = self.dense is not None and dense_weight > 0 and bool(terms)
        # The question is encoded on another thread while SQLite or PostgreSQL runs the full-text
        # query: both release the GIL, so the two costs overlap instead of adding up.
        encoded = _ENCODER_POOL.submit(self.dense.embedder.encode_query, keywords) if use_dense else None
        if fulltext_weight > 0:
            ranked_lists.append((fulltext_weight, self.fulltext.query(
                session, user_id=user_id, terms=terms, start=start, end=end, limit=depth)))
        if encoded is not None:
            ranked_lists.append((dense_weight, self.dense.query(
                session, user_id=user_id, text=keywords, start=start, end=end, limit=depth,
                vector=encoded.result())))
        keys = fuse(ranked_lists, self.rrf_k)
        if frame is not None and len(keys) < k:
            # A question that names a time gets that period's notes, in date order, after the matches.
            in_range = list_notes(session, user_id=user_id, start=start, end=end, limit=k + len(keys))
            keys.update(
                {doc_key(NOTE, n.id): 0.0 for n in in_range if doc_key(NOTE, n.id) not in keys}
            )
        top = list(keys.items())[:k]
        return SearchOutcome(hits=_load_hits(session, user_id, top), timeframe=frame, terms=terms)


def fuse(ranked_lists: Iterable[tuple[float, Sequence[int]]], k: float = RRF_K) -> dict[int, float]:
    """Weighted reciprocal rank fusion of (weight, keys best first) lists: doc key → score, best first.
    A smaller k lets the top of each list count more against agreement further down."""
    scores: dict[int, float] = {}
    for weight, ranked in ranked_lists:
        for rank, key in enumerate(ranked):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank + 1)
    return dict(sorted(scores.items(), key=lambda item: -item[1]))


def _load_hits(session: Session, user_id: int, scored: list[tuple[int, float]]) -> list[Hit]:
    note_ids = [row for kind, row in map(split_doc_key, (k for k, _ in scored)) if kind == NOTE]
    message_ids = [row for kind, row in map(split_doc_key, (k for k, _ in scored)) if kind == MESSAGE]
    notes = {
        n.id: n
        for n in session.scalars(select(Note).where(Note.user_id == user_id, Note.id.in_(note_ids)))
    } if note_ids else {}
    messages = {
        m.id: m
        for m in session.scalars(
            select(Message).where(Message.user_id == user_id, Message.id.in_(message_ids))
        )
    } if message_ids else {}
    hits = []
    for key, score in scored:
        kind, row_id = split_doc_key(key)
        if kind == NOTE and row_id in notes:
            n = notes[row_id]
            hits.append(Hit(n.id, None, n.title, n.content, n.created_at, score))
        elif kind == MESSAGE and row_id in messages:
            m = messages[row_id]
            hits.append(Hit(None, m.id, "", m.content, m.created_at, score, session_id=m.session_id))
    return hits
