"""Mebot's vocabulary: every closed set of words stored in a column or passed between layers.

Each is a `(str, Enum)`, so a member compares equal to its stored string ("like" == Polarity.LIKE),
the database keeps plain text, and a member prints as that text (f"{RunStatus.QUEUED}" == "queued").
"""

from __future__ import annotations

from enum import Enum


class Word(str, Enum):
    """A closed set of words: members are their stored strings, and print as them."""

    def __str__(self) -> str:
        return self.value


class Polarity(Word):
    """Whether the user likes or dislikes a preference item."""

    LIKE = "like"
    DISLIKE = "dislike"


class ItemKind(Word):
    """What a profile item is about."""

    PREFERENCE = "preference"
    PERSON = "person"
    TOPIC = "topic"


class ItemStatus(Word):
    """Where a profile item stands: believed now, replaced by a newer statement, or removed by the user."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"
    DELETED = "deleted"


class ItemOrigin(Word):
    """Who stated a profile item: read from the notes, or written by the user (authoritative)."""

    EXTRACTED = "extracted"
    USER = "user"


class FeedbackKind(Word):
    """A reaction to a bot reply."""

    LIKE = "like"
    DISLIKE = "dislike"
    EDIT = "edit"
    REGENERATE = "regenerate"


class RunStatus(Word):
    """The life of a training run: queued → running (→ cancelling) → one of the finished states."""

    QUEUED = "queued"
    RUNNING = "running"
    CANCELLING = "cancelling"
    SUCCEEDED = "succeeded"  # a new version went live
    REJECTED = "rejected"  # trained, but the evaluation gate kept the live version
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELLING)
FINISHED_RUN_STATUSES = (RunStatus.SUCCEEDED, RunStatus.REJECTED, RunStatus.FAILED, RunStatus.CANCELLED)


class RunTrigger(Word):
    """Why a training run was queued."""

    MANUAL = "manual"
    SCHEDULE = "schedule"
    FEEDBACK = "feedback"


class RunKind(Word):
    """What a training run starts from: the bare base with everything, or the live adapter with what is new."""

    FULL = "full"
    INCREMENTAL = "incremental"


class AdapterStatus(Word):
    """An adapter version: trained and waiting for the gate, live, refused by the gate, or an earlier live one."""

    CANDIDATE = "candidate"
    LIVE = "live"
    REJECTED = "rejected"
    RETIRED = "retired"
