"""Where replies come from: a local transformers model with per-user PEFT adapters, an OpenAI-compatible
server (vLLM with --enable-lora serves many users' adapters from one GPU), or no model at all."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Optional, Protocol, Union

from memory.errors import ModelServerError

from rlmf.model.generation import GenerationConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterRef:
    """A user's adapter version as a backend loads it."""

    name: str  # unique per user and version, e.g. "u3-v2"
    path: Union[str, Path]  # a folder, or a URL in the adapter store (rlmf.training.store)
    version_id: int
    version: int

    @property
    def user_key(self) -> str:
        """What all versions of one user's adapter share ("u3")."""
        return self.name.rsplit("-v", 1)[0]


class Backend(Protocol):
    """Where the chat engine's replies come from; a server that fails raises memory.errors.ModelServerError."""

    name: str  # recorded with every reply it writes
    memory_only: bool  # True: it writes nothing, the engine lists memory instead (rlmf.chat.memory_only)

    def count_tokens(self, messages: list[dict]) -> int:
        """How many tokens `messages` take as a prompt (an estimate where no tokenizer is at hand)."""
        ...

    def stream(self, messages: list[dict], *, adapter: Optional[AdapterRef] = None,
               gen: Optional[GenerationConfig] = None) -> Iterator[str]:
        """The reply to `messages`, piece by piece, from the user's `adapter` (None: the base model)."""
        ...


class MemoryOnlyBackend:
    """No model: the chat engine answers by listing memory (see rlmf.chat.memory_only)."""

    memory_only = True

    def __init__(self, reason: Optional[str] = None):
        self.reason = reason
        self.name = "memory-only"

    def count_tokens(self, messages: list[dict]) -> int:
        return sum(len(m["content"]) for m in messages) // 4

    def stream(self, messages, *, adapter=None, gen=None) -> Iterator[str]:
        raise RuntimeError("the memory-only backend does not generate text")


class LocalBackend:
    """transformers + PEFT in this process: the base loaded once, adapters switched per request; the
    least recently used adapters are unloaded beyond `max_adapters`, so many users fit in memory."""

    memory_only = False

    def __init__(self, model, max_adapters: int = 16):
        from collections import OrderedDict

        self.model = model  # rlmf.model.personal.PersonalModel
        self.name = str(getattr(model.model, "name_or_path", "") or "local")
        self.max_adapters = max_adapters
        self._recent: "OrderedDict[str, None]" = OrderedDict()

    @classmethod
    def load(cls, base_model: str) -> "LocalBackend":
        """Load the base model (raises rlmf.model.base.ModelUnavailable when it cannot be had)."""
        from rlmf.model.personal import PersonalModel

        backend = cls(PersonalModel.load(base_model))
        backend.name = backend.model.label or base_model  # the packaged model says so when it stands in
        return backend

    def count_tokens(self, messages: list[dict]) -> int:
        ids = self.model.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
        return len(ids["input_ids"] if isinstance(ids, dict) or hasattr(ids, "keys") else ids)

    def stream(self, messages: list[dict], *, adapter: Optional[AdapterRef] = None,
               gen: Optional[GenerationConfig] = None) -> Iterator[str]:
        if adapter is None:
            yield from self.model.stream(messages, gen, adapter=None)
            return
        self._make_room_for(adapter)
        try:
            yield from self.model.stream(messages, gen, adapter=adapter.name)
        except ValueError:
            # Another user's request unloaded it in between (more users than max_adapters at once).
            if adapter.name in self.model.adapters:
                raise
            self._make_room_for(adapter)
            yield from self.model.stream(messages, gen, adapter=adapter.name)

    def _make_room_for(self, adapter: AdapterRef) -> None:
        if adapter.name not in self.model.adapters:
            while len(self.model.adapters) >= self.max_adapters and self._recent:
                oldest, _ = self._recent.popitem(last=False)
                if oldest in self.model.adapters:
                    self.model.unload_adapter(oldest)
            from rlmf.training.store import local_copy

            self.model.load_adapter(adapter.name, local_copy(adapter.path))
        self._recent[adapter.name] = None
        self._recent.move_to_end(adapter.name)


