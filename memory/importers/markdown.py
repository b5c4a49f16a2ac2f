"""Markdown and plain text as notes: YAML front matter (read safely), Obsidian's [[wikilinks]] and
tags, and diary-style text with a date heading per entry (one note per entry)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Optional

import yaml

from memory.errors import InvalidInput
from memory.importers.dates import quick_date, read_date
from memory.importers.limits import MAX_FRONT_MATTER_CHARS, MAX_NOTES_PER_FILE
from memory.notes import NoteInput

_FRONT = re.compile(r"\A---[ \t]*\r?\n(?P<yaml>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# [[Page]], [[Page|shown words]], [[Page#Heading]], ![[embedded]]: the words a reader sees.
_WIKILINK = re.compile(r"!?\[\[(?P<target>[^\]|#]*)(?:#[^\]|]*)?(?:\|(?P<alias>[^\]]*))?\]\]")
# A line that is only a date: "2024-07-14", "# July 15, 2024", "## Monday, 15 July 2024".
_HEADING = re.compile(r"^\s{0,3}(?:#{1,6}\s*)?(?P<date>(?=[^\n]*\d{4})[\w ,./\-:年月日号]{6,40}?)\s*:?\s*$")


class _NoAliases(yaml.SafeLoader):
    """A safe YAML loader that refuses anchors' aliases: a few hundred bytes of them can expand to gigabytes."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("YAML aliases (*name) are not allowed in front matter")
        return super().compose_node(parent, index)


@dataclass
class Parsed:
    """Notes read from one text file, and warnings about what was read differently than written."""

    notes: list[NoteInput] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def front_matter(text: str, name: str) -> tuple[dict, str]:
    """(metadata, body) of a Markdown file; InvalidInput for front matter too big, aliased or malformed."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    raw = m.group("yaml")
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise InvalidInput(f"{name}: front matter too large ({len(raw):,} characters; the limit is "
                           f"{MAX_FRONT_MATTER_CHARS:,}).")
    try:
        meta = yaml.load(raw, Loader=_NoAliases)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{name}: front matter is not valid YAML ({str(exc).splitlines()[0]}).") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InvalidInput(f"{name}: front matter must be a mapping of keys to values.")
    return meta, text[m.end():]


def obsidian_text(body: str) -> str:
    """Wikilinks as the words they show: "[[People/Ana|Ana]]" → "Ana", "[[Time Out Market]]" → itself."""
    def shown(m: re.Match) -> str:
        return (m.group("alias") or PurePosixPath(m.group("target")).name or "").strip()

    return _WIKILINK.sub(shown, body)


def _tags(meta: dict) -> list[str]:
    tags = meta.get("tags") or meta.get("tag") or []
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags)
    return [str(t).strip().lstrip("#") for t in tags if isinstance(t, (str, int)) and str(t).strip()]


def parse_markdown(text: str, *, name: str, modified: Optional[datetime]) -> Parsed:
    """Notes from one Markdown or text file: one per diary entry, else one for the file."""
    meta, body = front_matter(text, name)
    parsed = Parsed()
    entries = diary_entries(body) if not meta else []
    source = f"import:{name}"
    if len(entries) >= 2:
        if len(entries) > MAX_NOTES_PER_FILE:
            raise InvalidInput(f"{name}: {len(entries):,} entries; at most {MAX_NOTES_PER_FILE:,} per file.")
        parsed.notes = [NoteInput(content=content, title="", created_at=when, source=source)
                        for when, content in entries if content]
        return parsed
    title = str(meta.get("title") or "").strip()
    lines = body.strip().splitlines()
    if not title and lines and lines[0].startswith("# "):
        title, body = lines[0][2:].strip(), "\n".join(lines[1:])  # a leading heading is the title
    content = obsidian_text(body).strip()
    tags = [t for t in _tags(meta) if f"#{t}" not in content]
    if tags:
        content += "\n\n" + " ".join(f"#{t}" for t in tags)
    created: Any = modified
    written = meta.get("date") or meta.get("created") or meta.get("created_at")
    if written not in (None, ""):
        try:
            created = read_date(written)
        except InvalidInput as exc:
            parsed.warnings.append(f"{name}: front matter date {exc}; the file's time is used")
    summary = meta.get("summary")
    parsed.notes.append(NoteInput(content=content, title=title or PurePosixPath(name).stem,
                                  summary=str(summary) if summary else None, created_at=created, source=source))
    return parsed


def diary_entries(body: str) -> list[tuple[datetime, str]]:
    """(date, text) per entry when the text is a diary: lines that are only a date head each entry."""
    entries: list[tuple[datetime, list[str]]] = []
    preamble: list[str] = []
    for line in body.splitlines():
        when = _heading_date(line)
        if when is not None:
            entries.append((when, []))
        elif entries:
            entries[-1][1].append(line)
        else:
            preamble.append(line)
    if len(entries) < 2 or any(line.strip() for line in preamble):
        return []
    return [(when, "\n".join(lines).strip()) for when, lines in entries]


def _heading_date(line: str) -> Optional[datetime]:
    m = _HEADING.match(line)
    if not m or len(line) > 60:
        return None
    try:
        return quick_date(m.group("date").strip().rstrip(":"))  # common forms only: fast on long files
    except InvalidInput:
        return None
