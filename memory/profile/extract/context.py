"""What the extractor remembers while reading one note: facts so far, and what "it" and "she" mean."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from memory.profile import taxonomy
from memory.profile.extract.items import item_key, resolve_pronoun
from memory.profile.schema import Negation, Person, Preference

# "me" and "myself" are the user; a group ("us", "the family") is nobody in particular.
SELF = {"me", "myself", "i"}
GROUP = {"us", "the kids", "the family", "them", "everyone", "everybody"}


@dataclass
class NoteContext:
    """Facts gathered from one note, plus the antecedents pronouns refer to."""

    note_date: datetime | None = None
    preferences: list[Preference] = field(default_factory=list)
    others: list[Preference] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    negations: list[Negation] = field(default_factory=list)
    organisations: set[str] = field(default_factory=set)
    last_item: str | None = None
    last_person: str | None = None  # a holder: the person's name, or the relation when unnamed
    # The holder of the last other-person preference in the current sentence, for
    # "Mom doesn't eat spicy food, so use less chili" (the imperative is for her).
    sentence_holder: str | None = None
    sentence: str | None = None  # the sentence being read, as written: every fact keeps it
    # What others were just said to believe the user likes ("Mom thinks I love X"), for a
    # following "I really don't." to take the opposite of.
    believed: list[tuple[str, str]] = field(default_factory=list)

    def add_person(self, name: str | None, relation: str | None, kind: str = "person") -> str | None:
        """Record a person (merging with one already seen); return the holder string for them."""
        if kind == "organisation":
            self.organisations.add((name or "").lower())
        holder = self._merge_person(name, relation, kind)
        if kind == "person":
            self.last_person = holder
        return holder

    def _merge_person(self, name: str | None, relation: str | None, kind: str) -> str | None:
        if not name:
            for p in self.people:
                if p.relation == relation:  # "my sister" again, or after "my sister Ana"
                    return p.name or p.relation
            self.people.append(Person(relation=relation, kind=kind, sentence=self.sentence))
            return relation
        for p in self.people:
            # "Dr. Shah" then "Shah": one person.
            if p.name and (p.name.lower() == name.lower() or p.name.lower().endswith(" " + name.lower())):
                p.relation = p.relation or relation
                return p.name
        if relation:  # "my sister" then "my sister Ana": one person, now named
            self.people = [p for p in self.people if p.name or p.relation != relation]
        self.people.append(Person(name=name, relation=relation, kind=kind, sentence=self.sentence))
        return name

    def holder_for(self, beneficiary: str | None) -> str | None | bool:
        """Whose preference a "… for X" phrase makes it: None = the user, False = nobody."""
        if beneficiary is None:
            return None
        who = beneficiary.strip()
        if who.lower() in SELF:
            return None
        if who.lower() in GROUP:
            return False
        if who.lower() in {"him", "her"}:
            return self.last_person or False
        return who.removesuffix("'s")

    def add_preference(self, item: str, polarity: str, confidence: float, holder: str | None,
                       reason: str | None = None) -> None:
        """Record one preference, resolving pronouns; the user's go to `preferences`."""
        resolved = resolve_pronoun(item, self.last_item)
        if resolved is None:
            return
        self.last_item = resolved
        target = self.preferences if holder is None else self.others
        key = item_key(resolved)
        for i, p in enumerate(target):
            if item_key(p.item) == key and p.holder == holder:
                if p.polarity == polarity:
                    p.confidence = max(p.confidence, confidence)
                    p.reason = p.reason or reason
                    p.sentence = p.sentence or self.sentence
                    return
                del target[i]  # later in the same note wins
                break
        target.append(Preference(item=resolved, polarity=polarity, reason=reason,
                                 confidence=confidence, holder=holder, stated_at=self.note_date,
                                 sentence=self.sentence))
        if holder is not None:
            self.sentence_holder = holder

    def add_negation(self, item: str) -> None:
        """Record that the user no longer holds preferences about `item` (or its category)."""
        resolved = resolve_pronoun(item, self.last_item)
        if resolved and all(item_key(n.item) != item_key(resolved) for n in self.negations):
            self.negations.append(Negation(item=resolved, covers=taxonomy.covers(resolved),
                                           stated_at=self.note_date))
