"""What reading one file gives: the notes and chats it would store, and what it refuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from memory.notes import NoteInput


@dataclass
class ParsedChat:
    """One conversation to import: title, and messages as {"role", "content", "created_at", …}."""

    title: str
    messages: list[dict] = field(default_factory=list)
    where: str = ""  # how the report names it: 'conversations.json: conversation 2 "Pasta"'
    created_at: Optional[datetime] = None  # None: when it is stored
    updated_at: Optional[datetime] = None


def chat_label(name: str, number: int, raw: object) -> str:
    """How a report names the `number`th conversation of file `name`."""
    title = str(raw.get("title") or "") if isinstance(raw, dict) else ""
    return f"{name}: conversation {number}" + (f" {title!r}" if title else "")


@dataclass
class ParsedFile:
    """One file, read and checked: what it would store, and what it refuses."""

    name: str
    notes: list[NoteInput] = field(default_factory=list)
    chats: list[ParsedChat] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "file:line: what is wrong"
    warnings: list[str] = field(default_factory=list)
    export: dict | None = None  # set when the file is a Mebot export (notes and chats already parsed)
