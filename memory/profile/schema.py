"""The shapes of L1 facts extracted from one note: preferences, people, topics, negations.

The same models serve the deterministic extractor and, as the JSON schema shown to the model,
the LLM extractor; they are storage-free (the caller attaches note ids and persists them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from memory.vocab import ItemStatus, Polarity

# The rolled-up topic categories; "other" is for a tag the taxonomy does not know.
Coarse = Literal[
    "food", "drink", "sport", "work", "travel", "health", "music", "reading", "film",
    "family", "tech", "finance", "education", "hobby", "pets", "other",
]
COARSE_CATEGORIES: tuple[str, ...] = Coarse.__args__


# A quoted sentence is at most this long (the rules read sentences in pieces of this size).
MAX_SENTENCE_CHARS = 400
MAX_ITEM_CHARS = 200
MAX_REASON_CHARS = 300
MAX_RELATION_CHARS = 100


class _Strict(BaseModel):
    # The LLM's output goes through these models: unknown keys are an error to retry on.
    model_config = ConfigDict(extra="forbid")


class _Quoted(_Strict):
    # Where a fact came from, so the Memory tab can show why Mebot believes it.
    sentence: Optional[str] = Field(default=None, description="the note's sentence that states it, word for word")

    @field_validator("sentence")
    @classmethod
    def _clip(cls, value: Optional[str]) -> Optional[str]:
        value = " ".join(value.split()) if value else None
        return value[:MAX_SENTENCE_CHARS] if value else None


class StatedPreference(_Quoted):
    """Something liked or disliked; `holder` None means the user, otherwise who holds it."""

    item: str = Field(min_length=1, max_length=MAX_ITEM_CHARS, description="a short noun phrase, e.g. 'crispy bacon'")
    polarity: Polarity
    reason: Optional[str] = Field(default=None, max_length=MAX_REASON_CHARS, description="why, when the note says")
    confidence: float = Field(default=0.8, ge=0.0, le=1.0)
    holder: Optional[str] = Field(
        default=None, description="null for the user; else the person's name, or relation when unnamed ('mother')")

    @field_validator("item", "holder", "reason")
    @classmethod
    def _strip(cls, value: Optional[str]) -> Optional[str]:
        if value is None:
            return None
        value = " ".join(value.split())
        if not value:
            raise ValueError("must not be blank")
        return value


class Preference(StatedPreference):
    """A stated preference with the date of the note that stated it."""

    stated_at: Optional[datetime] = None


class Person(_Quoted):
    """Someone (or an organisation) in the user's life and how they relate to the user."""

    name: Optional[str] = Field(default=None, max_length=MAX_ITEM_CHARS,
                                description="null when only the relation is said")
    relation: Optional[str] = Field(default=None, max_length=MAX_RELATION_CHARS, description="e.g. 'sister', 'manager', 'employer'")
    kind: Literal["person", "organisation"] = "person"

    @model_validator(mode="after")
    def _named_or_related(self) -> "Person":
        if not self.name and not self.relation:
            raise ValueError("a person needs a name or a relation")
        return self


class TopicTag(_Quoted):
    """A tag as the user says it and the coarse category it rolls up to."""

    fine: str = Field(min_length=1, max_length=MAX_ITEM_CHARS, description="the tag as the note says it")
    coarse: Coarse


class Topic(TopicTag):
    """A topic tag with its roll-up path."""

    # From the matched keyword up to the coarse category, e.g. ["lakers", "nba", "basketball", "sport"].
    path: list[str] = Field(default_factory=list)


class Negation(_Strict):
    """The user stopped liking something: older likes of any covered item are retracted."""

    item: str = Field(min_length=1, max_length=MAX_ITEM_CHARS)
    # Lower-case terms the negation reaches (the item and, for a category, its members).
    covers: list[str] = Field(default_factory=list)
    stated_at: Optional[datetime] = None


class ExtractedFacts(_Strict):
    """Everything one note says about the user and the people around them."""

    preferences: list[Preference] = Field(default_factory=list, description="the user's own")
    others: list[Preference] = Field(default_factory=list, description="other people's, holder set")
    people: list[Person] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    negations: list[Negation] = Field(default_factory=list)


