"""Feedback → training data. Edits and sibling votes become preference pairs (stored, so the user and
the UI can see them); votes that pair with nothing become KTO examples. Everything is derived from the
current feedback, so building twice gives the same set, and retracted votes, deleted conversations and
prompts that quoted deleted notes drop out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from memory.models import Feedback, Message, Note, PreferencePair
from memory.vocab import FeedbackKind
from rlmf.chat.prompt import reply_text

VOTES = (FeedbackKind.LIKE, FeedbackKind.DISLIKE)  # the feedback kinds that are votes


@dataclass(frozen=True)
class PairSpec:
    source: str  # "edit" | "sibling"
    chosen_message_id: int
    rejected_message_id: int
    feedback_id: int
    prompt: list
    chosen: str
    rejected: str

    @property
    def key(self) -> tuple:
        return (self.source, self.chosen_message_id, self.rejected_message_id)


def _model_text(message: Message) -> str:
    return message.original_content if message.original_content is not None else message.content


def _usable_replies(session, user_id: int) -> dict[int, Message]:
    """The user's replies that can be trained on: with a stored prompt that quotes no deleted note."""
    note_ids = set(session.scalars(select(Note.id).where(Note.user_id == user_id)))
    replies = {}
    for m in session.scalars(select(Message).where(Message.user_id == user_id, Message.role == "assistant")
                             .order_by(Message.created_at, Message.id)):
        quoted = {i.get("id") for i in (m.memory_items or []) if i.get("kind") == "note"}
        if m.prompt and quoted <= note_ids:
            replies[m.id] = m
    return replies


def _standing_votes(session, user_id: int) -> dict[int, Feedback]:
    votes = {}
    for f in session.scalars(select(Feedback).where(
            Feedback.user_id == user_id, Feedback.kind.in_(VOTES),
            Feedback.retracted_at.is_(None)).order_by(Feedback.created_at, Feedback.id)):
        votes[f.message_id] = f
    return votes


def _edits(session, user_id: int) -> dict[int, Feedback]:
    edits = {}
    for f in session.scalars(select(Feedback).where(Feedback.user_id == user_id, Feedback.kind == FeedbackKind.EDIT)
                             .order_by(Feedback.created_at, Feedback.id)):
        edits[f.message_id] = f  # the latest edit wins
    return edits


def derive(session, user_id: int) -> tuple[list[PairSpec], list[dict]]:
    """(preference pairs, KTO examples) implied by the user's feedback now."""
    replies = _usable_replies(session, user_id)
    votes = _standing_votes(session, user_id)
    pairs: list[PairSpec] = []
    for message_id, edit in _edits(session, user_id).items():
        m = replies.get(message_id)
        if m is not None and m.original_content is not None and m.content.strip() != m.original_content.strip():
            pairs.append(PairSpec("edit", m.id, m.id, edit.id, m.prompt, m.content, m.original_content))

    siblings: dict[int, list[Message]] = defaultdict(list)
    for m in replies.values():
        if m.parent_id is not None:
            siblings[m.parent_id].append(m)
    for group in siblings.values():
        latest = group[-1].id
        for liked in (m for m in group if votes.get(m.id) and votes[m.id].kind == FeedbackKind.LIKE):
            for other in group:
                vote = votes.get(other.id)
                disliked = vote is not None and vote.kind == FeedbackKind.DISLIKE
                replaced = vote is None and other.id != latest and other.created_at <= liked.created_at
                # A regenerated reply can come out word for word the same: no preference to learn from.
                same_text = liked.content.strip() == _model_text(other).strip()
                if other.id != liked.id and (disliked or replaced) and not same_text:
                    pairs.append(PairSpec("sibling", liked.id, other.id, votes[liked.id].id, liked.prompt,
                                          liked.content, _model_text(other)))

    paired = {p.chosen_message_id for p in pairs} | {p.rejected_message_id for p in pairs}
    kto = [
        {"prompt": replies[mid].prompt,
         "completion": [{"role": "assistant", "content": reply_text(_model_text(replies[mid]), replies[mid].reasoning)}],
         "label": vote.kind == FeedbackKind.LIKE, "message_id": mid, "feedback_id": vote.id}
        for mid, vote in votes.items() if mid in replies and mid not in paired
    ]
    return pairs, kto


