"""Password accounts for `mebot serve --auth`: argon2id hashes in `user.password_hash`, checked at login."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from memory.errors import InvalidInput, NotFound
from memory.models import User
from memory.users import remove_user
from webapp.identity import check_account_name

MIN_PASSWORD_CHARS = 8
_HASHER = PasswordHasher()  # argon2id with the library's current recommended costs


def _check_password_text(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_CHARS} characters.")


def set_password(memory, name: str, password: str) -> None:
    """Create the account `name` if needed and set its password; the sessions signed in with the old one
    end (webapp.guard compares each session's password stamp). Reserved names are InvalidInput."""
    _check_password_text(password)
    check_account_name(name)
    user = memory.user(name)
    with memory.session() as session:
        session.get(User, user.id).password_hash = _HASHER.hash(password)


def remove_account(memory, name: str) -> None:
    """Delete the account `name` with everything it owns; its signed-in sessions end. NotFound if none."""
    if not has_password(memory, name):
        raise NotFound(f"No account called {name!r}.")
    remove_user(memory, memory.user(name, create=False).id)


def has_password(memory, name: str) -> bool:
    """True when `name` exists and can sign in."""
    try:
        user = memory.user(name, create=False)
    except NotFound:
        return False
    with memory.session() as session:
        return bool(session.get(User, user.id).password_hash)


def check_password(memory, name: str, password: str) -> bool:
    """True when `password` is the password of account `name`; unknown names are simply refused."""
    try:
        user = memory.user(name, create=False)
    except (NotFound, InvalidInput):
        _waste_a_verification(password)
        return False
    with memory.session() as session:
        row = session.get(User, user.id)
        stored = row.password_hash
        if not stored:
            _waste_a_verification(password)
            return False
        try:
            _HASHER.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if _HASHER.check_needs_rehash(stored):
            # Costs were raised since this hash was made: upgrade it while the password is at hand.
            row.password_hash = _HASHER.hash(password)
    return True


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash("not the password of anyone")


def _waste_a_verification(password: str) -> None:
    # Refusing unknown names as slowly as wrong passwords keeps login timing from listing accounts.
    try:
        _HASHER.verify(_dummy_hash(), str(password))
    except (VerificationError, InvalidHashError):
        pass


def account_names(memory) -> list[str]:
    """Names of the accounts that can sign in."""
    return [name for name in memory.user_names() if has_password(memory, name)]


def login_checker(memory) -> Callable[[str, str], bool]:
    """The function Gradio calls with (username, password) at login."""

    def check(username: str, password: str) -> bool:
        return check_password(memory, username, password)

    return check
