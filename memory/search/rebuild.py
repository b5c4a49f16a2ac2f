"""Rebuilding the full-text index from the notes and messages themselves (after its rules change)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import text
from sqlalchemy.orm import Session

from memory.search.fulltext import MESSAGE, NOTE, IndexedDoc, doc_key, for_dialect
from memory.search.statements import stated_text

_CHUNK = 2000


def _moment(value) -> datetime:
    # Plain SQL on SQLite returns the stored text; stored datetimes are UTC.
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def rebuild_fulltext(session: Session, dialect: str) -> int:
    """Empty the full-text index and index every note and every stated user message again; returns
    how many documents it holds. Plain SQL, so it runs inside a migration whatever columns come later."""
    fulltext = for_dialect(dialect)
    session.execute(text(f"DELETE FROM {fulltext.table}"))
    docs: list[IndexedDoc] = []
    for row in session.execute(text("SELECT id, user_id, title, summary, content, created_at FROM note")):
        body = row.content if not row.summary else f"{row.summary}\n{row.content}"
        docs.append(IndexedDoc(doc_key(NOTE, row.id), row.user_id, _moment(row.created_at), row.title or "", body))
    for row in session.execute(text("SELECT id, user_id, content, created_at FROM message WHERE role = 'user'")):
        stated = stated_text(row.content)
        if stated:
            docs.append(IndexedDoc(doc_key(MESSAGE, row.id), row.user_id, _moment(row.created_at), "", stated))
    for i in range(0, len(docs), _CHUNK):
        fulltext.upsert(session, docs[i:i + _CHUNK])
    session.flush()
    return len(docs)
