"""Notes of one user: create (one or in bulk), read, update, delete. Every function takes the user id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping, Optional

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from memory import clock
from memory.errors import InvalidInput
from memory.models import Note, utcnow
from memory.owned import owned_row
from memory.validation import (
    MAX_CONTENT_CHARS,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    clean_text,
)

_BATCH = 2000


@dataclass(frozen=True)
class NoteInput:
    content: str
    title: str = ""
    summary: Optional[str] = None
    created_at: Optional[datetime] = None
    source: str = "manual"


def note_input(item: Mapping[str, Any] | NoteInput) -> NoteInput:
    """A NoteInput from a mapping with content/title/summary/created_at/source keys."""
    if isinstance(item, NoteInput):
        return item
    if not isinstance(item, Mapping):
        raise InvalidInput(f"A note must be a mapping with a 'content' key, not {type(item).__name__}.")
    unknown = set(item) - {"content", "title", "summary", "created_at", "source", "id", "updated_at"}
    if unknown:
        raise InvalidInput(f"Unknown note field(s): {', '.join(sorted(map(str, unknown)))}.")
    return NoteInput(
        content=item.get("content"),
        title=item.get("title") or "",
        summary=item.get("summary"),
        created_at=item.get("created_at"),
        source=item.get("source") or "manual",
    )


def field_problems(*, title: Any = "", content: Any = "", created_at: Any = None) -> dict[str, str]:
    """What stops a note as typed from being stored, per field ({} when nothing does): the checks of storing,
    run before it so a form can say which field is wrong."""
    checks = {
        "title": lambda: clean_text(title, field="title", max_chars=MAX_TITLE_CHARS),
        "content": lambda: clean_text(content, field="note content", max_chars=MAX_CONTENT_CHARS, required=True),
        "created_at": lambda: created_at in (None, "") or clock.as_aware(created_at, "UTC"),
    }
    problems = {}
    for name, check in checks.items():
        try:
            check()
        except InvalidInput as exc:
            problems[name] = str(exc)
    return problems


def _row(user_id: int, tz_name: str, item: NoteInput, now: datetime) -> dict:
    content = clean_text(item.content, field="note content", max_chars=MAX_CONTENT_CHARS, required=True)
    title = clean_text(item.title, field="title", max_chars=MAX_TITLE_CHARS).strip()
    summary = (
        None
        if item.summary is None
        else clean_text(item.summary, field="summary", max_chars=MAX_SUMMARY_CHARS).strip() or None
    )
    source = clean_text(item.source, field="source", max_chars=500) or "manual"
    created = now if item.created_at in (None, "") else clock.to_utc(item.created_at, tz_name)
    return {
        "user_id": user_id,
        "title": title,
        "summary": summary,
        "content": content,
        "created_at": created,
        "updated_at": now,
        "source": source,
    }


def check_note(item: Any, tz_name: str) -> None:
    """InvalidInput when `item` could not be stored as a note (the checks add_notes makes)."""
    _row(0, tz_name, note_input(item), utcnow())


def known_notes(session: Session, *, user_id: int, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (title, content) pairs the user already has as notes."""
    wanted = set(keys)
    found: set[tuple[str, str]] = set()
    pairs = sorted(wanted)
    for start in range(0, len(pairs), _BATCH):
        chunk = pairs[start:start + _BATCH]
        query = select(Note.title, Note.content).where(
            Note.user_id == user_id, Note.title.in_({t for t, _ in chunk}),
            func.length(Note.content).in_({len(c) for _, c in chunk}))
        found.update(pair for pair in map(tuple, session.execute(query)) if pair in wanted)
    return found


def add_notes(session: Session, *, user_id: int, tz_name: str, items: Iterable[Any]) -> list[Note]:
    """Insert notes in bulk; every item is validated before any is written."""
    now = utcnow()
    rows = [_row(user_id, tz_name, note_input(item), now) for item in items]
    notes: list[Note] = []
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        ids = session.scalars(
            insert(Note).returning(Note.id, sort_by_parameter_order=True), batch
        ).all()
        notes.extend(Note(id=note_id, **row) for note_id, row in zip(ids, batch))
    return notes


def get_note(session: Session, *, user_id: int, note_id: int) -> Note:
    """The user's note `note_id`, or NotFound (also when it belongs to someone else)."""
    return owned_row(session, Note, note_id, user_id=user_id, what="note")


def update_note(
    session: Session, *, user_id: int, tz_name: str, note_id: int, changes: Mapping[str, Any]
) -> Note:
    """Apply `changes` (title, content, summary, created_at, source) to the user's note."""
    note = get_note(session, user_id=user_id, note_id=note_id)
    merged = NoteInput(
        content=changes.get("content", note.content),
        title=changes.get("title", note.title),
        summary=changes.get("summary", note.summary),
        created_at=changes.get("created_at", note.created_at),
        source=changes.get("source", note.source),
    )
    unknown = set(changes) - {"content", "title", "summary", "created_at", "source"}
    if unknown:
        raise InvalidInput(f"Unknown note field(s): {', '.join(sorted(map(str, unknown)))}.")
    row = _row(user_id, tz_name, merged, utcnow())
    for field in ("title", "summary", "content", "created_at", "source", "updated_at"):
        setattr(note, field, row[field])
    session.add(note)
    session.flush()
    return note


def delete_note(session: Session, *, user_id: int, note_id: int) -> Note:
    """Delete the user's note and return what it was."""
    note = get_note(session, user_id=user_id, note_id=note_id)
    session.delete(note)
    session.flush()
    return note


def list_notes(
    session: Session,
    *,
    user_id: int,
    start: Optional[datetime] = None,
    end: Optional[datetime] = None,
    limit: Optional[int] = None,
    offset: int = 0,
    newest_first: bool = False,
) -> list[Note]:
    """The user's notes dated in [start, end), in date order."""
    query = select(Note).where(Note.user_id == user_id)
    if start is not None:
        query = query.where(Note.created_at >= start)
    if end is not None:
        query = query.where(Note.created_at < end)
    order = (Note.created_at.desc(), Note.id.desc()) if newest_first else (Note.created_at, Note.id)
    query = query.order_by(*order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
