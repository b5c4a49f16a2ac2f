"""The user's corrections to their profile: they are authoritative.

An item the user added, edited or deleted becomes origin "user"; extraction matches facts on kind
and normalised key and never overwrites such an item or brings a deleted one back (a deletion
stays as a hidden tombstone). Every function takes the session and the user id.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from sqlalchemy.orm import Session

from memory.profile import store
from memory.profile import taxonomy
from memory.errors import InvalidInput
from memory.models import ProfileItem
from memory.profile.extract.items import item_key
from memory.profile.merge import PERSON, PREFERENCE, TOPIC, person_key, preference_key
from memory.profile.refresh import recount_user_item
from memory.profile.schema import COARSE_CATEGORIES
from memory.validation import clean_text
from memory.vocab import ItemOrigin, ItemStatus, Polarity

MAX_BIO_CHARS = 4000
_EDITABLE = {
    PREFERENCE: {"item", "polarity", "reason", "confidence", "status"},
    PERSON: {"name", "relation", "entity", "status"},
    TOPIC: {"fine", "coarse", "status"},
}


def _words(value: Any, field: str, max_chars: int, required: bool = True) -> Optional[str]:
    if value is None and not required:
        return None
    text = " ".join(clean_text(value, field=field, max_chars=max_chars, required=required).split())
    return text or None


def _polarity(value: Any) -> str:
    if value not in (Polarity.LIKE, Polarity.DISLIKE):
        raise InvalidInput(f"polarity must be 'like' or 'dislike', not {value!r}")
    return value


def _confidence(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise InvalidInput(f"confidence must be a number from 0 to 1, not {value!r}")
    return float(value)


def _entity(value: Any) -> str:
    if value not in ("person", "organisation"):
        raise InvalidInput(f"entity must be 'person' or 'organisation', not {value!r}")
    return value


def _status(value: Any) -> str:
    if value not in (ItemStatus.ACTIVE, ItemStatus.SUPERSEDED):
        raise InvalidInput(f"status must be 'active' or 'superseded' (delete the item to remove it), not {value!r}")
    return value


def _coarse(value: Any) -> str:
    if value not in COARSE_CATEGORIES:
        raise InvalidInput(f"coarse must be one of {', '.join(COARSE_CATEGORIES)}; not {value!r}")
    return value


def set_text(session: Session, *, user_id: int, field: str, text: Optional[str]) -> None:
    """Set the user's own bio or status; None goes back to the text built from the facts."""
    if field not in ("bio", "status"):
        raise ValueError(f"only bio and status can be set, not {field!r}")
    value = None if text is None else clean_text(text, field=field, max_chars=MAX_BIO_CHARS).strip()
    store.lock_state(session, user_id)
    store.touch(session, user_id, **{field: value})


def add_preference(session: Session, *, user_id: int, item: str, polarity: str,
                   reason: Optional[str] = None) -> ProfileItem:
    """Add (or restate) one of the user's preferences."""
    label = _words(item, "item", 200)
    fields = {"label": label, "polarity": _polarity(polarity), "reason": _words(reason, "reason", 300, False),
              "confidence": 1.0, "holder": None}
    return _put(session, user_id, PREFERENCE, preference_key(label), fields)


def add_person(session: Session, *, user_id: int, name: Optional[str], relation: Optional[str] = None,
               entity: str = "person") -> ProfileItem:
    """Add (or restate) a person or organisation in the user's life."""
    name = _words(name, "name", 200, False)
    relation = _words(relation, "relation", 100, False)
    if not name and not relation:
        raise InvalidInput("a person needs a name or a relation")
    fields = {"label": name or relation, "relation": relation, "entity": _entity(entity)}
    return _put(session, user_id, PERSON, person_key(name, relation), fields)


def _put(session: Session, user_id: int, kind: str, key: str, fields: dict) -> ProfileItem:
    """The user's version of the item at (kind, key), made from an existing row when there is one."""
    store.lock_state(session, user_id)
    item = store.items_by_key(session, user_id, kind, [key]).get(key)
    if item is None:
        item = ProfileItem(user_id=user_id, kind=kind, key=key, label=fields["label"], source_note_ids=[])
        session.add(item)
    for name, value in fields.items():
        setattr(item, name, value)
    _claim(item)
    session.flush()
    _recount(session, user_id, item)
    return item


def _claim(item: ProfileItem, status: str = ItemStatus.ACTIVE) -> None:
    # The user's word is current: what once replaced the extracted version no longer applies.
    item.origin, item.status, item.superseded_by = ItemOrigin.USER, status, None
    store.stamp(item)


def _recount(session: Session, user_id: int, item: ProfileItem) -> None:
    recount_user_item(item, store.load_evidence(session, user_id, item.kind, [item.key]).get(item.key, []))


def update_item(session: Session, *, user_id: int, item_id: int, changes: Mapping[str, Any]) -> ProfileItem:
    """Change a fact's words; the fact becomes the user's, and its old key stays claimed."""
    store.lock_state(session, user_id)
    item = store.get_item(session, user_id, item_id)
    if item.status == ItemStatus.DELETED:
        raise InvalidInput(f"Profile item {item_id} was deleted; add it again instead.")
    unknown = set(changes) - _EDITABLE[item.kind]
    if unknown:
        raise InvalidInput(f"A {item.kind} cannot change {', '.join(sorted(unknown))}; "
                           f"it can change {', '.join(sorted(_EDITABLE[item.kind]))}.")
    fields, new_key = _fields_and_key(item, changes)
    if new_key != item.key:
        _move(session, user_id, item, new_key)
    for name, value in fields.items():
        setattr(item, name, value)
    _claim(item, _status(changes["status"]) if "status" in changes else ItemStatus.ACTIVE)
    session.flush()
    _recount(session, user_id, item)
    return item


