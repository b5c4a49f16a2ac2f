"""The L1 tables of one user: the state row (lock and watermark), evidence rows and profile items.

Every function takes the session explicitly; nothing here decides what a fact means
(memory.profile.merge does) or when to read notes (memory.profile.refresh does).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Optional

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memory.errors import NotFound
from memory.models import Note, ProfileEvidence, ProfileItem, ProfileState, utcnow
from memory.profile.merge import Evidence
from memory.vocab import ItemOrigin, ItemStatus, Polarity

# SQLite and PostgreSQL both cap the number of bound parameters of one statement.
_CHUNK = 500


def _chunks(values: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def lock_state(session: Session, user_id: int) -> ProfileState:
    """The user's state row, created if missing and locked until the transaction ends.

    Refreshes, note deletions and user edits all take this lock first, so a refresh never
    overwrites an edit made while it was merging."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # A write, even one that changes nothing, takes SQLite's write lock; FOR UPDATE takes PostgreSQL's row lock.
    session.execute(insert(ProfileState).values(user_id=user_id, read_until_id=0)
                    .on_conflict_do_nothing(index_elements=["user_id"]))
    state = session.scalars(select(ProfileState).where(ProfileState.user_id == user_id)
                            .with_for_update().execution_options(populate_existing=True)).one()
    return state


def read_state(session: Session, user_id: int) -> Optional[ProfileState]:
    """The user's state row without locking it, or None before the first refresh or edit."""
    return session.get(ProfileState, user_id)


def _after_watermark(state: Optional[ProfileState]):
    if state is None or state.read_until is None:
        return True
    return or_(Note.updated_at > state.read_until,
               and_(Note.updated_at == state.read_until, Note.id > state.read_until_id))


def pending_notes(session: Session, user_id: int, state: Optional[ProfileState], limit: int) -> list:
    """The next `limit` notes after the watermark, in watermark order: (id, content, created_at, updated_at)."""
    query = (select(Note.id, Note.content, Note.created_at, Note.updated_at)
             .where(Note.user_id == user_id, _after_watermark(state))
             .order_by(Note.updated_at, Note.id).limit(limit))
    return list(session.execute(query).all())


def delete_evidence(session: Session, note_ids: list[int]) -> set[tuple[str, str]]:
    """Remove what these notes (the caller checked they are the user's) said; returns the (kind, key)
    pairs that lost evidence."""
    lost: set[tuple[str, str]] = set()
    for chunk in _chunks(note_ids):
        # By note id alone: with a user filter too, SQLite would walk the user's whole (user, key) index.
        where = (ProfileEvidence.note_id.in_(chunk),)
        lost |= set(session.execute(select(ProfileEvidence.kind, ProfileEvidence.key).where(*where)).all())
        session.execute(delete(ProfileEvidence).where(*where))
    return lost


def insert_evidence(session: Session, user_id: int, rows: list[Evidence]) -> None:
    """Store evidence rows in bulk."""
    if rows:
        session.execute(ProfileEvidence.__table__.insert(), [
            {"user_id": user_id, "note_id": e.note_id, "kind": e.kind, "key": e.key, "data": e.data,
             "stated_at": e.stated_at} for e in rows])


def load_evidence(session: Session, user_id: int, kind: str, keys: Iterable[str]) -> dict[str, list[Evidence]]:
    """Every evidence row of this kind for these keys, grouped by key."""
    found: dict[str, list[Evidence]] = defaultdict(list)
    table = ProfileEvidence.__table__
    for chunk in _chunks(sorted(set(keys))):
        # Plain rows, not ORM objects: a popular topic can have tens of thousands.
        query = select(table.c.note_id, table.c.key, table.c.data, table.c.stated_at).where(
            table.c.user_id == user_id, table.c.kind == kind, table.c.key.in_(chunk))
        for note_id, key, data, stated_at in session.execute(query):
            found[key].append(Evidence(note_id, kind, key, data, stated_at))
    return found


def quotes(session: Session, user_id: int, items: list[ProfileItem], per_item: int = 3) -> dict[int, list[dict]]:
    """Why each item is believed: for its newest `per_item` source notes, the sentence that said it.

    Returns {item id: [{"note_id", "sentence"}, ...]}, newest note first; notes read before
    sentences were kept give no quote."""
    wanted = {(item.kind, item.key): list(item.source_note_ids or [])[:per_item] for item in items}
    note_ids = sorted({i for ids in wanted.values() for i in ids})
    said: dict[tuple[str, str, int], str] = {}
    table = ProfileEvidence.__table__
    for chunk in _chunks(note_ids):
        query = select(table.c.note_id, table.c.kind, table.c.key, table.c.data).where(
            table.c.user_id == user_id, table.c.note_id.in_(chunk))
        for note_id, kind, key, data in session.execute(query):
            if (kind, key) in wanted and (data or {}).get("sentence"):
                said[(kind, key, note_id)] = data["sentence"]
    return {item.id: [{"note_id": i, "sentence": said[(item.kind, item.key, i)]}
                      for i in wanted[(item.kind, item.key)] if (item.kind, item.key, i) in said]
            for item in items}


def items_by_key(session: Session, user_id: int, kind: str, keys: Iterable[str]) -> dict[str, ProfileItem]:
    """The user's items of this kind with these keys (any origin or status)."""
    found: dict[str, ProfileItem] = {}
    for chunk in _chunks(sorted(set(keys))):
        query = select(ProfileItem).where(ProfileItem.user_id == user_id, ProfileItem.kind == kind,
                                          ProfileItem.key.in_(chunk))
        found.update((item.key, item) for item in session.scalars(query))
    return found


def own_likes(session: Session, user_id: int) -> list:
    """The user's own extracted likes, current or superseded: (key, status, stated_at, superseded_by)."""
    query = select(ProfileItem.key, ProfileItem.status, ProfileItem.stated_at, ProfileItem.superseded_by).where(
        ProfileItem.user_id == user_id, ProfileItem.kind == "preference", ProfileItem.holder.is_(None),
        ProfileItem.polarity == Polarity.LIKE, ProfileItem.origin == ItemOrigin.EXTRACTED)
    return list(session.execute(query).all())


def get_item(session: Session, user_id: int, item_id: int) -> ProfileItem:
    """The user's item `item_id`, or NotFound (also when it belongs to someone else)."""
    item = session.get(ProfileItem, item_id) if isinstance(item_id, int) and not isinstance(item_id, bool) else None
    if item is None or item.user_id != user_id:
        raise NotFound(f"No profile item with id {item_id!r}.")
    return item


def visible_items(session: Session, user_id: int) -> list[ProfileItem]:
    """Every item the profile shows (active or superseded; not the user's deletions)."""
    query = (select(ProfileItem).where(ProfileItem.user_id == user_id, ProfileItem.status != ItemStatus.DELETED)
             .order_by(ProfileItem.id))
    return list(session.scalars(query))


def user_items(session: Session, user_id: int) -> list[ProfileItem]:
    """Every item the user made, edited or deleted (their corrections)."""
    query = select(ProfileItem).where(ProfileItem.user_id == user_id, ProfileItem.origin == ItemOrigin.USER)
    return list(session.scalars(query.order_by(ProfileItem.id)))


def touch(session: Session, user_id: int, **values) -> None:
    """Set columns of the user's state row (it must be locked by this transaction)."""
    session.execute(update(ProfileState).where(ProfileState.user_id == user_id).values(**values))


def stamp(item: ProfileItem) -> None:
    """Mark an item as changed now."""
    item.updated_at = utcnow()
