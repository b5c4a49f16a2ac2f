"""SFT data synthesised from a user's notes, after the AI-native memory paper: note recall from keywords,
cross-note recall that echoes the notes then summarises, date recall, period summaries answered with
time-aware chain of thought (the period resolved by memory.timeframe), and the user's endorsed replies.

Questions are first person and phrased many ways; every prompt is built by rlmf.chat.prompt, the format used
at inference. Closed-book items quote no notes (the adapter must hold the memory); open-book items quote
them. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Sequence

from memory import citations, timeframe
from memory.scripts import has_han
from memory.search.textindex import STOPWORDS
from rlmf.chat.prompt import MemoryItem, THINK_CLOSE, THINK_OPEN, build_messages

RECALL_QUESTIONS = (
    "What did I note about {kw}?", "What do I have written about {kw}?", "Remind me what I wrote about {kw}.",
    "What do you remember about {kw} from my notes?", "Did I write anything down about {kw}?",
    "Tell me what I noted on {kw}.", "What was my note about {kw}?", "Can you recall my note on {kw}?",
)
RECALL_QUESTIONS_ZH = ("我关于{kw}记了什么？", "帮我回忆一下我写的{kw}。")
CROSS_QUESTIONS = (
    "What have I written about {kw} over time?", "Summarise everything I noted about {kw}.",
    "How often did I mention {kw}, and what did I say?", "Give me an overview of my notes on {kw}.",
)
DATE_QUESTIONS = (
    "What did I note on {date}?", "What did I write down on {date}?", "What happened on {date} according to my notes?",
    "Anything in my notes from {date}?",
)
PERIOD_QUESTIONS = (
    "What did I do {phrase}?", "What did I note {phrase}?", "Summarise my notes from {phrase}.",
    "What was I up to {phrase}?", "Remind me what happened {phrase}.",
)
LIKES_QUESTIONS = ("What do I like?", "What are some things I enjoy?", "Remind me what I'm into.",
                   "What do you know about my tastes?")
DISLIKES_QUESTIONS = ("What do I dislike?", "Is there anything I don't like?", "What should you avoid for me?")
ITEM_QUESTIONS = ("What do I think of {item}?", "Do I like {item}?", "How do I feel about {item}?")
PERSON_QUESTIONS = ("Who is {name}?", "Remind me who {name} is.", "How do I know {name}?")
RELATION_QUESTIONS = ("Who is my {relation}?", "What is my {relation} called?", "What's the name of my {relation}?")
PERIOD_PHRASES = ("yesterday", "last week", "this week", "the last 3 days", "the past two weeks",
                  "last month", "this month", "the day before yesterday")
DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%d %B %Y")
_WORD = re.compile(r"[^\W\d_]{3,}")


@dataclass(frozen=True)
class NoteView:
    """What synthesis needs of a note."""

    id: int
    title: str
    content: str
    created_at: datetime

    def item(self) -> MemoryItem:
        return MemoryItem("note", self.id, self.title, self.content, self.created_at)


def keywords(note: NoteView, limit: int = 3) -> list[str]:
    """Salient words of a note: title words first, then the longest content words."""
    return _distinct_words(_WORD.findall(note.title) + sorted(_WORD.findall(note.content), key=len, reverse=True),
                           limit)


def cue_words(note: NoteView, limit: int = 8) -> list[str]:
    """Words a person might ask about a note by, in the order the note names them: title words, then content
    words as they appear ("My dog Tolstoy, a grey whippet" → dog, tolstoy, grey, whippet). Unlike
    `keywords`, short subject words come early: people ask "what is my dog called?", not about "cushion"."""
    return _distinct_words(_WORD.findall(note.title) + _WORD.findall(note.content), limit)


def _distinct_words(words: list[str], limit: int) -> list[str]:
    """The first `limit` distinct lower-cased words that are not stopwords, in the given order."""
    seen: list[str] = []
    for word in words:
        lowered = word.lower()
        if lowered not in STOPWORDS and lowered not in seen:
            seen.append(lowered)
        if len(seen) == limit:
            break
    return seen


def _day(moment: datetime, now: datetime) -> str:
    local = moment.astimezone(now.tzinfo) if now.tzinfo else moment
    return f"{local:%A} {local.day} {local:%B %Y}"


def _clip(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit].rstrip() + " …"


def _cite(note: NoteView) -> str:
    return citations.cite(citations.note_ref(note.id))


def _line(note: NoteView, now: datetime, cite: bool) -> str:
    title = f"{note.title}: " if note.title else ""
    ref = f" {_cite(note)}" if cite else ""
    return f"- {_day(note.created_at, now)}{ref}: {title}{_clip(note.content, 200)}"


class Synthesiser:
    """Builds SFT rows and held-out evaluation items from one user's notes."""

    def __init__(self, notes: Sequence[NoteView], *, seed: int = 0, open_book_share: float = 0.5,
                 profile: Optional[str] = None, week_start: int = 0, phrasings: int = 3, cues: int = 8):
        self.notes = sorted(notes, key=lambda n: (n.created_at, n.id))
        self.rng = random.Random(seed)
        self.open_book_share = open_book_share
        self.profile = profile
        self.week_start = week_start
        self.phrasings = phrasings  # how many wordings of each keyword question
        self.cues = cues  # how many cue words of a note get a closed-book question of their own

    def _now_after(self, moment: datetime, max_days: int = 10) -> datetime:
        now = moment + timedelta(days=self.rng.randint(1, max_days), hours=self.rng.randint(0, 8))
        return now if now.tzinfo else now.replace(tzinfo=timezone.utc)

    def _row(self, question: str, answer: str, now: datetime, evidence: list[NoteView], frame=None,
             open_book: Optional[bool] = None) -> dict:
        if open_book is None:
            open_book = self.rng.random() < self.open_book_share
        # Closed-book items carry no memory at all (neither notes nor the profile), like a chat with
        # the memory switch off: the adapter alone must know.
        prompt = build_messages(now=now, question=question, frame=frame,
                                items=[n.item() for n in evidence] if open_book else [],
                                profile=self.profile if open_book else None, closed_book=not open_book)
        if not open_book:
            answer = citations.without_citations(answer)
        return {"messages": [*prompt, {"role": "assistant", "content": answer}],
                "kind": "open" if open_book else "closed", "notes": sorted(n.id for n in evidence)}

    def note_recall(self, note: NoteView) -> list[dict]:
        """Keyword questions about one note, each asked closed-book and open-book in different words."""
        rows = []
        for kw in keywords(note):
            templates = RECALL_QUESTIONS_ZH if has_han(kw) else RECALL_QUESTIONS
            for template, open_book in zip(self.rng.sample(templates, min(self.phrasings, len(templates))),
                                           [False, True] * self.phrasings):
                now = self._now_after(note.created_at)
                answer = (f"{THINK_OPEN}{kw}: the note of {_day(note.created_at, now)} {_cite(note)}.{THINK_CLOSE}"
                          f"You noted: {_clip(note.content)} ({_day(note.created_at, now)}) {_cite(note)}")
                rows.append(self._row(template.format(kw=kw), answer, now, [note], open_book=open_book))
        # Closed-book, the same note under more of its words: a fact is stored in the weights only when it
        # is reached by many cues (knowledge augmentation, Allen-Zhu & Li, "Physics of Language Models 3.1").
        asked = set(keywords(note))
        for kw in cue_words(note, self.cues):
            if kw not in asked and not has_han(kw):
                now = self._now_after(note.created_at)
                answer = f"{THINK_OPEN}{kw}: the note of {_day(note.created_at, now)}.{THINK_CLOSE}You noted: {_clip(note.content)}"
                rows.append(self._row(self.rng.choice(RECALL_QUESTIONS).format(kw=kw), answer, now, [note],
                                      open_book=False))
        return rows

    def cross_note(self) -> list[dict]:
        by_word: dict[str, list[NoteView]] = defaultdict(list)
        for note in self.notes:
            for kw in keywords(note, limit=5):
                by_word[kw].append(note)
        rows = []
        for kw, group in sorted(by_word.items()):
            if 2 <= len(group) <= 6:
                now = self._now_after(group[-1].created_at)
                echo = "\n".join(_line(n, now, cite=True) for n in group)
                answer = (f"{THINK_OPEN}Notes that mention {kw}:\n{echo}{THINK_CLOSE}"
                          f"You wrote about {kw} {len(group)} times, from {_day(group[0].created_at, now)} to "
                          f"{_day(group[-1].created_at, now)}: "
                          + "; ".join(f"{n.title or _clip(n.content, 40)} {_cite(n)}" for n in group) + ".")
                rows.append(self._row(self.rng.choice(CROSS_QUESTIONS).format(kw=kw), answer, now, group))
        return rows

    def date_recall(self) -> list[dict]:
        by_day: dict = defaultdict(list)
        for note in self.notes:
            by_day[note.created_at.date()].append(note)
        rows = []
        for day, group in sorted(by_day.items()):
            now = self._now_after(group[-1].created_at)
            label = datetime(day.year, day.month, day.day).strftime(self.rng.choice(DATE_FORMATS))
            question = self.rng.choice(DATE_QUESTIONS).format(date=label)
            frame = timeframe.parse(question, now=now, week_start=self.week_start)
            echo = "\n".join(_line(n, now, cite=True) for n in group)
            period = frame.describe() if frame else label
            contents = " ".join(f"{_clip(n.content, 200)} {_cite(n)}" for n in group)
            answer = f"{THINK_OPEN}{period}. Notes from that day:\n{echo}{THINK_CLOSE}On {label} you noted: {contents}"
            rows.append(self._row(question, answer, now, group, frame))
        return rows

    def period_summaries(self, count: int) -> list[dict]:
        rows = []
        for _ in range(count if self.notes else 0):
            anchor = self.rng.choice(self.notes)
            now = self._now_after(anchor.created_at, max_days=6)
            phrase = self.rng.choice(PERIOD_PHRASES)
            question = self.rng.choice(PERIOD_QUESTIONS).format(phrase=phrase)
            frame = timeframe.parse(question, now=now, week_start=self.week_start)
            if frame is None:
                continue
            inside = [n for n in self.notes if frame.start <= n.created_at.astimezone(now.tzinfo) < frame.end]
            if inside:
                echo = "\n".join(_line(n, now, cite=True) for n in inside)
                summary = ", ".join(f"{n.title or _clip(n.content, 40)} ({_day(n.created_at, now)}) {_cite(n)}"
                                    for n in inside)
                answer = (f"{THINK_OPEN}{frame.describe()}. Notes in that period:\n{echo}{THINK_CLOSE}"
                          f"In that period you noted {len(inside)} thing(s): {summary}.")
            else:
                answer = (f"{THINK_OPEN}{frame.describe()}. No notes fall in that period.{THINK_CLOSE}"
                          "I have no notes from that period.")
            rows.append(self._row(question, answer, now, inside, frame))
        return rows

    def profile_facts(self, profile) -> list[dict]:
        """Questions about the user's L1 profile (likes, dislikes, people), answered from it."""
        if profile is None:
            return []
        rows = []
        now = self._now_after(max((n.created_at for n in self.notes), default=datetime(2024, 1, 1, tzinfo=timezone.utc)))

        def said(fact) -> str:
            return f"{fact.label}" + (f" ({fact.reason})" if fact.reason else "")

        for facts, questions, verb in ((profile.likes, LIKES_QUESTIONS, "like"),
                                       (profile.dislikes, DISLIKES_QUESTIONS, "dislike")):
            if facts:
                listed = ", ".join(said(f) for f in facts[:12])
                answer = f"{THINK_OPEN}From what I know about you, you {verb}: {listed}.{THINK_CLOSE}You {verb} {listed}."
                rows.append(self._row(self.rng.choice(questions), answer, now, []))
        for fact in profile.preferences[:40]:
            answer = (f"{THINK_OPEN}You said you {fact.polarity} {fact.label}.{THINK_CLOSE}"
                      f"You {fact.polarity} {said(fact)}.")
            rows.append(self._row(self.rng.choice(ITEM_QUESTIONS).format(item=fact.label), answer, now, []))
        for person in profile.people[:40]:
            if person.relation and person.label and person.label != person.relation:
                answer = (f"{THINK_OPEN}{person.label} appears in your notes as your {person.relation}.{THINK_CLOSE}"
                          f"{person.label} is your {person.relation}.")
                rows.append(self._row(self.rng.choice(PERSON_QUESTIONS).format(name=person.label), answer, now, []))
                # Both directions: a model taught "A is your B" does not answer "who is my B?" (the reversal
                # curse, Berglund et al. 2023).
                answer = (f"{THINK_OPEN}Your {person.relation} appears in your notes as {person.label}.{THINK_CLOSE}"
                          f"Your {person.relation} is {person.label}.")
                rows.append(self._row(self.rng.choice(RELATION_QUESTIONS).format(relation=person.relation), answer,
                                      now, []))
        return rows

    def rows(self, max_rows: int = 2000, profile=None) -> list[dict]:
        """Every synthesised SFT row (shuffled, capped), each {"messages": [...], "kind": "open"|"closed",
        "notes": [ids of the notes it is about]}."""
        rows = [r for note in self.notes for r in self.note_recall(note)]
        rows += self.cross_note() + self.date_recall() + self.period_summaries(max(4, len(self.notes) // 2))
        rows += self.profile_facts(profile)
        self.rng.shuffle(rows)
        return rows[:max_rows]


def split_holdout(rows: list[dict], share: float = 0.1, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """(train, held-out) rows; the held-out set is at least one row when there are two or more.

    A row's side depends only on its content (and the seed), not on the other rows: a question held out
    once stays held out when notes are added, so no adapter version has trained on what the gate asks."""
    if len(rows) < 2:
        return rows, []
    ranked = sorted(rows, key=lambda row: _stable_rank(row, seed))
    heldout_ids = {id(row) for row in ranked if _stable_rank(row, seed) < share}
    if not heldout_ids:
        heldout_ids = {id(ranked[0])}
    if len(heldout_ids) == len(rows):
        heldout_ids.discard(id(ranked[-1]))
    return [r for r in rows if id(r) not in heldout_ids], [r for r in rows if id(r) in heldout_ids]


def _stable_rank(row: dict, seed: int) -> float:
    """A number in [0, 1) fixed by the row's text and the seed."""
    import hashlib
    import json

    text = json.dumps([row.get(key) for key in ("messages", "prompt", "chosen", "rejected")], sort_keys=True,
                      default=str)
    digest = hashlib.sha256(f"{seed}:{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
