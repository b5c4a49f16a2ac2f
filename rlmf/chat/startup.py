"""Building the chat engine from settings: the configured backend, or memory-only mode when no model
can be loaded — the app still starts."""

from __future__ import annotations

import logging
from typing import Optional

from memory.settings import Settings
from rlmf.training import adapters
from rlmf.chat.backends import LocalBackend, MemoryOnlyBackend, OpenAIBackend
from rlmf.chat.memory_only import NO_MODEL_CONFIGURED
from rlmf.chat import ChatEngine
from rlmf.model.generation import GenerationConfig

log = logging.getLogger(__name__)


def make_backend(settings: Settings):
    """The backend the settings name; memory-only (with the reason) when the model cannot be loaded."""
    if settings.backend == "memory":
        return MemoryOnlyBackend(NO_MODEL_CONFIGURED)
    if settings.backend == "openai":
        if not settings.openai_base_url:
            return MemoryOnlyBackend("MEBOT_OPENAI_BASE_URL is not set")
        return OpenAIBackend(settings.openai_base_url, settings.base_model, settings.openai_api_key,
                             max_adapters=settings.served_adapters)
    from rlmf.model.base import ModelUnavailable

    try:
        backend = LocalBackend.load(settings.base_model)
        backend.max_adapters = settings.served_adapters
        return backend
    except ModelUnavailable as exc:
        log.info("memory-only mode: %s", exc)
        return MemoryOnlyBackend(str(exc))


def make_engine(settings: Settings, memory, backend=None) -> ChatEngine:
    """A chat engine over `memory` whose replies use each user's live adapter."""
    backend = backend if backend is not None else make_backend(settings)
    return ChatEngine(
        backend,
        gen=GenerationConfig(max_new_tokens=settings.max_new_tokens, temperature=settings.temperature),
        context_tokens=settings.context_tokens,
        memory_items=settings.memory_items,
        adapters=lambda user: live_adapter(memory, user, settings.base_model, _fingerprint(backend)),
        # The stored profile, not a fresh extraction: a reply must not wait for a backlog of notes.
        # The scheduler refreshes profiles in the background (rlmf.training.scheduler.refresh_profiles).
        profile_text=lambda user: user.profile_summary(refresh=False) or None,
    )


def _fingerprint(backend) -> Optional[str]:
    model = getattr(backend, "model", None)
    return getattr(model, "fingerprint", None) or None


def live_adapter(memory, user, base_model: str, fingerprint: Optional[str] = None):
    """The user's live adapter, if it was trained on this base model (an adapter fits only its base).

    With the loaded base's content `fingerprint`, that decides; without one (a remote server), the name."""
    row = adapters.live(memory, user.id)
    if row is None:
        return None
    fits = (row.base_fingerprint == fingerprint if fingerprint and row.base_fingerprint
            else row.base_model == base_model)
    if not fits:
        log.warning("user %s: live adapter v%s was trained on %s, not on the loaded base; answering with the base",
                    user.id, row.version, row.base_model)
        return None
    return adapters.ref(row)
