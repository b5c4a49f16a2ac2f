"""Guards the page's layout, in headless Chromium: every element id is unique (also with the feedback
panel, the note viewer and the fact editor open); Tab reaches the message box before the replies' buttons;
opening the feedback panel leaves the message box where it was; the stylesheet names CJK-capable fonts; at
390×844 (a phone) the header fits, the message box is on the first screen and no tab runs off the right
edge. Screenshots of every tab at desktop width and at 390 px go to test-artifacts/layout-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest

from memory import api
from memory.models import TrainingRun, utcnow
from rlmf.chat import ChatEngine
from rlmf.chat.backends import MemoryOnlyBackend
from tests.test_browser_app import browser, dialogs, open_tab, page, serve, shot  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
TABS = ("Chat", "Notes", "Memory", "Training")
PHONE = {"width": 390, "height": 844}

DUPLICATE_IDS = """() => {
  const seen = {};
  document.querySelectorAll('[id]').forEach(e => { if (e.id) seen[e.id] = (seen[e.id] || 0) + 1; });
  return Object.entries(seen).filter(([, n]) => n > 1).map(([id]) => id);
}"""

# Visible elements of the open tab whose right edge passes the page's content edge, unless an ancestor
# scrolls or clips them sideways (a wide table inside a scrolling box is fine).
OVERFLOWING = """() => {
  const tabs = document.querySelector('#mebot-tabs'), edge = tabs.getBoundingClientRect().right + 1;
  const scrolls = e => { for (let a = e.parentElement; a && a !== tabs && a.id !== 'mebot-header'; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX; if (x === 'auto' || x === 'scroll' || x === 'hidden') return true; }
    return false; };
  return [...document.querySelectorAll('#mebot-header *, #mebot-tabs *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > edge && !scrolls(e);
  }).slice(0, 5).map(e => (e.id || e.className || e.tagName) + ' ' + Math.round(e.getBoundingClientRect().right));
}"""


# Pairs of the header's parts (name, tagline, who is signed in, the model badge) drawn over each other.
HEADER_OVERLAPS = """() => {
  const parts = [...document.querySelectorAll('#mebot-header .mebot-title, #mebot-header .mebot-tagline,' +
                                             '#mebot-header .mebot-identity, #mebot-header .mebot-badge')]
    .map(e => [e.className, e.getBoundingClientRect()]).filter(([, r]) => r.width > 0 && r.height > 0);
  const hits = [];
  parts.forEach(([a, r], i) => parts.slice(i + 1).forEach(([b, q]) => {
    if (Math.min(r.right, q.right) - Math.max(r.left, q.left) > 1 &&
        Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top) > 1) hits.push(a + ' / ' + b); }));
  return hits;
}"""


@pytest.fixture
def site(sqlite_url):
    """A memory-only app with notes, two answered questions and finished training runs."""
    memory = api.open_memory(sqlite_url)
    me = memory.user("me")
    me.add_notes([{"title": "Dentist", "content": "Dentist moved my appointment to Friday. I love sushi.",
                   "created_at": me.now() - timedelta(days=1)},
                  {"title": "中文笔记", "content": "我喜欢寿司。日本語のメモ。한국어 메모.",
                   "created_at": me.now() - timedelta(days=2)}])
    with memory.session() as session:
        for number, status in enumerate(("succeeded", "rejected"), start=1):
            session.add(TrainingRun(user_id=me.id, status=status, kind="full", stage="eval", step=8, total_steps=8,
                                    data_counts={"sft": 67, "sft_heldout": 7, "dpo": 2, "kto": 1},
                                    metrics={"recall_logprob": -6.59 + number}, created_at=utcnow(),
                                    started_at=utcnow(), finished_at=utcnow()))
    app, url = serve(memory, ChatEngine(MemoryOnlyBackend("layout test")))
    yield url
    app.close()
    memory.close()


def ask(page, question: str) -> None:
    replies = page.locator("#chat-bot button[aria-label='Like']").count()
    page.locator("#chat-input textarea").fill(question)
    page.locator("#chat-send").click()
    page.locator("#chat-bot button[aria-label='Like']").nth(replies).wait_for()


def test_ids_are_unique_tab_reaches_the_box_and_feedback_leaves_it_in_place(page, site):  # noqa: F811
    page.goto(site)
    ask(page, "what do I like?")
    ask(page, "what did I note about the dentist?")
    box = page.locator("#chat-input textarea")
    where = box.bounding_box()
    page.locator("#chat-bot button[aria-label='Like']").last.click()
    page.locator("#chat-vote-reason").wait_for(state="visible")
    assert box.bounding_box()["y"] == where["y"], "the feedback panel pushed the message box down"

    page.locator("#chat-sources-list").get_by_text("Dentist", exact=True).first.click()
    page.locator("#viewer-title").wait_for(state="visible")
    open_tab(page, "Memory")
    page.locator("#memory-facts").get_by_text("sushi", exact=True).first.click()
    page.locator("#memory-fact-label").wait_for(state="visible")
    open_tab(page, "Training")
    page.locator("#training-counts").get_by_text("edits").wait_for()
    assert page.evaluate(DUPLICATE_IDS) == []

    open_tab(page, "Chat")
    page.locator("body").click(position={"x": 2, "y": 2})
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#chat-input') !== null"):
            break
    else:
        pytest.fail("ten presses of Tab did not reach the message box")


def test_the_stylesheet_names_fonts_with_cjk_glyphs(page, site):  # noqa: F811
    page.goto(site)
    page.locator("#chat-input textarea").wait_for()
    family = page.evaluate("getComputedStyle(document.querySelector('#chat-input textarea')).fontFamily")
    assert "Noto Sans CJK" in family and family.rstrip().endswith("sans-serif")


def test_on_a_phone_the_box_is_on_the_first_screen_and_nothing_runs_off_the_edge(browser, site):  # noqa: F811
    for width, viewport in (("desktop", {"width": 1400, "height": 1000}), ("390", PHONE)):
        context = browser.new_context(viewport=viewport)
        phone = context.new_page()
        try:
            phone.goto(site)
            box = phone.locator("#chat-input textarea")
            box.wait_for()
            phone.locator("#mebot-badge").get_by_text("memory-only").wait_for()
            for name in TABS:
                open_tab(phone, name)
                phone.wait_for_timeout(800)  # the tab's own load event fills it
                shot(phone, f"layout-{width}-{name.lower()}")
                assert phone.evaluate(HEADER_OVERLAPS) == [], name
                if width == "390":
                    assert phone.evaluate(OVERFLOWING) == [], name
                    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
            if width == "390":
                open_tab(phone, "Chat")
                phone.evaluate("window.scrollTo(0, 0)")
                bottom = box.bounding_box()["y"] + box.bounding_box()["height"]
                assert bottom <= PHONE["height"], f"the message box ends {bottom:.0f} px down"
        finally:
            context.close()
