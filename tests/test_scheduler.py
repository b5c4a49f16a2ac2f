"""Guards scheduled training: a feedback threshold queues exactly one run per user, restarting the
scheduler never duplicates its jobs (they live in the app's database), and runs are one at a time."""

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
    with memory.engine.connect() as connection:
        from sqlalchemy import text

        assert connection.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar() == 5
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
