"""The user's reactions to replies: votes (with a reason and comment, retractable) and edits.

Every function takes the user's memory (memory.api.UserMemory), so one user can only react to
their own replies. Preference data is derived from these rows by rlmf.data.preference_pairs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import func, select

from memory.errors import InvalidInput
from memory.models import Feedback, Message, PreferencePair, utcnow
from memory.validation import MAX_CONTENT_CHARS, clean_text
from memory.vocab import FeedbackKind
from rlmf.data.preference_pairs import VOTES, sync_pairs

REASONS = {
    FeedbackKind.LIKE: ("helpful", "accurate", "good style", "other"),
    FeedbackKind.DISLIKE: ("wrong facts", "ignored my notes", "wrong date", "style", "other"),
}


def _reply(session, user, message_id: int) -> Message:
    from memory.chats import get_message

    message = get_message(session, user_id=user.id, message_id=message_id)
    if message.role != "assistant":
        raise InvalidInput("Only the bot's replies can be rated or edited.")
    return message


def _active_votes(session, user_id: int, message_id: int) -> list[Feedback]:
    return list(session.scalars(select(Feedback).where(
        Feedback.user_id == user_id, Feedback.message_id == message_id,
        Feedback.kind.in_(VOTES), Feedback.retracted_at.is_(None))))


def vote(user, message_id: int, liked: bool, *, reason: Optional[str] = None,
         comment: Optional[str] = None) -> Feedback:
    """Like or dislike a reply; a new vote replaces the user's previous vote on it."""
    kind = FeedbackKind.LIKE if liked else FeedbackKind.DISLIKE
    if reason is not None and reason not in REASONS[kind]:
        raise InvalidInput(f"Unknown reason {reason!r} for a {kind}; use one of {', '.join(REASONS[kind])}.")
    comment = clean_text(comment, field="comment", max_chars=5000).strip() or None
    with user.memory.session() as session:
        _reply(session, user, message_id)
        for old in _active_votes(session, user.id, message_id):
            old.retracted_at = utcnow()
        row = Feedback(user_id=user.id, message_id=message_id, kind=kind, reason=reason, comment=comment)
        session.add(row)
    sync_pairs(user)
    return row


def retract_vote(user, message_id: int) -> int:
    """Withdraw the user's vote on a reply; returns how many votes stopped counting."""
    with user.memory.session() as session:
        _reply(session, user, message_id)
        votes = _active_votes(session, user.id, message_id)
        for old in votes:
            old.retracted_at = utcnow()
    sync_pairs(user)
    return len(votes)


def edit_reply(user, message_id: int, text: str) -> Feedback:
    """Replace a reply's text with the user's version; the model's text is kept for preference pairs."""
    text = clean_text(text, field="edited reply", max_chars=MAX_CONTENT_CHARS, required=True).strip()
    with user.memory.session() as session:
        message = _reply(session, user, message_id)
        if text == message.content:
            raise InvalidInput("The edited reply is the same as before.")
        if message.original_content is None:
            message.original_content = message.content
        message.content = text
        row = Feedback(user_id=user.id, message_id=message_id, kind=FeedbackKind.EDIT, edited_text=text)
        session.add(row)
    sync_pairs(user)
    return row


def current_vote(user, message_id: int) -> Optional[FeedbackKind]:
    """FeedbackKind.LIKE, FeedbackKind.DISLIKE or None: the user's standing vote on a reply."""
    with user.memory.session() as session:
        votes = _active_votes(session, user.id, message_id)
    return FeedbackKind(votes[-1].kind) if votes else None


def counts(user, since: Optional[datetime] = None) -> dict[str, int]:
    """Counts of standing likes and dislikes, edits, and stored preference pairs (since a time)."""
    with user.memory.session() as session:
        def count(kind_filter, model=Feedback, stamp=Feedback.created_at):
            query = select(func.count()).select_from(model).where(model.user_id == user.id, *kind_filter)
            if since is not None:
                query = query.where(stamp >= since)
            return session.scalar(query)

        return {
            "likes": count([Feedback.kind == FeedbackKind.LIKE, Feedback.retracted_at.is_(None)]),
            "dislikes": count([Feedback.kind == FeedbackKind.DISLIKE, Feedback.retracted_at.is_(None)]),
            "edits": count([Feedback.kind == FeedbackKind.EDIT]),
            "pairs": count([], PreferencePair, PreferencePair.created_at),
        }
