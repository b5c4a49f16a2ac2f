"""Exactly-once firings of scheduled jobs across app processes: every `mebot serve` runs the same schedule,
and the first process to insert a (job, slot) row into `scheduler_tick` runs that firing; the others skip it.
A database lock of this kind replaces a shared APScheduler job store, which is one-process only."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from memory.models import SchedulerTick, utcnow
from rlmf.training.runs import this_host

# Firings of interval jobs are aligned to multiples of their interval since this moment, so every
# process fires at the same instants and computes the same slot.
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)
KEEP = timedelta(days=30)


def daily_slot(now: datetime, zone: str) -> str:
    """The slot of a once-a-day job: the local date, e.g. "2026-11-29"."""
    return now.astimezone(ZoneInfo(zone)).date().isoformat()


def interval_slot(now: datetime, seconds: int) -> str:
    """The slot of an epoch-aligned interval job: the nearest multiple of `seconds` (late firings round back)."""
    return str(round((now - EPOCH).total_seconds() / seconds))


def claim(memory, job: str, slot: str) -> bool:
    """True for the one process that claims this firing of `job`; False for every other process."""
    try:
        with memory.session() as session:
            session.add(SchedulerTick(job=job, slot=slot, host=this_host(), pid=os.getpid()))
        return True
    except IntegrityError:
        return False


def prune(memory, older_than: timedelta = KEEP) -> int:
    """Forget claims older than `older_than`; returns how many rows went."""
    with memory.session() as session:
        result = session.execute(delete(SchedulerTick).where(SchedulerTick.claimed_at < utcnow() - older_than))
        return result.rowcount
