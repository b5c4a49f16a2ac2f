"""Guards the web app as a person uses it, in real headless Chromium (Debian package, driven by Playwright):
capture a note dated yesterday, ask "what did I note yesterday?", see the note cited, like and edit the
reply and find the preference pair in the database, open the cited note, correct a profile fact; HTML/JS
in notes and replies never runs; "Train now" on the tiny model finishes and the adapter badge changes. Screenshots of every
tab go to test-artifacts/."""

from __future__ import annotations

import json
import shutil
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from memory import api
from memory.models import PreferencePair
from rlmf.data import feedback
from rlmf.training import runs
from webapp.app import build_app
from webapp.server import launch

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
XSS = ('<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
       '<svg onload="window.__xss=3"></svg><a href="javascript:window.__xss=4">link</a>')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium here: install the Debian package `chromium` to run the browser tests")
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def dialogs() -> list:
    """Messages of alert/confirm boxes the page opened: any would be script from content that ran."""
    return []


@pytest.fixture
def page(browser, dialogs):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield tab
    context.close()


def serve(memory, engine):
    app = build_app(memory, engine)
    return app, launch(app, host="127.0.0.1", port=free_port(), block=False)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def test_capture_ask_cite_like_edit_and_nothing_runs(page, dialogs, sqlite_url):
    from rlmf.chat.backends import MemoryOnlyBackend
    from rlmf.chat import ChatEngine

    memory = api.open_memory(sqlite_url)
    app, url = serve(memory, ChatEngine(MemoryOnlyBackend("browser test")))
    try:
        me = memory.user("me")
        yesterday = (me.now() - timedelta(days=1)).replace(hour=10, minute=0, second=0)
        page.goto(url)
        open_tab(page, "Notes")
        for title, content in (("Dentist", "Dentist moved my appointment to Friday. I love sushi."),
                               (XSS, f"Careful: {XSS}")):
            page.locator("#note-title input, #note-title textarea").first.fill(title)
            page.locator("#note-content textarea").fill(content)
            page.locator("#note-date input, #note-date textarea").first.fill(yesterday.strftime("%Y-%m-%d %H:%M:%S"))
            page.locator("#note-save").click()
            page.locator("#note-saved").get_by_text("dated").wait_for()
        page.locator("#notes-list").get_by_text("Dentist", exact=True).wait_for()
        shot(page, "notes")
        assert [n.created_at.date() for n in me.notes()] == [yesterday.date()] * 2

        open_tab(page, "Chat")
        page.locator("#chat-input textarea").fill("what did I note yesterday?")
        page.locator("#chat-send").click()
        sources = page.locator("#chat-sources")
        sources.locator("#chat-sources-list").get_by_text("Dentist", exact=True).wait_for()
        assert "'yesterday'" in sources.inner_text() and "memory-only" in sources.inner_text()
        assert "Memory-only mode" in page.locator("#chat-mode").inner_text()

        page.locator("#chat-bot button[aria-label='Like']").last.click()
        page.locator("#chat-vote-reason").wait_for(state="visible")
        page.locator("#chat-vote-reason label").filter(has_text="helpful").click()
        page.locator("#chat-vote-save").click()
        page.locator("#chat-vote-reason").wait_for(state="hidden")

        mine = "You noted that the dentist moved your appointment to Friday."
        page.locator("#chat-bot button[aria-label='Edit']").last.click()
        page.locator("#chat-bot textarea").last.fill(mine)
        page.locator("#chat-bot button[aria-label='Submit']").click()
        page.locator("#chat-bot").get_by_text(mine).wait_for()
        page.get_by_text("Saved your version of the reply").wait_for()
        shot(page, "chat")
        for _ in range(50):  # the edit is stored by the server a moment after the browser shows it
            with memory.session() as session:
                pairs = session.query(PreferencePair).filter_by(user_id=me.id).all()
            if pairs:
                break
            page.wait_for_timeout(100)
        assert [(p.source, p.chosen) for p in pairs] == [("edit", mine)]
        assert "Memory-only mode" in pairs[0].rejected
        assert feedback.current_vote(me, pairs[0].chosen_message_id) == "like"

        sources.locator("#chat-sources-list").get_by_text("Dentist", exact=True).click()
        page.locator("#viewer-title").wait_for(state="visible")
        assert page.locator("#viewer-title input, #viewer-title textarea").first.input_value() == "Dentist"

        open_tab(page, "Memory")
        facts = page.locator("#memory-facts")
        facts.get_by_text("sushi", exact=True).first.click()  # your likes are listed first
        page.locator("#memory-fact-label input, #memory-fact-label textarea").first.fill("sashimi")
        page.locator("#memory-fact-save").click()
        facts.get_by_text("sashimi", exact=True).wait_for()
        shot(page, "memory")
        assert [(f.label, f.origin) for f in me.profile().likes] == [("sashimi", "user")]
        open_tab(page, "Training")
        page.locator("#training-counts").get_by_text("edits").wait_for()
        shot(page, "training")
        assert page.evaluate("window.__xss") is None and dialogs == []
    finally:
        app.close()
        memory.close()


