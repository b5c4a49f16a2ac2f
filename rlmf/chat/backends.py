"""Where replies come from: a local transformers model with per-user PEFT adapters, an OpenAI-compatible
server (vLLM with --enable-lora serves many users' adapters from one GPU), or no model at all."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from rlmf.model.generation import GenerationConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdapterRef:
    """A user's adapter version as a backend loads it."""

    name: str  # unique per user and version, e.g. "u3-v2"
    path: Path
    version_id: int
    version: int


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
            self.model.load_adapter(adapter.name, adapter.path)
        self._recent[adapter.name] = None
        self._recent.move_to_end(adapter.name)


class OpenAIBackend:
    """Any OpenAI-compatible chat endpoint; a user's adapter is requested by name as the model."""

    memory_only = False

    def __init__(self, base_url: str, model: str, api_key: Optional[str] = None, timeout: float = 120.0,
                 tokenizer=None):
        import httpx

        self.base_url = base_url.rstrip("/")
        self.name = model
        self.tokenizer = tokenizer
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)
        self._registered: set[str] = set()

    def count_tokens(self, messages: list[dict]) -> int:
        if self.tokenizer is not None:
            return len(self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True))
        # No local tokenizer: a conservative estimate (about 3 characters a token).
        return sum(len(m["content"]) for m in messages) // 3 + 8 * len(messages)

    def _register(self, adapter: AdapterRef) -> None:
        # vLLM (VLLM_ALLOW_RUNTIME_LORA_UPDATING=1) loads adapters by name at run time; a server that
        # already has it, or was started with --lora-modules, answers 4xx, which is fine.
        if adapter.name in self._registered:
            return
        response = self.client.post("/load_lora_adapter",
                                    json={"lora_name": adapter.name, "lora_path": str(adapter.path)})
        if response.status_code >= 500:
            response.raise_for_status()
        self._registered.add(adapter.name)

    def stream(self, messages: list[dict], *, adapter: Optional[AdapterRef] = None,
               gen: Optional[GenerationConfig] = None) -> Iterator[str]:
        gen = gen or GenerationConfig()
        if adapter is not None:
            self._register(adapter)
        body = {"model": adapter.name if adapter else self.name, "messages": messages, "stream": True,
                "max_tokens": gen.max_new_tokens, "temperature": gen.temperature, "top_p": gen.top_p}
        with self.client.stream("POST", "/chat/completions", json=body) as response:
            if response.status_code >= 400:
                response.read()
                raise RuntimeError(f"model server answered {response.status_code}: {response.text[:300]}")
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    break
                choice = (json.loads(data).get("choices") or [{}])[0]
                text = (choice.get("delta") or {}).get("content")
                if text:
                    yield text
