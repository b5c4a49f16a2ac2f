"""Text built from the profile's facts: the bio, the "lately" status and the chat prompt's summary.

Only what the facts say, in a fixed form; no facts, no text (an empty string, never a made-up default).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Iterable
from memory.vocab import ItemOrigin, Polarity

if TYPE_CHECKING:
    from memory.profile import Profile, ProfileFact, TopicGroup

# "Lately" is the month before the user's newest dated fact.
RECENT_DAYS = 30
SUMMARY_CHARS = 800
_BIO_ITEMS = 5


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def person_phrase(f: "ProfileFact") -> str:
    """"Ana (sister)", "Acme (employer)", or "their sister" for someone known only by relation."""
    if not f.relation:
        return f.label
    if f.relation.lower() == f.label.lower():
        return f"their {f.relation}"
    return f"{f.label} ({f.relation})"


def bio(preferences: list["ProfileFact"], people: list["ProfileFact"], topics: list["TopicGroup"]) -> str:
    """A few sentences from the strongest facts; empty when there are none."""
    sentences = []
    likes = [f.label for f in preferences if f.polarity == Polarity.LIKE][:_BIO_ITEMS]
    dislikes = [f.label for f in preferences if f.polarity == Polarity.DISLIKE][:_BIO_ITEMS]
    if likes:
        sentences.append(f"Likes {_and(likes)}.")
    if dislikes:
        sentences.append(f"Dislikes {_and(dislikes)}.")
    persons = [person_phrase(f) for f in people if f.entity != "organisation"][:_BIO_ITEMS]
    organisations = [person_phrase(f) for f in people if f.entity == "organisation"][:_BIO_ITEMS]
    if persons:
        sentences.append(f"People in their notes: {_and(persons)}.")
    if organisations:
        sentences.append(f"Organisations: {_and(organisations)}.")
    if topics:
        sentences.append(f"Writes most about {_and([g.coarse for g in topics[:3]])}.")
    return " ".join(sentences)


def status(current: list["ProfileFact"]) -> str:
    """What the newest month of notes is about; empty when no fact is dated."""
    dated = [f for f in current if f.stated_at is not None and f.origin == ItemOrigin.EXTRACTED]
    if not dated:
        return ""
    newest = max(f.stated_at for f in dated)
    since = newest - timedelta(days=RECENT_DAYS)
    recent = sorted((f for f in dated if f.stated_at >= since), key=lambda f: f.stated_at, reverse=True)
    parts = []
    topics = _unique(f.coarse or "other" for f in recent if f.kind == "topic")
    if topics:
        parts.append(f"writing about {_and(topics[:4])}")
    people = _unique(person_phrase(f) for f in recent if f.kind == "person")
    if people:
        parts.append(f"mentioning {_and(people[:4])}")
    for polarity, verb in ((Polarity.LIKE, "likes"), (Polarity.DISLIKE, "dislikes")):
        stated = _unique(f.label for f in recent if f.kind == "preference" and f.holder is None
                         and f.polarity == polarity)
        if stated:
            parts.append(f"{verb} {_and(stated[:4])}")
    if not parts:
        return ""
    return f"Lately ({since:%Y-%m-%d} to {newest:%Y-%m-%d}): " + "; ".join(parts) + "."


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def summary(profile: "Profile", max_chars: int = SUMMARY_CHARS) -> str:
    """The profile in at most `max_chars` characters for the chat prompt; empty when it is empty."""
    if max_chars < 40:
        raise ValueError("max_chars must be at least 40")
    prose = []
    if profile.bio_origin == "user" and profile.bio:
        prose.append("Bio: " + profile.bio)
    if profile.status:
        prose.append(profile.status)
    lists = [
        ("Likes: ", [_pref(f) for f in profile.likes]),
        ("Dislikes: ", [_pref(f) for f in profile.dislikes]),
        ("People: ", [person_phrase(f) for f in profile.people]),
        ("Others' preferences: ",
         [f"{f.holder} {'likes' if f.polarity == 'like' else 'dislikes'} {f.label}" for f in profile.others]),
        ("Topics: ", [g.coarse for g in profile.topics]),
    ]
    return _fit(prose, lists, max_chars)


def _pref(f: "ProfileFact") -> str:
    return f"{f.label} ({f.reason})" if f.reason else f.label


def _render(lines: list[str], lists: list[tuple[str, list[str]]]) -> str:
    return "\n".join(lines + [head + "; ".join(items) for head, items in lists if items])


def _fit(prose: list[str], lists: list[tuple[str, list[str]]], max_chars: int) -> str:
    """Prose cut to a third of the room each, then list items taken in turns (the first like, the
    first dislike, …, the second like, …) while they fit, so no section crowds out the others."""
    cap = max_chars // 3
    lines = [text if len(text) <= cap else text[:cap - 1].rstrip() + "…" for text in prose]
    chosen: list[tuple[str, list[str]]] = [(head, []) for head, _ in lists]
    open_ = [bool(items) for _, items in lists]
    depth = 0
    while any(open_):
        for i, (_, items) in enumerate(lists):
            if not open_[i]:
                continue
            chosen[i][1].append(items[depth])
            if len(_render(lines, chosen)) > max_chars:
                chosen[i][1].pop()
                open_[i] = False  # later items of a section never jump ahead of one that did not fit
            elif depth + 1 >= len(items):
                open_[i] = False
        depth += 1
    return _render(lines, chosen)
