"""The data of one training run, full or incremental, and the record of what it has seen.

A full run trains a fresh adapter on everything: SFT rows synthesised from all notes plus endorsed replies,
all preference pairs, all unpaired votes. An incremental run continues the live adapter with what that
adapter has not seen: the SFT rows about new or edited notes and new endorsed replies, plus a replay
sample of earlier rows so old memories are not forgotten (the AI-native memory paper's answer to
catastrophic forgetting), and the new pairs and votes. `seen` is cumulative: an adapter's record covers its
parent's.

The gate's held-out rows are the same for both kinds (split by content, see synthesis.split_holdout), so a
new version is always compared with the live one on questions neither trained on.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Optional

from memory.profile import summary as profile_summary
from memory.vocab import RunKind
from rlmf.chat.prompt import recent_history
from rlmf.data import preference_pairs
from rlmf.data.synthesis import NoteView, Synthesiser, split_holdout

KNOWN_ROWS = 24  # closed-book rows the gate checks the live version's knowledge on


@dataclass
class RunData:
    """Every dataset of a run and what the resulting adapter will have seen."""

    kind: RunKind
    sft: list[dict]
    sft_heldout: list[dict]
    dpo: list[dict]
    dpo_heldout: list[dict]
    kto: list[dict]
    seen: dict  # before the preference stages: notes and endorsed replies; see seen_after
    counts: dict = field(default_factory=dict)
    known: list[dict] = field(default_factory=list)  # closed-book rows the live adapter learned (gate: no forgetting)

    def seen_after(self, *, dpo_trained: bool, kto_trained: bool) -> dict:
        """The new adapter's record: pairs and votes count as seen only if their stage ran."""
        seen = {key: (dict(value) if isinstance(value, dict) else list(value)) for key, value in self.seen.items()}
        if dpo_trained:
            seen["pairs"] = sorted(set(seen["pairs"]) | {p["key"] for p in self.dpo})
        if kto_trained:
            seen["votes"] = sorted(set(seen["votes"]) | {v["key"] for v in self.kto})
        return seen


def empty_seen() -> dict:
    """The record of an adapter that has seen nothing."""
    return {"notes": {}, "sft_feedback": [], "pairs": [], "votes": []}


def seen_feedback_ids(seen: dict) -> list[int]:
    """Every feedback id (edit, like, dislike) whose data an adapter has trained on."""
    ids = set(seen.get("sft_feedback", []))
    for key in seen.get("pairs", []) + seen.get("votes", []):
        ids.add(int(key.rsplit(":", 1)[1]))
    return sorted(ids)


def note_versions(notes: list[NoteView], updated: dict[int, str]) -> dict[str, str]:
    """{note id: last change (ISO)} — JSON object keys are strings."""
    return {str(n.id): updated[n.id] for n in notes}


def changed_notes(notes: list[NoteView], updated: dict[int, str], seen: dict) -> list[int]:
    """Ids of notes that are new or edited since the adapter saw them."""
    known = seen.get("notes", {})
    return [n.id for n in notes if known.get(str(n.id)) != updated[n.id]]


