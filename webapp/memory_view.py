"""The L1 profile as the Memory tab shows it: rows of facts, the editor's fields, corrections. No Gradio."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from memory.errors import InvalidInput
from webapp.render import esc

KIND_NAMES = {"preference": "Preference", "person": "Person", "topic": "Topic"}


@dataclass
class MemoryState:
    """Per-browser-tab state, kept on the server: the fact ids listed and the one being corrected."""

    listed: list[int] = field(default_factory=list)
    open_id: Optional[int] = None
    confirming_delete: bool = False


@dataclass(frozen=True)
class FactRow:
    """One line of the facts list."""

    id: int
    kind: str
    label: str
    details: str
    origin: str


def _origin(fact) -> str:
    if fact.origin == "user":
        return "you"
    return f"{fact.note_count} note(s)" if fact.note_count else "notes"


def _details(fact) -> str:
    if fact.kind == "preference":
        who = f"{fact.holder} " if fact.holder else ""
        reason = f" because {fact.reason}" if fact.reason else ""
        return f"{who}{fact.polarity}s{reason}"
    if fact.kind == "person":
        parts = [fact.relation or "", "organisation" if fact.entity == "organisation" else ""]
        return ", ".join(p for p in parts if p)
    return " › ".join(reversed(fact.path)) if fact.path else (fact.coarse or "")


def _why(fact) -> str:
    """The sentence a fact was read from, with its note: "“I love sushi.” (note 12)"."""
    if not fact.quotes:
        return ""
    quote = fact.quotes[0]
    return f" — “{quote['sentence']}” (note {quote['note_id']})"


def fact_rows(profile) -> list[FactRow]:
    """Every current fact: your likes and dislikes, other people's, people, then topic tags."""
    topics = [f for group in profile.topics for f in group.fine]
    facts = [*profile.likes, *profile.dislikes, *profile.others, *profile.people, *topics]
    return [FactRow(f.id, KIND_NAMES.get(f.kind, f.kind), f.label, _details(f) + _why(f), _origin(f))
            for f in facts]


def history_html(profile) -> str:
    """Facts a newer statement replaced, oldest knowledge last."""
    if not profile.superseded:
        return ""
    lines = []
    for f in profile.superseded:
        newer = f.superseded_by or {}
        replaced = f" → now {esc(newer.get('polarity', ''))}s {esc(newer.get('label', ''))}" if newer else ""
        lines.append(f"<li>{esc(f.polarity or '')}d {esc(f.label)}{replaced}</li>")
    return f'<div class="mebot-muted">Changed over time:</div><ul class="mebot-history">{"".join(lines)}</ul>'


def origin_label(origin: str) -> str:
    """Who wrote the bio or status."""
    return "written by you" if origin == "user" else "built from your notes"


def editor_values(fact) -> dict:
    """What the editor shows for a fact: its words, its polarity and its detail (reason or relation)."""
    if fact.kind == "preference":
        return {"label": fact.label, "polarity": fact.polarity, "detail": fact.reason or "", "detail_name": "Reason"}
    if fact.kind == "person":
        name = fact.label if fact.label != fact.relation else ""
        return {"label": name, "polarity": None, "detail": fact.relation or "", "detail_name": "Relation"}
    return {"label": fact.label, "polarity": None, "detail": "", "detail_name": "—"}


def corrections(fact, label: str, polarity: Optional[str], detail: str) -> dict:
    """The update_profile_item changes the editor's fields ask for."""
    label, detail = (label or "").strip(), (detail or "").strip()
    if fact.kind == "preference":
        if polarity not in ("like", "dislike"):
            raise InvalidInput("Choose like or dislike.")
        return {"item": label, "polarity": polarity, "reason": detail or None}
    if fact.kind == "person":
        return {"name": label or None, "relation": detail or None}
    return {"fine": label}
