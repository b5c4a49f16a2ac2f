"""Who is asking: the memory user of a request, decided by the server, never by what the client sends.

Three modes: one local user with no sign-in; password accounts (Gradio's login, `request.username`);
Hugging Face Spaces sign-in (the OAuth session Gradio keeps), where anonymous visitors get a private
sandbox keyed by their browser session.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from memory.errors import InvalidInput, MebotError
from memory.users import SANDBOX_PREFIX, is_sandbox

LOCAL = "local"
PASSWORD = "password"
SPACES = "spaces"
MODES = (LOCAL, PASSWORD, SPACES)

LOCAL_USER = "me"
# Prefixes keep the three kinds of names apart: a password account cannot be called "hf:ana".
HF_PREFIX = "hf:"
# A random cookie marks an anonymous visitor's browser, so their sessions and uploads stay theirs.
# It is set twice, like Gradio's own sign-in cookie: for the Spaces iframe (SameSite=None, so HTTPS only)
# and plainly (for http:// hosts).
VISITOR_COOKIE, VISITOR_COOKIE_PLAIN = "mebot-visitor", "mebot-visitor-plain"


class SignInRequired(MebotError):
    """The request carries no signed-in user where one is needed."""


def default_mode(auth: bool, environ: Mapping[str, str] = os.environ) -> str:
    """The mode for `mebot serve`: Spaces sign-in when SPACE_ID is set, passwords with --auth, else local."""
    if environ.get("SPACE_ID"):
        return SPACES
    return PASSWORD if auth else LOCAL


def _session(request: Any) -> Mapping[str, Any]:
    # The OAuth session lives in the Starlette scope; reading `.session` without the middleware raises.
    underlying = getattr(request, "request", None) or request
    scope = getattr(underlying, "scope", None)
    if isinstance(scope, dict):
        return scope.get("session") or {}
    return getattr(underlying, "session", None) or {}


def hf_username(request: Any) -> Optional[str]:
    """The Hugging Face user signed in on this request (unexpired OAuth session), or None."""
    return hf_username_in(_session(request))


def hf_username_in(session: Mapping[str, Any]) -> Optional[str]:
    """The Hugging Face user of an OAuth session (Starlette's `scope["session"]`), or None when expired."""
    info = session.get("oauth_info")
    if not info:
        return None
    expires_at = info.get("expires_at")
    if expires_at is not None and expires_at < time.time():
        return None
    userinfo = info.get("userinfo") or {}
    return userinfo.get("preferred_username") or None


def sandbox_name(session_hash: str) -> str:
    """The throwaway user of one anonymous browser session."""
    digest = hashlib.sha256(session_hash.encode("utf-8")).hexdigest()[:24]
    return f"{SANDBOX_PREFIX}{digest}"


def check_account_name(name: str) -> None:
    """Refuse names a password account must not take: the local user and the other modes' prefixes."""
    if name == LOCAL_USER or name.startswith((HF_PREFIX, SANDBOX_PREFIX)):
        raise InvalidInput(f"{name!r} is reserved: account names cannot be {LOCAL_USER!r} or start with "
                           f"{HF_PREFIX!r} or {SANDBOX_PREFIX!r}.")


@dataclass(frozen=True)
class Identity:
    """Maps a request to a memory user name in one of the MODES."""

    mode: str = LOCAL

    def __post_init__(self):
        if self.mode not in MODES:
            raise ValueError(f"unknown identity mode {self.mode!r}; expected one of {MODES}")

    def user_name(self, request: Any) -> str:
        """The name of the memory user making `request`."""
        if self.mode == LOCAL:
            return LOCAL_USER
        if request is None:
            raise SignInRequired("This action needs a signed-in user.")
        if self.mode == PASSWORD:
            if not getattr(request, "username", None):
                raise SignInRequired("Sign in first.")
            return request.username
        username = hf_username(request)
        if username:
            return HF_PREFIX + username
        session_hash = getattr(request, "session_hash", None)
        if not session_hash:
            raise SignInRequired("Sign in with Hugging Face to keep your own memory.")
        return sandbox_name(session_hash)

    def caller(self, *, username: Optional[str], session: Mapping[str, Any], cookies: Mapping[str, str]) -> str:
        """Who holds a browser session or an upload, from what the server itself knows of a request: the
        signed-in account, else the visitor cookie (empty for a browser that keeps no cookies)."""
        if self.mode == LOCAL:
            return LOCAL_USER
        if self.mode == PASSWORD:
            return f"account:{username}" if username else "signed-out"
        hf_name = hf_username_in(session)
        if hf_name:
            return HF_PREFIX + hf_name
        return "visitor:" + (cookies.get(VISITOR_COOKIE) or cookies.get(VISITOR_COOKIE_PLAIN) or "")

    def caller_of(self, request: Any) -> str:
        """`caller()` of a Gradio request (gr.Request) inside an event handler."""
        return self.caller(username=getattr(request, "username", None), session=_session(request),
                           cookies=getattr(request, "cookies", None) or {})

    def describe(self, name: str) -> str:
        """How the signed-in user is shown in the header."""
        if self.mode == LOCAL:
            return "Local mode: one user, no sign-in."
        if is_sandbox(name):
            return "Not signed in: a private sandbox for this browser tab only. Sign in to keep your memory."
        shown = name[len(HF_PREFIX):] if name.startswith(HF_PREFIX) else name
        return f"Signed in as {shown}."
