"""Notes from JSON: JSON Lines ({"content", "title", "summary", "created_at"} per line) or a list."""

from __future__ import annotations

import json
from typing import Any

from memory.errors import InvalidInput
from memory.importers import limits
from memory.importers.dates import DateReader
from memory.importers.parsed import ParsedFile
from memory.notes import NoteInput, check_note


def load_json(text: str, where: str) -> Any:
    limits.check_json_depth(text, where)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not valid JSON ({exc.msg} at line {exc.lineno}).") from exc
    except RecursionError as exc:  # belt and braces: the depth check should have caught it
        raise InvalidInput(f"{where}: JSON nested too deeply.") from exc


def note_from(item: Any, where: str, source: str, tz_name: str, dates: DateReader) -> NoteInput:
    """A checked note from one JSON object, or InvalidInput naming what is wrong."""
    if not isinstance(item, dict) or not isinstance(item.get("content"), str) or not item["content"].strip():
        raise InvalidInput(f"{where}: needs a non-empty \"content\" string")
    written = item.get("created_at") or item.get("date")
    try:
        created = dates(written) if written not in (None, "") else None
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from exc
    note = NoteInput(content=item["content"], title=str(item.get("title") or ""),
                     summary=item.get("summary") if isinstance(item.get("summary"), str) else None,
                     created_at=created, source=str(item.get("source") or source))
    check(note, where, tz_name)
    return note


def check(note: NoteInput, where: str, tz_name: str) -> None:
    try:
        check_note(note, tz_name)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from exc


def parse_jsonl(text: str, *, name: str, tz_name: str = "UTC", dates: DateReader | None = None) -> ParsedFile:
    """Notes from JSON Lines with content (required), title, summary and created_at."""
    parsed, dates = ParsedFile(name), dates or DateReader()
    lines = text.splitlines()
    if sum(1 for line in lines if line.strip()) > limits.MAX_NOTES_PER_FILE:
        raise InvalidInput(f"{name}: more than {limits.MAX_NOTES_PER_FILE:,} notes in one file; split it.")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            parsed.notes.append(note_from(load_json(line, where), where, f"import:{name}", tz_name, dates))
        except InvalidInput as exc:
            parsed.errors.append(str(exc))
    return parsed