class LLMFacts(_Strict):
    """The JSON an LLM must return for one note (the extractor adds dates, paths and coverage)."""

    preferences: list[StatedPreference] = Field(
        default_factory=list, description="likes and dislikes stated in the note; holder null = the user")
    people: list[Person] = Field(default_factory=list, description="people and organisations the user mentions")
    topics: list[TopicTag] = Field(default_factory=list)
    no_longer: list[str] = Field(
        default_factory=list, description="things the user says they stopped liking, eating or doing")


# --- the user's edits ----------------------------------------------------------------------------

def _words(value: Optional[str]) -> Optional[str]:
    """Text as stored in a fact: NUL, lone surrogates and huge input refused, spaces collapsed."""
    from memory.validation import clean_text  # noqa: PLC0415 - validation imports nothing from here

    if value is None:
        return None
    return " ".join(clean_text(value, field="text", max_chars=MAX_SENTENCE_CHARS * 10).split()) or None


Words = Annotated[Optional[str], BeforeValidator(_words)]
Text = Annotated[str, BeforeValidator(_words)]  # the same, and required
# Fields that, when an edit names them, must hold a value (a reason or a name may be cleared).
_REQUIRED_IF_GIVEN = {"item", "fine", "polarity", "entity", "coarse", "status", "confidence"}


class _Edit(_Strict):
    """A change to one profile fact: only the fields given change."""

    status: Optional[ItemStatus] = Field(default=None, description="active or superseded")

    @field_validator("status")
    @classmethod
    def _not_deleted(cls, value: Optional[ItemStatus]) -> Optional[ItemStatus]:
        if value == ItemStatus.DELETED:
            raise ValueError("delete the item to remove it")
        return value

    @model_validator(mode="after")
    def _given_means_set(self) -> "_Edit":
        for name in self.model_fields_set & _REQUIRED_IF_GIVEN:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be empty")
        return self

    def changes(self) -> dict:
        """The fields the edit gives, validated."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class PreferenceEdit(_Edit):
    """A change to a like or dislike."""

    item: Words = Field(default=None, max_length=MAX_ITEM_CHARS)
    polarity: Optional[Polarity] = None
    reason: Words = Field(default=None, max_length=MAX_REASON_CHARS)
    confidence: Optional[float] = Field(default=None, ge=0.0, le=1.0, strict=False)


class PersonEdit(_Edit):
    """A change to a person or organisation."""

    name: Words = Field(default=None, max_length=MAX_ITEM_CHARS)
    relation: Words = Field(default=None, max_length=MAX_RELATION_CHARS)
    entity: Optional[Literal["person", "organisation"]] = None


class TopicEdit(_Edit):
    """A change to a topic tag."""

    fine: Words = Field(default=None, max_length=MAX_ITEM_CHARS)
    coarse: Optional[Coarse] = None


class NewPreference(_Strict):
    """A like or dislike the user adds."""

    item: Text = Field(min_length=1, max_length=MAX_ITEM_CHARS)
    polarity: Polarity
    reason: Words = Field(default=None, max_length=MAX_REASON_CHARS)


class NewPerson(_Strict):
    """A person or organisation the user adds."""

    name: Words = Field(default=None, max_length=MAX_ITEM_CHARS)
    relation: Words = Field(default=None, max_length=MAX_RELATION_CHARS)
    entity: Literal["person", "organisation"] = "person"

    @model_validator(mode="after")
    def _named_or_related(self) -> "NewPerson":
        if not self.name and not self.relation:
            raise ValueError("a person needs a name or a relation")
        return self


class CorrectedItem(BaseModel):
    """A fact the user added, edited or deleted, as an export carries it (and an import restores it)."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["preference", "person", "topic"]
    key: Text = Field(min_length=1, max_length=500)
    label: Text = Field(min_length=1, max_length=MAX_ITEM_CHARS)
    status: ItemStatus
    holder: Words = Field(default=None, max_length=MAX_ITEM_CHARS)
    polarity: Optional[Polarity] = None
    reason: Words = Field(default=None, max_length=MAX_REASON_CHARS)
    confidence: Optional[float] = Field(default=None, ge=0.0, le=1.0)
    relation: Words = Field(default=None, max_length=MAX_RELATION_CHARS)
    entity: Optional[Literal["person", "organisation"]] = None
    coarse: Optional[Coarse] = None
    path: Optional[list[str]] = None
    history: Optional[list[dict]] = None
