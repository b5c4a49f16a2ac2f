"""Answers without a language model: the resolved period and the matching notes, with their dates.

Used when no model can be loaded (offline, no local copy). It never makes up an answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional, Sequence

from rlmf.chat.prompt import MemoryItem

LABEL = "Memory-only mode (no language model loaded): listing what your memory holds."


def answer(*, frame, items: Sequence[MemoryItem], now: datetime, reason: Optional[str] = None) -> str:
    """A plain-text reply listing the period and the notes that match, oldest first."""
    header = [LABEL if reason is None else f"{LABEL} ({reason})"]
    if frame is not None:
        header.append(f"Time frame: {frame.describe()}.")
    if not items:
        header.append("Nothing in your memory matches this" + (" period." if frame is not None else "."))
        return "\n\n".join(header)
    listing = [f"{len(items)} matching item(s):"]
    for item in sorted(items, key=lambda i: i.created_at):
        moment = item.created_at.astimezone(now.tzinfo) if now.tzinfo else item.created_at
        title = f" {item.title}:" if item.title else ""
        text = " ".join(item.text.split())
        text = text if len(text) <= 300 else text[:300] + " …"
        listing.append(f"- [{item.ref}] {moment:%a %d %b %Y %H:%M} —{title} {text}")
    return "\n\n".join(header) + "\n\n" + "\n".join(listing)