def test_times_are_local_to_the_browser_with_the_zone_shown(browser, sqlite_url):
    from datetime import datetime, timezone

    from rlmf.chat.backends import MemoryOnlyBackend
    from rlmf.chat import ChatEngine

    memory = api.open_memory(sqlite_url)
    app, url = serve(memory, ChatEngine(MemoryOnlyBackend("browser test")))
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.goto(url)
        open_tab(page, "Notes")
        page.locator("#note-date").get_by_text("America/New_York").wait_for()  # the field says its zone
        page.locator("#note-content textarea").fill("Ran along the river.")
        page.locator("#note-date input, #note-date textarea").first.fill("2024-07-18 09:30:00")  # typed: New York time
        page.locator("#note-save").click()
        page.locator("#note-saved").get_by_text("2024-07-18 09:30 EDT").wait_for()
        page.locator("#notes-list").get_by_text("2024-07-18 09:30 EDT").wait_for()
        stored = memory.user("me").notes()[0].created_at
        stored = stored if stored.tzinfo else stored.replace(tzinfo=timezone.utc)
        assert stored == datetime(2024, 7, 18, 13, 30, tzinfo=timezone.utc)

        page.locator("#notes-list").get_by_text("2024-07-18 09:30 EDT").click()
        page.locator("#viewer-date").get_by_text("America/New_York").wait_for()
        assert page.locator("#viewer-date input, #viewer-date textarea").first.input_value() == "2024-07-18 09:30:00"

        open_tab(page, "Chat")
        page.locator("#chat-input textarea").fill("what did I note in July 2024?")
        page.locator("#chat-send").click()
        page.locator("#chat-sources-list").get_by_text("2024-07-18 09:30 EDT").wait_for()
        zone_now = datetime.now(timezone.utc).astimezone(memory.user("me").shown_time(stored).tzinfo).tzname()
        assert zone_now in page.locator("#chat-conversations input").first.input_value()
    finally:
        context.close()
        app.close()
        memory.close()


def test_a_wrong_field_gets_one_message_at_the_field_and_the_typing_stays(page, sqlite_url):
    from rlmf.chat.backends import MemoryOnlyBackend
    from rlmf.chat import ChatEngine

    memory = api.open_memory(sqlite_url)
    app, url = serve(memory, ChatEngine(MemoryOnlyBackend("browser test")))
    try:
        page.goto(url)
        open_tab(page, "Notes")
        title = page.locator("#note-title input, #note-title textarea").first
        title.fill("Groceries")
        page.locator("#note-save").click()  # no content
        page.locator("#note-content").get_by_text("The note content is empty.").wait_for()
        assert title.input_value() == "Groceries"

        page.locator("#note-content textarea").fill("Milk and eggs.")
        page.locator("#note-date input, #note-date textarea").first.fill("the day after the party")
        page.locator("#note-save").click()
        page.locator("#note-date").get_by_text("Not a date").wait_for()
        assert page.locator("#note-content").get_by_text("The note content is empty.").count() == 0
        assert page.locator("#note-content textarea").input_value() == "Milk and eggs."
        assert title.input_value() == "Groceries"

        page.get_by_text("Import and export").click()
        page.locator("#import-button").click()  # no file chosen
        page.locator("#import-files").get_by_text("Choose one or more files first.").wait_for()
        shot(page, "notes-validation")
        # One message at one field: nothing else on the page is painted as failed.
        assert page.locator(".error").filter(has_text="Error").count() == 0
        assert page.get_by_text("Error", exact=True).count() == 0
        assert memory.user("me").notes() == []
    finally:
        app.close()
        memory.close()


