"""Guards the LLM path of L1 extraction over real HTTP: with the chat's OpenAI-compatible server
configured, notes are read by the model (a scripted server on loopback answering fixed JSON);
every stored fact keeps its source note and the sentence it came from; a server that fails or
is gone leaves the rules to read the note."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from memory import api

NOTE = "Mom thinks I love broccoli, but I really don't. Long walks by the river keep me going."
ANSWER = {
    "preferences": [
        {"item": "broccoli", "polarity": "dislike", "holder": None,
         "sentence": "Mom thinks I love broccoli, but I really don't."},
        # No sentence given: the extractor finds the note's sentence that names it.
        {"item": "long walks", "polarity": "like", "holder": None},
    ],
    "people": [{"name": None, "relation": "mother", "kind": "person"}],
    "topics": [],
    "no_longer": [],
}


class ScriptedServer:
    """An OpenAI-compatible /v1/chat/completions on 127.0.0.1 that answers `reply` (or `status`)."""

    def __init__(self, reply: str, status: int = 200):
        self.reply, self.status, self.prompts = reply, status, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the http.server API)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.prompts.append(body["messages"][-1]["content"])
                payload = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"],
                                      "choices": [{"index": 0, "finish_reason": "stop", "message":
                                                   {"role": "assistant", "content": outer.reply}}]}).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_server(monkeypatch):
    server = ScriptedServer(json.dumps(ANSWER))
    monkeypatch.setenv("MEBOT_BACKEND", "openai")
    monkeypatch.setenv("MEBOT_OPENAI_BASE_URL", server.url)
    monkeypatch.delenv("MEBOT_PROFILE_LLM_URL", raising=False)
    yield server
    server.close()


def test_the_chat_endpoint_reads_notes_and_facts_keep_their_sentences(chat_server, sqlite_url):
    user = api.open_memory(sqlite_url).user("ann")
    note = user.add_note(NOTE)
    profile = user.profile()
    assert chat_server.prompts and NOTE in chat_server.prompts[0]
    dislike = {f.label: f for f in profile.dislikes}["broccoli"]
    assert dislike.source_note_ids == [note.id]
    assert dislike.quotes == [{"note_id": note.id, "sentence": "Mom thinks I love broccoli, but I really don't."}]
    like = {f.label: f for f in profile.likes}["long walks"]
    assert like.quotes == [{"note_id": note.id, "sentence": "Long walks by the river keep me going."}]
    assert not any(f.label == "broccoli" for f in profile.likes)


def test_rules_read_the_note_when_the_server_fails(chat_server, sqlite_url):
    chat_server.status = 500
    user = api.open_memory(sqlite_url).user("bob")
    note = user.add_note(NOTE)
    profile = user.profile()
    assert chat_server.prompts  # it was asked
    dislike = {f.label: f for f in profile.dislikes}["broccoli"]  # the rules' reading
    assert dislike.quotes[0]["note_id"] == note.id


def test_rules_read_the_note_when_the_server_is_gone(chat_server, sqlite_url):
    chat_server.close()
    user = api.open_memory(sqlite_url).user("cy")
    user.add_note(NOTE)
    assert [f.label for f in user.profile().dislikes] == ["broccoli"]


def test_rules_setting_never_asks_the_model(chat_server, sqlite_url, monkeypatch):
    monkeypatch.setenv("MEBOT_PROFILE_EXTRACTOR", "rules")
    user = api.open_memory(sqlite_url).user("dee")
    user.add_note(NOTE)
    assert [f.label for f in user.profile().dislikes] == ["broccoli"]
    assert chat_server.prompts == []
