"""The <|ME|> marker: one special token in front of every user turn, for inference and training alike."""

from __future__ import annotations

from typing import Any

ME_TOKEN = "<|ME|>"


def add_me_token(tokenizer: Any, model: Any = None) -> int:
    """Make <|ME|> a single special token (giving the model an embedding row for it); return its id."""
    added = ME_TOKEN not in tokenizer.get_vocab()
    if added:
        tokenizer.add_tokens([ME_TOKEN], special_tokens=True)
    token_id = tokenizer.convert_tokens_to_ids(ME_TOKEN)
    if model is not None:
        if token_id >= model.get_input_embeddings().weight.shape[0]:
            model.resize_token_embeddings(len(tokenizer), mean_resizing=False)
            _set_to_mean(model, token_id)
        elif added:
            # Many bases (Qwen2.5) pad the vocabulary: the new id lands on an unused row with arbitrary
            # values. Give it the same mean embedding a grown matrix gets.
            _set_to_mean(model, token_id)
    return token_id


def _set_to_mean(model: Any, first_new: int) -> None:
    # transformers' default "mean resizing" samples the new rows at random, so a base loaded twice would
    # disagree on <|ME|>; the plain mean of the existing rows is the same at every load.
    import torch

    layers = [model.get_input_embeddings(), model.get_output_embeddings()]
    with torch.no_grad():
        for weight in {id(layer.weight): layer.weight for layer in layers if layer is not None}.values():
            weight[first_new:] = weight[:first_new].float().mean(dim=0, keepdim=True).to(weight.dtype)


def mark_user_turns(messages: list[dict]) -> list[dict]:
    """Return a copy of the chat with <|ME|> in front of every user turn's content (already marked turns are kept)."""
    marked = []
    for message in messages:
        message = dict(message)
        content = message.get("content")
        if message.get("role") == "user" and isinstance(content, str) and not content.startswith(ME_TOKEN):
            message["content"] = ME_TOKEN + content
        marked.append(message)
    return marked
