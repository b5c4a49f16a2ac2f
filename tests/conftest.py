"""Shared fixtures: every test gets its own data directory; databases are real SQLite files and a
uniquely named PostgreSQL database on the local server, dropped afterwards. Also what several test
files share (`from conftest import ...`): the paper's example notes, a scripted extraction model and a
scripted chat backend."""

from __future__ import annotations

import os
import uuid

import pytest

ADMIN_URL = os.environ.get("MEBOT_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# Nothing in the suite may reach a model hub or phone home.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def mebot_home(tmp_path, monkeypatch):
    """Point the data directory at a fresh temp folder; clear settings that could leak in."""
    home = tmp_path / "mebot-home"
    monkeypatch.setenv("MEBOT_HOME", str(home))
    for name in ("MEBOT_DATABASE_URL", "MEBOT_TIMEZONE", "MEBOT_WEEK_START"):
        monkeypatch.delenv(name, raising=False)
    # Full text only unless a test asks for the dense half (tests/test_dense.py): embedding every
    # note of the suite would cost minutes on a small machine.
    monkeypatch.setenv("MEBOT_EMBEDDING_MODEL", "off")
    return home


def _postgres_admin():
    import psycopg

    url = ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL} ({exc.__class__.__name__}); "
                    "set MEBOT_TEST_POSTGRES_URL to run these tests")


@pytest.fixture
def postgres_url():
    """A fresh, uniquely named PostgreSQL database, dropped after the test."""
    admin = _postgres_admin()
    name = f"mebot_test_{uuid.uuid4().hex[:16]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def sqlite_url(tmp_path):
    """A fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'mebot.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request):
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def memory(database_url):
    """A migrated memory on each database."""
    from memory import api

    mem = api.open_memory(database_url)
    yield mem
    mem.close()


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory):
    """A tiny random chat model + tokenizer on disk (rlmf.model.tiny), built once per test session."""
    from rlmf.model.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model")


@pytest.fixture(scope="session")
def tiny_personal_model(tiny_model_path):
    """The tiny model loaded once as a PersonalModel (base shared, adapters switched per test)."""
    from rlmf.model.personal import PersonalModel

    return PersonalModel.load(tiny_model_path, device="cpu")


# The example notes of the paper the L1 profile follows: the user's likes and dislikes, and Emmy's and
# Alice's, which are not the user's.
PAPER_NOTES = [
    "I don't particularly enjoy butter, skip it.",
    "I'd like to cook a medium-rare steak at home, how can I do that?",
    "How can I make bacon that is nicely crispy for breakfast?",
    "Try to avoid spicy food for me.",
    "How can I make fried chicken for Emmy? She loves it.",
    "Could you recommend a good recipe for a creamy mushroom risotto for me?",
    "Alice prefers butter rather than bacon, note this for me.",
]


class ScriptedModel:
    """A fake `complete` for L1 extraction: answers with canned replies in order, recording every prompt."""

    def __init__(self, replies: list[str]):
        self.replies, self.prompts = list(replies), []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.replies.pop(0)


class ScriptedBackend:
    """A chat backend (rlmf.chat.backends.Backend) with fixed replies, run through the real engine: each
    reply streams word by word, every prompt, adapter and generation config it was sent is recorded, and a token is a word."""

    memory_only = False
    name = "scripted"

    def __init__(self, replies: list[str]):
        self.replies, self.prompts, self.adapters, self.gens = list(replies), [], [], []

    def count_tokens(self, messages: list[dict]) -> int:
        return sum(len(m["content"].split()) for m in messages)

    def stream(self, messages, *, adapter=None, gen=None):
        self.prompts.append(messages)
        self.adapters.append(adapter)
        self.gens.append(gen)
        reply = self.replies.pop(0)
        pieces = reply.split(" ")
        for index, piece in enumerate(pieces):
            yield piece if index == len(pieces) - 1 else piece + " "

