"""The door in front of Gradio (an ASGI middleware): what Gradio names by a bare string is answered only to
the caller it belongs to.

- A session hash (in the query, the path or a JSON body) is bound to the caller who first used it; another
  caller gets 403. Anonymous visitors are told apart by a random cookie set here.
- Uploads are recorded as the uploader's; a file path in a request, or a download of a file in Gradio's
  folder, is refused to anyone else.
- Password sign-ins: failures are rate-limited per account and per address (429), and a session whose
  account's password changed, or whose account was removed, is ended.
- Exports are streamed from `/mebot/export/<ticket>`, a one-use ticket given to the caller who asked.
"""

from __future__ import annotations

import json
import os
import secrets
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any, Optional

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from memory.errors import NotFound
from memory.portability import export_user
from webapp.identity import PASSWORD, SPACES, VISITOR_COOKIE, VISITOR_COOKIE_PLAIN, Identity
from webapp.logins import CredentialStamps, LoginLimits
from webapp.owners import BoundedMap, FileOwners, SessionOwners, Tickets

API = "/gradio_api/"
EXPORT_PATH = "/mebot/export/"
MAX_JSON_BODY = 64 * 1024 * 1024  # Gradio reads such bodies whole anyway
MAX_LOGIN_BODY = 64 * 1024
# Routes that carry the session hash in their path: /gradio_api/heartbeat/<hash>, /gradio_api/stream/<hash>/…
HASH_IN_PATH = ("heartbeat/", "stream/")


@dataclass
class Access:
    """What the door remembers for one app: owners of sessions and uploads, tickets, sign-in state."""

    identity: Identity
    memory: Any
    login_rate: str = "10/minute"
    sessions: SessionOwners = field(default_factory=SessionOwners)
    files: FileOwners = field(default_factory=FileOwners)
    tickets: Tickets = field(default_factory=Tickets)
    issued: BoundedMap = field(default_factory=BoundedMap)  # access token → credential stamp at sign-in

    def __post_init__(self):
        self.limits = LoginLimits(self.login_rate)
        self.stamps = CredentialStamps(self.memory)

    def export_link(self, request: Any, user) -> str:
        """A relative URL that downloads `user`'s export once, for the caller of gr.Request `request`."""
        return EXPORT_PATH.lstrip("/") + self.tickets.issue(self.identity.caller_of(request), user.name)


def _cookies(scope) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header counts as no cookies
                return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _token(app, cookies: dict[str, str]) -> Optional[str]:
    cookie_id = getattr(app, "cookie_id", "")
    return cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")


def _file_paths(value) -> list[str]:
    """Every file path inside a request's data (any object with a "path", FileData's marker or not)."""
    found = []
    if isinstance(value, dict):
        if isinstance(value.get("path"), str):
            found.append(value["path"])
        for item in value.values():
            found.extend(_file_paths(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_file_paths(item))
    return found


async def _read_body(receive, limit: int) -> Optional[bytes]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        if size > limit:
            return None
        if not message.get("more_body"):
            return b"".join(chunks)


async def _form_username(scope, body: bytes) -> str:
    """The `username` field of a sign-in form (urlencoded or multipart, as Gradio's page sends it)."""
    async def once():
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, once).form()
    except Exception:  # a malformed form: Gradio refuses it itself
        return ""
    username = form.get("username")
    return username.strip() if isinstance(username, str) else ""


