"""Hybrid search over one user's memory: full-text and dense lists fused by reciprocal rank,
restricted to the time frame the query names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Optional, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from memory import timeframe as timeframes
from memory.search.embeddings import DenseIndex
from memory.search.fulltext import MESSAGE, NOTE, IndexedDoc, doc_key, split_doc_key
from memory.models import Message, Note
from memory.notes import list_notes
from memory.search.textindex import MAX_QUERY_CHARS, query_terms

RRF_K = 60  # the usual constant of reciprocal rank fusion
MAX_K = 200


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
        return f"N{self.note_id}" if self.note_id is not None else f"M{self.message_id}"


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
    """How a message enters the index."""
    return IndexedDoc(doc_key(MESSAGE, message.id), message.user_id, message.created_at, "", message.content)


def searchable(message: Message) -> bool:
    """Only the user's own words are indexed: replies echo notes and would crowd them out."""
    return message.role == "user"


class SearchIndex:
    """Keeps the full-text (and, when configured, dense) index in step with notes and messages."""

    def __init__(self, fulltext, dense: Optional[DenseIndex] = None):
        self.fulltext = fulltext
        self.dense = dense

    def upsert(self, session: Session, user_id: int, docs: Sequence[IndexedDoc]) -> None:
        """Index (or re-index) these documents of one user."""
        self.fulltext.upsert(session, docs)
        if self.dense is not None:
            self.dense.upsert(session, user_id, [(d.key, f"{d.title}\n{d.body}".strip()) for d in docs])

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
        depth = max(3 * k, 30)

        ranked_lists = [
            self.fulltext.query(session, user_id=user_id, terms=terms, start=start, end=end, limit=depth)
        ]
        if self.dense is not None and terms:
            ranked_lists.append(
                self.dense.query(session, user_id=user_id, text=keywords, start=start, end=end, limit=depth)
            )
        keys = fuse(ranked_lists)
        if frame is not None and len(keys) < k:
            # A question that names a time gets that period's notes, in date order, after the matches.
            in_range = list_notes(session, user_id=user_id, start=start, end=end, limit=k + len(keys))
            keys.update(
                {doc_key(NOTE, n.id): 0.0 for n in in_range if doc_key(NOTE, n.id) not in keys}
            )
        top = list(keys.items())[:k]
        return SearchOutcome(hits=_load_hits(session, user_id, top), timeframe=frame, terms=terms)


def fuse(ranked_lists: Iterable[Sequence[int]]) -> dict[int, float]:
    """Reciprocal rank fusion: doc key → score, best first."""
    scores: dict[int, float] = {}
    for ranked in ranked_lists:
        for rank, key in enumerate(ranked):
            scores[key] = scores.get(key, 0.0) + 1.0 / (RRF_K + rank + 1)
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
