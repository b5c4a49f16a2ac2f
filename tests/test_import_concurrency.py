"""Guards that one big import does not block everyone: it writes in short batches, so another
user's writes, waiting with a (here shortened) busy timeout, all succeed while it runs (SQLite)."""

from __future__ import annotations

import json
import threading

from memory import api, db
from memory.portability import import_files


def test_other_writers_succeed_during_a_big_import(sqlite_url, monkeypatch):
    monkeypatch.setattr(db, "SQLITE_BUSY_SECONDS", 1.0)
    mem = api.open_memory(sqlite_url)
    ana, bob = mem.user("ana"), mem.user("bob")
    big = "\n".join(json.dumps({"content": f"line {i} about gardens, tomatoes and the long summer " * 3})
                    for i in range(6000)).encode()
    done = threading.Event()
    outcome: dict = {}

    def run_import():
        try:
            outcome["report"] = import_files(ana, [("big.jsonl", big, None)])
        finally:
            done.set()

    worker = threading.Thread(target=run_import)
    worker.start()
    failures, writes = [], 0
    while not done.is_set():
        try:
            bob.add_note(f"bob's note {writes}")
            writes += 1
        except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
            failures.append(repr(exc))
            if len(failures) > 3:
                break
    worker.join()
    assert outcome["report"].notes == 6000 and not outcome["report"].refused
    assert failures == [] and writes > 0
    assert len(bob.notes()) == writes
