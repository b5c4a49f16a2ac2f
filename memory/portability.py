"""Moving memory in and out: Markdown/text/JSONL files become notes; a user's data becomes one JSON
document that can be imported again."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Optional

from memory.errors import InvalidInput, MebotError
from memory.notes import NoteInput

EXPORT_FORMAT = "mebot-export"
EXPORT_VERSION = 1
MAX_FILE_BYTES = 20_000_000


@dataclass
class ParsedFile:
    notes: list[NoteInput] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "file:line: what is wrong"
    export: dict | None = None  # set when the file is a Mebot export


def _date_value(value: Any) -> datetime | str | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return str(value) if value not in (None, "") else None


def _read_text(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise InvalidInput(f"{name}: looks like a binary file, not text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name}: is not UTF-8 text.") from exc


def parse_markdown(text: str, *, name: str, modified: datetime | None) -> NoteInput:
    """A note from Markdown or plain text; title and date from front matter, a heading, or the file."""
    import frontmatter

    try:
        post = frontmatter.loads(text)
        meta, body = dict(post.metadata), post.content
    except Exception:  # malformed front matter: keep the whole file as the note's text
        meta, body = {}, text
    title = str(meta.get("title") or "").strip()
    lines = body.strip().splitlines()
    if not title and lines and lines[0].startswith("# "):
        # A leading heading is the title, not part of the note's text.
        title, body = lines[0][2:].strip(), "\n".join(lines[1:])
    created = _date_value(meta.get("date") or meta.get("created") or meta.get("created_at")) or modified
    summary = meta.get("summary")
    return NoteInput(
        content=body.strip(),
        title=title or Path(name).stem,
        summary=str(summary) if summary else None,
        created_at=created,
        source=f"import:{Path(name).name}",
    )


def parse_jsonl(text: str, *, name: str) -> ParsedFile:
    """Notes from JSON Lines with content (required), title, summary and created_at."""
    parsed = ParsedFile()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            parsed.errors.append(f"{name}:{number}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(item, dict) or not isinstance(item.get("content"), str) or not item["content"].strip():
            parsed.errors.append(f"{name}:{number}: needs a non-empty \"content\" string")
            continue
        parsed.notes.append(
            NoteInput(
                content=item["content"],
                title=str(item.get("title") or ""),
                summary=item.get("summary") if isinstance(item.get("summary"), str) else None,
                created_at=_date_value(item.get("created_at") or item.get("date")),
                source=f"import:{Path(name).name}",
            )
        )
    return parsed


def parse_file(data: bytes, *, name: str, modified: datetime | None = None) -> ParsedFile:
    """Notes (or a whole export) from one file's bytes, with per-line errors instead of exceptions."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{name}: too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}).")
    text = _read_text(data, name)
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno}).") from exc
        if isinstance(document, dict) and document.get("format") == EXPORT_FORMAT:
            return ParsedFile(export=document)
        if isinstance(document, list):
            return parse_jsonl("\n".join(json.dumps(item) for item in document), name=name)
        raise InvalidInput(f"{name}: a JSON file must be a Mebot export or a list of notes.")
    if suffix in (".jsonl", ".ndjson"):
        return parse_jsonl(text, name=name)
    if suffix in (".md", ".markdown", ".txt", ".text", ""):
        if not text.strip():
            return ParsedFile(errors=[f"{name}: empty file"])
        return ParsedFile(notes=[parse_markdown(text, name=name, modified=modified)])
    raise InvalidInput(f"{name}: unsupported file type {suffix!r} (use .md, .txt, .jsonl or a Mebot .json export).")


@dataclass
class ImportReport:
    """What an import did, file by file."""

    notes: int = 0
    conversations: int = 0
    already_there: int = 0  # notes of a re-imported export the user already has
    skipped: list[str] = field(default_factory=list)  # "file:line: what is wrong"


