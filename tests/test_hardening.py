"""Guards the attack surface of the running app, through a real Gradio server and real HTTP requests:
a browser session's stream answers only whoever opened it (password accounts and anonymous visitors);
an upload is accepted and served only to its uploader, an export link only to whoever asked for it, and
Gradio's folder is private; a password change or `mebot user remove` ends the account's sessions; failed
sign-ins are rate-limited per account and per address, and the password check runs off the event loop;
anonymous sandboxes expire, are capped and are never trained; the browser run history is off; the
Spaces mode starts from a plain install; account names of the other modes are refused."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import subprocess
import sys
import time
import tomllib
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from memory import api
from memory.errors import InvalidInput
from memory.models import User, utcnow
from memory.users import SandboxesFull, open_sandbox, remove_user, sandbox_count
from rlmf.chat import ChatEngine, Reply
from rlmf.chat.backends import MemoryOnlyBackend
from rlmf.data import feedback
from rlmf.training import runs, scheduler
from webapp import accounts, cli
from webapp.app import build_app
from webapp.identity import PASSWORD, SPACES, Identity, sandbox_name
from webapp.server import launch

PASSWORDS = {"ana": "ana-password-1", "bob": "bob-password-2"}
SECRET = "okapi-5521"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(mem, identity: Identity, login=None) -> tuple[str, object]:
    app = build_app(mem, ChatEngine(MemoryOnlyBackend("test")), identity=identity, dispatch_runs=False)
    return launch(app, host="127.0.0.1", port=free_port(), login=login, block=False), app


class Browser:
    """One browser: its own cookies; signs in, uploads, joins the queue and reads session streams."""

    def __init__(self, url: str, address: str = "127.0.0.1"):
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30, transport=httpx.HTTPTransport(local_address=address))
        self.config = None

    def sign_in(self, name: str, password: str) -> int:
        return self.http.post("login", data={"username": name, "password": password}).status_code

    def load(self) -> dict:
        self.config = self.http.get("config").raise_for_status().json()
        return self.config

    def fn_index(self, api_name: str) -> int:
        deps = self.config["dependencies"]
        return next(i for i, d in enumerate(deps) if d.get("api_name") == api_name)

    def join(self, api_name: str, data: list, session_hash: str) -> httpx.Response:
        return self.http.post("gradio_api/queue/join", json={
            "data": data, "fn_index": self.fn_index(api_name), "session_hash": session_hash,
            "event_data": None, "trigger_id": None})

    def stream(self, session_hash: str) -> tuple[int, str]:
        """(status, everything the session's stream says until its event completes)."""
        seen = []
        with self.http.stream("GET", "gradio_api/queue/data", params={"session_hash": session_hash}) as reply:
            if reply.status_code != 200:
                return reply.status_code, reply.read().decode()
            for line in reply.iter_lines():
                seen.append(line)
                if '"process_completed"' in line or '"close_stream"' in line:
                    break
        return 200, "\n".join(seen)

    def upload(self, name: str, data: bytes) -> str:
        reply = self.http.post("gradio_api/upload", files={"files": (name, data)}).raise_for_status()
        return reply.json()[0]


def file_data(path: str) -> dict:
    return {"path": path, "orig_name": Path(path).name, "meta": {"_type": "gradio.FileData"}}


@pytest.fixture
def accounts_server(sqlite_url):
    mem = api.open_memory(sqlite_url)
    for name, password in PASSWORDS.items():
        accounts.set_password(mem, name, password)
    mem.user("bob").add_note(f"The vault code is {SECRET}.", title="Vault")
    url, app = serve(mem, Identity(PASSWORD), login=accounts.login_checker(mem))
    yield url, mem, sqlite_url
    app.close()
    mem.close()


def signed_in(url: str, name: str, address: str = "127.0.0.1") -> Browser:
    browser = Browser(url, address)
    assert browser.sign_in(name, PASSWORDS[name]) == 200
    browser.load()
    return browser


def test_a_session_stream_answers_only_the_account_that_opened_it(accounts_server):
    url, *_ = accounts_server
    bob, ana = signed_in(url, "bob"), signed_in(url, "ana")
    assert bob.join("notes_search", [SECRET, "", None], "bob-tab").status_code == 200
    status, said = ana.stream("bob-tab")
    assert status == 403 and SECRET not in said
    assert ana.join("notes_search", ["vault", "", None], "bob-tab").status_code == 403
    assert ana.http.get("gradio_api/heartbeat/bob-tab").status_code == 403
    status, said = bob.stream("bob-tab")
    assert status == 200 and SECRET in said


def test_uploads_are_accepted_and_served_only_to_their_uploader(accounts_server):
    url, mem, _ = accounts_server
    ana, bob = signed_in(url, "ana"), signed_in(url, "bob")
    path = bob.upload("diary.md", f"# Diary\nThe safe opens with {SECRET}.\n".encode())
    assert ana.http.get(f"gradio_api/file={path}").status_code == 404
    assert bob.http.get(f"gradio_api/file={path}").status_code == 200
    assert ana.join("notes_import", [[file_data(path)], None], "ana-tab").status_code == 403
    assert all(SECRET not in n.content for n in mem.user("ana").notes())
    assert bob.join("notes_import", [[file_data(path)], None], "bob-tab").status_code == 200
    assert bob.stream("bob-tab")[0] == 200
    assert sum(SECRET in n.content for n in mem.user("bob").notes()) == 2  # the vault note and the diary
    folder = Path(os.environ["GRADIO_TEMP_DIR"])
    assert Path(path).resolve().is_relative_to(folder.resolve())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_an_export_link_works_once_and_only_for_whoever_asked(accounts_server):
    url, *_ = accounts_server
    ana, bob = signed_in(url, "ana"), signed_in(url, "bob")
    assert bob.join("notes_export", [], "bob-tab").status_code == 200
    _, said = bob.stream("bob-tab")
    link = said.split('href=\\"', 1)[1].split('\\"', 1)[0]
    assert ana.http.get(link).status_code == 404
    download = bob.http.get(link)
    assert download.status_code == 200 and SECRET in download.text
    assert bob.http.get(link).status_code == 404


def test_a_password_change_or_removal_ends_the_accounts_sessions(accounts_server, monkeypatch):
    url, mem, database = accounts_server
    ana, bob = signed_in(url, "ana"), signed_in(url, "bob")
    assert ana.http.get("config").status_code == 200
    monkeypatch.setenv("MEBOT_NEW_PASSWORD", "a-new-password-3")
    assert cli.main(["--database", database, "user", "passwd", "ana"]) == 0
    time.sleep(1.2)  # sessions re-read their account's password stamp at most once a second
    assert ana.http.get("config").status_code == 401
    assert ana.join("notes_search", ["", "", None], "ana-tab").status_code == 401
    assert Browser(url).sign_in("ana", "a-new-password-3") == 200

    assert bob.http.get("config").status_code == 200
    assert cli.main(["--database", database, "user", "remove", "bob", "--yes"]) == 0
    time.sleep(1.2)
    assert bob.http.get("config").status_code == 401
    assert "bob" not in mem.user_names()


def test_failed_sign_ins_are_limited_per_account_and_per_address(sqlite_url, monkeypatch):
    monkeypatch.setenv("MEBOT_LOGIN_ATTEMPTS", "3/minute")
    mem = api.open_memory(sqlite_url)
    for name, password in PASSWORDS.items():
        accounts.set_password(mem, name, password)
    url, app = serve(mem, Identity(PASSWORD), login=accounts.login_checker(mem))
    try:
        here = Browser(url)
        assert [here.sign_in("ana", "wrong password") for _ in range(3)] == [400, 400, 400]
        assert here.sign_in("ana", PASSWORDS["ana"]) == 429  # the account is paused ...
        elsewhere = Browser(url, address="127.0.0.2")
        assert elsewhere.sign_in("ana", PASSWORDS["ana"]) == 429  # ... from every address
        assert elsewhere.sign_in("bob", PASSWORDS["bob"]) == 200  # another account from another address
        assert here.sign_in("bob", PASSWORDS["bob"]) == 429  # this address is paused for every account
    finally:
        app.close()
        mem.close()


def test_the_password_check_runs_off_the_event_loop(sqlite_url):
    mem = api.open_memory(sqlite_url)
    loops = []

    def check(username: str, password: str) -> bool:
        try:
            loops.append(asyncio.get_running_loop())
        except RuntimeError:
            loops.append(None)  # a worker thread: no event loop here
        return password == "right password"

    url, app = serve(mem, Identity(PASSWORD), login=check)
    try:
        assert Browser(url).sign_in("ana", "right password") == 200
        assert loops == [None]
    finally:
        app.close()
        mem.close()


def test_run_history_is_off(accounts_server):
    url, *_ = accounts_server
    ana = signed_in(url, "ana")
    assert ana.config.get("run_history") is False
    assert ana.http.get("gradio_api/runs").status_code == 404


# What a Space with `hf_oauth: true` puts in the environment; the provider is never reached in these tests.
SPACE_ENV = {"SYSTEM": "spaces", "SPACE_ID": "someone/mebot", "OAUTH_CLIENT_ID": "test-client",
             "OAUTH_CLIENT_SECRET": "test-secret", "OAUTH_SCOPES": "openid profile",
             "OPENID_PROVIDER_URL": "http://127.0.0.1:9"}


@pytest.fixture
def on_a_space(monkeypatch):
    import gradio.oauth

    for name, value in SPACE_ENV.items():
        monkeypatch.setenv(name, value)
        if hasattr(gradio.oauth, name):  # read once, when Gradio was imported
            monkeypatch.setattr(gradio.oauth, name, value)


def test_anonymous_visitors_cannot_read_each_others_sessions_and_sandboxes_are_capped(sqlite_url, monkeypatch,
                                                                                      on_a_space):
    monkeypatch.setenv("MEBOT_MAX_SANDBOXES", "2")
    mem = api.open_memory(sqlite_url)
    url, app = serve(mem, Identity(SPACES))
    try:
        first, second, third = Browser(url), Browser(url), Browser(url)
        for browser in (first, second, third):
            browser.load()
        assert first.join("notes_add", ["Diary", f"My code is {SECRET}.", None, "", "", None],
                          "first-tab").status_code == 200
        assert SECRET in first.stream("first-tab")[1]
        assert second.stream("first-tab")[0] == 403
        assert second.join("notes_search", [SECRET, "", None], "first-tab").status_code == 403
        assert second.join("notes_search", [SECRET, "", None], "second-tab").status_code == 200
        status, said = second.stream("second-tab")
        assert status == 200 and SECRET not in said and "0 note(s)" in said
        assert third.join("notes_load", [None], "third-tab").status_code == 200
        assert "Too many visitors" in third.stream("third-tab")[1]
        assert sandbox_count(mem) == 2
    finally:
        app.close()
        mem.close()


def test_sandboxes_expire_and_are_never_trained(memory, monkeypatch):
    monkeypatch.setattr(runs, "dispatch", lambda *a, **k: None)
    day = timedelta(hours=24)
    name = sandbox_name("tab-1")
    sandbox = open_sandbox(memory, name, lifetime=day, limit=5)
    sandbox.add_note("A throwaway thought.")
    assert open_sandbox(memory, name, lifetime=day, limit=5).id == sandbox.id
    chat = sandbox.new_session()
    question = sandbox.add_message(chat.id, "user", "hi")
    for i in range(3):
        reply = sandbox.add_message(chat.id, "assistant", f"reply {i}", parent_id=question.id,
                                    prompt=[{"role": "user", "content": "hi"}])
        feedback.vote(sandbox, reply.id, liked=True)
    url = scheduler.database_url(memory)
    assert scheduler.feedback_check(url, threshold=1) == []
    assert scheduler.nightly_training(url) == []
    with pytest.raises(InvalidInput):
        runs.request_run(memory, sandbox)

    with memory.session() as session:  # a day later
        session.get(User, sandbox.id).created_at = utcnow() - day - timedelta(minutes=1)
    assert scheduler.purge_sandboxes(url, hours=24) == 1
    assert name not in memory.user_names() and sandbox.search("throwaway") == []
    again = open_sandbox(memory, name, lifetime=day, limit=5)
    assert again.notes() == [] and again.search("throwaway") == []
    open_sandbox(memory, sandbox_name("tab-2"), lifetime=day, limit=2)
    with pytest.raises(SandboxesFull):
        open_sandbox(memory, sandbox_name("tab-3"), lifetime=day, limit=2)


def test_removing_a_user_leaves_others_whole(memory):
    ana, bob = memory.user("ana"), memory.user("bob")
    for user in (ana, bob):
        user.add_note(f"{user.name} likes {SECRET}.")
        chat = user.new_session()
        reply = [e for e in ChatEngine(MemoryOnlyBackend("test")).respond(user, chat.id, f"what about {SECRET}?")
                 if isinstance(e, Reply)][-1]
        feedback.vote(user, reply.message_id, True)
        user.refresh_profile()
    remove_user(memory, bob.id)
    assert memory.user_names() == ["ana"]
    assert len(ana.search(SECRET)) >= 1 and len(memory.user("bob").search(SECRET)) == 0


def test_reserved_names_cannot_become_accounts(sqlite_url, monkeypatch, capsys):
    monkeypatch.setenv("MEBOT_NEW_PASSWORD", "a-fine-password")
    for name in ("hf:ana", "sandbox:0123", "me"):
        assert cli.main(["--database", sqlite_url, "user", "add", name]) == 2
        assert "reserved" in capsys.readouterr().err
    assert accounts.account_names(api.open_memory(sqlite_url)) == []


def test_the_spaces_mode_starts_from_a_plain_install(tmp_path):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("gradio[oauth]") for d in declared)
    port = free_port()
    env = {**os.environ, **SPACE_ENV, "MEBOT_BACKEND": "memory", "MEBOT_SCHEDULER": "off",
           "MEBOT_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "webapp", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and server.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/config", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        assert server.poll() is None, server.stdout.read()
        config = httpx.get(f"http://127.0.0.1:{port}/config", timeout=10).json()
        assert any(c.get("type") == "button" and "Sign in" in str(c.get("props", {}).get("value"))
                   for c in config["components"])
    finally:
        server.terminate()
        server.wait(timeout=30)
