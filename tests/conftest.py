"""Shared fixtures: every test gets its own data directory; databases are real SQLite files and a
uniquely named PostgreSQL database on the local server, dropped afterwards."""

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
