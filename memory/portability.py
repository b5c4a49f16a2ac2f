"""Moving memory in and out: files people bring become notes and chats; a user's data becomes one
JSON document that can be imported again.

Every file is read and checked in full before any of it is stored (memory.importers parse, with
caps); then its good rows are stored in short batches, each its own transaction, so one big
import never holds the database for long. Every refused row is named "file:line: why".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from memory.errors import InvalidInput, MebotError
from memory.importers import chatgpt, limits
from memory.importers.dates import DateReader
from memory.importers.markdown import parse_markdown
from memory import restore
from memory.citations import unnumbered
from memory.export import export_user  # noqa: F401  (the other half of moving memory out and in)
from memory.importers.mebot_export import EXPORT_FORMAT, chat_errors, parse_export
from memory.importers.notes_json import check, load_json, note_from, parse_jsonl
from memory.importers.parsed import ParsedChat, ParsedFile
from memory.notes import NoteInput

MAX_FILE_BYTES = limits.MAX_FILE_BYTES
NOTE_SUFFIXES = (".md", ".markdown", ".txt", ".text")
FILE_SUFFIXES = (*NOTE_SUFFIXES, ".jsonl", ".ndjson", ".json")
ACCEPTED_FILES = ("Markdown or text (.md, .txt; an Obsidian folder; a diary with a date line per entry), "
                  "JSON Lines (.jsonl: one {\"content\", \"title\", \"created_at\"} per line), a Mebot export "
                  "or ChatGPT's conversations.json (.json)")
IMPORT_BATCH = 200  # notes per transaction: other users' writes wait at most one batch
# Vectors for at most this many imported notes are made during the import; the rest stay pending for
# `mebot embed` and the server's background pass (full-text search finds them meanwhile).
EMBED_DURING_IMPORT = 1000


def _read_text(data: bytes, name: str) -> str:
    if b"\x00" in data:
        raise InvalidInput(f"{name}: looks like a binary file, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name}: is not UTF-8 text.") from exc
    return text


def _parse_json(text: str, name: str, tz_name: str, dates: DateReader) -> ParsedFile:
    document = load_json(text, name)
    if isinstance(document, dict) and document.get("format") == EXPORT_FORMAT:
        return parse_export(document, name=name, tz_name=tz_name, dates=dates)
    if chatgpt.looks_like_chatgpt(document):
        chats, errors = chatgpt.parse_conversations(document, name=name)
        for chat in chats:
            errors += chat_errors(chat, tz_name)
        return ParsedFile(name, chats=[c for c in chats if not chat_errors(c, tz_name)], errors=errors)
    if isinstance(document, list):
        if len(document) > limits.MAX_NOTES_PER_FILE:
            raise InvalidInput(f"{name}: more than {limits.MAX_NOTES_PER_FILE:,} notes in one file; split it.")
        parsed = ParsedFile(name)
        for number, item in enumerate(document, start=1):
            try:
                parsed.notes.append(note_from(item, f"{name}: note {number}", f"import:{name}", tz_name, dates))
            except InvalidInput as exc:
                parsed.errors.append(str(exc))
        return parsed
    raise InvalidInput(f"{name}: a JSON file must be a Mebot export, ChatGPT's conversations.json or a list of notes.")


def parse_file(data: bytes, *, name: str, modified: datetime | None = None, tz_name: str = "UTC",
               day_first: Optional[bool] = None) -> ParsedFile:
    """Notes and chats from one file's bytes, each bad row named; InvalidInput when the whole file is refused.
    `day_first`: the user's own date order, for dates such as 11/07/2024 (None: they are refused)."""
    dates = DateReader(day_first=day_first)
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{name}: too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}).")
    text = _read_text(data, name)
    suffix = Path(name).suffix.lower()
    if suffix == ".json":
        return _parse_json(text, name, tz_name, dates)
    if suffix in (".jsonl", ".ndjson"):
        return parse_jsonl(text, name=name, tz_name=tz_name, dates=dates)
    if suffix in (*NOTE_SUFFIXES, ""):
        if not text.strip():
            return ParsedFile(name, errors=[f"{name}: empty file"])
        read = parse_markdown(text, name=name, modified=modified)
        parsed = ParsedFile(name, warnings=read.warnings)
        for number, note in enumerate(read.notes, start=1):
            try:
                check(note, name if len(read.notes) == 1 else f"{name}: entry {number}", tz_name)
                parsed.notes.append(note)
            except InvalidInput as exc:
                parsed.errors.append(str(exc))
        return parsed
    raise InvalidInput(f"{name}: unsupported file type {suffix!r} ({ACCEPTED_FILES}).")


