"""The evaluation gate: a new adapter goes live only if it is not worse than the live one (or the bare base,
before the first) on held-out memory questions, on held-out preference pairs, and on what the live version
already knew (closed-book questions about notes it was trained on: a run must not make it forget them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from rlmf.model.scoring import completion_logprob, completion_token_ids


@dataclass
class GateConfig:
    # How much lower the mean per-token log-probability of held-out answers may be (nats).
    recall_tolerance: float = 0.05
    # How much lower it may be on what the live version already knew (nats per token).
    known_tolerance: float = 0.1
    # How much lower the share of pairs whose chosen reply is likelier may be.
    preference_tolerance: float = 0.1


def _mean_logprob(model, tokenizer, rows: Sequence[dict]) -> float | None:
    """Mean per-token log-probability (nats) of the rows' answers; None for no rows."""
    total_lp = total_tokens = 0.0
    for row in rows:
        prompt, answer = row["messages"][:-1], row["messages"][-1]
        ids, start = completion_token_ids(tokenizer, prompt, answer)
        total_lp += completion_logprob(model, tokenizer, prompt, answer)
        total_tokens += len(ids) - start
    return total_lp / total_tokens if total_tokens else None


def _scores(model, tokenizer, recall_items: list[dict], pairs: list[dict], known_items: Sequence[dict] = ()) -> dict:
    wins = sum(
        completion_logprob(model, tokenizer, p["prompt"], p["chosen"][0])
        > completion_logprob(model, tokenizer, p["prompt"], p["rejected"][0])
        for p in pairs
    )
    return {
        "recall_logprob": _mean_logprob(model, tokenizer, recall_items),
        "known_logprob": _mean_logprob(model, tokenizer, known_items),
        "preference_accuracy": wins / len(pairs) if pairs else None,
        "recall_items": len(recall_items),
        "known_items": len(known_items),
        "pairs": len(pairs),
    }


def evaluate(base_model: str, candidate: Path, live: Optional[Path], recall_items: list[dict],
             pairs: list[dict], known_items: Optional[list[dict]] = None) -> dict:
    """Scores of the candidate and of the live adapter (None = bare base) on the same data: held-out
    `recall_items` ({"messages"} rows) and `pairs` ({"prompt", "chosen", "rejected"}), and `known_items`,
    rows the live version was trained on."""
    known_items = known_items or []
    from peft import PeftModel

    from rlmf.model.base import check_adapter_base, load_base

    base = load_base(base_model)
    check_adapter_base(Path(candidate), base.fingerprint)
    model = PeftModel.from_pretrained(base.model, str(candidate), adapter_name="candidate")
    if live is not None:
        check_adapter_base(Path(live), base.fingerprint)
        model.load_adapter(str(live), adapter_name="live")
    model.eval()
    model.set_adapter("candidate")
    results = {"candidate": _scores(model, base.tokenizer, recall_items, pairs, known_items)}
    if live is not None:
        model.set_adapter("live")
        results["live"] = _scores(model, base.tokenizer, recall_items, pairs, known_items)
    else:
        with model.disable_adapter():
            results["live"] = _scores(model, base.tokenizer, recall_items, pairs, known_items)
    return results


def passes(results: dict, gate: GateConfig = GateConfig()) -> tuple[bool, str]:
    """(promote?, why) from evaluate()'s results."""
    new, old = results["candidate"], results["live"]
    reasons = []
    # Written as "not at least as good", so a candidate scoring NaN (a diverged run) counts as worse.
    if new["recall_logprob"] is not None and not new["recall_logprob"] >= old["recall_logprob"] - gate.recall_tolerance:
        reasons.append(f"memory recall got worse ({new['recall_logprob']:.3f} < {old['recall_logprob']:.3f} nats/token)")
    if new.get("known_logprob") is not None and not new["known_logprob"] >= old["known_logprob"] - gate.known_tolerance:
        reasons.append(f"forgot what it knew ({new['known_logprob']:.3f} < {old['known_logprob']:.3f} nats/token "
                       "on notes it was trained on)")
    if (new["preference_accuracy"] is not None
            and not new["preference_accuracy"] >= old["preference_accuracy"] - gate.preference_tolerance):
        reasons.append(f"prefers your choices less often ({new['preference_accuracy']:.0%} < "
                       f"{old['preference_accuracy']:.0%})")
    return (not reasons, "; ".join(reasons) or "not worse than the live version")
