"""The deterministic L1 extractor: one note's text in, the user's preferences, people and topics out.

Pure functions, no database: storing and merging the facts into a user's profile is the caller's
job, helped by `contradicts` and `retracts` (the newer statement wins).
"""

from __future__ import annotations

import re
from datetime import datetime

from memory.profile.extract import en as profile_en, en_people as profile_en_people, stance, zh as profile_zh
from memory.profile import taxonomy
from memory.errors import InvalidInput
from memory.profile.extract.context import NoteContext
from memory.profile.extract.items import CJK, item_key
from memory.profile.schema import ExtractedFacts, Negation, Preference, Topic
from memory.validation import MAX_CONTENT_CHARS
from memory.vocab import Polarity

# Rules look at one sentence at a time; a run-on "sentence" is read in pieces of about this size
# so that matching stays linear in the note's length.
MAX_SENTENCE_CHARS = 400
# Abbreviations whose full stop does not end a sentence.
_SENTENCE_END = re.compile(r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bSt\.)(?<!\be\.g\.)"
                           r"(?<!\bi\.e\.)(?<=[.!?])\s+|(?<=[。！？])|\n+")


def split_sentences(text: str) -> list[str]:
    """The note's sentences, English and Chinese, without empty ones; run-ons cut into pieces."""
    text = text.replace("’", "'").replace("‘", "'")
    pieces = []
    for sentence in _SENTENCE_END.split(text):
        sentence = (sentence or "").strip()
        while len(sentence) > MAX_SENTENCE_CHARS:
            cut = max(sentence.rfind(" ", 0, MAX_SENTENCE_CHARS), sentence.rfind("，", 0, MAX_SENTENCE_CHARS))
            cut = cut if cut > 0 else MAX_SENTENCE_CHARS
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            pieces.append(sentence)
    return [p for p in pieces if p]


def extract(text: str, note_date: datetime | None = None) -> ExtractedFacts:
    """Read one note and return what it says about the user and the people around them."""
    if not isinstance(text, str):
        raise InvalidInput(f"a note's text must be a string, not {type(text).__name__}")
    if len(text) > MAX_CONTENT_CHARS:
        raise InvalidInput(f"a note longer than {MAX_CONTENT_CHARS} characters cannot be read for the profile")
    ctx = NoteContext(note_date=note_date)
    sentences = split_sentences(text)
    for sentence in sentences:
        ctx.sentence = sentence
        # People first: "for Emmy" and "my sister Ana" decide whose preference a verb states.
        # Only what the writer asserts is read for preferences: questions, hypotheticals, others'
        # beliefs and quotes are masked by `stance` first; people are read from the whole sentence.
        if CJK.search(sentence):
            profile_zh.people(sentence, ctx)
            profile_zh.preferences(stance.chinese(sentence, ctx, profile_zh.preferences), ctx)
        profile_en_people.people(sentence, ctx)
        profile_en.preferences(stance.english(sentence, ctx, profile_en.preferences), ctx)
    return ExtractedFacts(preferences=ctx.preferences, others=ctx.others, people=ctx.people,
                          topics=topics(text, ctx.preferences + ctx.others, sentences), negations=ctx.negations)


def topics(text: str, preferences: list[Preference], sentences: list[str] | None = None) -> list[Topic]:
    """Topic tags: preference items first (as said), then other known keyphrases in the text."""
    found: dict[str, Topic] = {}

    def add(phrase: str, sentence: str | None) -> None:
        known = taxonomy.classify(phrase)
        if known and item_key(phrase) not in found:
            found[item_key(phrase)] = Topic(fine=phrase, coarse=known[0], path=known[1], sentence=sentence)

    for p in preferences:
        add(p.item, p.sentence)
    said = " ".join(p.item.lower() for p in preferences)
    for start, end, _ in taxonomy.keyword_hits(text):
        surface = text[start:end]
        if surface.lower() not in said:
            add(surface, sentence_with(sentences or [], surface))
    return list(found.values())


def sentence_with(sentences: list[str], phrase: str) -> str | None:
    """The first sentence that contains `phrase` (case-insensitive), or None."""
    needle = phrase.lower()
    return next((s for s in sentences if needle in s.lower()), None)


def contradicts(newer: Preference, older: Preference) -> bool:
    """Whether `newer` overrides `older`: the same holder and item with the other polarity, or a
    dislike of a whole category ("meat") against a like of a member ("medium-rare steak")."""
    if newer.holder != older.holder or newer.polarity == older.polarity:
        return False
    if item_key(newer.item) == item_key(older.item):
        return True
    return newer.polarity == Polarity.DISLIKE and taxonomy.is_covered(older.item, taxonomy.covers(newer.item))


def retracts(negation: Negation, preference: Preference) -> bool:
    """Whether "I don't eat meat anymore" withdraws this (older) like of the user's."""
    if preference.holder is not None or preference.polarity != Polarity.LIKE:
        return False
    if negation.stated_at and preference.stated_at and preference.stated_at > negation.stated_at:
        return False
    return taxonomy.is_covered(preference.item, negation.covers)
