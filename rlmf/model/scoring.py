"""How likely the model finds a reply: the summed log-probability DPO and the evaluation gate compare."""

from __future__ import annotations

from typing import Any

from rlmf.model.special_tokens import mark_user_turns


def completion_token_ids(tokenizer: Any, prompt_messages: list[dict], completion: str | dict) -> tuple[list[int], int]:
    """Token ids of prompt + assistant completion under the chat template, and where the completion starts."""
    message = completion if isinstance(completion, dict) else {"role": "assistant", "content": completion}
    prompt_messages = mark_user_turns(prompt_messages)
    prompt_ids = _ids(tokenizer.apply_chat_template(prompt_messages, add_generation_prompt=True))
    full_ids = _ids(tokenizer.apply_chat_template(prompt_messages + [message]))
    # As TRL's DPO does: the completion starts where the two renderings diverge, which covers templates
    # that render the prompt slightly differently once a reply follows.
    start = 0
    while start < min(len(prompt_ids), len(full_ids)) and prompt_ids[start] == full_ids[start]:
        start += 1
    return full_ids, start


def completion_logprob(model: Any, tokenizer: Any, prompt_messages: list[dict], completion: str | dict) -> float:
    """Summed log-probability of the assistant's completion (end-of-turn included) given the prompt."""
    import torch

    full_ids, start = completion_token_ids(tokenizer, prompt_messages, completion)
    if start >= len(full_ids):
        raise ValueError("the completion renders to no tokens")
    input_ids = torch.tensor([full_ids], device=model.device)
    with torch.inference_mode():
        logits = model(input_ids=input_ids).logits[0, :-1].float()
    logprobs = torch.log_softmax(logits, dim=-1)
    targets = input_ids[0, 1:]
    token_logprobs = logprobs.gather(1, targets.unsqueeze(1)).squeeze(1)
    return float(token_logprobs[start - 1 :].sum())


def preference_margin(model: Any, tokenizer: Any, prompt_messages: list[dict], chosen: str | dict,
                      rejected: str | dict) -> float:
    """log p(chosen) - log p(rejected): positive when the model prefers the chosen reply."""
    return completion_logprob(model, tokenizer, prompt_messages, chosen) - completion_logprob(
        model, tokenizer, prompt_messages, rejected
    )


def _ids(rendered: Any) -> list[int]:
    # transformers 5 returns a BatchEncoding from apply_chat_template; older versions a plain list.
    return list(rendered["input_ids"]) if hasattr(rendered, "keys") else list(rendered)
