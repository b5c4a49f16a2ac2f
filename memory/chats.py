"""Chat sessions and their messages for one user. Every function takes the user id."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from memory.errors import InvalidInput
from memory.models import ChatSession, Message, utcnow
from memory.owned import owned_row
from memory.validation import MAX_CONTENT_CHARS, MAX_TITLE_CHARS, clean_text

ROLES = ("user", "assistant")


def new_session(session: Session, *, user_id: int, title: str = "") -> ChatSession:
    """Start a chat session."""
    chat = ChatSession(
        user_id=user_id, title=clean_text(title, field="title", max_chars=MAX_TITLE_CHARS).strip()
    )
    session.add(chat)
    session.flush()
    return chat


def get_session(session: Session, *, user_id: int, session_id: int) -> ChatSession:
    """The user's chat session, or NotFound."""
    return owned_row(session, ChatSession, session_id, user_id=user_id, what="conversation")


def list_sessions(session: Session, *, user_id: int) -> list[ChatSession]:
    """The user's chat sessions, most recently active first."""
    return list(
        session.scalars(
            select(ChatSession)
            .where(ChatSession.user_id == user_id)
            .order_by(ChatSession.updated_at.desc(), ChatSession.id.desc())
        )
    )


def get_message(session: Session, *, user_id: int, message_id: int) -> Message:
    """The user's message, or NotFound."""
    return owned_row(session, Message, message_id, user_id=user_id, what="message")


def add_message(
    session: Session,
    *,
    user_id: int,
    session_id: int,
    role: str,
    content: str,
    parent_id: Optional[int] = None,
    reasoning: Optional[str] = None,
    original_content: Optional[str] = None,
    created_at: Optional[datetime] = None,
    model_name: Optional[str] = None,
    adapter_version_id: Optional[int] = None,
    prompt: Optional[list[dict[str, Any]]] = None,
    memory_items: Optional[list[dict[str, Any]]] = None,
    timeframe: Optional[dict[str, Any]] = None,
) -> Message:
    """Append a message to one of the user's sessions."""
    if role not in ROLES:
        raise InvalidInput(f"A message's role is one of {ROLES}, not {role!r}.")
    chat = get_session(session, user_id=user_id, session_id=session_id)
    if parent_id is not None:
        parent = get_message(session, user_id=user_id, message_id=parent_id)
        if parent.session_id != chat.id:
            raise InvalidInput("A message's parent must be in the same conversation.")
    message = Message(
        user_id=user_id,
        session_id=chat.id,
        parent_id=parent_id,
        role=role,
        content=clean_text(content, field="message", max_chars=MAX_CONTENT_CHARS, required=role == "user"),
        reasoning=reasoning,
        original_content=None if original_content is None else clean_text(
            original_content, field="original reply", max_chars=MAX_CONTENT_CHARS),
        created_at=created_at or utcnow(),
        model_name=model_name,
        adapter_version_id=adapter_version_id,
        prompt=prompt,
        memory_items=memory_items,
        timeframe=timeframe,
    )
    session.add(message)
    chat.updated_at = message.created_at
    if not chat.title and role == "user":
        chat.title = message.content.strip().splitlines()[0][:80]
    session.add(chat)
    session.flush()
    return message


def list_messages(session: Session, *, user_id: int, session_id: int) -> list[Message]:
    """Every message of the user's session in the order written (regenerated siblings included)."""
    get_session(session, user_id=user_id, session_id=session_id)
    return list(
        session.scalars(
            select(Message)
            .where(Message.session_id == session_id, Message.user_id == user_id)
            .order_by(Message.created_at, Message.id)
        )
    )


def delete_turn(session: Session, *, user_id: int, message_id: int) -> list[Message]:
    """Delete the last question of a conversation with its replies and the reactions to them."""
    question = get_message(session, user_id=user_id, message_id=message_id)
    if question.role != "user":
        raise InvalidInput("Only a question (with its replies) can be undone.")
    later = session.scalars(select(Message).where(
        Message.session_id == question.session_id, Message.role == "user",
        Message.id != question.id, Message.created_at >= question.created_at)).first()
    if later is not None:
        raise InvalidInput("Only the last question of a conversation can be undone.")
    replies = list(session.scalars(select(Message).where(Message.parent_id == question.id,
                                                         Message.user_id == user_id)))
    _delete_messages(session, user_id=user_id, messages=[*replies, question])
    return [question, *replies]


def rename_session(session: Session, *, user_id: int, session_id: int, title: str) -> ChatSession:
    """Give one of the user's conversations a new title."""
    chat = get_session(session, user_id=user_id, session_id=session_id)
    chat.title = clean_text(title, field="title", max_chars=MAX_TITLE_CHARS, required=True).strip()
    session.add(chat)
    session.flush()
    return chat


def delete_session(session: Session, *, user_id: int, session_id: int) -> list[Message]:
    """Delete one of the user's conversations with its messages and the reactions to them; returns the
    messages it held."""
    chat = get_session(session, user_id=user_id, session_id=session_id)
    messages = list_messages(session, user_id=user_id, session_id=chat.id)
    # Newest first: a reply goes before the question it answers (parent_id points back).
    _delete_messages(session, user_id=user_id, messages=list(reversed(messages)))
    session.delete(chat)
    session.flush()
    return messages


def _delete_messages(session: Session, *, user_id: int, messages: list[Message]) -> None:
    """Delete messages (children before parents) with the votes, edits and preference pairs about them."""
    from memory.models import Feedback, PreferencePair

    ids = [m.id for m in messages]
    for pair in session.scalars(select(PreferencePair).where(
            PreferencePair.user_id == user_id,
            PreferencePair.chosen_message_id.in_(ids) | PreferencePair.rejected_message_id.in_(ids))):
        session.delete(pair)
    session.flush()
    for row in session.scalars(select(Feedback).where(Feedback.user_id == user_id, Feedback.message_id.in_(ids))):
        session.delete(row)
    session.flush()
    for message in messages:
        session.delete(message)
        session.flush()