IN_VIEW = """id => { const el = document.getElementById(id); if (!el || !el.dataset.revealed) return false;
  const r = el.getBoundingClientRect(); return r.height > 0 && r.top > -2 && r.top < window.innerHeight; }"""  # -2: sub-pixel rounding


def test_what_a_click_opens_is_scrolled_into_view_and_highlighted(browser, sqlite_url):
    from rlmf.chat.backends import MemoryOnlyBackend
    from rlmf.chat import ChatEngine

    memory = api.open_memory(sqlite_url)
    me = memory.user("me")
    yesterday = me.now() - timedelta(days=1)
    me.add_notes([{"title": f"Walk {i}", "content": f"Walked {i} km. I love sushi.", "created_at": yesterday}
                  for i in range(12)])
    me.profile()
    app, url = serve(memory, ChatEngine(MemoryOnlyBackend("browser test")))
    context = browser.new_context(viewport={"width": 1200, "height": 600})
    try:
        page = context.new_page()
        page.goto(url)
        page.locator("#chat-input textarea").fill("what did I note yesterday?")
        page.locator("#chat-send").click()
        page.locator("#chat-sources-list").get_by_text("Walk ").first.click()
        page.wait_for_function(IN_VIEW, arg="note-viewer")
        shot(page, "source-opened")

        open_tab(page, "Memory")
        page.locator("#memory-facts").get_by_text("sushi", exact=True).first.click()
        page.wait_for_function(IN_VIEW, arg="memory-editor")
    finally:
        context.close()
        app.close()
        memory.close()


def test_stop_ends_a_streaming_reply_and_keeps_what_was_said(page, sqlite_url):
    import time

    from conftest import ScriptedBackend
    from rlmf.chat import ChatEngine

    class SlowBackend(ScriptedBackend):
        """Streams a long reply slowly, counting the words it was asked for."""

        said = 0

        def stream(self, messages, *, adapter=None, gen=None):
            for piece in super().stream(messages, adapter=adapter, gen=gen):
                time.sleep(0.2)
                SlowBackend.said += 1
                yield piece

    memory = api.open_memory(sqlite_url)
    app, url = serve(memory, ChatEngine(SlowBackend([" ".join(f"word{i}" for i in range(200))])))
    try:
        page.goto(url)
        page.locator("#chat-input textarea").fill("tell me a long story")
        page.locator("#chat-send").click()
        page.locator("#chat-stop").wait_for(state="visible")
        page.locator("#chat-bot").get_by_text("word3", exact=False).wait_for()
        page.locator("#chat-stop").click()
        page.locator("#chat-send").wait_for(state="visible")
        page.locator("#chat-bot").get_by_text("…", exact=False).wait_for()
        shot(page, "chat-stopped")
        assert page.locator("#chat-stop").is_hidden()
        said = SlowBackend.said
        page.wait_for_timeout(1500)
        assert SlowBackend.said <= said + 1  # the model stopped too
        me = memory.user("me")
        reply = me.messages(me.sessions()[0].id)[-1]
        assert reply.role == "assistant" and reply.content.endswith("…") and "word199" not in reply.content
    finally:
        app.close()
        memory.close()


