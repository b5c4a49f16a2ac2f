"""Chat: engine (retrieve → prompt → stream → store), prompt (THE prompt format, also used for training
data), backends (local, OpenAI-compatible, memory-only), startup (the engine from settings),
openai_server (a small OpenAI-compatible server over the personal model)."""

from rlmf.chat.engine import ChatEngine, Chunk, Reply, active_branch

__all__ = ["ChatEngine", "Chunk", "Reply", "active_branch"]
