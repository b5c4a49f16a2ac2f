"""Whole users: removing one with everything they own, and the throwaway sandboxes of anonymous visitors.

A sandbox is a user whose name starts with SANDBOX_PREFIX. It lives `lifetime` from its creation, then it
and its rows are deleted; at most `limit` are alive at once. Sandboxes are never trained.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from sqlalchemy import delete, func, select
from sqlmodel import SQLModel

from memory.errors import MebotError
from memory.models import AdapterVersion, Message, Note, User, utcnow
from memory.search.fulltext import MESSAGE, NOTE, doc_key

SANDBOX_PREFIX = "sandbox:"
PURGE_BATCH = 50  # expired sandboxes removed per purge, so one request never does unbounded work


class SandboxesFull(MebotError):
    """Every sandbox place is taken: the visitor has to sign in (or come back later)."""


def is_sandbox(name: str) -> bool:
    """True for the throwaway user of an anonymous visitor."""
    return name.startswith(SANDBOX_PREFIX)


def remove_user(memory, user_id: int) -> None:
    """Delete a user and every row they own (notes, chats, feedback, profile, runs, adapters and their
    folders, index entries). Tables are emptied in dependency order, so a new table with a `user_id`
    column is covered without change here."""
    with memory.session() as session:
        note_ids = session.scalars(select(Note.id).where(Note.user_id == user_id)).all()
        message_ids = session.scalars(select(Message.id).where(Message.user_id == user_id)).all()
        memory.index.remove(session, user_id, [doc_key(NOTE, i) for i in note_ids]
                            + [doc_key(MESSAGE, i) for i in message_ids])
        folders = session.scalars(select(AdapterVersion.path).where(AdapterVersion.user_id == user_id)).all()
        for table in reversed(SQLModel.metadata.sorted_tables):
            if table.name != User.__tablename__ and "user_id" in table.c:
                session.execute(delete(table).where(table.c.user_id == user_id))
        session.execute(delete(User).where(User.id == user_id))
    for folder in folders:
        shutil.rmtree(Path(folder), ignore_errors=True)


def _sandboxes():
    return select(User.id).where(User.name.startswith(SANDBOX_PREFIX, autoescape=True))


def purge_expired_sandboxes(memory, lifetime: timedelta, now: Optional[datetime] = None) -> int:
    """Delete up to PURGE_BATCH sandboxes older than `lifetime`; returns how many went."""
    cutoff = (now or utcnow()) - lifetime
    with memory.session() as session:
        expired = session.scalars(_sandboxes().where(User.created_at < cutoff).order_by(User.id)
                                  .limit(PURGE_BATCH)).all()
    for user_id in expired:
        remove_user(memory, user_id)
    return len(expired)


def sandbox_count(memory) -> int:
    """How many sandboxes exist now."""
    with memory.session() as session:
        return session.scalar(select(func.count()).select_from(_sandboxes().subquery()))


def open_sandbox(memory, name: str, *, lifetime: timedelta, limit: int):
    """The sandbox `name` (memory.api.UserMemory): the live one, or a new one when it is missing or expired.
    Raises SandboxesFull when `limit` sandboxes are alive and this one is not among them."""
    if not is_sandbox(name):
        raise ValueError(f"{name!r} is not a sandbox name")
    now = utcnow()
    with memory.session() as session:
        row = session.scalars(select(User).where(User.name == name)).first()
    if row is not None and _as_utc(row.created_at) >= now - lifetime:
        return memory.user(name)
    purge_expired_sandboxes(memory, lifetime, now)
    if sandbox_count(memory) >= limit:
        raise SandboxesFull("Too many visitors without an account right now: sign in to keep your own memory, "
                            "or try again later.")
    return memory.user(name)


def _as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored one is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
