"""Settings: one object holding every `MEBOT_*` variable the code reads, built by pydantic-settings.

Read with `load()` (the environment as it is now; tests change it between calls). The README's table of
variables is checked against the fields here by tests/test_settings.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """The platform's per-user data directory for Mebot (platformdirs)."""
    return Path(platformdirs.user_data_dir("mebot", appauthor=False))


class Settings(BaseSettings):
    """Every setting of Mebot; each field is read from the variable `MEBOT_<FIELD NAME>`."""

    model_config = SettingsConfigDict(env_prefix="MEBOT_", env_ignore_empty=True, frozen=True, extra="ignore")

    # --- where data lives ---
    home: Path = Field(default_factory=default_home, description="data directory (SQLite file, adapters)")
    database_url: Optional[str] = Field(None, description="SQLAlchemy URL of the database; unset: the SQLite "
                                        "file in `home`")
    # --- memory ---
    embedding_model: str = Field("multilingual-e5-small", description="dense half of hybrid search: "
                                 "`multilingual-e5-small` (bundled), a sentence-transformers id or local "
                                 "path, or `off`")
    timezone: str = Field("UTC", description="IANA zone for naive times of new users; the web app replaces it "
                          "with the browser's zone on a user's first visit")
    week_start: int = Field(0, ge=0, le=6, description="first day of the week: 0 = Monday … 6 = Sunday")
    country: Optional[str] = Field(None, min_length=2, max_length=2, description="ISO 3166 country of users who set none "
                                   "(public holidays, hemisphere of seasons); unset: from each user's time zone")
    date_order: Literal["auto", "dmy", "mdy"] = Field("auto", description="how numeric dates like 5/7 read for users "
                                                       "who set none: `dmy`, `mdy`, or `auto` (from the country)")
    profile_llm_url: Optional[str] = Field(None, description="OpenAI-compatible teacher LLM for L1 extraction "
                                           "(else rule-based)")
    profile_llm_model: Optional[str] = Field(None, description="model name at `profile_llm_url`")
    profile_extractor: Literal["auto", "rules"] = Field(
        "auto", description="how notes are read into the profile: `auto` asks `profile_llm_url`, else the chat's "
        "OpenAI-compatible server (`backend=openai`), else the rules; `rules` never asks a model. The rules "
        "also read any note a model fails on")

    # --- the personal model ---
    backend: Literal["local", "openai", "memory"] = Field(
        "local", description="`local` (transformers + PEFT here), `openai` (an OpenAI-compatible server, e.g. "
        "vLLM with --enable-lora) or `memory` (no model)")
    base_model: str = Field("Qwen/Qwen2.5-0.5B-Instruct", description="Hugging Face id, local folder or "
                            "`.gguf` file of the base LLM; the default falls back to the packaged "
                            "SmolLM2-135M-Instruct where it cannot be had")
    openai_base_url: Optional[str] = Field(None, description="OpenAI-compatible server for the `openai` backend")
    openai_api_key: Optional[str] = Field(None, description="its API key")
    max_new_tokens: int = Field(512, ge=1, description="longest reply, in tokens")
    temperature: float = Field(0.7, ge=0, description="sampling temperature; 0 = greedy")
    context_tokens: int = Field(4096, ge=256, description="token budget of a whole prompt")
    memory_items: int = Field(8, ge=0, description="how many memory items a prompt quotes")

    # --- scheduled training ---
    scheduler: bool = Field(True, description="`off` starts no scheduler in this process")
    train_hour: int = Field(3, ge=0, le=23, description="hour of the nightly training window (in `timezone`)")
    feedback_threshold: int = Field(20, ge=1, description="new reactions since the last run that start a run")
    feedback_check_minutes: int = Field(5, ge=1, description="how often the feedback threshold is checked")
    train_config: Optional[str] = Field(None, description="JSON overrides of the training hyperparameters "
                                        "(`rlmf.training.config.TrainConfig`)")

    training_queue: Literal["embedded", "procrastinate"] = Field(
        "embedded", description="who executes runs: `embedded` (a process on this machine, one run at a time) "
        "or `procrastinate` (a task queue in the PostgreSQL database; `mebot worker` processes execute runs)")
    train_device: Literal["cpu", "gpu"] = Field("cpu", description="the worker queue new runs go to; a worker "
                                                "takes runs of its own device kind only")
    worker_stalled_seconds: int = Field(30, ge=3, description="a worker silent this long is presumed dead; "
                                        "its run is retried once, then failed")
    adapter_store: Optional[str] = Field(None, description="URL of the adapter store shared by training and "
                                         "serving (a folder, or object storage through fsspec, e.g. s3://…); "
                                         "unset: `adapters` in `home`")

    # --- serving ---
    served_adapters: int = Field(16, ge=1, description="adapters a model server keeps loaded; the least "
                                 "recently used beyond this are unloaded")

    # --- the web server ---
    host: str = Field("127.0.0.1", description="address `mebot serve` listens on")
    port: int = Field(7860, ge=1, le=65535, description="port `mebot serve` listens on")
    sandbox_hours: float = Field(24, gt=0, description="an anonymous visitor's sandbox is deleted this many "
                                 "hours after it was made")
    max_sandboxes: int = Field(500, ge=0, description="most anonymous sandboxes alive at once; more visitors "
                               "are asked to sign in")
    login_attempts: str = Field("10/minute", description="failed sign-ins allowed per account and per address "
                                "(a `limits` rate, e.g. `10/minute`)")

    @property
    def default_timezone(self) -> str:
        """The zone for naive datetimes of new users (MEBOT_TIMEZONE)."""
        return self.timezone

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
    """Read the settings from the environment now; raises pydantic.ValidationError on a malformed value."""
    return Settings()


def settings_table() -> str:
    """The README's table of variables, one row per field: `python -m memory.settings` prints it."""
    rows = ["| variable | meaning | default |", "| --- | --- | --- |"]
    for name, info in Settings.model_fields.items():
        if name == "home":
            default = "platform data dir"
        elif info.default is None:
            default = "unset"
        elif isinstance(info.default, bool):
            default = "`on`" if info.default else "`off`"
        else:
            default = f"`{info.default}`"
        rows.append(f"| `MEBOT_{name.upper()}` | {info.description} | {default} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(settings_table())
