"""Guards per-user privacy of the running web app (`--auth` mode, two accounts): signed in as ana, every
API endpoint is called (gradio_client; the chatbot's like/edit/retry/undo/select events through the same
queue protocol with their event data), also with bob's ids and with bob's browser session; none returns
bob's data or changes it, and ana's own calls do what they should. A new endpoint without a case here
fails the test. Also: no access without signing in."""

from __future__ import annotations

import json
import re
import socket
from datetime import datetime, timedelta

import httpx
import pytest
from gradio_client import Client, handle_file

from memory import api
from rlmf.training import adapters, runs
from rlmf.data import feedback
from rlmf.chat.backends import MemoryOnlyBackend
from rlmf.chat import ChatEngine, Reply
from webapp import accounts
from webapp.app import build_app
from webapp.identity import PASSWORD, Identity
from webapp.server import launch

SECRET = "zebra-7781"
PASSWORDS = {"ana": "ana-password-1", "bob": "bob-password-2"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bobs_world(mem, tmp_path):
    """Bob's notes, a conversation with a voted reply, a live adapter version and a queued run."""
    bob = mem.user("bob")
    yesterday = bob.now() - timedelta(days=1)
    bob.add_note(f"My safe code is {SECRET}.", title=f"Safe {SECRET}", created_at=yesterday)
    bob.add_note(f"Lunch with Carla, she knows {SECRET} too.", title="Lunch")
    bob.add_note("I love sushi. My sister Emma is visiting.", title="Weekend")
    bob.set_bio(f"Bob keeps {SECRET} in the safe.")
    chat = bob.new_session()
    reply = [e for e in ChatEngine(MemoryOnlyBackend("test")).respond(bob, chat.id, f"what is {SECRET}?")
             if isinstance(e, Reply)][-1]
    feedback.vote(bob, reply.message_id, True)
    folder = tmp_path / "adapters" / "bob" / "v1"
    folder.mkdir(parents=True)
    (folder / "adapter_config.json").write_text("{}")  # promote() only checks the weights are there
    adapters.register(mem, user_id=bob.id, version=1, path=folder, base_model="tiny", parent_id=None, metadata={})
    adapters.promote(mem, bob.id, 1)
    runs.request_run(mem, bob)
    return bob


def endpoints(app) -> set[str]:
    """Every event of the app that runs Python on the server."""
    return {d["api_name"] for d in app.config["dependencies"] if d.get("api_name") and d.get("backend_fn")}


def snapshot(mem, user) -> str:
    """Everything the user owns, as comparable text."""
    state = {
        "notes": [(n.id, n.title, n.content, n.created_at, n.updated_at, n.source) for n in user.notes()],
        "sessions": [(s.id, s.title, [(m.id, m.content, m.original_content) for m in user.messages(s.id)])
                     for s in user.sessions()],
        "feedback": feedback.counts(user),
        "votes": [feedback.current_vote(user, m.id) for s in user.sessions() for m in user.messages(s.id)
                  if m.role == "assistant"],
        "versions": [(v.version, v.status) for v in adapters.versions(mem, user.id)],
        "runs": [(r.id, r.status) for r in runs.list_runs(mem, user.id)],
        "profile": user.profile().to_dict(),
        "profile_corrections": user.profile_corrections(),
    }
    return json.dumps(state, default=str)


class Caller:
    """Calls endpoints as one signed-in browser session and keeps every reply for inspection."""

    def __init__(self, url: str, name: str):
        self.client = Client(url, auth=(name, PASSWORDS[name]), verbose=False, download_files=False)
        self.seen: list[str] = []
        self.errors: dict[str, str] = {}
        self.called: set[str] = set()

    def _dependency(self, api_name: str) -> tuple[int, dict]:
        for index, dep in enumerate(self.client.config["dependencies"]):
            if dep.get("api_name") == api_name:
                return index, dep
        raise KeyError(api_name)

    def call(self, api_name: str, *args):
        """A normal API call (gradio_client); a gr.Error is recorded, not raised."""
        self.called.add(api_name)
        try:
            result = self.client.predict(*args, api_name=f"/{api_name}")
        except Exception as exc:  # gr.Error arrives as gradio_client's AppError
            self.errors[api_name] = str(exc)
            self.seen.append(str(exc))
            return None
        self.seen.append(json.dumps(result, default=str))
        return result

    def event(self, api_name: str, event_data: dict, values: dict | None = None, session_hash: str | None = None):
        """An event that carries event data (like, edit, retry, undo, select), as the browser sends it."""
        self.called.add(api_name)
        fn_index, dep = self._dependency(api_name)
        components = {c["id"]: c for c in self.client.config["components"]}
        data = [(values or {}).get(components[i].get("props", {}).get("elem_id")) for i in dep["inputs"]]
        session = session_hash or self.client.session_hash
        base = self.client.src_prefixed
        body = {"data": data, "event_data": event_data, "fn_index": fn_index, "session_hash": session,
                "trigger_id": None}
        response = httpx.post(base + "queue/join", json=body, cookies=self.client.cookies, timeout=30)
        if response.status_code == 403:  # someone else's session: refused at the door
            self.errors[api_name] = response.text
            return None
        response.raise_for_status()
        with httpx.stream("GET", base + "queue/data", params={"session_hash": session},
                          cookies=self.client.cookies, timeout=60) as stream:
            for line in stream.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("msg") == "process_completed":
                    output = message.get("output") or {}
                    self.seen.append(json.dumps(output, default=str))
                    if not message.get("success", True) or output.get("error"):
                        self.errors[api_name] = str(output.get("error"))
                    return output
        raise AssertionError(f"{api_name}: no result")


@pytest.fixture
def served(sqlite_url, tmp_path):
    mem = api.open_memory(sqlite_url)
    for name, password in PASSWORDS.items():
        accounts.set_password(mem, name, password)
    bob = bobs_world(mem, tmp_path)
    app = build_app(mem, ChatEngine(MemoryOnlyBackend("test")), identity=Identity(PASSWORD), dispatch_runs=False)
    url = launch(app, host="127.0.0.1", port=free_port(), login=accounts.login_checker(mem), block=False)
    yield url, mem, bob, app
    app.close()
    mem.close()


def test_no_access_without_signing_in(served):
    url, *_ = served
    page = httpx.get(url + "config", follow_redirects=False)
    assert page.status_code in (401, 403)
    with pytest.raises(Exception):
        Client(url, auth=("ana", "wrong password"), verbose=False)


def test_every_endpoint_as_ana_leaves_bob_untouched(served, tmp_path):
    url, mem, bob, app = served
    # Bob uses the app in his own browser session first: his state now holds his ids.
    as_bob = Caller(url, "bob")
    as_bob.call("notes_load")
    as_bob.call("chat_send", f"what did I note about {SECRET}?", True)
    as_bob.call("memory_show")
    as_bob.call("memory_open_fact", 0)
    bob_session = as_bob.client.session_hash
    bob_chat = bob.sessions()[0].id
    before = snapshot(mem, bob)

    ana = Caller(url, "ana")
    ana.call("header")
    ana.call("chat_load")
    ana.call("notes_load")
    ana.call("notes_add", "Dentist", "Dentist moved to Friday.", (datetime.now() - timedelta(days=1)).strftime(
        "%Y-%m-%d %H:%M:%S"), "", "")
    ana.call("notes_search", SECRET, "")
    ana.call("notes_search", "", "yesterday")
    ana.call("notes_open", 0)
    ana.call("notes_update", "Dentist (moved)", "", "Dentist moved to Friday at 10.", "", "")
    upload = tmp_path / "diary.md"
    upload.write_text("# Garden\nPlanted tomatoes.\n")
    ana.call("notes_import", [handle_file(str(upload))])
    exported = ana.call("notes_export")
    ana.call("chat_send", "what did I note yesterday?", True)
    ana.call("chat_resume", bob_chat)  # bob's conversation id: refused
    ana.event("chat_like", {"index": 1, "value": [], "liked": False})
    ana.call("chat_vote_reason", "wrong date", "not quite")
    ana.event("chat_like", {"index": 1, "value": [], "liked": True})
    ana.call("chat_vote_skip")
    ana.event("chat_select", {"index": 1, "value": "", "selected": True})
    ana.call("chat_open_source", 0)
    ana.event("chat_edit", {"index": 1, "value": "Your dentist moved to Friday.", "previous_value": "x"})
    ana.event("chat_retry", {"index": 0, "value": ""}, {"chat-use-memory": True})
    ana.call("chat_previous_version")
    ana.call("chat_next_version")
    ana.call("chat_send", "and one more thing?", True)
    ana.call("chat_stop_pressed")
    ana.call("chat_stop")
    ana.event("chat_undo", {"index": 2, "value": ""})  # takes back that last question and its reply
    ana.call("chat_new")
    ana.call("chat_clear")
    ana.call("chat_send", "a throwaway question", True)
    ana.call("chat_rename", "Throwaway")
    ana.call("chat_ask_delete")
    ana.call("chat_keep")
    ana.call("chat_ask_delete")
    ana.call("chat_delete")
    ana.call("memory_show")
    ana.call("memory_set_bio", "Ana grows tomatoes.")
    ana.call("memory_reset_bio", "")
    ana.call("memory_set_status", "Busy with the garden.")
    ana.call("memory_reset_status", "")
    ana.call("memory_add_preference", "tea", "like", "warm")
    ana.call("memory_add_person", "Carla", "friend")
    ana.call("memory_open_fact", 0)
    ana.call("memory_correct", "green tea", "like", "warm")
    ana.call("memory_open_fact", 0)
    ana.call("memory_ask_delete")
    ana.call("memory_keep")
    ana.call("memory_ask_delete")
    ana.call("memory_forget")
    ana.call("training_show")
    ana.call("training_train")
    ana.call("training_tick")
    ana.call("training_cancel")
    ana.call("training_rollback", 1)  # bob's live version number: ana has no such version
    ana.call("training_plot_title", "a title")  # sets the title of ana's own plot only
    ana.call("notes_search", "tomatoes", "")
    ana.call("notes_open", 0)
    ana.call("notes_ask_delete")
    ana.call("notes_cancel_delete")
    ana.call("notes_close")
    ana.call("notes_open", 0)
    ana.call("notes_ask_delete")
    ana.call("notes_delete", "", "")
    ana.call("browser_zone", "America/New_York")  # her browser's zone: hers only

    # Ana's sign-in with bob's browser session (his server-side state holds his ids).
    hijack = Caller(url, "ana")
    hijack.client.session_hash = bob_session
    hijack.call("notes_open", 0)
    hijack.call("notes_update", "mine now", "", "mine now", "", "")
    hijack.call("notes_ask_delete")
    hijack.call("notes_delete", "", "")
    hijack.call("chat_open_source", 0)
    hijack.call("chat_vote_reason", "helpful", "")
    hijack.call("chat_send", "and then?", True)
    hijack.call("chat_stop")
    hijack.call("chat_rename", "hijacked")
    hijack.call("chat_previous_version")
    hijack.call("chat_delete")
    hijack.call("memory_open_fact", 0)
    hijack.call("memory_correct", "hijacked", "dislike", "")
    hijack.call("memory_ask_delete")
    hijack.call("memory_forget")

    # The same events replayed inside bob's browser session: his state, ana's sign-in (refused at the door).
    replayed = Caller(url, "ana")
    replayed.event("chat_like", {"index": 1, "value": [], "liked": False}, session_hash=bob_session)
    replayed.event("chat_edit", {"index": 1, "value": "hijacked", "previous_value": "x"}, session_hash=bob_session)
    replayed.event("chat_retry", {"index": 0, "value": ""}, {"chat-use-memory": True}, session_hash=bob_session)
    replayed.event("chat_select", {"index": 1, "value": "", "selected": True}, session_hash=bob_session)
    assert set(replayed.errors) == {"chat_like", "chat_edit", "chat_retry", "chat_select"}

    assert endpoints(app) - ana.called == set(), "endpoints without a privacy case"

    assert snapshot(mem, bob) == before
    leaked = [text for text in ana.seen + hijack.seen + replayed.seen if SECRET in text]
    assert leaked == []
    assert {"notes_open", "notes_update", "chat_open_source", "memory_open_fact", "memory_correct",
            "memory_forget", "chat_rename", "chat_delete"} <= set(hijack.errors)
    assert "chat_resume" in ana.errors and "training_rollback" in ana.errors

    # Ana's calls did what they should, to ana's data only.
    me = mem.user("ana")
    assert me.timezone == "America/New_York" and mem.user("bob").timezone == "UTC"
    assert [n.title for n in me.notes()] == ["Dentist (moved)"]  # edited; the imported one deleted
    assert adapters.live(mem, bob.id).version == 1 and adapters.live(mem, me.id) is None
    assert feedback.counts(me)["edits"] == 1 and feedback.counts(me)["pairs"] >= 1
    said = [m.content for chat in me.sessions() for m in me.messages(chat.id)]
    assert "what did I note yesterday?" in said and "and one more thing?" not in said  # undone
    # No model here (memory-only): "Train now" is refused with the fix rather than queue a run that only fails.
    assert runs.list_runs(mem, me.id) == [] and "training_train" in ana.errors
    assert "a throwaway question" not in said and "Throwaway" not in [c.title for c in me.sessions()]  # deleted
    profile = me.profile()
    assert [p.label for p in profile.people] == ["Carla"] and profile.likes == [] and profile.bio_origin == "facts"
    link = re.search(r'href="([^"]+)"', exported).group(1)
    assert httpx.get(url + link, cookies=as_bob.client.cookies).status_code == 404  # not bob's link
    download = httpx.get(url + link, cookies=ana.client.cookies)
    assert download.status_code == 200 and "mebot-export-ana" in download.headers["content-disposition"]
    assert "Dentist" in download.text and SECRET not in download.text
    assert httpx.get(url + link, cookies=ana.client.cookies).status_code == 404  # used up


def test_a_chat_message_that_cannot_be_stored_leaves_no_empty_conversation(served):
    url, mem, *_ = served
    ana = Caller(url, "ana")
    ana.call("chat_load")
    for _ in range(3):
        ana.call("chat_send", "bad \x00 text", True)  # NUL: refused as binary data
    assert "NUL" in ana.errors.get("chat_send", "")
    assert mem.user("ana").sessions() == []
