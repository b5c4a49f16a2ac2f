"""Guards that the hardened door (webapp.guard) still lets a real person through, in headless Chromium: a
password user signs in on the login page, imports a file they upload, downloads their export from its
one-use link, and nothing of their calls is kept in the browser's storage (run history off); two anonymous
visitors on a Space each get a working sandbox of their own."""

from __future__ import annotations

import json

import pytest

from memory import api
from memory.users import sandbox_count
from rlmf.chat import ChatEngine
from rlmf.chat.backends import MemoryOnlyBackend
from tests.test_browser_app import browser, free_port, open_tab, page, dialogs  # noqa: F401 (fixtures)
from tests.test_hardening import on_a_space  # noqa: F401 (fixture)
from webapp import accounts
from webapp.app import build_app
from webapp.identity import PASSWORD, SPACES, Identity
from webapp.server import launch

pytestmark = pytest.mark.browser
SECRET = "pangolin-3307"


def test_sign_in_import_and_export_through_the_door(page, sqlite_url, tmp_path):  # noqa: F811
    mem = api.open_memory(sqlite_url)
    accounts.set_password(mem, "ana", "ana-password-1")
    app = build_app(mem, ChatEngine(MemoryOnlyBackend("test")), identity=Identity(PASSWORD), dispatch_runs=False)
    url = launch(app, host="127.0.0.1", port=free_port(), login=accounts.login_checker(mem), block=False)
    try:
        page.goto(url)
        page.locator("input[type=text]").first.fill("ana")
        page.locator("input[type=password]").fill("ana-password-1")
        page.get_by_role("button", name="Login").click()
        page.wait_for_selector("#mebot-identity :text('Signed in as ana')", timeout=60_000)

        open_tab(page, "Notes")
        page.locator("#notes-io").get_by_text("Import and export").click()
        upload = tmp_path / "garden.md"
        upload.write_text(f"# Garden\nThe shed key is {SECRET}.\n")
        page.locator("#import-files input[type=file]").set_input_files(str(upload))
        page.wait_for_selector("#import-files :text('garden.md')", timeout=60_000)  # an upload on a busy machine
        page.locator("#import-button").click()
        page.wait_for_selector("#import-report :text('Imported 1 note')", timeout=30_000)
        assert [n.title for n in mem.user("ana").notes()] == ["Garden"]

        page.locator("#export-button").click()
        link = page.wait_for_selector("#export-link", timeout=30_000)
        with page.expect_download() as download:
            link.click()
        document = json.loads(open(download.value.path(), encoding="utf-8").read())
        assert any(SECRET in note["content"] for note in document["notes"])

        stored = page.evaluate("() => JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage})")
        assert SECRET not in stored
    finally:
        app.close()
        mem.close()


def test_anonymous_visitors_keep_working_behind_the_door(browser, sqlite_url, on_a_space):  # noqa: F811
    mem = api.open_memory(sqlite_url)
    app = build_app(mem, ChatEngine(MemoryOnlyBackend("test")), identity=Identity(SPACES), dispatch_runs=False)
    url = launch(app, host="127.0.0.1", port=free_port(), block=False)
    contexts = [browser.new_context(), browser.new_context()]
    try:
        first, second = (context.new_page() for context in contexts)
        for tab in (first, second):
            tab.goto(url)
            tab.wait_for_selector("#mebot-identity :text('private sandbox')", timeout=60_000)
        open_tab(first, "Notes")
        first.locator("#note-title input, #note-title textarea").first.fill("Diary")
        first.locator("#note-content textarea").fill(f"My code is {SECRET}.")
        first.locator("#note-save").click()
        first.locator("#note-saved").get_by_text("dated").wait_for(timeout=30_000)
        first.locator("#notes-summary").get_by_text("1 note(s)").wait_for(timeout=30_000)
        open_tab(second, "Notes")
        second.locator("#notes-summary").get_by_text("0 note(s)").wait_for(timeout=30_000)
        assert sandbox_count(mem) == 2
    finally:
        for context in contexts:
            context.close()
        app.close()
        mem.close()
