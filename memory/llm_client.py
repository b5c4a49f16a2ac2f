"""The one client of OpenAI-compatible servers (vLLM, rlmf.chat.openai_server, a hosted teacher model),
built on the `openai` SDK. L1 extraction's teacher (memory.profile.llm) and the openai chat backend
(rlmf.chat.backends) both talk through it, and its failures (connection refused, timeouts, HTTP
errors) all arrive as one domain error, memory.errors.ModelServerError.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Optional

from memory.errors import ModelServerError

MAX_ERROR_CHARS = 300


def make_client(base_url: str, api_key: Optional[str] = None, *, timeout: float = 120.0, max_retries: int = 0):
    """An `openai.OpenAI` client for `base_url` (".../v1"); no key is sent when `api_key` is None."""
    import openai

    # The SDK insists on a key; servers started without one ignore the placeholder.
    return openai.OpenAI(base_url=base_url.rstrip("/"), api_key=api_key or "no-key", timeout=timeout,
                         max_retries=max_retries)


@contextmanager
def server_errors(client) -> Iterator[None]:
    """Inside this block, the SDK's transport and HTTP errors become ModelServerError."""
    import openai

    try:
        yield
    except openai.APIStatusError as exc:
        detail = exc.body.get("message") if isinstance(exc.body, dict) else exc.body
        raise ModelServerError(f"The model server answered {exc.status_code}: "
                               f"{str(detail or exc.message)[:MAX_ERROR_CHARS]}") from exc
    except openai.APIConnectionError as exc:  # refused, reset, timed out
        raise ModelServerError(f"The model server at {str(client.base_url).rstrip('/')} could not be reached "
                               f"({exc.message.rstrip('.')}).") from exc


def complete(client, model: str, messages: list[dict], **params: Any) -> str:
    """The whole reply of a chat completion (params: max_tokens, temperature, top_p …)."""
    with server_errors(client):
        response = client.chat.completions.create(model=model, messages=messages, **params)
    if not response.choices:
        return ""
    return response.choices[0].message.content or ""


def stream(client, model: str, messages: list[dict], **params: Any) -> Iterator[str]:
    """A chat completion's reply, piece by piece as the server streams it."""
    with server_errors(client):
        for chunk in client.chat.completions.create(model=model, messages=messages, stream=True, **params):
            delta = chunk.choices[0].delta if chunk.choices else None
            if delta is not None and delta.content:
                yield delta.content


def post(client, path: str, body: dict, *, tolerate_client_errors: bool = False) -> None:
    """POST `body` to `path` under the base URL (e.g. vLLM's /load_lora_adapter); with
    tolerate_client_errors, a 4xx answer ("already loaded") is not an error."""
    import openai

    with server_errors(client):
        try:
            client.post(path, body=body, cast_to=object)
        except openai.APIStatusError as exc:
            if not (tolerate_client_errors and 400 <= exc.status_code < 500):
                raise
