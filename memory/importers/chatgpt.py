"""ChatGPT's data export (conversations.json) as Mebot chats: the branch the user last saw, user
and assistant turns with text; system, tool and empty messages are left out."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from memory.errors import InvalidInput
from memory.importers.dates import DateReader
from memory.importers.limits import MAX_CHATS_PER_FILE, MAX_NOTES_PER_FILE
from memory.importers.parsed import ParsedChat, chat_label


def looks_like_chatgpt(document: Any) -> bool:
    """Whether a parsed JSON document is ChatGPT's conversations.json."""
    return (isinstance(document, list) and bool(document) and isinstance(document[0], dict)
            and "mapping" in document[0])


def parse_conversations(document: list, *, name: str) -> tuple[list[ParsedChat], list[str]]:
    """(chats, errors): each conversation read on its own; a broken one is named, the rest kept."""
    if len(document) > MAX_CHATS_PER_FILE:
        raise InvalidInput(f"{name}: {len(document):,} conversations; at most {MAX_CHATS_PER_FILE:,} per file.")
    chats, errors, total, dates = [], [], 0, DateReader()
    for number, conversation in enumerate(document, start=1):
        where = chat_label(name, number, conversation)
        try:
            chat = _conversation(conversation, where, dates)
        except InvalidInput as exc:
            errors.append(str(exc))
            continue
        total += len(chat.messages)
        if total > MAX_NOTES_PER_FILE:
            raise InvalidInput(f"{name}: more than {MAX_NOTES_PER_FILE:,} messages in one file.")
        if chat.messages:
            chats.append(chat)
    return chats, errors


def _conversation(conversation: Any, where: str, dates: DateReader) -> ParsedChat:
    if not isinstance(conversation, dict) or not isinstance(conversation.get("mapping"), dict):
        raise InvalidInput(f"{where}: has no \"mapping\" of messages")
    mapping = conversation["mapping"]
    chat = ParsedChat(title=str(conversation.get("title") or "")[:200], where=where)
    for node in reversed(_branch(mapping, conversation.get("current_node"), where)):
        message = node.get("message") if isinstance(node, dict) else None
        if not isinstance(message, dict):
            continue
        role = (message.get("author") or {}).get("role")
        text = _text(message.get("content"))
        if role not in ("user", "assistant") or not text.strip():
            continue
        created: Optional[datetime] = None
        if message.get("create_time") is not None:
            try:
                created = dates(message["create_time"])
            except InvalidInput as exc:
                raise InvalidInput(f"{where}: message {message.get('id')!r}: {exc}") from exc
        chat.messages.append({"role": role, "content": text, "created_at": created})
    return chat


def _branch(mapping: dict, current: Any, where: str) -> list[dict]:
    """The nodes from `current` up to the root (newest first); the last node when none is marked."""
    if current not in mapping:
        leaves = [k for k, n in mapping.items() if isinstance(n, dict) and not n.get("children")]
        current = leaves[-1] if leaves else None
    nodes, seen = [], set()
    while current is not None and current in mapping:
        if current in seen or len(nodes) > MAX_NOTES_PER_FILE:
            raise InvalidInput(f"{where}: its messages' parents form a loop")
        seen.add(current)
        node = mapping[current]
        nodes.append(node)
        current = node.get("parent") if isinstance(node, dict) else None
    return nodes


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, dict):
        return ""
    parts = content.get("parts") or []
    return "\n".join(p for p in parts if isinstance(p, str)) if isinstance(parts, list) else ""
