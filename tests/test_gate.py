"""Guards the evaluation gate: a candidate no worse than the live version (within the tolerances) is
promoted; one whose memory recall or preference accuracy dropped further — or that scores NaN, as a
diverged run does — is rejected with the reason; and the scores it compares are the mean per-token
log-probability of held-out answers and the share of pairs whose chosen reply is likelier."""

from __future__ import annotations

import math

import pytest

from rlmf.model.scoring import completion_logprob, completion_token_ids
from rlmf.training.gate import GateConfig, _scores, passes


def scores(recall, preference):
    return {"recall_logprob": recall, "preference_accuracy": preference, "recall_items": 3, "pairs": 4}


def gate(candidate, live, config=GateConfig()):
    return passes({"candidate": scores(*candidate), "live": scores(*live)}, config)


def test_a_candidate_as_good_or_within_tolerance_is_promoted():
    assert gate((-1.0, 0.5), (-1.0, 0.5)) == (True, "not worse than the live version")
    assert gate((-1.04, 0.41), (-1.0, 0.5)) == (True, "not worse than the live version")
    assert gate((-1.05, 0.4), (-1.0, 0.5), GateConfig(recall_tolerance=0.05, preference_tolerance=0.1))[0]
    assert gate((None, None), (-1.0, 0.5)) == (True, "not worse than the live version")  # nothing held out


def test_worse_recall_is_rejected_with_the_reason():
    assert gate((-1.2, 0.5), (-1.0, 0.5)) == (
        False, "memory recall got worse (-1.200 < -1.000 nats/token)")
    assert not gate((-1.06, 0.5), (-1.0, 0.5))[0]
    assert not gate((-1.0, 0.5), (-1.0, 0.5), GateConfig(recall_tolerance=-0.01))[0]


def test_worse_preference_accuracy_is_rejected_with_the_reason():
    assert gate((-1.0, 0.25), (-1.0, 0.75)) == (False, "prefers your choices less often (25% < 75%)")
    assert not gate((-1.0, 0.39), (-1.0, 0.5))[0]


def test_both_reasons_are_given():
    assert gate((-2.0, 0.0), (-1.0, 1.0)) == (
        False, "memory recall got worse (-2.000 < -1.000 nats/token); prefers your choices less often (0% < 100%)")


def test_forgetting_what_the_live_version_knew_is_rejected():
    def with_known(known):
        return {**scores(-1.0, 0.5), "known_logprob": known}

    assert passes({"candidate": with_known(-0.59), "live": with_known(-0.5)})[0]  # within 0.1 nats/token
    assert passes({"candidate": with_known(-0.8), "live": with_known(-0.5)}) == (
        False, "forgot what it knew (-0.800 < -0.500 nats/token on notes it was trained on)")
    assert not passes({"candidate": with_known(math.nan), "live": with_known(-0.5)})[0]
    assert passes({"candidate": with_known(None), "live": with_known(None)})[0]  # nothing known yet


def test_a_diverged_candidate_is_rejected():
    assert not gate((math.nan, 0.5), (-1.0, 0.5))[0]
    assert not gate((-1.0, math.nan), (-1.0, 0.5))[0]


def test_scores_are_mean_token_logprob_and_pair_accuracy(tiny_personal_model):
    model, tokenizer = tiny_personal_model.model, tiny_personal_model.tokenizer
    prompt = [{"role": "user", "content": "What is my dog called?"}]
    recall = [{"messages": [*prompt, {"role": "assistant", "content": answer}]} for answer in ("Biscuit.", "A dog.")]
    result = _scores(model, tokenizer, recall, [])
    total = sum(completion_logprob(model, tokenizer, prompt, r["messages"][-1]) for r in recall)
    tokens = sum(len(ids) - start for ids, start in
                 (completion_token_ids(tokenizer, prompt, r["messages"][-1]) for r in recall))
    assert result["recall_logprob"] == pytest.approx(total / tokens)
    assert (result["preference_accuracy"], result["recall_items"], result["pairs"]) == (None, 2, 0)
    known = _scores(model, tokenizer, [], [], recall)  # what the live version learned: scored the same way
    assert known["known_logprob"] == pytest.approx(total / tokens) and known["recall_logprob"] is None

    a, b = [{"role": "assistant", "content": "yes"}], [{"role": "assistant", "content": "no, never"}]
    pair = {"prompt": prompt, "chosen": a, "rejected": b}
    swapped = {"prompt": prompt, "chosen": b, "rejected": a}
    # The model prefers exactly one of the two orders (the two completions differ).
    assert _scores(model, tokenizer, [], [pair, swapped])["preference_accuracy"] == 0.5
    both = _scores(model, tokenizer, [], [pair, pair])["preference_accuracy"]
    assert both in (0.0, 1.0) and _scores(model, tokenizer, [], [swapped])["preference_accuracy"] == 1.0 - both
    assert _scores(model, tokenizer, [], [])["recall_logprob"] is None