def _fields_and_key(item: ProfileItem, changes: Mapping[str, Any]) -> tuple[dict, str]:
    """The validated new column values of an item and the key they give it."""
    fields: dict[str, Any] = {}
    if "item" in changes:
        fields["label"] = _words(changes["item"], "item", 200)
    if "fine" in changes:
        fields["label"] = _words(changes["fine"], "topic", 200)
    if "polarity" in changes:
        fields["polarity"] = _polarity(changes["polarity"])
    if "reason" in changes:
        fields["reason"] = _words(changes["reason"], "reason", 300, False)
    if "confidence" in changes:
        fields["confidence"] = _confidence(changes["confidence"])
    if "entity" in changes:
        fields["entity"] = _entity(changes["entity"])
    if "relation" in changes:
        fields["relation"] = _words(changes["relation"], "relation", 100, False)
    if "coarse" in changes:
        fields["coarse"] = _coarse(changes["coarse"])
    label = fields.get("label", item.label)
    if item.kind == PREFERENCE:
        return fields, preference_key(label, item.holder)
    if item.kind == PERSON:
        # A person known only by relation has the key "(relation)" and no name.
        name = (_words(changes["name"], "name", 200, False) if "name" in changes
                else None if item.key.startswith("(") else item.label)
        relation = fields.get("relation", item.relation)
        if not name and not relation:
            raise InvalidInput("a person needs a name or a relation")
        fields["label"] = name or relation
        return fields, person_key(name, relation)
    if "fine" in changes or "coarse" in changes:
        coarse = fields.get("coarse", item.coarse)
        known = taxonomy.classify(label)
        fields["path"] = known[1] if known and known[0] == coarse else [item_key(label), coarse]
    return fields, item_key(label)


def _move(session: Session, user_id: int, item: ProfileItem, new_key: str) -> None:
    """Re-key an item, leaving a tombstone on the old key so extraction cannot bring the old words back."""
    other = store.items_by_key(session, user_id, item.kind, [new_key]).get(new_key)
    if other is not None:
        if other.origin == ItemOrigin.USER and other.status != ItemStatus.DELETED:
            raise InvalidInput(f"Your profile already has {other.label!r} (item {other.id}).")
        session.delete(other)  # the user's version takes the place of an extracted fact or a tombstone
        session.flush()
    old_key = item.key
    item.key = new_key
    session.flush()
    session.add(ProfileItem(user_id=user_id, kind=item.kind, key=old_key, label=item.label, holder=item.holder,
                            polarity=item.polarity, relation=item.relation, entity=item.entity,
                            coarse=item.coarse, origin=ItemOrigin.USER, status=ItemStatus.DELETED, source_note_ids=[]))


def delete_item(session: Session, *, user_id: int, item_id: int) -> ProfileItem:
    """Remove a fact from the profile for good: extraction will not bring it back."""
    store.lock_state(session, user_id)
    item = store.get_item(session, user_id, item_id)
    item.origin, item.status, item.superseded_by = ItemOrigin.USER, ItemStatus.DELETED, None
    item.source_note_ids, item.note_count = [], 0
    store.stamp(item)
    return item


# --- export and import ------------------------------------------------------------------------

_EXPORTED = ("kind", "key", "label", "status", "holder", "polarity", "reason", "confidence", "relation",
             "entity", "coarse", "path", "history")


def corrections(session: Session, *, user_id: int) -> dict:
    """The user's own bio, status and every item they added, edited or deleted, JSON-ready."""
    state = store.read_state(session, user_id)
    return {"bio": state.bio if state else None, "status": state.status if state else None,
            "items": [{name: getattr(item, name) for name in _EXPORTED} for item in store.user_items(session, user_id)]}


def restore(session: Session, *, user_id: int, document: Mapping[str, Any]) -> int:
    """Apply exported corrections (see `corrections`); returns how many items were restored."""
    if not isinstance(document, Mapping) or not isinstance(document.get("items", []), list):
        raise InvalidInput("A profile export must be an object with an 'items' list.")
    for field in ("bio", "status"):
        if document.get(field) is not None:
            set_text(session, user_id=user_id, field=field, text=document[field])
    store.lock_state(session, user_id)
    for entry in document.get("items", []):
        _restore_item(session, user_id, entry)
    return len(document.get("items", []))


def _restore_item(session: Session, user_id: int, entry: Any) -> None:
    if not isinstance(entry, Mapping) or entry.get("kind") not in _EDITABLE:
        raise InvalidInput("Each exported profile item needs a kind: preference, person or topic.")
    if entry.get("status") not in (ItemStatus.ACTIVE, ItemStatus.SUPERSEDED, ItemStatus.DELETED):
        raise InvalidInput(f"Unknown profile item status {entry.get('status')!r}.")
    kind, key = entry["kind"], _words(entry.get("key"), "key", 500)
    item = store.items_by_key(session, user_id, kind, [key]).get(key)
    if item is None:
        item = ProfileItem(user_id=user_id, kind=kind, key=key, label="", source_note_ids=[])
        session.add(item)
    item.label = _words(entry.get("label"), "label", 200)
    for name in ("holder", "polarity", "reason", "relation", "entity", "coarse", "path", "history"):
        setattr(item, name, entry.get(name))
    if item.polarity is not None:
        _polarity(item.polarity)
    item.confidence = None if entry.get("confidence") is None else _confidence(entry["confidence"])
    item.origin, item.status, item.superseded_by = ItemOrigin.USER, entry["status"], None
    store.stamp(item)
    session.flush()
    _recount(session, user_id, item)