def import_files(user, files: Iterable[tuple[str, bytes, Optional[datetime]]]) -> ImportReport:
    """Import (name, bytes, modified time) files into the user's notes; bad files and lines are
    reported, not fatal: every good one is stored."""
    report = ImportReport()
    for name, data, modified in files:
        try:
            parsed = parse_file(data, name=name, modified=modified)
            report.skipped.extend(parsed.errors)
            if parsed.export is not None:
                counts = import_export(user, parsed.export)
                report.notes += counts["notes"]
                report.conversations += counts["sessions"]
                report.already_there += counts["skipped_notes"]
            elif parsed.notes:
                user.add_notes(parsed.notes)
                report.notes += len(parsed.notes)
        except MebotError as exc:  # this file could not be read or stored; the others still count
            report.skipped.append(str(exc) if str(exc).startswith(name) else f"{name}: {exc}")
    return report


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def export_user(user) -> dict:
    """Everything the user owns as one JSON-ready document."""
    sessions = []
    for chat in user.sessions():
        sessions.append(
            {
                "id": chat.id,
                "title": chat.title,
                "created_at": _iso(chat.created_at),
                "messages": [
                    {
                        "id": m.id,
                        "parent_id": m.parent_id,
                        "role": m.role,
                        "content": m.content,
                        "reasoning": m.reasoning,
                        "created_at": _iso(m.created_at),
                        "model_name": m.model_name,
                        "prompt": m.prompt,
                        "memory_items": m.memory_items,
                        "timeframe": m.timeframe,
                    }
                    for m in user.messages(chat.id)
                ],
            }
        )
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "user": user.name,
        "timezone": user.timezone,
        "exported_at": datetime.now(timezone.utc).isoformat(),
        "notes": [
            {
                "title": n.title,
                "summary": n.summary,
                "content": n.content,
                "created_at": _iso(n.created_at),
                "updated_at": _iso(n.updated_at),
                "source": n.source,
            }
            for n in user.notes()
        ],
        "sessions": sessions,
        # The profile as shown, and the user's own corrections, which an import restores.
        "profile": user.profile().to_dict(),
        "profile_corrections": user.profile_corrections(),
    }
    return document


def import_export(user, document: dict) -> dict:
    """Import a Mebot export into `user`: notes not already present, and conversations. Returns counts."""
    if document.get("format") != EXPORT_FORMAT or document.get("version") != EXPORT_VERSION:
        raise InvalidInput("Not a Mebot export of a version this build reads.")
    existing = {(n.title, n.content, n.created_at.isoformat()) for n in user.notes()}
    fresh = []
    for item in document.get("notes") or []:
        if not isinstance(item, dict):
            raise InvalidInput("An export's notes must be objects.")
        created = item.get("created_at")
        key = (item.get("title") or "", item.get("content"), created)
        if key in existing:
            continue
        fresh.append({k: item.get(k) for k in ("title", "summary", "content", "created_at", "source")})
    user.add_notes(fresh)
    corrections = document.get("profile_corrections")
    restored = user.restore_profile_corrections(corrections) if corrections else 0
    messages = 0
    known_chats = {_chat_key(c.title, user.messages(c.id)) for c in user.sessions()}
    chats_added = 0
    for chat in document.get("sessions") or []:
        if _chat_key(chat.get("title") or "", chat.get("messages") or []) in known_chats:
            continue
        chats_added += 1
        new_chat = user.new_session(title=chat.get("title") or "")
        id_map: dict[int, int] = {}
        for m in chat.get("messages") or []:
            stored = user.add_message(
                new_chat.id,
                m["role"],
                m["content"],
                parent_id=id_map.get(m.get("parent_id")),
                reasoning=m.get("reasoning"),
                created_at=datetime.fromisoformat(m["created_at"]) if m.get("created_at") else None,
                model_name=m.get("model_name"),
                prompt=m.get("prompt"),
                memory_items=m.get("memory_items"),
                timeframe=m.get("timeframe"),
            )
            id_map[m.get("id")] = stored.id
            messages += 1
    return {"notes": len(fresh), "skipped_notes": len(document.get("notes") or []) - len(fresh),
            "sessions": chats_added, "messages": messages, "profile_items": restored}


def _chat_key(title: str, messages: list) -> tuple:
    def field(m, name):
        return m.get(name) if isinstance(m, dict) else getattr(m, name)

    return (title, tuple((field(m, "role"), field(m, "content")) for m in messages))