def build_run_data(user, *, kind: RunKind, seen: Optional[dict], seed: int, week_start: int,
                   replay_ratio: float, min_replay: int, max_sft_rows: Optional[int],
                   closed_share: float = 0.75, history_turns: Optional[int] = None) -> RunData:
    """The datasets of a run for `user`. `seen` is the live adapter's record (incremental runs use it as the
    starting point; every run uses it for the gate's `known` rows).

    replay_ratio / min_replay: how many earlier SFT rows are replayed per new row, and at least how many;
    max_sft_rows caps a full run's SFT rows (a deterministic sample), None: no cap; closed_share: the share of
    closed-book rows in that sample; history_turns: rows from chats (endorsed replies, preference pairs, votes)
    keep only the last that many exchanges before their question (None: the whole prompt the model saw).
    """
    note_rows = user.notes()
    notes = [NoteView(n.id, n.title, n.content, n.created_at) for n in note_rows]
    updated = {n.id: (n.updated_at or n.created_at).isoformat() for n in note_rows}
    profile = user.profile()  # refreshed: the run learns the L1 facts as they stand now
    synthesised = Synthesiser(notes, seed=seed, week_start=week_start,
                              profile=profile_summary.summary(profile) or None).rows(profile=profile)
    train_rows, sft_heldout = split_holdout(synthesised, share=0.1, seed=seed)
    endorsed = [{**r, "messages": [*recent_history(r["messages"][:-1], history_turns), r["messages"][-1]]}
                for r in preference_pairs.liked_replies(user)]
    pairs = [{**p, "prompt": recent_history(p["prompt"], history_turns)}
             for p in preference_pairs.dpo_rows(user, with_keys=True)]
    votes = [{**v, "prompt": recent_history(v["prompt"], history_turns)}
             for v in preference_pairs.kto_rows(user, with_keys=True)]
    rng = random.Random(seed)
    previous = seen if (kind == RunKind.INCREMENTAL and seen is not None) else empty_seen()

    if kind == RunKind.INCREMENTAL:
        fresh_notes = set(changed_notes(notes, updated, previous))
        old_feedback = set(previous.get("sft_feedback", []))
        new_rows = [r for r in train_rows if fresh_notes & set(r.get("notes", []))]
        new_rows += [r for r in endorsed if r["feedback_id"] not in old_feedback]
        earlier = [r for r in train_rows if not fresh_notes & set(r.get("notes", []))]
        earlier += [r for r in endorsed if r["feedback_id"] in old_feedback]
        replay_count = min(len(earlier), max(min_replay, round(replay_ratio * len(new_rows)))) if new_rows else 0
        replay = rng.sample(earlier, replay_count)
        sft = new_rows + replay
        old_pairs, old_votes = set(previous.get("pairs", [])), set(previous.get("votes", []))
        dpo = [p for p in pairs if p["key"] not in old_pairs]
        kto = [v for v in votes if v["key"] not in old_votes]
        counts = {"new_sft_rows": len(new_rows), "replayed_sft_rows": len(replay), "new_notes": len(fresh_notes)}
    else:
        sft = train_rows + endorsed
        if max_sft_rows is not None and len(sft) > max_sft_rows:
            # Endorsed replies are the user's own words: keep them all. Of the synthesised rows, mostly
            # closed-book ones: they are short and they are what puts the memory into the weights; the rest
            # open-book, which teach reading the quoted notes in the answer format.
            sft = endorsed + capped_sample(train_rows, max(0, max_sft_rows - len(endorsed)), closed_share, rng)
        dpo, kto = pairs, votes
        counts = {"synthesised_sft_rows": len(train_rows), "new_notes": len(notes)}

    # With few pairs every one is needed for training; the gate then checks them in-sample.
    dpo_heldout = split_holdout(pairs, share=0.2, seed=seed)[1] if len(pairs) >= 10 else pairs
    if len(pairs) >= 10:
        heldout_keys = {p["key"] for p in dpo_heldout}
        dpo = [p for p in dpo if p["key"] not in heldout_keys]
    counts.update(notes=len(notes), sft=len(sft), endorsed=sum(1 for r in sft if "feedback_id" in r),
                  sft_heldout=len(sft_heldout), dpo=len(dpo),
                  dpo_heldout=len(dpo_heldout), kto=len(kto), pairs_total=len(pairs), votes_total=len(votes))
    seen_now = {"notes": note_versions(notes, updated),
                "sft_feedback": sorted(set(previous.get("sft_feedback", [])) | {r["feedback_id"] for r in endorsed}),
                "pairs": sorted(previous.get("pairs", [])), "votes": sorted(previous.get("votes", []))}
    known = known_rows(train_rows, notes, updated, seen, seed)
    counts["known"] = len(known)
    return RunData(kind, [{"messages": r["messages"]} for r in sft], sft_heldout, dpo, dpo_heldout, kto,
                   seen_now, counts, [{"messages": r["messages"]} for r in known])


def capped_sample(rows: list[dict], limit: int, closed_share: float, rng: random.Random) -> list[dict]:
    """`limit` rows, about `closed_share` of them closed-book (the other kind fills in when one runs short)."""
    shuffled = rng.sample(rows, len(rows))
    closed = [r for r in shuffled if r.get("kind") == "closed"]
    other = [r for r in shuffled if r.get("kind") != "closed"]
    want_closed = max(limit - len(other), min(len(closed), round(closed_share * limit)))
    picked = closed[:want_closed] + other[:limit - min(want_closed, len(closed))]
    return rng.sample(picked, len(picked))


def known_rows(rows: list[dict], notes: list[NoteView], updated: dict[int, str], seen: Optional[dict], seed: int,
               limit: int = KNOWN_ROWS) -> list[dict]:
    """Up to `limit` closed-book rows about notes the live adapter was trained on and that have not changed
    since (a fixed sample for a seed): what a new version must still know."""
    if not seen:
        return []
    unchanged = {n.id for n in notes} - set(changed_notes(notes, updated, seen))
    candidates = [r for r in rows if r.get("kind") == "closed" and r.get("notes") and set(r["notes"]) <= unchanged]
    return random.Random(seed).sample(candidates, min(limit, len(candidates)))