def test_markdown_renders_in_replies_and_the_note_viewer_and_html_stays_inert(page, dialogs, sqlite_url):
    from conftest import ScriptedBackend
    from rlmf.chat import ChatEngine

    hostile_md = "[click me](javascript:window.__xss=9)"
    memory = api.open_memory(sqlite_url)
    me = memory.user("me")
    me.add_notes([{"title": "Plan", "content": f"**Pack the tent**\n\n- rope\n- stove\n\n{hostile_md} {XSS}"}])
    app, url = serve(memory, ChatEngine(ScriptedBackend([f"**Bring the tent** and `rope`. {hostile_md} {XSS}"])))
    try:
        page.goto(url)
        page.locator("#chat-input textarea").fill("what should I pack?")
        page.locator("#chat-send").click()
        page.locator("#chat-bot strong").filter(has_text="Bring the tent").wait_for()
        page.locator("#chat-bot code").filter(has_text="rope").wait_for()
        page.locator("#chat-bot").get_by_text("click me").click()

        open_tab(page, "Notes")
        page.locator("#notes-list").get_by_text("Plan", exact=True).click()
        viewer = page.locator("#viewer-rendered")
        viewer.locator("strong").filter(has_text="Pack the tent").wait_for()
        assert viewer.locator("li").count() == 2
        assert "<img" in viewer.inner_text()  # HTML in a note is shown as text
        viewer.get_by_text("click me").click()
        shot(page, "note-viewer-markdown")
        page.locator("#viewer-close").click()
        page.locator("#viewer-title").wait_for(state="hidden")
        page.wait_for_timeout(300)
        assert page.evaluate("window.__xss") is None and dialogs == []
    finally:
        app.close()
        memory.close()


def test_conversations_reopen_on_reload_and_can_be_renamed_and_deleted(page, sqlite_url):
    from rlmf.chat.backends import MemoryOnlyBackend
    from rlmf.chat import ChatEngine

    memory = api.open_memory(sqlite_url)
    app, url = serve(memory, ChatEngine(MemoryOnlyBackend("browser test")))
    try:
        page.goto(url)
        page.locator("#chat-input textarea").fill("what did I note today?")
        page.locator("#chat-send").click()
        page.locator("#chat-bot").get_by_text("Memory-only mode").wait_for()

        page.reload()  # the conversation is still there
        page.locator("#chat-bot").get_by_text("what did I note today?").wait_for()
        page.locator("#chat-bot").get_by_text("Memory-only mode").wait_for()
        conversations = page.locator("#chat-conversations input").first
        assert conversations.input_value().startswith("what did I note today?")

        page.get_by_text("Rename or delete").click()
        page.locator("#chat-title input, #chat-title textarea").first.fill("Today's notes")
        page.locator("#chat-rename").click()
        page.wait_for_function("() => document.querySelector('#chat-conversations input').value"
                               ".startsWith(\"Today's notes\")")
        assert [c.title for c in memory.user("me").sessions()] == ["Today's notes"]

        page.locator("#chat-delete").click()
        page.locator("#chat-delete-yes").click()
        page.locator("#chat-delete-confirm").wait_for(state="hidden")
        page.locator("#chat-bot").get_by_text("what did I note today?").wait_for(state="detached")
        shot(page, "chat-deleted")
        assert memory.user("me").sessions() == []
    finally:
        app.close()
        memory.close()


def test_regenerated_replies_are_kept_as_versions_with_a_switcher(page, sqlite_url):
    from conftest import ScriptedBackend
    from rlmf.chat import ChatEngine

    memory = api.open_memory(sqlite_url)
    backend = ScriptedBackend(["The first answer.", "The second answer.", "Then the tent."])
    app, url = serve(memory, ChatEngine(backend))
    try:
        page.goto(url)
        bot, label = page.locator("#chat-bot"), page.locator("#chat-sibling-label")
        page.locator("#chat-input textarea").fill("what should I pack?")
        page.locator("#chat-send").click()
        bot.get_by_text("The first answer.").wait_for()
        assert page.locator("#chat-siblings").is_hidden()
        page.locator("#chat-bot button[aria-label='Retry']").last.click()
        bot.get_by_text("The second answer.").wait_for()
        label.get_by_text("Version 2/2").wait_for()
        page.locator("#chat-sibling-prev").click()
        bot.get_by_text("The first answer.").wait_for()
        label.get_by_text("Version 1/2").wait_for()
        assert bot.get_by_text("The second answer.").count() == 0
        shot(page, "chat-versions")
        # The conversation goes on from the version shown.
        page.locator("#chat-input textarea").fill("and then?")
        page.locator("#chat-send").click()
        bot.get_by_text("Then the tent.").wait_for()
        history = [m["content"] for m in backend.prompts[-1]]
        assert any("The first answer." in c for c in history) and not any("The second answer." in c for c in history)
        bot.get_by_text("The first answer.").wait_for()
    finally:
        app.close()
        memory.close()


