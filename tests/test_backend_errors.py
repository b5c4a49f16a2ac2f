"""Guards what a user sees when a model server fails: a closed port and a real server answering 500 raise
ModelServerError (a domain error, not an httpx/openai trace) from the openai chat backend and from the L1
teacher; through the running app the chat shows that clean message, and the user's question stays stored."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from gradio_client import Client

from memory import api
from memory.errors import ModelServerError
from memory.profile.llm import openai_complete
from rlmf.chat import ChatEngine
from rlmf.chat.backends import AdapterRef, OpenAIBackend
from webapp.app import build_app
from webapp.server import launch


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def closed_port_url() -> str:
    """The URL of a port nothing listens on: connecting is refused."""
    return f"http://127.0.0.1:{free_port()}/v1"


def serve_errors(answers: dict[str, tuple[int, str]]):
    """A real HTTP server on 127.0.0.1 answering POSTs to a path's last part with (status, error message);
    "*" for any other path. Yields its /v1 URL."""

    class Answering(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802  (the http.server naming)
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, message = answers.get(self.path.rsplit("/", 1)[-1], answers["*"])
            body = json.dumps({"error": {"message": message, "type": "error"}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answering)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def failing_server_url():
    """A server that answers every POST with 500."""
    yield from serve_errors({"*": (500, "CUDA out of memory")})


@pytest.fixture
def adapter_known_server_url():
    """A server that already has every adapter (400 on loading one) and fails every completion."""
    yield from serve_errors({"load_lora_adapter": (400, "already loaded"), "*": (500, "no completions here")})


MESSAGES = [{"role": "user", "content": "hello"}]


def test_a_closed_port_is_a_model_server_error(closed_port_url):
    with pytest.raises(ModelServerError, match="could not be reached") as caught:
        list(OpenAIBackend(closed_port_url, "m", retry_wait=0.01).stream(MESSAGES))
    assert str(caught.value).startswith(f"The model server at {closed_port_url} could not be reached")
    with pytest.raises(ModelServerError, match="could not be reached"):
        openai_complete(closed_port_url, "teacher")("Extract the facts.")


def test_a_server_answering_500_is_a_model_server_error(failing_server_url, tmp_path):
    with pytest.raises(ModelServerError) as caught:
        list(OpenAIBackend(failing_server_url, "m").stream(MESSAGES))
    assert str(caught.value) == "The model server answered 500: CUDA out of memory"
    with pytest.raises(ModelServerError, match="answered 500"):
        openai_complete(failing_server_url, "teacher")("Extract the facts.")
    # Loading a user's adapter on a failing server is an error too (a 4xx "already loaded" is not).
    adapter = AdapterRef("u1-v1", tmp_path, 1, 1)
    with pytest.raises(ModelServerError, match="answered 500"):
        list(OpenAIBackend(failing_server_url, "m").stream(MESSAGES, adapter=adapter))


@pytest.mark.parametrize("server", ["closed_port_url", "failing_server_url"])
def test_the_chat_shows_a_clean_message_and_keeps_the_question(server, request, sqlite_url):
    url = request.getfixturevalue(server)
    memory = api.open_memory(sqlite_url)
    app = build_app(memory, ChatEngine(OpenAIBackend(url, "m")))
    try:
        client = Client(launch(app, host="127.0.0.1", port=free_port(), block=False), verbose=False)
        with pytest.raises(Exception) as caught:
            client.predict("hello there", True, api_name="/chat_send")
        expected = (f"The model server at {url} could not be reached" if server == "closed_port_url" else
                    "The model server answered 500: CUDA out of memory")
        assert str(caught.value).startswith(expected) and "Traceback" not in str(caught.value)
    finally:
        app.close()
    user = memory.user("me")
    [conversation] = user.sessions()
    assert [(m.role, m.content) for m in user.messages(conversation.id)] == [("user", "hello there")]
    memory.close()


def test_an_adapter_the_server_already_has_is_not_an_error(adapter_known_server_url, tmp_path):
    adapter = AdapterRef("u1-v1", tmp_path, 1, 1)
    with pytest.raises(ModelServerError) as caught:
        list(OpenAIBackend(adapter_known_server_url, "m").stream(MESSAGES, adapter=adapter))
    assert str(caught.value) == "The model server answered 500: no completions here"
