"""A conversation as the chat shows it: chatbot messages, which stored message each row is, the votes,
and the sources of a reply (cited notes, the resolved time frame, what answered). No Gradio here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from memory.citations import cited_refs
from memory.errors import NotFound
from memory.timeframe import TimeFrame
from memory.vocab import FeedbackKind
from rlmf.training import adapters
from rlmf.data import feedback
from rlmf.chat import active_branch
from webapp.render import when

VOTE_LABELS = {FeedbackKind.LIKE: "Like", FeedbackKind.DISLIKE: "Dislike"}


@dataclass(frozen=True)
class Row:
    """What one chatbot row shows: a stored message and which part of it."""

    message_id: int
    part: str  # "question" | "reasoning" | "answer"


@dataclass(frozen=True)
class SourceItem:
    """A memory item a reply used, as the sources panel lists it."""

    kind: str  # "note" | "message"
    id: int
    ref: str
    date: str
    title: str


@dataclass(frozen=True)
class Sources:
    """What stands behind one reply."""

    reply_id: Optional[int] = None
    timeframe: Optional[str] = None
    items: list[SourceItem] = field(default_factory=list)
    cited: bool = True  # False: nothing was cited, `items` are what the prompt quoted
    answered_by: Optional[int] = None  # adapter version; None = the base model
    memory_only: bool = False
    siblings: tuple[int, ...] = ()  # every reply to the same question (regenerations), oldest first


@dataclass
class ChatState:
    """Per-browser-tab state, kept on the server (gr.State): never sent by the client."""

    session_id: Optional[int] = None
    rows: list[Row] = field(default_factory=list)
    sources: Sources = field(default_factory=Sources)
    vote: Optional[tuple[int, FeedbackKind]] = None  # (reply id, like or dislike) waiting for a reason
    chosen: dict[int, int] = field(default_factory=dict)  # question id -> the sibling reply shown for it
    listed: tuple = ()  # the conversations list as last sent to this tab (unchanged: not sent again)


@dataclass(frozen=True)
class Conversation:
    """A conversation ready for gr.Chatbot."""

    messages: list[dict]
    rows: list[Row]
    votes: list[Optional[str]]  # per assistant row: "Like", "Dislike" or None
    last_reply_id: Optional[int]


def conversation(user, session_id: Optional[int], chosen: Optional[dict[int, int]] = None) -> Conversation:
    """The visible branch of a conversation (each question with its latest reply, or the one `chosen`)."""
    if session_id is None:
        return Conversation([], [], [], None)
    messages, rows, votes = [], [], []
    last_reply = None
    for m in active_branch(user.messages(session_id), chosen):
        if m.role == "user":
            messages.append({"role": "user", "content": m.content})
            rows.append(Row(m.id, "question"))
            continue
        vote = VOTE_LABELS.get(feedback.current_vote(user, m.id))
        if m.reasoning:
            messages.append({"role": "assistant", "content": m.reasoning,
                             "metadata": {"title": "Reasoning", "status": "done"}})
            rows.append(Row(m.id, "reasoning"))
            votes.append(vote)
        messages.append({"role": "assistant", "content": m.content})
        rows.append(Row(m.id, "answer"))
        votes.append(vote)
        last_reply = m.id
    return Conversation(messages, rows, votes, last_reply)


def reply_at(rows: list[Row], index) -> Optional[int]:
    """The reply a chatbot row belongs to (a question row maps to nothing)."""
    if isinstance(index, (list, tuple)):
        index = index[0]
    if not isinstance(index, int) or not 0 <= index < len(rows):
        return None
    row = rows[index]
    return row.message_id if row.part != "question" else None


def question_at(rows: list[Row], index) -> Optional[int]:
    """The question a chatbot row asks or answers."""
    if isinstance(index, (list, tuple)):
        index = index[0]
    if not isinstance(index, int) or not 0 <= index < len(rows):
        return None
    for row in reversed(rows[: index + 1]):
        if row.part == "question":
            return row.message_id
    return None


def _item(user, kind: str, item_id: int, ref: str) -> Optional[SourceItem]:
    try:
        if kind == "note":
            note = user.note(item_id)
            return SourceItem("note", note.id, ref, when(note.created_at, user), note.title or "(untitled)")
        message = user.message(item_id)
        first_line = (message.content.strip().splitlines() or [""])[0][:80]
        return SourceItem("message", message.id, ref, when(message.created_at, user), f"you said: {first_line}")
    except NotFound:  # deleted since the reply was written
        return None


def _adapter_version(memory, user_id: int, version_id: Optional[int]) -> Optional[int]:
    if version_id is None:
        return None
    return next((v.version for v in adapters.versions(memory, user_id) if v.id == version_id), None)


def sources(user, reply_id: Optional[int]) -> Sources:
    """The sources of a stored reply: the notes it cites (or, citing none, the ones it was shown)."""
    if reply_id is None:
        return Sources()
    reply = user.message(reply_id)
    if reply.role != "assistant":
        return Sources()
    quoted = {i["ref"]: i for i in (reply.memory_items or []) if isinstance(i, dict) and "ref" in i}
    refs = [r for r in cited_refs(reply.original_content or reply.content) if r in quoted]
    cited = bool(refs)
    items = [_item(user, quoted[r]["kind"], quoted[r]["id"], r) for r in (refs or quoted)]
    frame = TimeFrame.from_dict(reply.timeframe).describe() if reply.timeframe else None
    siblings = tuple(m.id for m in user.messages(reply.session_id)
                     if m.role == "assistant" and m.parent_id == reply.parent_id)
    return Sources(
        reply_id=reply.id, timeframe=frame, items=[i for i in items if i is not None], cited=cited,
        answered_by=_adapter_version(user.memory, user.id, reply.adapter_version_id),
        memory_only=reply.model_name == "memory-only", siblings=siblings,
    )
