"""Finding notes for the Notes tab: full-text search and a time filter in words. No Gradio here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from memory import timeframe
from memory.errors import InvalidInput
from webapp.render import when

LIST_LIMIT = 500
SEARCH_LIMIT = 200  # the most hits memory.search returns at once
PREVIEW_CHARS = 90


@dataclass(frozen=True)
class NoteRow:
    """One line of the notes list."""

    id: int
    date: str
    title: str
    preview: str


@dataclass
class NotesState:
    """Per-browser-tab state, kept on the server: the ids listed and the note open in the viewer."""

    listed: list[int] = field(default_factory=list)
    open_id: Optional[int] = None
    confirming_delete: bool = False


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS] + "…"


def period(user, phrase: str, week_start: int = 0) -> Optional[timeframe.TimeFrame]:
    """The time frame a filter like 'last week' or 'in March 2024' names; None for an empty filter."""
    phrase = (phrase or "").strip()
    if not phrase:
        return None
    cal = user.calendar
    frame = timeframe.parse(phrase, now=user.now(), week_start=week_start, country=cal.country, day_first=cal.day_first)
    if frame is None:
        raise InvalidInput(f"Could not read {phrase[:60]!r} as a time; try 'yesterday', 'last week' or 'in March 2024'.")
    return frame


def find(user, query: str = "", phrase: str = "", *, week_start: int = 0) -> tuple[list[NoteRow], Optional[str]]:
    """The user's notes matching `query` (full text) dated in the period `phrase` names, and that period
    in words. Without a query, every note of the period, newest first."""
    frame = period(user, phrase, week_start)
    query = (query or "").strip()
    if not query:
        notes = user.notes(start=frame.start if frame else None, end=frame.end if frame else None,
                           limit=LIST_LIMIT, newest_first=True)
        rows = [NoteRow(n.id, when(n.created_at, user), n.title or "(untitled)", _preview(n.content)) for n in notes]
    else:
        hits = [h for h in user.recall(query, k=SEARCH_LIMIT).hits if h.note_id is not None]
        if frame is not None:
            hits = [h for h in hits if frame.start <= h.created_at < frame.end]
        rows = [NoteRow(h.note_id, when(h.created_at, user), h.title or "(untitled)", _preview(h.text)) for h in hits]
    return rows, frame.describe() if frame else None
