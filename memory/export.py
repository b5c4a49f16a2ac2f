"""A user's data as one JSON document (a Mebot export), which memory.portability imports again.

It carries everything the user made: settings, notes, conversations with every regenerated reply and the
model's original of an edited one, votes with their reasons and comments (retracted ones too), edits,
the preference pairs they imply, the profile and the user's own profile corrections. Rows keep their
export ids so links (a reply's parent, a vote's reply, a citation's note) survive the trip. What the
server rebuilds from these (search vectors, facts read from notes) and what only makes sense on this
server (trained adapters and their runs) is left out.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from memory.importers.mebot_export import EXPORT_FORMAT, EXPORT_VERSION
from memory.models import Feedback, PreferencePair, User


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _feedback(row: Feedback) -> dict:
    return {"id": row.id, "kind": row.kind, "reason": row.reason, "comment": row.comment,
            "edited_text": row.edited_text, "created_at": _iso(row.created_at), "retracted_at": _iso(row.retracted_at)}


def _message(m, reactions: list[Feedback]) -> dict:
    return {"id": m.id, "parent_id": m.parent_id, "role": m.role, "content": m.content,
            "original_content": m.original_content, "reasoning": m.reasoning, "created_at": _iso(m.created_at),
            "model_name": m.model_name, "prompt": m.prompt, "memory_items": m.memory_items,
            "timeframe": m.timeframe, "feedback": [_feedback(f) for f in reactions]}


def _reactions(user) -> dict[int, list[Feedback]]:
    by_message: dict[int, list[Feedback]] = {}
    with user.memory.session() as session:
        for row in session.scalars(select(Feedback).where(Feedback.user_id == user.id)
                                   .order_by(Feedback.created_at, Feedback.id)):
            by_message.setdefault(row.message_id, []).append(row)
    return by_message


def _pairs(user) -> list[dict]:
    with user.memory.session() as session:
        rows = session.scalars(select(PreferencePair).where(PreferencePair.user_id == user.id)
                               .order_by(PreferencePair.id))
        return [{"source": p.source, "chosen_message_id": p.chosen_message_id,
                 "rejected_message_id": p.rejected_message_id, "feedback_id": p.feedback_id, "prompt": p.prompt,
                 "chosen": p.chosen, "rejected": p.rejected, "created_at": _iso(p.created_at)} for p in rows]


def _settings(user) -> dict:
    with user.memory.session() as session:
        row = session.get(User, user.id)
        return {"display_name": row.display_name, "timezone": row.timezone, "country": row.country,
                "date_order": row.date_order}


def _sessions(user) -> list[dict]:
    reactions = _reactions(user)
    return [{"id": chat.id, "title": chat.title, "created_at": _iso(chat.created_at),
             "updated_at": _iso(chat.updated_at),
             "messages": [_message(m, reactions.get(m.id, [])) for m in user.messages(chat.id)]}
            for chat in user.sessions()]


def _notes(user) -> list[dict]:
    return [{"id": n.id, "title": n.title, "summary": n.summary, "content": n.content,
             "created_at": _iso(n.created_at), "updated_at": _iso(n.updated_at), "source": n.source}
            for n in user.notes()]


def export_user(user) -> dict:
    """Everything the user owns as one JSON-ready document."""
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "user": user.name,
        "timezone": user.timezone,
        "settings": _settings(user),
        "exported_at": datetime.now(timezone.utc).isoformat(),
        "notes": _notes(user),
        "sessions": _sessions(user),
        "preference_pairs": _pairs(user),
        # The profile as shown, and the user's own corrections, which an import restores.
        "profile": user.profile().to_dict(),
        "profile_corrections": user.profile_corrections(),
    }
