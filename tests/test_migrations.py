"""Guards the schema: migrations build, from a blank database, exactly the tables the models declare,
on SQLite and PostgreSQL, running them again changes nothing, and threads opening fresh databases at once
(the server and its scheduler's first jobs) do not trip over each other."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from memory.db import make_engine, migrate
from memory.models import SQLModel

# Tables owned by the full-text index (memory.search.fulltext) and the scheduler, created by migrations alone.
INDEX_TABLES = ("search_fts", "search_doc", "apscheduler_jobs")


def _include(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name and name.startswith(INDEX_TABLES):
        return False
    if type_ == "index" and name and name.startswith(("ix_search_doc", "ix_apscheduler")):
        return False
    return True


def test_blank_database_matches_models(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _include, "compare_type": True}
        )
        assert compare_metadata(context, SQLModel.metadata) == []
        tables = set(inspect(connection).get_table_names())
    assert {"user", "note", "message", "chat_session", "feedback", "preference_pair",
            "training_run", "adapter_version", "embedding", "alembic_version"} <= tables
    assert tables & set(INDEX_TABLES)
    engine.dispose()


def test_migrating_twice_is_a_no_op(database_url):
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as connection:
        before = sorted(inspect(connection).get_table_names())
    migrate(engine)
    with engine.connect() as connection:
        assert sorted(inspect(connection).get_table_names()) == before
    engine.dispose()


def test_upgrading_from_the_oldest_schema_keeps_the_data(database_url):
    from sqlalchemy import text

    from memory import api

    engine = make_engine(database_url)
    migrate(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO \"user\" (id, name, display_name, timezone, created_at) "
            "VALUES (1, 'old', 'old', 'UTC', '2024-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO note (id, user_id, title, content, created_at, updated_at, source) "
            "VALUES (1, 1, 'kept', 'written before the upgrade', '2024-01-02 00:00:00', '2024-01-02 00:00:00', 'manual')"))
    engine.dispose()

    memory = api.open_memory(database_url)  # opening migrates to the newest schema
    user = memory.user("old")
    assert [n.title for n in user.notes()] == ["kept"]
    chat = user.new_session()
    reply = user.add_message(chat.id, "assistant", "hi")
    assert user.message(reply.id).original_content is None  # a column added by a later migration
    memory.close()


def test_threads_opening_fresh_databases_at_once_all_succeed(tmp_path):
    """Alembic keeps the running migration in module globals: unserialised, two threads migrating at once
    failed with KeyError: 'script' or "table already exists" (a traceback on the first start)."""
    import threading

    from memory import api

    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("shared", "shared", "own-1", "own-2", "shared", "own-3")]
    start, failures = threading.Barrier(len(urls)), []

    def open_it(url):
        start.wait()
        try:
            api.open_memory(url).close()
        except Exception as exc:  # every failure is the finding, whatever its kind
            failures.append(repr(exc))

    threads = [threading.Thread(target=open_it, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
