"""How a reply is sampled: one dataclass used by every backend."""

from __future__ import annotations

from dataclasses import dataclass, field


def _help(default, text: str):
    return field(default=default, metadata={"help": text})


@dataclass
class GenerationConfig:
    """How a reply is sampled."""

    max_new_tokens: int = _help(512, "Longest reply, in tokens.")
    temperature: float = _help(0.7, "Sampling temperature; 0 means greedy decoding (deterministic).")
    top_p: float = _help(0.9, "Nucleus sampling: keep the smallest token set with this much probability.")
    # Small models loop under greedy decoding ("You forgot the shoes." six times): a mild penalty and a ban on
    # repeating any 6-token sequence stop that without forbidding a name or a date from coming back.
    repetition_penalty: float = _help(1.1, "Above 1 discourages repeating tokens already in the context.")
    no_repeat_ngram_size: int = _help(6, "Never repeat a sequence of this many tokens within a reply; 0: off.")
    seed: int | None = _help(None, "Seed for sampling, to make a sampled reply repeatable; None: not seeded.")

    @property
    def greedy(self) -> bool:
        """True when the reply is decoded greedily."""
        return self.temperature <= 0

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        if self.temperature < 0:
            raise ValueError("temperature cannot be negative")
        if self.repetition_penalty <= 0 or self.no_repeat_ngram_size < 0:
            raise ValueError("repetition_penalty must be positive and no_repeat_ngram_size not negative")
        if not 0 < self.top_p <= 1:
            raise ValueError("top_p must be in (0, 1]")