def _replay(body: bytes, receive):
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class Guard:
    """ASGI middleware; give it to FastAPI as `Middleware(Guard, access=...)` (see webapp.server.launch)."""

    def __init__(self, app, access: Access):
        self.app = app
        self.access = access

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        gradio_app = scope.get("app")
        cookies = _cookies(scope)
        username = self._signed_in(gradio_app, cookies)
        visitor = None
        if self.access.identity.mode == SPACES and not (cookies.get(VISITOR_COOKIE)
                                                        or cookies.get(VISITOR_COOKIE_PLAIN)):
            visitor = cookies[VISITOR_COOKIE] = secrets.token_urlsafe(24)
        caller = self.access.identity.caller(username=username, session=scope.get("session") or {},
                                             cookies=cookies)
        send = self._with_visitor_cookie(send, visitor)
        path = scope["path"]

        if scope["method"] == "POST" and path.rstrip("/").endswith("/login"):
            return await self._login(scope, receive, send)
        if path.startswith(EXPORT_PATH):
            return await self._export(path[len(EXPORT_PATH):], caller, scope, receive, send)
        tail = path.split(API, 1)[1] if API in path else ""
        refusal = self._session_refusal(scope, tail, caller)
        if refusal is None and tail.startswith(("file=", "file/")):
            refusal = self._file_refusal(urllib.parse.unquote(tail[len("file="):]), caller)
        if refusal is None and scope["method"] == "POST" and API in path and self._is_json(scope):
            body = await _read_body(receive, MAX_JSON_BODY)
            if body is None:
                refusal = PlainTextResponse("Request too large.", status_code=413)
            else:
                receive = _replay(body, receive)
                refusal = self._body_refusal(body, caller)
        if refusal is not None:
            return await refusal(scope, receive, send)
        if scope["method"] == "POST" and path.rstrip("/").endswith(API + "upload"):
            send = self._recording_uploads(send, caller)
        return await self.app(scope, receive, send)

    # --- who is asking --------------------------------------------------------------------------
    def _signed_in(self, gradio_app, cookies) -> Optional[str]:
        """The password account of the request's access token; a token issued under an older password,
        or for an account since removed, is revoked here."""
        if self.access.identity.mode != PASSWORD or gradio_app is None:
            return None
        token = _token(gradio_app, cookies)
        name = gradio_app.tokens.get(token) if token else None
        if name is None:
            return None
        stamp = self.access.stamps.current(name)
        issued = self.access.issued.setdefault(token, stamp)
        if stamp is None or stamp != issued:
            gradio_app.tokens.pop(token, None)
            self.access.issued.pop(token)
            return None
        return name

    @staticmethod
    def _with_visitor_cookie(send, visitor: Optional[str]):
        if visitor is None:
            return send

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", f"{VISITOR_COOKIE}={visitor}; Path=/; HttpOnly; Secure; "
                                "SameSite=None".encode()))
                headers.append((b"set-cookie", f"{VISITOR_COOKIE_PLAIN}={visitor}; Path=/; HttpOnly; "
                                "SameSite=Lax".encode()))
                message = {**message, "headers": headers}
            await send(message)

        return sending

    # --- checks -----------------------------------------------------------------------------------
    def _session_refusal(self, scope, tail: str, caller: str):
        hashes = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1")).get("session_hash", [])
        if tail.startswith(HASH_IN_PATH):
            hashes.append(tail.split("/")[1])
        return self._claim(hashes, caller)

    def _claim(self, hashes, caller: str):
        for session_hash in hashes:
            if isinstance(session_hash, str) and session_hash and not self.access.sessions.claim(session_hash,
                                                                                                   caller):
                return JSONResponse({"detail": "This session belongs to someone else."}, status_code=403)
        return None

    def _file_refusal(self, path: str, caller: str):
        # `file=/abs/path`, and the older `file/abs/path` whose leading slash the URL swallows
        for candidate in (path, "/" + path):
            if self._in_gradio_folder(candidate) and not self.access.files.owns(caller, candidate):
                return PlainTextResponse("File not found.", status_code=404)
        return None

    def _body_refusal(self, body: bytes, caller: str):
        try:
            payload = json.loads(body)
        except ValueError:
            return None  # Gradio answers malformed JSON itself
        if not isinstance(payload, dict):
            return None
        refusal = self._claim([payload.get("session_hash")], caller)
        if refusal is not None:
            return refusal
        foreign = [p for p in _file_paths(payload.get("data")) if not self.access.files.owns(caller, p)]
        if foreign:
            return JSONResponse({"detail": "A file in this request was not uploaded by you."}, status_code=403)
        return None

    def _in_gradio_folder(self, path: str) -> bool:
        from gradio.utils import get_upload_folder

        folder = os.path.realpath(get_upload_folder())
        return os.path.realpath(path).startswith(folder + os.sep)

    @staticmethod
    def _is_json(scope) -> bool:
        for name, value in scope.get("headers", []):
            if name == b"content-type":
                return value.split(b";")[0].strip() == b"application/json"
        return False

    # --- what the door does itself ----------------------------------------------------------------
    def _recording_uploads(self, send, caller: str):
        status, chunks = 0, []

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 200:
                chunks.append(message.get("body", b""))
                if not message.get("more_body"):
                    try:
                        paths = json.loads(b"".join(chunks))
                    except ValueError:
                        paths = []
                    for path in paths if isinstance(paths, list) else []:
                        if isinstance(path, str):
                            self.access.files.add(path, caller)
            await send(message)

        return sending

    async def _login(self, scope, receive, send):
        body = await _read_body(receive, MAX_LOGIN_BODY)
        if body is None:
            return await PlainTextResponse("Request too large.", status_code=413)(scope, receive, send)
        account = await _form_username(scope, body)
        address = (scope.get("client") or ("unknown",))[0]
        limits = self.access.limits
        if not limits.allowed(address=address, account=account):
            return await JSONResponse({"detail": "Too many failed sign-ins: wait a minute and try again."},
                                      status_code=429, headers={"Retry-After": "60"})(scope, receive, send)
        status = 0

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if status == 200:
                    self._remember_sign_in(scope.get("app"), message)
                else:
                    limits.failed(address=address, account=account)
            await send(message)

        await self.app(scope, _replay(body, receive), sending)

    def _remember_sign_in(self, gradio_app, start_message) -> None:
        for name, value in start_message.get("headers", []):
            if name == b"set-cookie" and value.startswith(b"access-token-"):
                token = value.split(b"=", 1)[1].split(b";", 1)[0].decode("latin-1")
                account = getattr(gradio_app, "tokens", {}).get(token)
                if account is not None:
                    self.access.issued.put(token, self.access.stamps.current(account, fresh=True))

    async def _export(self, ticket: str, caller: str, scope, receive, send):
        name = self.access.tickets.redeem(ticket, caller)
        try:
            user = self.access.memory.user(name, create=False) if name else None
        except NotFound:
            user = None
        if user is None:
            response = PlainTextResponse("This download link has expired: export again.", status_code=404)
        else:
            document = await anyio.to_thread.run_sync(export_user, user)
            safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name).strip("-") or "user"
            response = Response(json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"),
                                media_type="application/json",
                                headers={"Content-Disposition": f'attachment; filename="mebot-export-{safe}.json"',
                                         "Cache-Control": "no-store"})
        await response(scope, receive, send)
