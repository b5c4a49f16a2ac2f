"""What importing a Mebot export puts back beyond notes and conversations: settings, the dates the
rows had, votes and edits, preference pairs, and the links between rows (a vote's reply, a citation's
note), which point at new ids in the importing database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from sqlalchemy import select

from memory import citations, clock
from memory.errors import InvalidInput
from memory.importers.dates import DateReader
from memory.importers.parsed import ParsedChat
from memory.models import ChatSession, Feedback, Message, Note, PreferencePair, User
from memory.profile import store as profile_store
from memory.validation import MAX_CONTENT_CHARS, clean_text


@dataclass
class Links:
    """Export id → stored id, for the rows this import stored."""

    notes: dict[int, int] = field(default_factory=dict)
    messages: dict[int, int] = field(default_factory=dict)
    feedback: dict[int, int] = field(default_factory=dict)


def restore_settings(user, settings: Any) -> list[str]:
    """Take over the exported name, zone and calendar where the importing user still has the defaults;
    returns what was refused."""
    if not isinstance(settings, dict):
        return []
    refused = []
    try:
        if user.timezone == "UTC" and settings.get("timezone") not in (None, "", "UTC"):
            user.set_timezone(str(settings["timezone"]))
        country = settings.get("country") if user.country is None else None
        order = settings.get("date_order") if user.date_order is None else None
        if country or order:
            user.set_calendar(country=country or None, date_order=order or None)
    except (InvalidInput, ValueError, KeyError) as exc:
        refused.append(f"settings: {exc}")
    name = settings.get("display_name")
    if isinstance(name, str) and name.strip():
        with user.memory.session() as session:
            row = session.get(User, user.id)
            if row.display_name in ("", row.name):  # still the default
                row.display_name = clean_text(name, field="display name", max_chars=200).strip()
    return refused


def link_notes(user, raw_notes: Iterable[Any], fresh: set[tuple[str, str]], links: Links,
               dates: DateReader) -> None:
    """Map exported note ids to the user's notes with the same title and text; the notes this import
    added get their exported `updated_at` back."""
    wanted = [n for n in raw_notes if isinstance(n, dict) and isinstance(n.get("content"), str)]
    with user.memory.session() as session:
        by_key = {(n.title, n.content): n for n in session.scalars(select(Note).where(Note.user_id == user.id))}
        oldest = None
        for raw in wanted:
            note = by_key.get((str(raw.get("title") or "").strip(), raw["content"]))
            if note is None:
                continue
            if isinstance(raw.get("id"), int):
                links.notes[raw["id"]] = note.id
            if (note.title, note.content) in fresh and raw.get("updated_at"):
                try:
                    note.updated_at = dates(raw["updated_at"])
                except InvalidInput:
                    continue
                oldest = note.updated_at if oldest is None else min(oldest, note.updated_at)
        if oldest is not None:
            _reread_profile_from(session, user.id, oldest)


def _reread_profile_from(session, user_id: int, oldest) -> None:
    """Restored notes dated before the profile's reading watermark would never be read: read all again."""
    state = profile_store.read_state(session, user_id)
    if state is not None and state.read_until is not None and clock.to_utc(state.read_until, "UTC") > oldest:
        profile_store.lock_state(session, user_id)
        profile_store.touch(session, user_id, read_until=None, read_until_id=0)


def restore_chat(user, chat_id: int, chat: ParsedChat, stored: dict[Any, int], links: Links) -> None:
    """Put back a stored conversation's dates and its replies' votes and edits."""
    with user.memory.session() as session:
        row = session.get(ChatSession, chat_id)
        row.created_at = chat.created_at or row.created_at
        row.updated_at = chat.updated_at or row.updated_at
        for m in chat.messages:
            if not isinstance(m.get("id"), int) or m["id"] not in stored:
                continue  # nothing can point at a message without an id
            links.messages[m["id"]] = stored[m["id"]]
            for reaction in m.get("feedback") or []:
                _add_feedback(session, user.id, stored[m["id"]], reaction, links)


