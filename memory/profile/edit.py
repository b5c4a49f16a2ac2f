"""The user's corrections to their profile: they are authoritative.

An item the user added, edited or deleted becomes origin "user"; extraction matches facts on kind
and normalised key and never overwrites such an item or brings a deleted one back (a deletion
stays as a hidden tombstone). Every function takes the session and the user id.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from memory import clock
from memory.profile import store
from memory.profile import taxonomy
from memory.errors import InvalidInput
from memory.models import ProfileItem
from memory.profile.extract.items import item_key
from memory.profile.merge import PERSON, PREFERENCE, TOPIC, person_key, preference_key
from memory.profile.refresh import recount_user_item
from memory.profile.schema import (
    CorrectedItem, NewPerson, NewPreference, PersonEdit, PreferenceEdit, TopicEdit, _Edit,
)
from memory.validation import clean_text
from memory.vocab import ItemOrigin, ItemStatus

MAX_BIO_CHARS = 4000
EDITS: dict[str, type[_Edit]] = {PREFERENCE: PreferenceEdit, PERSON: PersonEdit, TOPIC: TopicEdit}


def _validated(model: type[BaseModel], data: Mapping[str, Any], what: str) -> BaseModel:
    """`data` checked by `model`, or InvalidInput saying, field by field, what is wrong."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or what}: {e['msg']}" for e in exc.errors()[:5])
        raise InvalidInput(f"Cannot {what}: {problems}.") from exc


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
    new = _validated(NewPreference, {"item": item, "polarity": polarity, "reason": reason}, "add the preference")
    fields = {"label": new.item, "polarity": new.polarity, "reason": new.reason, "confidence": 1.0, "holder": None}
    return _put(session, user_id, PREFERENCE, preference_key(new.item), fields)


def add_person(session: Session, *, user_id: int, name: Optional[str], relation: Optional[str] = None,
               entity: str = "person") -> ProfileItem:
    """Add (or restate) a person or organisation in the user's life."""
    new = _validated(NewPerson, {"name": name, "relation": relation, "entity": entity}, "add the person")
    fields = {"label": new.name or new.relation, "relation": new.relation, "entity": new.entity}
    return _put(session, user_id, PERSON, person_key(new.name, new.relation), fields)


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
    editable = EDITS[item.kind].model_fields
    unknown = set(changes) - set(editable)
    if unknown:
        raise InvalidInput(f"A {item.kind} cannot change {', '.join(sorted(unknown))}; "
                           f"it can change {', '.join(sorted(editable))}.")
    edit = _validated(EDITS[item.kind], changes, f"change the {item.kind}").changes()
    fields, new_key = _fields_and_key(item, edit)
    if new_key != item.key:
        _move(session, user_id, item, new_key)
    for name, value in fields.items():
        setattr(item, name, value)
    _claim(item, edit.get("status") or ItemStatus.ACTIVE)
    session.flush()
    _recount(session, user_id, item)
    return item


def _fields_and_key(item: ProfileItem, changes: Mapping[str, Any]) -> tuple[dict, str]:
    """The new column values of an item (from a validated edit) and the key they give it."""
    fields: dict[str, Any] = {k: v for k, v in changes.items() if k in ("polarity", "reason", "confidence", "entity",
                                                                        "relation", "coarse")}
    for said in ("item", "fine"):
        if said in changes:
            fields["label"] = changes[said]
    label = fields.get("label", item.label)
    if item.kind == PREFERENCE:
        return fields, preference_key(label, item.holder)
    if item.kind == PERSON:
        # A person known only by relation has the key "(relation)" and no name.
        name = (changes["name"] if "name" in changes
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

_EXPORTED = tuple(CorrectedItem.model_fields)
_DATES = ("created_at", "updated_at", "stated_at")


def _iso(moment) -> Optional[str]:
    return None if moment is None else moment.isoformat()


def corrections(session: Session, *, user_id: int) -> dict:
    """The user's own bio, status and every item they added, edited or deleted, JSON-ready."""
    state = store.read_state(session, user_id)
    return {"bio": state.bio if state else None, "status": state.status if state else None,
            "items": [{**{name: getattr(item, name) for name in _EXPORTED},
                       **{name: _iso(getattr(item, name)) for name in _DATES}}
                      for item in store.user_items(session, user_id)]}


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


def _restore_dates(item: ProfileItem, entry: Mapping[str, Any]) -> None:
    """An exported item keeps the dates it had; a date missing (older exports) or unreadable stays now, as
    dates only order the history and a bad one is no reason to drop the user's correction."""
    for name in _DATES:
        if entry.get(name) is None:
            continue
        try:
            setattr(item, name, clock.to_utc(entry[name], "UTC"))
        except (TypeError, InvalidInput):
            pass


def _restore_item(session: Session, user_id: int, entry: Any) -> None:
    if not isinstance(entry, Mapping):
        raise InvalidInput("Each exported profile item must be an object.")
    restored = _validated(CorrectedItem, entry, "restore a profile item")
    item = store.items_by_key(session, user_id, restored.kind, [restored.key]).get(restored.key)
    if item is None:
        item = ProfileItem(user_id=user_id, kind=restored.kind, key=restored.key, label="", source_note_ids=[])
        session.add(item)
    for name in _EXPORTED:
        if name not in ("kind", "key", "status"):
            setattr(item, name, getattr(restored, name))
    item.origin, item.status, item.superseded_by = ItemOrigin.USER, restored.status, None
    store.stamp(item)
    session.flush()
    _recount(session, user_id, item)
    _restore_dates(item, entry)
