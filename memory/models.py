"""Every table of Mebot, in one place. Datetimes are timezone-aware and stored as UTC."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time in UTC, the form every datetime column holds."""
    return datetime.now(timezone.utc)


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    display_name: str = Field(default="", max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    # Calendar conventions; None: the defaults (settings, else derived from the time zone).
    country: Optional[str] = Field(default=None, max_length=2)
    date_order: Optional[str] = Field(default=None, max_length=8)
    password_hash: Optional[str] = Field(default=None, max_length=400)
    created_at: datetime = Field(default_factory=utcnow)


class Note(SQLModel, table=True):
    __table_args__ = (Index("ix_note_user_created", "user_id", "created_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    summary: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    content: str = Field(sa_column=Column(Text, nullable=False))
    # The note's own date: the user may backdate it.
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    source: str = Field(default="manual", max_length=500)


class ChatSession(SQLModel, table=True):
    __tablename__ = "chat_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    title: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Message(SQLModel, table=True):
    __table_args__ = (Index("ix_message_session_created", "session_id", "created_at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    session_id: int = Field(foreign_key="chat_session.id")
    # Regenerated replies share a parent: they are siblings.
    parent_id: Optional[int] = Field(default=None, foreign_key="message.id", index=True)
    role: str = Field(max_length=20)  # "user" | "assistant"
    content: str = Field(sa_column=Column(Text, nullable=False))
    reasoning: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    # A reply the user edited: `content` is their version, this is what the model wrote.
    original_content: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    # What produced a reply: the base model and the adapter version (None = no adapter).
    model_name: Optional[str] = Field(default=None, max_length=500)
    adapter_version_id: Optional[int] = Field(default=None, foreign_key="adapter_version.id")
    # The exact prompt (chat messages) the model saw, so feedback trains on what it saw.
    prompt: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The memory items the prompt contained: [{"kind": "note", "id": 3}, ...]
    memory_items: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    # The time frame the question named, if any: {"phrase", "start", "end", "grain"}.
    timeframe: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))


class Feedback(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    kind: str = Field(max_length=20)  # "like" | "dislike" | "edit" | "regenerate"
    reason: Optional[str] = Field(default=None, max_length=100)
    comment: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    # For an edit: the user's version of the reply; the bot's stays on the message.
    edited_text: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    retracted_at: Optional[datetime] = Field(default=None)


class PreferencePair(SQLModel, table=True):
    __tablename__ = "preference_pair"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    prompt: Any = Field(sa_column=Column(JSON, nullable=False))
    chosen: str = Field(sa_column=Column(Text, nullable=False))
    rejected: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(max_length=20)  # "edit" | "sibling"
    chosen_message_id: Optional[int] = Field(default=None, foreign_key="message.id")
    rejected_message_id: Optional[int] = Field(default=None, foreign_key="message.id")
    feedback_id: Optional[int] = Field(default=None, foreign_key="feedback.id")
    created_at: datetime = Field(default_factory=utcnow)


class AdapterVersion(SQLModel, table=True):
    __tablename__ = "adapter_version"
    __table_args__ = (UniqueConstraint("user_id", "version"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    version: int
    path: str = Field(max_length=1000)
    base_model: str = Field(max_length=500)
    # Content hash of the exact base (rlmf.model.fingerprint): an adapter is only applied to that base.
    base_fingerprint: Optional[str] = Field(default=None, max_length=64)
    # What its training has seen, cumulatively: {"notes": {id: updated_at iso}, "feedback": [ids],
    # "pairs": [keys], "kto": [message ids]} (rlmf.training.seen). Incremental runs train on the rest.
    seen: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    parent_id: Optional[int] = Field(default=None, foreign_key="adapter_version.id")
    status: str = Field(default="candidate", max_length=20)  # candidate | live | rejected | retired
    metrics: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    promoted_at: Optional[datetime] = Field(default=None)


class TrainingRun(SQLModel, table=True):
    __tablename__ = "training_run"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    status: str = Field(default="queued", max_length=20)  # queued | running | succeeded | failed | cancelled
    trigger: str = Field(default="manual", max_length=20)  # manual | schedule | feedback
    kind: Optional[str] = Field(default=None, max_length=20)  # full | incremental (RunKind); None: chosen at start
    stage: Optional[str] = Field(default=None, max_length=20)  # sft | dpo | kto | eval
    step: int = 0
    total_steps: int = 0
    eta_s: Optional[int] = None  # estimated seconds until the run ends (rlmf.training.progress)
    pid: Optional[int] = None
    error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    data_counts: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    metrics: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    # [{"stage": "sft", "step": 3, "loss": 1.2, "reward_margin": null}, ...]
    history: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    adapter_version_id: Optional[int] = Field(default=None, foreign_key="adapter_version.id")
    created_at: datetime = Field(default_factory=utcnow)
    started_at: Optional[datetime] = None
    finished_at: Optional[datetime] = None


class Embedding(SQLModel, table=True):
    """A dense vector for one searchable document (a note or a message)."""

    doc_key: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))  # memory.search.fulltext.doc_key
    user_id: int = Field(foreign_key="user.id", index=True)
    model: str = Field(max_length=500)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


# --- L1: the natural-language profile (memory.profile) -----------------------------------------


class ProfileState(SQLModel, table=True):
    """One user's profile settings and how far extraction has read their notes."""

    __tablename__ = "profile_state"

    user_id: int = Field(sa_column=Column(Integer, ForeignKey("user.id"), primary_key=True, autoincrement=False))
    # Written by the user; None means the text is built from the facts.
    bio: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    status: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    # The watermark: notes whose (updated_at, id) come after it have not been read yet.
    read_until: Optional[datetime] = None
    read_until_id: int = 0
    refreshed_at: Optional[datetime] = None


class ProfileItem(SQLModel, table=True):
    """One L1 fact: a preference (the user's or someone else's), a person or organisation, or a topic."""

    __tablename__ = "profile_item"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=20)  # preference | person | topic
    key: str = Field(max_length=500)  # normalised: what extraction and user edits are matched on
    label: str = Field(max_length=200)  # the item, the person's name (or relation), the tag as said
    holder: Optional[str] = Field(default=None, max_length=200)  # a preference of someone else
    polarity: Optional[str] = Field(default=None, max_length=10)  # like | dislike
    reason: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    confidence: Optional[float] = None
    relation: Optional[str] = Field(default=None, max_length=100)
    entity: Optional[str] = Field(default=None, max_length=20)  # person | organisation
    coarse: Optional[str] = Field(default=None, max_length=40)
    path: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    origin: str = Field(default="extracted", max_length=20)  # extracted | user
    status: str = Field(default="active", max_length=20)  # active | superseded | deleted
    # The newest supporting notes (at most memory.profile.merge.MAX_SOURCES) and how many there are.
    source_note_ids: Any = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note_count: int = 0
    stated_at: Optional[datetime] = None  # the date of the newest note that states it
    # Earlier statements replaced by newer ones: [{"label", "polarity", "note_ids", "superseded_by", ...}]
    history: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    # For a superseded fact: what replaced it {"label", "polarity", "note_id", "stated_at"}.
    superseded_by: Optional[Any] = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProfileEvidence(SQLModel, table=True):
    """What one note says toward one profile item; items are merged from these rows."""

    __tablename__ = "profile_evidence"
    __table_args__ = (Index("ix_profile_evidence_user_key", "user_id", "kind", "key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    # Cascade: a note deleted by any path takes what it said with it.
    note_id: int = Field(sa_column=Column(Integer, ForeignKey("note.id", ondelete="CASCADE"), nullable=False,
                                          index=True))
    kind: str = Field(max_length=20)  # preference | person | topic | retraction
    key: str = Field(max_length=500)
    data: Any = Field(sa_column=Column(JSON, nullable=False))  # the fact as the extractor gave it
    stated_at: datetime  # the note's own date


# "Which notes changed since the last profile refresh?" must not scan all of a user's notes.
Index("ix_note_user_updated", Note.user_id, Note.updated_at)
