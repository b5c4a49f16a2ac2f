"""The user's L1 profile as the API returns it: bio, status, preferences, people, topics, history.

Reading is cheap: the items are stored merged (memory.profile.refresh keeps them current);
this module only groups and orders them and adds the bio and status text.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from sqlalchemy.orm import Session

from memory.profile import store, summary as profile_summary
from memory.models import ProfileItem
from memory.profile.merge import PERSON, PREFERENCE, TOPIC, Merged, merged_of, newest_sources
from memory.vocab import ItemOrigin, ItemStatus, Polarity


@dataclass(kw_only=True)
class ProfileFact(Merged):
    """One fact of the profile (the fields of memory.profile.merge.Merged), with where it came from."""

    id: int
    kind: str  # preference | person | topic
    origin: str  # extracted | user
    # Why Mebot believes it: [{"note_id", "sentence"}] for the newest source notes.
    quotes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        data = asdict(self)
        data["stated_at"] = self.stated_at.isoformat() if self.stated_at else None
        return data


@dataclass(frozen=True)
class TopicGroup:
    """A coarse topic with the fine tags that roll up to it."""

    coarse: str
    fine: list[ProfileFact]
    mentions: int  # notes per fine tag, summed
    source_note_ids: list[int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"coarse": self.coarse, "mentions": self.mentions, "source_note_ids": self.source_note_ids,
                "fine": [f.to_dict() for f in self.fine]}


@dataclass(frozen=True)
class Profile:
    """Everything L1 holds about one user."""

    bio: str  # empty when there is nothing to say
    status: str
    bio_origin: str  # user | facts
    status_origin: str
    preferences: list[ProfileFact]  # the user's own, current
    others: list[ProfileFact]  # other people's preferences, current
    people: list[ProfileFact]
    topics: list[TopicGroup]
    superseded: list[ProfileFact]  # replaced by a newer statement, kept as history

    @property
    def likes(self) -> list[ProfileFact]:
        """The user's current likes."""
        return [p for p in self.preferences if p.polarity == Polarity.LIKE]

    @property
    def dislikes(self) -> list[ProfileFact]:
        """The user's current dislikes."""
        return [p for p in self.preferences if p.polarity == Polarity.DISLIKE]

    def fact(self, fact_id: int) -> ProfileFact:
        """The shown fact with this id (KeyError when it is not shown)."""
        for f in self.facts():
            if f.id == fact_id:
                return f
        raise KeyError(fact_id)

    def facts(self) -> list[ProfileFact]:
        """Every fact shown, current and superseded."""
        topics = [f for group in self.topics for f in group.fine]
        return [*self.preferences, *self.others, *self.people, *topics, *self.superseded]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready profile."""
        return {"bio": self.bio, "status": self.status, "bio_origin": self.bio_origin,
                "status_origin": self.status_origin,
                "preferences": [f.to_dict() for f in self.preferences],
                "others": [f.to_dict() for f in self.others], "people": [f.to_dict() for f in self.people],
                "topics": [g.to_dict() for g in self.topics], "superseded": [f.to_dict() for f in self.superseded]}


def fact_of(item: ProfileItem, quotes: Optional[list[dict]] = None) -> ProfileFact:
    """The public view of a stored item (with the sentences that state it, when given)."""
    return ProfileFact(id=item.id, kind=item.kind, origin=item.origin, quotes=list(quotes or []),
                       **merged_of(item).fields())


def _rank(f: ProfileFact) -> tuple:
    # The user's own word first, then what many notes say, then what was said recently.
    return (f.origin != ItemOrigin.USER, -f.note_count, -(f.stated_at.timestamp() if f.stated_at else 0.0), f.id)


def load_profile(session: Session, *, user_id: int) -> Profile:
    """The user's profile as stored now (call memory.profile.refresh.refresh first to include new notes)."""
    items = store.visible_items(session, user_id)
    said = store.quotes(session, user_id, items)
    facts = sorted((fact_of(item, said.get(item.id)) for item in items), key=_rank)
    current = [f for f in facts if f.status == ItemStatus.ACTIVE]
    preferences = [f for f in current if f.kind == PREFERENCE and f.holder is None]
    others = [f for f in current if f.kind == PREFERENCE and f.holder is not None]
    people = [f for f in current if f.kind == PERSON]
    topics = group_topics([f for f in current if f.kind == TOPIC])
    state = store.read_state(session, user_id)
    user_bio = state.bio if state is not None else None
    user_status = state.status if state is not None else None
    bio = user_bio if user_bio is not None else profile_summary.bio(preferences, people, topics)
    status = user_status if user_status is not None else profile_summary.status(current)
    return Profile(bio=bio, status=status, bio_origin="user" if user_bio is not None else "facts",
                   status_origin="user" if user_status is not None else "facts",
                   preferences=preferences, others=others, people=people, topics=topics,
                   superseded=[f for f in facts if f.status == ItemStatus.SUPERSEDED])


def group_topics(topics: list[ProfileFact]) -> list[TopicGroup]:
    """Fine topic tags grouped under their coarse topic, the most mentioned first."""
    groups: dict[str, list[ProfileFact]] = {}
    for f in topics:
        groups.setdefault(f.coarse or "other", []).append(f)
    result = [TopicGroup(coarse=coarse, fine=fine, mentions=sum(f.note_count for f in fine),
                         source_note_ids=newest_sources(i for f in fine for i in f.source_note_ids))
              for coarse, fine in groups.items()]
    return sorted(result, key=lambda g: (-g.mentions, g.coarse))
