"""Mebot's vocabulary: every closed set of words stored in a column or passed between layers.

Each is a `(str, Enum)`, so a member compares equal to its stored string ("like" == Polarity.LIKE)
and the database keeps plain text.
"""

from __future__ import annotations

from enum import Enum


class Polarity(str, Enum):
    """Whether the user likes or dislikes a preference item."""

    LIKE = "like"
    DISLIKE = "dislike"


class ItemKind(str, Enum):
    """What a profile item is about."""

    PREFERENCE = "preference"
    PERSON = "person"
    TOPIC = "topic"


class ItemStatus(str, Enum):
    """Where a profile item stands: believed now, replaced by a newer statement, or removed by the user."""

    ACTIVE = "active"
    SUPERSEDED = "superseded"
    DELETED = "deleted"


class ItemOrigin(str, Enum):
    """Who stated a profile item: read from the notes, or written by the user (authoritative)."""

    EXTRACTED = "extracted"
    USER = "user"


class FeedbackKind(str, Enum):
    """A reaction to a bot reply."""

    LIKE = "like"
    DISLIKE = "dislike"
    EDIT = "edit"
    REGENERATE = "regenerate"


class RunStatus(str, Enum):
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


class RunTrigger(str, Enum):
    """Why a training run was queued."""

    MANUAL = "manual"
    SCHEDULE = "schedule"
    FEEDBACK = "feedback"


class RunKind(str, Enum):
    """What a training run starts from: the bare base with everything, or the live adapter with what is new."""

    FULL = "full"
    INCREMENTAL = "incremental"


class AdapterStatus(str, Enum):
    """An adapter version: trained and waiting for the gate, live, refused by the gate, or an earlier live one."""

    CANDIDATE = "candidate"
    LIVE = "live"
    REJECTED = "rejected"
    RETIRED = "retired"