def sync_pairs(user) -> list[PreferencePair]:
    """Make the stored preference pairs of `user` exactly those their feedback implies."""
    with user.memory.session() as session:
        wanted = {p.key: p for p in derive(session, user.id)[0]}
        stored = list(session.scalars(select(PreferencePair).where(PreferencePair.user_id == user.id)))
        kept = []
        for row in stored:
            spec = wanted.pop((row.source, row.chosen_message_id, row.rejected_message_id), None)
            if spec is None:
                session.delete(row)
                continue
            row.prompt, row.chosen, row.rejected, row.feedback_id = spec.prompt, spec.chosen, spec.rejected, spec.feedback_id
            kept.append(row)
        for spec in wanted.values():
            row = PreferencePair(user_id=user.id, prompt=spec.prompt, chosen=spec.chosen, rejected=spec.rejected,
                                 source=spec.source, chosen_message_id=spec.chosen_message_id,
                                 rejected_message_id=spec.rejected_message_id, feedback_id=spec.feedback_id)
            session.add(row)
            kept.append(row)
    return kept


def pair_key(pair) -> str:
    """What identifies a trained-on pair across runs: its messages and the feedback that made it (a new edit
    of the same reply is a new pair)."""
    return f"{pair.source}:{pair.chosen_message_id}:{pair.rejected_message_id}:{pair.feedback_id}"


def _reasoning_of(user, message_ids: set[int]) -> dict[int, Optional[str]]:
    with user.memory.session() as session:
        return dict(session.execute(select(Message.id, Message.reasoning).where(
            Message.user_id == user.id, Message.id.in_(message_ids))).all()) if message_ids else {}


def dpo_rows(user, *, with_keys: bool = False) -> list[dict]:
    """The user's preference pairs as TRL DPO rows, after syncing them with the feedback; with_keys adds
    "key" (pair_key) and "feedback_id" to each row, for recording what a run has seen. Each reply keeps the
    reasoning its model wrote (rlmf.chat.prompt.reply_text); an edit changes only the answer after it."""
    rows = []
    pairs = sorted(sync_pairs(user), key=lambda p: (p.chosen_message_id, p.rejected_message_id, p.source))
    reasoning = _reasoning_of(user, {i for p in pairs for i in (p.chosen_message_id, p.rejected_message_id)})
    for p in pairs:
        chosen = reply_text(p.chosen, reasoning.get(p.chosen_message_id))
        rejected = reply_text(p.rejected, reasoning.get(p.rejected_message_id))
        row = {"prompt": p.prompt, "chosen": [{"role": "assistant", "content": chosen}],
               "rejected": [{"role": "assistant", "content": rejected}]}
        if with_keys:
            row.update(key=pair_key(p), feedback_id=p.feedback_id)
        rows.append(row)
    return rows


def kto_rows(user, *, with_keys: bool = False) -> list[dict]:
    """Votes that pair with nothing, as TRL KTO rows; with_keys adds "key" and "feedback_id" (the vote)."""
    with user.memory.session() as session:
        examples = derive(session, user.id)[1]
    keys = ("prompt", "completion", "label") + (("feedback_id",) if with_keys else ())
    rows = [{k: e[k] for k in keys} for e in sorted(examples, key=lambda e: e["message_id"])]
    if with_keys:
        for row in rows:
            row["key"] = vote_key(row["feedback_id"])
    return rows


def vote_key(feedback_id: int) -> str:
    """What identifies a trained-on unpaired vote across runs."""
    return f"vote:{feedback_id}"


def liked_replies(user) -> list[dict]:
    """Liked and edited replies as SFT rows (the prompt the model saw + the reply the user endorsed), each with
    the "feedback_id" of the edit or like that endorsed it."""
    with user.memory.session() as session:
        replies = _usable_replies(session, user.id)
        votes = _standing_votes(session, user.id)
        edited = _edits(session, user.id)
    rows = []
    for mid, m in replies.items():
        liked = votes.get(mid) if votes.get(mid) and votes[mid].kind == FeedbackKind.LIKE else None
        endorsement = edited.get(mid) or liked
        if endorsement is not None:
            rows.append({"messages": [*m.prompt, {"role": "assistant", "content": reply_text(m.content, m.reasoning)}],
                         "feedback_id": endorsement.id})
    return rows