def test_a_long_reply_is_edited_in_a_large_box(page, sqlite_url):
    from conftest import ScriptedBackend
    from rlmf.chat import ChatEngine

    long_reply = " ".join(["A long reply that goes on and on about the tent, the rope and the stove."] * 12)
    memory = api.open_memory(sqlite_url)
    app, url = serve(memory, ChatEngine(ScriptedBackend(["Short.", long_reply])))
    try:
        page.goto(url)
        page.locator("#chat-input textarea").fill("what should I pack?")
        page.locator("#chat-send").click()
        page.locator("#chat-bot").get_by_text("Short.").wait_for()
        page.locator("#chat-input textarea").fill("tell me more")
        page.locator("#chat-send").click()
        page.locator("#chat-bot").get_by_text("goes on and on", exact=False).first.wait_for()
        page.locator("#chat-bot button[aria-label='Edit']").last.click()
        box = page.locator("#chat-bot textarea").last.bounding_box()
        chat = page.locator("#chat-bot").bounding_box()
        shot(page, "chat-edit-long")
        assert box["width"] >= 0.8 * chat["width"] and box["height"] >= 240
        page.locator("#chat-bot button[aria-label='Cancel']").click()
        page.locator("#chat-bot button[aria-label='Edit']").first.click()  # a short reply: a box to write in too
        assert page.locator("#chat-bot textarea").last.bounding_box()["height"] >= 100
    finally:
        app.close()
        memory.close()


def test_train_now_finishes_and_the_badge_changes(page, sqlite_url, tiny_personal_model, tiny_model_path,
                                                  monkeypatch):
    from memory import settings
    from rlmf.chat.backends import LocalBackend
    from rlmf.model.generation import GenerationConfig
    from rlmf.chat.startup import make_engine

    # The run is a separate `python -m rlmf.training.run` process: it needs this checkout and these settings.
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("MEBOT_BASE_MODEL", str(tiny_model_path))
    monkeypatch.setenv("MEBOT_TRAIN_CONFIG", json.dumps({
        "sft_max_steps": 8, "sft_learning_rate": 3e-3, "per_device_batch_size": 2, "gradient_accumulation_steps": 1,
        "gradient_checkpointing": False, "warmup_ratio": 0.0, "lora_r": 4, "lora_alpha": 8}))
    memory = api.open_memory(sqlite_url)
    engine = make_engine(settings.load(), memory, backend=LocalBackend(tiny_personal_model))
    engine.gen = GenerationConfig(max_new_tokens=8, temperature=0.0)
    me = memory.user("me")
    me.add_notes([{"title": "Bike", "content": "Bought a blue bike.", "created_at": me.now() - timedelta(days=1)},
                  {"title": "Dentist", "content": "Dentist moved to Friday.", "created_at": me.now() - timedelta(days=2)},
                  {"title": "Garden", "content": "Planted tomatoes by the fence.", "created_at": me.now() - timedelta(days=3)}])
    app, url = serve(memory, engine)
    try:
        page.goto(url)
        badge = page.locator("#mebot-badge")
        badge.get_by_text("base model").wait_for()
        open_tab(page, "Training")
        page.locator("#training-train").click()
        page.locator("[data-testid='training-active']").wait_for(timeout=20_000)
        badge.get_by_text("adapter v1").wait_for(timeout=240_000)
        page.locator("#training-versions").filter(has_text="in use ●").wait_for()
        shot(page, "training-after-run")
        run = runs.list_runs(memory, me.id)[0]
        assert run.status == "succeeded" and run.history and run.data_counts["notes"] == 3

        open_tab(page, "Chat")
        page.locator("#chat-input textarea").fill("what did I buy?")
        page.locator("#chat-send").click()
        page.locator("#chat-sources [data-testid='reply-badge']").get_by_text("adapter v1").wait_for(timeout=60_000)
    finally:
        app.close()
        memory.close()
