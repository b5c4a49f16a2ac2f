"""Who owns what the browser names by a bare string: a Gradio session hash, an uploaded file's path, an
export ticket. Each belongs to the caller (webapp.callers) that first used or received it.

The maps are bounded (least recently used entries go first) so a flood of sessions cannot grow memory
without end; a forgotten session hash is bound again by the next caller that uses it.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections import OrderedDict
from typing import Generic, Optional, TypeVar

Value = TypeVar("Value")
MAX_ENTRIES = 100_000


class BoundedMap(Generic[Value]):
    """A thread-safe dict that forgets its least recently used entries beyond `limit`."""

    def __init__(self, limit: int = MAX_ENTRIES):
        self.limit = limit
        self._items: OrderedDict[str, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Optional[Value]:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def setdefault(self, key: str, value: Value) -> Value:
        """The value stored under `key`, storing `value` first if there is none."""
        with self._lock:
            current = self._items.setdefault(key, value)
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
            return current

    def put(self, key: str, value: Value) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)

    def pop(self, key: str) -> Optional[Value]:
        with self._lock:
            return self._items.pop(key, None)


class SessionOwners:
    """Gradio session hash → the caller that opened the session."""

    def __init__(self, limit: int = MAX_ENTRIES):
        self._owners: BoundedMap[str] = BoundedMap(limit)

    def claim(self, session_hash: str, caller: str) -> bool:
        """True when the session is `caller`'s (it is bound to them on first use)."""
        return self._owners.setdefault(session_hash, caller) == caller


class FileOwners:
    """Uploaded file path → the caller that uploaded it."""

    def __init__(self, limit: int = MAX_ENTRIES):
        self._owners: BoundedMap[str] = BoundedMap(limit)

    @staticmethod
    def _key(path: str) -> str:
        return os.path.realpath(path)

    def add(self, path: str, caller: str) -> None:
        self._owners.setdefault(self._key(path), caller)

    def owns(self, caller: str, path: str) -> bool:
        """True when `caller` uploaded the file at `path`."""
        return self._owners.get(self._key(path)) == caller


class Tickets:
    """One-use, short-lived tickets naming a user's export, each valid only for the caller it was given to."""

    def __init__(self, lifetime_s: float = 600, limit: int = 10_000):
        self.lifetime_s = lifetime_s
        self._tickets: BoundedMap[tuple[str, str, float]] = BoundedMap(limit)

    def issue(self, caller: str, user_name: str) -> str:
        """A new ticket for `user_name`'s export, to be redeemed by `caller`."""
        ticket = secrets.token_urlsafe(24)
        self._tickets.setdefault(ticket, (caller, user_name, time.monotonic() + self.lifetime_s))
        return ticket

    def redeem(self, ticket: str, caller: str) -> Optional[str]:
        """The user name of a valid ticket presented by its caller (the ticket is then used up), else None."""
        entry = self._tickets.get(ticket)
        if entry is None or entry[0] != caller or entry[2] < time.monotonic():
            return None
        self._tickets.pop(ticket)
        return entry[1]
