"""Guards scheduled training: a feedback threshold queues exactly one run per user, restarting the
scheduler never duplicates its jobs, each firing is claimed by one process only, the database refuses a
second active run of a user, and runs are one at a time."""

from __future__ import annotations

import pytest

from memory.models import TrainingRun
from rlmf.data import feedback
from rlmf.training import runs, scheduler
from rlmf.training.scheduler import TrainingScheduler


def _replies(user, n):
    chat = user.new_session()
    question = user.add_message(chat.id, "user", "hi")
    return [user.add_message(chat.id, "assistant", f"reply {i}", parent_id=question.id,
                             prompt=[{"role": "user", "content": "hi"}]) for i in range(n)]


def _runs(memory, user):
    with memory.session() as session:
        return session.query(TrainingRun).filter_by(user_id=user.id).all()


def test_feedback_threshold_queues_exactly_one_run(memory, monkeypatch):
    # Only the queueing is under test: starting training processes is covered in test_training_runs.
    monkeypatch.setattr(runs, "dispatch", lambda *a, **k: None)
    url = scheduler.database_url(memory)
    alice, bob = memory.user("alice"), memory.user("bob")
    for reply in _replies(alice, 3):
        feedback.vote(alice, reply.id, liked=True)
    feedback.vote(bob, _replies(bob, 1)[0].id, liked=False)

    assert scheduler.feedback_check(url, threshold=3) == [alice.id]
    assert scheduler.feedback_check(url, threshold=3) == []  # nothing new since that run was queued
    assert len(_runs(memory, alice)) == 1 and _runs(memory, bob) == []
    only = _runs(memory, alice)[0]
    assert (only.status, only.trigger) == ("queued", "feedback")
    runs.update(memory, only.id, status="succeeded")
    assert scheduler.feedback_check(url, threshold=3) == []
    assert len(_runs(memory, alice)) == 1


def test_restarting_the_scheduler_does_not_duplicate_jobs(memory, monkeypatch):
    from memory.settings import load

    first = TrainingScheduler(memory, load()).start(paused=True)
    ids = sorted(job.id for job in first.jobs())
    first.shutdown()
    second = TrainingScheduler(memory, load()).start(paused=True)
    assert sorted(job.id for job in second.jobs()) == ids == sorted(
        [scheduler.NIGHTLY, scheduler.FEEDBACK_CHECK, scheduler.DISPATCH, scheduler.PROFILES,
         scheduler.SANDBOXES])
    assert second.next_run_time() is not None and second.next_run_time().hour == 3
    second.shutdown()


def test_one_run_per_user_at_a_time_and_cancel_of_a_queued_run(memory):
    alice = memory.user("alice")
    first = runs.request_run(memory, alice)
    assert runs.request_run(memory, alice).id == first.id
    runs.cancel_run(memory, alice.id, first.id)
    assert runs.get_run(memory, alice.id, first.id).status == "cancelled"
    assert runs.request_run(memory, alice).id != first.id
    with pytest.raises(Exception):
        runs.get_run(memory, memory.user("bob").id, first.id)


def test_a_firing_is_claimed_by_one_process_only(memory, monkeypatch):
    monkeypatch.setattr(runs, "dispatch", lambda *a, **k: None)
    from rlmf.training import ticks

    url = scheduler.database_url(memory)
    alice = memory.user("alice")
    alice.add_note("something to learn")
    job = scheduler.once_per_firing(scheduler.NIGHTLY, lambda now: "2026-11-29")(scheduler.nightly_training)
    assert job(url) == [alice.id]
    assert job(url) is None  # the same firing again: already claimed
    assert len(_runs(memory, alice)) == 1
    assert ticks.interval_slot(ticks.EPOCH.replace(year=2026, second=9), 20) == \
        ticks.interval_slot(ticks.EPOCH.replace(year=2026, second=0), 20)


def test_the_database_refuses_a_second_active_run(memory):
    from sqlalchemy.exc import IntegrityError

    alice = memory.user("alice")
    runs.request_run(memory, alice)
    with pytest.raises(IntegrityError):
        with memory.session() as session:
            session.add(TrainingRun(user_id=alice.id, status="running", history=[]))


def test_the_first_start_on_a_fresh_database_runs_every_job_without_a_traceback(sqlite_url, caplog):
    """All jobs firing at once right after the server opened a fresh database (the first start) each open
    the database in a thread of their own; migrating it from two threads at once used to fail inside
    Alembic (KeyError: 'script')."""
    import logging
    import threading
    from datetime import datetime, timezone

    from memory import api
    from memory.settings import load

    scheduler._memory.cache_clear()
    memory = api.open_memory(sqlite_url)
    caplog.set_level(logging.INFO, logger="apscheduler")
    done = threading.Semaphore(0)
    started = TrainingScheduler(memory, load()).start(paused=True)
    started.scheduler.add_listener(lambda event: done.release(), mask=(1 << 12) | (1 << 11))  # executed | error
    try:
        now = datetime.now(timezone.utc)
        for job in started.jobs():
            job.modify(next_run_time=now)
        started.scheduler.resume()
        for _ in started.jobs():
            assert done.acquire(timeout=120)
    finally:
        started.shutdown()
        scheduler._memory.cache_clear()
    failures = [r.getMessage() + str(r.exc_info) for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert failures == []
