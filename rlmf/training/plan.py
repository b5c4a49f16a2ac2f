"""Which stages a run trains and why the others wait, and what feedback the model in use has not learned yet.

Preference training (DPO on pairs, KTO on unpaired likes and dislikes) needs a minimum of examples
(TrainConfig.min_dpo_pairs / min_kto_examples); below it a run trains SFT only and the feedback stays
waiting. What is waiting is read from the live adapter's own record of what it has seen
(rlmf.data.run_data), so a run that failed, was cancelled, was refused by the gate or skipped a stage
leaves the feedback counted as waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from sqlalchemy import select

from memory.models import Feedback, PreferencePair
from memory.vocab import FeedbackKind
from rlmf.data import preference_pairs
from rlmf.data.run_data import empty_seen, seen_feedback_ids
from rlmf.training import adapters
from rlmf.training.config import TrainConfig, stage_steps


def minimums(config: TrainConfig) -> dict[str, int]:
    """How many examples each preference stage needs before a run trains it."""
    return {"dpo": config.min_dpo_pairs, "kto": config.min_kto_examples}


def stage_plan(data, config: TrainConfig) -> dict[str, int]:
    """{stage: optimizer steps} of the stages this run's data (rlmf.data.run_data.RunData) is enough for."""
    needs = minimums(config)
    go = {"sft": bool(data.sft), "dpo": len(data.dpo) >= needs["dpo"], "kto": len(data.kto) >= needs["kto"]}
    rows = {"sft": data.sft, "dpo": data.dpo, "kto": data.kto}
    return {stage: stage_steps(len(rows[stage]), config, stage) for stage in ("sft", "dpo", "kto") if go[stage]}


def expected_config(settings) -> TrainConfig:
    """The config the next run will use: MEBOT_TRAIN_CONFIG on the defaults of the device it will run on."""
    from rlmf.training.run import load_train_config

    device = None  # embedded runs train on this machine
    if settings.training_queue == "procrastinate":
        device = "cuda" if settings.train_device == "gpu" else "cpu"
    return load_train_config(settings.train_config or "", device=device)


@dataclass(frozen=True)
class Waiting:
    """Standing feedback the model in use has not trained on."""

    likes: int
    dislikes: int
    edits: int
    pairs: int  # preference pairs (from edits and votes between regenerated replies) not trained on
    votes: int  # likes and dislikes that pair with nothing (KTO examples) not trained on


def live_seen(memory, user_id: int) -> dict:
    """What the adapter in use has trained on (nothing, when the base model answers)."""
    row = adapters.live(memory, user_id)
    return (row.seen if row is not None else None) or empty_seen()


def waiting_feedback(user) -> Waiting:
    """The user's standing likes, dislikes, latest edits, pairs and unpaired votes the live adapter has not seen."""
    seen = live_seen(user.memory, user.id)
    learned_ids = set(seen_feedback_ids(seen))
    learned_pairs, learned_votes = set(seen.get("pairs", [])), set(seen.get("votes", []))
    with user.memory.session() as session:
        standing = list(session.scalars(select(Feedback).where(
            Feedback.user_id == user.id, Feedback.retracted_at.is_(None))
            .order_by(Feedback.created_at, Feedback.id)))
        latest_edits = {f.message_id: f for f in standing if f.kind == FeedbackKind.EDIT}
        pairs = list(session.scalars(select(PreferencePair).where(PreferencePair.user_id == user.id)))
        unpaired = preference_pairs.derive(session, user.id)[1]

    def new(rows) -> int:
        return sum(1 for f in rows if f.id not in learned_ids)

    return Waiting(
        likes=new(f for f in standing if f.kind == FeedbackKind.LIKE),
        dislikes=new(f for f in standing if f.kind == FeedbackKind.DISLIKE),
        edits=new(latest_edits.values()),
        pairs=sum(1 for p in pairs if preference_pairs.pair_key(p) not in learned_pairs),
        votes=sum(1 for v in unpaired if preference_pairs.vote_key(v["feedback_id"]) not in learned_votes))


def skipped_stages(counts: Optional[dict]) -> dict[str, tuple[int, int]]:
    """{stage: (examples it had, examples it needed)} for the preference stages a finished plan left out."""
    counts = counts if isinstance(counts, dict) else {}
    plan, needs = counts.get("plan"), counts.get("needs")
    if not isinstance(plan, dict) or not isinstance(needs, dict):
        return {}
    return {stage: (int(counts.get(stage) or 0), int(needs[stage])) for stage in ("dpo", "kto")
            if stage not in plan and stage in needs}