class OpenAIBackend:
    """Any OpenAI-compatible chat endpoint; a user's adapter is requested by name as the model.

    With a multi-LoRA server (vLLM with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=1, or
    rlmf.chat.openai_server) adapters are loaded at run time through POST /v1/load_lora_adapter and
    /v1/unload_lora_adapter. Names carry the version ("u3-v2"), so a new live version or a rollback is asked
    for under a new name and never answered with the old weights; a user's superseded adapter is unloaded,
    and the least recently used ones beyond `max_adapters`. A server that restarted (and so forgot its
    adapters) answers 404 for the name: the adapter is loaded again and the request retried once.
    """

    memory_only = False
    RETRIES = 3  # connection attempts while the server restarts

    def __init__(self, base_url: str, model: str, api_key: Optional[str] = None, timeout: float = 120.0,
                 tokenizer=None, max_adapters: int = 16, retry_wait: float = 1.0):
        import threading
        from collections import OrderedDict

        from memory.llm_client import make_client

        self.base_url = base_url.rstrip("/")
        self.name = model
        self.tokenizer = tokenizer
        self.max_adapters = max_adapters
        self.retry_wait = retry_wait
        self.client = make_client(self.base_url, api_key, timeout=timeout)
        self._loaded: "OrderedDict[str, AdapterRef]" = OrderedDict()  # least recently used first
        self._lock = threading.Lock()

    def count_tokens(self, messages: list[dict]) -> int:
        if self.tokenizer is not None:
            return len(self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True))
        # No local tokenizer: a conservative estimate (about 3 characters a token).
        return sum(len(m["content"]) for m in messages) // 3 + 8 * len(messages)

    def _post(self, path: str, body: dict, *, tolerate: Callable[[Exception], bool] = lambda exc: False) -> None:
        """POST to the server, retrying while it (re)starts; an HTTP error `tolerate` accepts is ignored."""
        import openai

        from memory.llm_client import server_errors

        for attempt in range(self.RETRIES):
            try:
                with server_errors(self.client):
                    try:
                        self.client.post(path, body=body, cast_to=object)
                    except openai.APIStatusError as exc:
                        if not tolerate(exc):
                            raise
                return
            except ModelServerError as exc:
                if not isinstance(exc.__cause__, openai.APIConnectionError) or attempt == self.RETRIES - 1:
                    raise
                time.sleep(self.retry_wait * (attempt + 1))

    def _ensure_loaded(self, adapter: AdapterRef, *, again: bool = False) -> None:
        with self._lock:
            if adapter.name in self._loaded and not again:
                self._loaded.move_to_end(adapter.name)
                return
            for name, ref in list(self._loaded.items()):  # the user's earlier version is no longer asked for
                if ref.user_key == adapter.user_key and name != adapter.name:
                    self._unload(name)
            while len(self._loaded) >= self.max_adapters:
                self._unload(next(iter(self._loaded)))
            # 400 "already loaded": another app process asked first; the name fixes the weights, so that's fine.
            self._post("/load_lora_adapter", {"lora_name": adapter.name, "lora_path": str(adapter.path)},
                       tolerate=lambda exc: exc.status_code < 500 and "already" in str(exc.message).lower())
            self._loaded[adapter.name] = adapter
            self._loaded.move_to_end(adapter.name)

    def _unload(self, name: str) -> None:
        self._loaded.pop(name, None)
        try:
            self._post("/unload_lora_adapter", {"lora_name": name}, tolerate=lambda exc: exc.status_code < 500)
        except ModelServerError as exc:
            log.warning("model server could not unload %s: %s", name, exc)

    def stream(self, messages: list[dict], *, adapter: Optional[AdapterRef] = None,
               gen: Optional[GenerationConfig] = None) -> Iterator[str]:
        gen = gen or GenerationConfig()
        if adapter is not None:
            self._ensure_loaded(adapter)
        model = adapter.name if adapter else self.name
        params = {"max_tokens": gen.max_new_tokens, "temperature": gen.temperature, "top_p": gen.top_p}
        for attempt in range(self.RETRIES):
            try:
                yield from self._stream_once(model, messages, params)
                return
            except _AdapterMissing:
                # The server restarted and forgot the adapter (or another process unloaded it): load it again.
                if adapter is None or attempt == self.RETRIES - 1:
                    raise ModelServerError(f"The model server does not know {model!r}")
                self._ensure_loaded(adapter, again=True)
            except _NotStarted:
                if attempt == self.RETRIES - 1:
                    raise ModelServerError(f"The model server at {self.base_url} could not be reached.")
                time.sleep(self.retry_wait * (attempt + 1))
                if adapter is not None:
                    self._ensure_loaded(adapter, again=True)

    def _stream_once(self, model: str, messages: list[dict], params: dict) -> Iterator[str]:
        """One streamed completion through the shared client (memory.llm_client); a 404 (unknown adapter)
        and a refused connection are told apart so that stream() can load again or wait and retry."""
        import openai

        from memory.llm_client import server_errors

        try:
            chunks = self.client.chat.completions.create(model=model, messages=messages, stream=True, **params)
        except openai.NotFoundError as exc:
            raise _AdapterMissing() from exc
        except openai.APIConnectionError as exc:
            raise _NotStarted() from exc
        except openai.APIStatusError:
            with server_errors(self.client):
                raise
        with server_errors(self.client):
            for chunk in chunks:
                delta = chunk.choices[0].delta if chunk.choices else None
                if delta is not None and delta.content:
                    yield delta.content


class _AdapterMissing(Exception):
    """The server answered 404 for the adapter's name."""


class _NotStarted(Exception):
    """The request never reached the server (connection refused or reset before a reply)."""