@dataclass
class FileReport:
    """What an import did with one file."""

    name: str
    notes: int = 0
    conversations: int = 0
    already_there: int = 0  # notes and chats the user already had
    refused: list[str] = field(default_factory=list)  # "file:line: what is wrong"
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: "trip.md: 1 note, 0 already there, 0 refused"."""
        chats = f", {self.conversations} conversation(s)" if self.conversations else ""
        return (f"{self.name}: {self.notes} note(s){chats}, {self.already_there} already there, "
                f"{len(self.refused)} refused")


@dataclass
class ImportReport:
    """What an import did, file by file."""

    files: list[FileReport] = field(default_factory=list)

    @property
    def notes(self) -> int:
        return sum(f.notes for f in self.files)

    @property
    def conversations(self) -> int:
        return sum(f.conversations for f in self.files)

    @property
    def already_there(self) -> int:
        return sum(f.already_there for f in self.files)

    @property
    def refused(self) -> list[str]:
        """Every refused file or row, "file:line: why"."""
        return [line for f in self.files for line in f.refused]

    skipped = refused

    @property
    def warnings(self) -> list[str]:
        return [line for f in self.files for line in f.warnings]


def import_files(user, files: Iterable[tuple[str, bytes, Optional[datetime]]]) -> ImportReport:
    """Import (name, bytes, modified time) files into the user's notes and chats. Each file is read
    and checked in full first; its good rows are then stored, its bad ones named in the report."""
    report = ImportReport()
    # Only an order the user chose reads 11/07/2024; a country's habit is a guess about a file's origin.
    day_first = {"dmy": True, "mdy": False}.get(getattr(user, "date_order", None) or "")
    for name, data, modified in files:
        file_report = FileReport(name)
        report.files.append(file_report)
        try:
            parsed = parse_file(data, name=name, modified=modified, tz_name=user.timezone, day_first=day_first)
        except (MebotError, RecursionError, MemoryError) as exc:
            file_report.refused.append(_named(name, exc))
            continue
        file_report.refused += parsed.errors
        file_report.warnings += parsed.warnings
        try:
            _store(user, parsed, file_report)
        except MebotError as exc:
            file_report.refused.append(_named(name, exc))
    return report


def _named(name: str, exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    return text if text.startswith(name) else f"{name}: {text}"


def _store(user, parsed: ParsedFile, report: FileReport) -> int:
    """Store a checked file's good rows in short batches; returns how many profile corrections it restored.
    An export (parsed.export) also brings back settings, votes, edits, pairs and the links between rows."""
    export, links, dates = parsed.export or {}, restore.Links(), DateReader()
    if export:
        report.refused += _named_all(report.name, restore.restore_settings(user, export.get("settings")))
    fresh = _store_notes(user, parsed.notes, report)
    if export:
        restore.link_notes(user, export.get("notes") or [], {(n.title.strip(), n.content) for n in fresh}, links,
                           dates)
    _store_chats(user, parsed.chats, report, links if export else None)
    if export:
        report.refused += _named_all(report.name, restore.restore_pairs(user, export.get("preference_pairs"),
                                                                        links, dates))
        restore.relink(user, links)
    if export.get("profile_corrections"):
        return user.restore_profile_corrections(export["profile_corrections"])
    return 0


def _named_all(name: str, reasons: list[str]) -> list[str]:
    return [f"{name}: {why}" for why in reasons]


def _store_notes(user, notes: list[NoteInput], report: FileReport) -> list[NoteInput]:
    """Store the notes the user does not have yet, in batches; returns them."""
    fresh, report.already_there = _not_yet_there(user, notes)
    for start in range(0, len(fresh), IMPORT_BATCH):
        user.add_notes(fresh[start:start + IMPORT_BATCH], embed=False)
        report.notes += len(fresh[start:start + IMPORT_BATCH])
    if fresh:
        user.embed_pending(limit=EMBED_DURING_IMPORT)
    return fresh


def _store_chats(user, chats: list[ParsedChat], report: FileReport, links: Optional[restore.Links]) -> None:
    """Store the conversations the user does not have yet; with `links` (an export), their votes and edits."""
    known = {_chat_key(c.title, user.messages(c.id)) for c in user.sessions()} if chats else set()
    for chat in chats:
        if _chat_key(chat.title, chat.messages) in known:
            report.already_there += 1
            continue
        chat_id, stored = _store_chat(user, chat)
        if links is not None:
            restore.restore_chat(user, chat_id, chat, stored, links)
        known.add(_chat_key(chat.title, chat.messages))
        report.conversations += 1


def _not_yet_there(user, notes: list[NoteInput]) -> tuple[list[NoteInput], int]:
    """The notes the user does not have yet (by title and text; repeats within the file count once)."""
    keys = [(n.title or "", n.content) for n in notes]
    known = user.known_notes(keys) if keys else set()
    fresh = []
    for key, note in zip(keys, notes):
        if key not in known:
            known.add(key)
            fresh.append(note)
    return fresh, len(notes) - len(fresh)


def _store_chat(user, chat: ParsedChat) -> tuple[int, dict[Any, int]]:
    """Store a conversation; returns its id and {the file's message id: the stored one}."""
    new_chat = user.new_session(title=chat.title)
    ids: dict[Any, int] = {}
    previous = None
    for m in chat.messages:
        parent = ids.get(m.get("parent_id"), previous) if "parent_id" in m else previous
        stored = user.add_message(new_chat.id, m["role"], m["content"], parent_id=parent,
                                  **{k: m.get(k) for k in ("reasoning", "original_content", "created_at",
                                                          "model_name", "prompt", "memory_items", "timeframe")
                                     if m.get(k) is not None})
        ids[m.get("id")] = stored.id
        previous = stored.id
    return new_chat.id, ids


def note_files(folder: Path) -> list[tuple[str, Path]]:
    """(name relative to `folder`, path) of every importable file under it, nested folders included
    (an Obsidian vault); hidden folders (.obsidian, .git) and other files (images) are passed over."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file_name in sorted(names):
            path = Path(root) / file_name
            if not file_name.startswith(".") and path.suffix.lower() in FILE_SUFFIXES:
                found.append((path.relative_to(folder).as_posix(), path))
                if len(found) > limits.MAX_FOLDER_FILES:
                    raise InvalidInput(f"{folder}: more than {limits.MAX_FOLDER_FILES:,} files; import it in parts.")
    return found


def read_files(entries: Iterable[tuple[str, Path]], unreadable: list[FileReport]) -> Iterator[
        tuple[str, bytes, Optional[datetime]]]:
    """(name, bytes, modified time) of each regular file, read one at a time; a file that cannot be
    read (a device, a FIFO, too large, gone) becomes a refused FileReport in `unreadable`."""
    for name, path in entries:
        try:
            yield name, limits.read_regular_file(path, name), _modified(path)
        except InvalidInput as exc:
            unreadable.append(FileReport(name, refused=[str(exc)]))


def read_folder(folder: Path, unreadable: Optional[list[FileReport]] = None) -> Iterator[
        tuple[str, bytes, Optional[datetime]]]:
    """The importable files under `folder`, read one at a time (see note_files and read_files)."""
    return read_files(note_files(folder), unreadable if unreadable is not None else [])


def _modified(path: Path) -> Optional[datetime]:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
    except OSError:
        return None


def import_export(user, document: dict) -> dict:
    """Import a Mebot export into `user`: notes and conversations not already present, and the
    profile corrections. Returns counts; InvalidInput when the document is refused as a whole."""
    if document.get("format") != EXPORT_FORMAT:
        raise InvalidInput("Not a Mebot export.")
    parsed = parse_export(document, tz_name=user.timezone)
    report = FileReport("export")
    restored = _store(user, parsed, report)
    return {"notes": report.notes, "skipped_notes": len(parsed.notes) - report.notes,
            "sessions": report.conversations, "profile_items": restored, "refused": parsed.errors}


def _chat_key(title: str, messages: list) -> tuple:
    def field(m, name):
        return m.get(name) if isinstance(m, dict) else getattr(m, name)

    # Citations name ids, which differ in a copy imported before: "[N12]" and "[N3]" are the same here.
    return (title or "", tuple((field(m, "role"), unnumbered(field(m, "content"))) for m in messages))
