"""Mebot's personal model: the base LLM, per-user LoRA adapters, and training them from feedback."""
