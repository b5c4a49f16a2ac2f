"""A Mebot export (memory.portability.export_user) checked in full before anything of it is stored."""

from __future__ import annotations

from typing import Any

from memory.errors import InvalidInput
from memory.importers import limits
from memory.importers.dates import DateReader
from memory.importers.notes_json import note_from
from memory.importers.parsed import ParsedChat, ParsedFile, chat_label
from memory.validation import MAX_CONTENT_CHARS, clean_text
from memory.vocab import FeedbackKind

EXPORT_FORMAT = "mebot-export"
EXPORT_VERSION = 2  # 2 added votes, edits, originals of edited replies, preference pairs and settings
READABLE_VERSIONS = (1, 2)
FEEDBACK_KINDS = tuple(kind.value for kind in FeedbackKind)
MAX_REASON_CHARS = 100  # the width of Feedback.reason


def chat_errors(chat: ParsedChat, tz_name: str) -> list[str]:
    """Why a chat could not be stored as a whole (empty when it can)."""
    for number, m in enumerate(chat.messages, start=1):
        where = f"{chat.where}: message {number}"
        if m.get("role") not in ("user", "assistant"):
            return [f"{where}: role must be \"user\" or \"assistant\", not {m.get('role')!r}"]
        if not isinstance(m.get("content"), str):
            return [f"{where}: needs a \"content\" string"]
        try:
            clean_text(m["content"], field="message", max_chars=MAX_CONTENT_CHARS, required=m["role"] == "user")
        except InvalidInput as exc:
            return [f"{where}: {exc}"]
    return []


def parse_export(document: dict, *, name: str = "export", tz_name: str = "UTC",
                 dates: DateReader | None = None) -> ParsedFile:
    """A Mebot export checked in full: its notes and conversations, each bad one named."""
    if document.get("version") not in READABLE_VERSIONS:
        raise InvalidInput(f"{name}: not a Mebot export of a version this build reads.")
    parsed, dates = ParsedFile(name, export=document), dates or DateReader()
    raw_notes = document.get("notes") or []
    raw_chats = document.get("sessions") or []
    if not isinstance(raw_notes, list) or not isinstance(raw_chats, list):
        raise InvalidInput(f"{name}: an export's notes and sessions must be lists.")
    if len(raw_notes) + sum(len(c.get("messages") or []) for c in raw_chats if isinstance(c, dict)) \
            > limits.MAX_NOTES_PER_FILE:
        raise InvalidInput(f"{name}: more than {limits.MAX_NOTES_PER_FILE:,} notes and messages in one file.")
    for number, item in enumerate(raw_notes, start=1):
        try:
            parsed.notes.append(note_from(item, f"{name}: note {number}", "import", tz_name, dates))
        except InvalidInput as exc:
            parsed.errors.append(str(exc))
    for number, raw in enumerate(raw_chats, start=1):
        where = chat_label(name, number, raw)
        try:
            chat = _export_chat(raw, where, dates)
        except InvalidInput as exc:
            parsed.errors.append(str(exc))
            continue
        errors = chat_errors(chat, tz_name)
        if errors:
            parsed.errors += errors
        elif chat.messages:
            parsed.chats.append(chat)
    return parsed


def _export_chat(raw: Any, where: str, dates: DateReader) -> ParsedChat:
    if not isinstance(raw, dict) or not isinstance(raw.get("messages") or [], list):
        raise InvalidInput(f"{where}: must be an object with a list of messages")
    chat = ParsedChat(title=str(raw.get("title") or ""), where=where,
                      created_at=_date(raw.get("created_at"), where, dates),
                      updated_at=_date(raw.get("updated_at"), where, dates))
    for number, m in enumerate(raw.get("messages") or [], start=1):
        if not isinstance(m, dict):
            raise InvalidInput(f"{where}: message {number} must be an object")
        message = {k: m.get(k) for k in ("id", "parent_id", "role", "content", "original_content", "reasoning",
                                         "model_name", "prompt", "memory_items", "timeframe")}
        if not isinstance(message["original_content"], (str, type(None))):
            raise InvalidInput(f"{where}: message {number}: \"original_content\" must be text")
        message["created_at"] = _date(m.get("created_at"), f"{where}: message {number}", dates)
        message["feedback"] = [_feedback(f, f"{where}: message {number}: reaction {i}", dates)
                               for i, f in enumerate(m.get("feedback") or [], start=1)]
        chat.messages.append(message)
    return chat


def _date(value: Any, where: str, dates: DateReader):
    if value in (None, ""):
        return None
    try:
        return dates(value)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from exc


def _text(raw: dict, name: str, where: str, max_chars: int = MAX_CONTENT_CHARS) -> str | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: \"{name}\" must be text")
    try:
        return clean_text(value, field=name, max_chars=max_chars)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from exc


def _feedback(raw: Any, where: str, dates: DateReader) -> dict:
    """One vote or edit of a reply, checked: {"id", "kind", "reason", "comment", "edited_text", dates}."""
    if not isinstance(raw, dict) or raw.get("kind") not in FEEDBACK_KINDS:
        raise InvalidInput(f"{where}: must be an object whose kind is one of {', '.join(FEEDBACK_KINDS)}")
    return {"id": raw.get("id"), "kind": raw["kind"], "reason": _text(raw, "reason", where, MAX_REASON_CHARS),
            "comment": _text(raw, "comment", where), "edited_text": _text(raw, "edited_text", where),
            "created_at": _date(raw.get("created_at"), where, dates),
            "retracted_at": _date(raw.get("retracted_at"), where, dates)}
