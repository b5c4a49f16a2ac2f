"""The learning benchmark's persona: one invented person's dated notes, held-out questions with accepted
keywords, the chat turns the user edits to teach a habit, and how answers are scored.

Not a script: `bench/learning.py` reads it. The data lives in `bench/data/learning_*.jsonl`, written by
hand; training sees only the notes and the edited chats, never the questions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
KINDS = ("fact", "time", "summary", "preference")
NICKNAME = "Pip"  # the habit: the user's edits always address her by her nickname
_ADDRESSED = re.compile(rf"\b{NICKNAME}\b")
# Words a reply may open with that read better lower-cased after "Pip, ".
_PLAIN_OPENERS = {"you", "your", "the", "it", "that", "there", "here", "sure", "yes", "no", "on", "in",
                  "according", "based", "a", "an", "to", "for", "one", "try", "start", "if", "when", "this"}


@dataclass(frozen=True)
class Question:
    """A held-out question, asked at `now`; `keywords` are groups of accepted spellings (one per fact)."""

    id: str
    kind: str
    question: str
    now: str
    keywords: list[list[str]]

    def score(self, reply: str) -> float:
        """Share of keyword groups the reply mentions (case-insensitive substrings), 0.0–1.0."""
        text = reply.lower()
        return sum(any(word.lower() in text for word in group) for group in self.keywords) / len(self.keywords)


@dataclass(frozen=True)
class ChatTurn:
    """A question the user asks in chat and then edits the reply to (training data, not evaluation)."""

    id: str
    question: str
    now: str


@dataclass(frozen=True)
class Persona:
    notes: list[dict]
    questions: list[Question]
    edits: list[ChatTurn]
    general_text: str


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load(data: Path = DATA) -> Persona:
    """The persona as stored in `data` (raises ValueError when a question is malformed)."""
    questions = [Question(**row) for row in _jsonl(data / "learning_questions.jsonl")]
    for q in questions:
        if q.kind not in KINDS or not q.keywords or not all(q.keywords):
            raise ValueError(f"question {q.id}: unknown kind or empty keyword group")
        leaked = [w for group in q.keywords for w in group if w.lower() in q.question.lower()]
        if leaked:
            raise ValueError(f"question {q.id} contains its own answer {leaked}")
    return Persona(
        notes=_jsonl(data / "learning_notes.jsonl"),
        questions=questions,
        edits=[ChatTurn(**row) for row in _jsonl(data / "learning_edits.jsonl")],
        general_text=(data / "general_text.txt").read_text(encoding="utf-8"),
    )


def sample_per_kind(questions: list[Question], per_kind: int) -> list[Question]:
    """The first `per_kind` questions of each kind (for a quick run)."""
    return [q for kind in KINDS for q in [x for x in questions if x.kind == kind][:per_kind]]


def addresses_user(answer: str) -> bool:
    """True when a reply follows the habit (calls the user by her nickname)."""
    return bool(_ADDRESSED.search(answer))


def edited(answer: str) -> str:
    """The user's edit of a reply: the same text, addressed to her by her nickname."""
    body = answer.replace("<think>", " ").replace("</think>", " ").strip() or "I don't know."
    first = body.split(maxsplit=1)[0]
    if first.lower().strip(",.!:") in _PLAIN_OPENERS:
        body = body[0].lower() + body[1:]
    return f"{NICKNAME}, {body}"
