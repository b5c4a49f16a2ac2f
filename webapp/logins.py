"""Password sign-in under load and attack: checks run off the event loop, failures are rate-limited per
account and per address (the `limits` library's moving window), and a session ends when its account's
password changes or the account is removed, in this process or another one (`mebot user passwd`)."""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Awaitable, Callable, Optional

import anyio
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select

from memory.models import User

# argon2 takes ~0.1-0.2 s of CPU per check: a few at a time keep a sign-in flood from taking every thread.
CONCURRENT_CHECKS = 2
STAMP_SECONDS = 1.0  # how long a looked-up credential stamp is trusted before it is read again


class LoginLimits:
    """Failed sign-ins per account and per address, in a moving window (e.g. "10/minute")."""

    def __init__(self, rate: str = "10/minute"):
        self.rate = parse(rate)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allowed(self, *, address: str, account: str) -> bool:
        """False once either the address or the account has used up its failures."""
        return (self._limiter.test(self.rate, "address", address)
                and self._limiter.test(self.rate, "account", account.lower()))

    def failed(self, *, address: str, account: str) -> None:
        """Count one failed sign-in against both."""
        self._limiter.hit(self.rate, "address", address)
        self._limiter.hit(self.rate, "account", account.lower())


def off_the_loop(check: Callable[[str, str], bool]) -> Callable[[str, str], Awaitable[bool]]:
    """`check(username, password)` as the coroutine Gradio awaits at sign-in: the argon2 work runs in a
    worker thread, at most CONCURRENT_CHECKS at once, so the event loop keeps serving everyone else."""
    slots = anyio.CapacityLimiter(CONCURRENT_CHECKS)

    async def checker(username: str, password: str) -> bool:
        return await anyio.to_thread.run_sync(check, username, password, limiter=slots)

    return checker


class CredentialStamps:
    """A fingerprint of each account's password hash, to end sessions signed in under an older one."""

    def __init__(self, memory):
        self.memory = memory
        self._cache: dict[str, tuple[float, Optional[str]]] = {}
        self._lock = threading.Lock()

    def current(self, name: str, *, fresh: bool = False) -> Optional[str]:
        """The stamp of account `name` now (None: no such account or no password)."""
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(name)
        if cached is not None and not fresh and now - cached[0] < STAMP_SECONDS:
            return cached[1]
        with self.memory.session() as session:
            stored = session.scalar(select(User.password_hash).where(User.name == name))
        stamp = hashlib.sha256(stored.encode("utf-8")).hexdigest() if stored else None
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[name] = (now, stamp)
        return stamp
