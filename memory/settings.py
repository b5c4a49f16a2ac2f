"""Settings read once from the environment: where data lives and which models to use."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path


def default_home() -> Path:
    """The platform's per-user data directory for Mebot."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return base / "mebot"


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    home: Path = field(default_factory=lambda: Path(_env("MEBOT_HOME") or default_home()))
    # SQLAlchemy URL; None means the SQLite file inside `home`.
    database_url: str | None = field(default_factory=lambda: _env("MEBOT_DATABASE_URL"))
    # A sentence-transformers model id or local path; None disables dense retrieval.
    embedding_model: str | None = field(default_factory=lambda: _env("MEBOT_EMBEDDING_MODEL"))
    # IANA zone used for naive datetimes of new users.
    default_timezone: str = field(default_factory=lambda: _env("MEBOT_TIMEZONE", "UTC"))
    # Monday = 0 … Sunday = 6
    week_start: int = field(default_factory=lambda: int(_env("MEBOT_WEEK_START", "0")))

    # L1 extraction by a teacher LLM on an OpenAI-compatible endpoint; unset = the rule-based extractor.
    profile_llm_url: str | None = field(default_factory=lambda: _env("MEBOT_PROFILE_LLM_URL"))
    profile_llm_model: str | None = field(default_factory=lambda: _env("MEBOT_PROFILE_LLM_MODEL"))

    # --- the personal model ---
    # "local" (transformers + PEFT in this process), "openai" (an OpenAI-compatible server, e.g. vLLM
    # with --enable-lora) or "memory" (no model: answers list the matching notes).
    backend: str = field(default_factory=lambda: _env("MEBOT_BACKEND", "local"))
    # A Hugging Face model id or a local folder.
    base_model: str = field(default_factory=lambda: _env("MEBOT_BASE_MODEL", "Qwen/Qwen2.5-0.5B-Instruct"))
    openai_base_url: str | None = field(default_factory=lambda: _env("MEBOT_OPENAI_BASE_URL"))
    openai_api_key: str | None = field(default_factory=lambda: _env("MEBOT_OPENAI_API_KEY"))
    max_new_tokens: int = field(default_factory=lambda: int(_env("MEBOT_MAX_NEW_TOKENS", "512")))
    temperature: float = field(default_factory=lambda: float(_env("MEBOT_TEMPERATURE", "0.7")))
    # Token budget of a whole prompt (system part + history + question).
    context_tokens: int = field(default_factory=lambda: int(_env("MEBOT_CONTEXT_TOKENS", "4096")))
    # How many memory items a prompt quotes.
    memory_items: int = field(default_factory=lambda: int(_env("MEBOT_MEMORY_ITEMS", "8")))

    # --- scheduled training ---
    scheduler: bool = field(default_factory=lambda: _env("MEBOT_SCHEDULER", "on") != "off")
    # Hour (0-23, in default_timezone) of the nightly training window.
    train_hour: int = field(default_factory=lambda: int(_env("MEBOT_TRAIN_HOUR", "3")))
    # A run starts when this many new feedback items arrived since the user's last run.
    feedback_threshold: int = field(default_factory=lambda: int(_env("MEBOT_FEEDBACK_THRESHOLD", "20")))
    feedback_check_minutes: int = field(default_factory=lambda: int(_env("MEBOT_FEEDBACK_CHECK_MINUTES", "5")))

    @property
    def adapters_dir(self) -> Path:
        return self.home / "adapters"

    @property
    def sqlite_path(self) -> Path:
        return self.home / "mebot.db"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"


def load() -> Settings:
    """Read the settings from the environment now (tests change the environment between calls)."""
    return Settings()