def _add_feedback(session, user_id: int, message_id: int, reaction: dict, links: Links) -> None:
    row = Feedback(user_id=user_id, message_id=message_id, kind=reaction["kind"], reason=reaction["reason"],
                   comment=reaction["comment"], edited_text=reaction["edited_text"],
                   retracted_at=reaction["retracted_at"])
    if reaction["created_at"] is not None:
        row.created_at = reaction["created_at"]
    session.add(row)
    session.flush()
    if isinstance(reaction.get("id"), int):
        links.feedback[reaction["id"]] = row.id


def restore_pairs(user, raw_pairs: Any, links: Links, dates: DateReader) -> list[str]:
    """Put back the preference pairs whose replies this import stored; returns what was refused."""
    refused = []
    with user.memory.session() as session:
        for number, raw in enumerate(raw_pairs if isinstance(raw_pairs, list) else [], start=1):
            try:
                pair = _pair(user.id, raw, links, dates)
            except InvalidInput as exc:
                refused.append(f"preference pair {number}: {exc}")
                continue
            if pair is not None:
                session.add(pair)
    return refused


def _pair(user_id: int, raw: Any, links: Links, dates: DateReader) -> Optional[PreferencePair]:
    if not isinstance(raw, dict) or raw.get("source") not in ("edit", "sibling"):
        raise InvalidInput('must be an object whose source is "edit" or "sibling"')
    chosen, rejected = links.messages.get(raw.get("chosen_message_id")), links.messages.get(
        raw.get("rejected_message_id"))
    if chosen is None or rejected is None:
        return None  # its conversation was already there, or refused
    pair = PreferencePair(user_id=user_id, source=raw["source"], chosen_message_id=chosen,
                          rejected_message_id=rejected, feedback_id=links.feedback.get(raw.get("feedback_id")),
                          prompt=_renumbered(raw.get("prompt"), links),
                          chosen=clean_text(raw.get("chosen"), field="chosen reply", max_chars=MAX_CONTENT_CHARS),
                          rejected=clean_text(raw.get("rejected"), field="rejected reply",
                                              max_chars=MAX_CONTENT_CHARS))
    if raw.get("created_at"):
        pair.created_at = dates(raw["created_at"])
    return pair


def relink(user, links: Links) -> None:
    """Point the stored replies' citations, quoted memory items and prompts at the imported ids."""
    with user.memory.session() as session:
        for message in session.scalars(select(Message).where(Message.user_id == user.id,
                                                             Message.id.in_(list(links.messages.values())))):
            message.content = _renumbered(message.content, links)
            message.original_content = _renumbered(message.original_content, links)
            message.prompt = _renumbered(message.prompt, links)
            message.memory_items = _relinked_items(message.memory_items, links)
        for row in session.scalars(select(Feedback).where(Feedback.user_id == user.id,
                                                          Feedback.id.in_(list(links.feedback.values())))):
            row.edited_text = _renumbered(row.edited_text, links)
        for pair in session.scalars(select(PreferencePair).where(
                PreferencePair.user_id == user.id, PreferencePair.chosen_message_id.in_(list(links.messages.values())))):
            pair.chosen, pair.rejected = _renumbered(pair.chosen, links), _renumbered(pair.rejected, links)


def _renumbered(value: Any, links: Links) -> Any:
    """Strings, lists and dicts with every "[N12]" reference moved to the imported ids."""
    if isinstance(value, str):
        return citations.renumbered(value, links.notes, links.messages)
    if isinstance(value, list):
        return [_renumbered(v, links) for v in value]
    if isinstance(value, dict):
        return {k: _renumbered(v, links) for k, v in value.items()}
    return value


def _relinked_items(items: Any, links: Links) -> Any:
    if not isinstance(items, list):
        return items
    relinked = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            ids = links.notes if item.get("kind") == "note" else links.messages
            new_id = ids.get(item["id"], item["id"])
            item = {**item, "id": new_id}
            if "ref" in item:
                item["ref"] = citations.note_ref(new_id) if item.get("kind") == "note" else citations.message_ref(new_id)
        relinked.append(item)
    return relinked
