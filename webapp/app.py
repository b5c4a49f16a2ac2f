"""The Gradio Blocks app: a header and four tabs (Chat, Notes, Memory, Training), each its own module."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import gradio as gr

from memory.errors import InvalidInput
from webapp import chat_controls, chat_tab, memory_tab, notes_tab, training_tab
from webapp.context import AppContext
from webapp.edge import bind, shows_errors
from webapp.guard import Access
from webapp.identity import LOCAL, PASSWORD, SPACES, Identity
from webapp.render import identity_line
from webapp.tempdir import use_private_upload_folder

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent.parent / "static"
# Exports and uploads copied into Gradio's cache are deleted after an hour.
CACHE_LIFETIME = (3600, 3600)


def launch_options() -> dict:
    """What `launch()` needs besides host and port: the stylesheet and the favicon (when shipped)."""
    css, icon = STATIC / "mebot.css", STATIC / "favicon.svg"
    # run_history off: Gradio would keep every call's inputs and outputs in the browser's storage, where
    # the next visitor of a shared browser (or the same one after signing out) could read them.
    return {"css_paths": [css] if css.is_file() else [], "favicon_path": icon if icon.is_file() else None,
            "footer_links": [], "show_error": True, "run_history": False}


def access_of(app: gr.Blocks) -> Access:
    """The door state (webapp.guard.Access) of an app built by build_app."""
    return app.mebot_access


def _logo() -> str:
    path = STATIC / "logo.svg"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


# The browser's IANA zone, e.g. "Europe/Paris" (empty when the browser does not say).
BROWSER_ZONE_JS = ("() => { try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } "
                   "catch (e) { return ''; } }")


@shows_errors
def adopt_browser_zone(ctx, browser_zone: str, request: gr.Request) -> None:
    """Show and read the user's times in their browser's zone while their zone is still the server's default."""
    user = ctx.user(request)
    name = (browser_zone or "").strip()[:64]
    if not name or name == user.timezone or user.timezone != ctx.memory.default_timezone:
        return
    try:
        user.set_timezone(name)
    except InvalidInput:  # a zone this server's zone table does not know: the default stays
        log.info("browser time zone %r unknown here; keeping %s", name, user.timezone)


@shows_errors
def header(ctx, request: gr.Request):
    """Who is signed in, and which adapter answers them."""
    user = ctx.user(request)
    line = identity_line(ctx.identity.describe(user.name), sign_out=ctx.identity.mode == PASSWORD)
    return line, training_tab.badge(ctx, user)


def build_app(memory, engine=None, *, identity: Optional[Identity] = None, scheduler=None,
              settings=None, dispatch_runs: bool = True) -> gr.Blocks:
    """The web app over `memory`; `engine` defaults to the one the settings describe. With
    dispatch_runs=False, "Train now" only queues: another process (the scheduler) starts runs."""
    from memory import settings as settings_module

    settings = settings or settings_module.load()
    if engine is None:
        from rlmf.chat.startup import make_engine

        engine = make_engine(settings, memory)
    identity = identity or Identity(LOCAL)
    use_private_upload_folder()
    ctx = AppContext(memory=memory, engine=engine, identity=identity, scheduler=scheduler,
                     dispatch_runs=dispatch_runs, settings=settings,
                     access=Access(identity, memory, login_rate=settings.login_attempts))

    with gr.Blocks(title="Mebot", delete_cache=CACHE_LIFETIME) as app:
        with gr.Row(elem_id="mebot-header", equal_height=True):
            gr.HTML(f'<div class="mebot-brand">{_logo()}<span class="mebot-title">Mebot</span>'
                    '<span class="mebot-tagline">your notes, your model</span></div>', elem_id="mebot-brand")
            who = gr.HTML(elem_id="mebot-identity")
            badge = gr.HTML(elem_id="mebot-badge")
            if ctx.identity.mode == SPACES:
                gr.LoginButton()
        browser_zone = gr.Textbox(visible=False)
        with gr.Tabs(elem_id="mebot-tabs") as tabs:
            with gr.Tab("Chat", id="chat"):
                chat_ui = chat_tab.render(ctx)
            with gr.Tab("Notes", id="notes"):
                notes_ui = notes_tab.render(ctx)
            with gr.Tab("Memory", id="memory") as memory_page:
                memory_ui = memory_tab.render(ctx)
            with gr.Tab("Training", id="training") as training_page:
                training_ui = training_tab.render(ctx)

        # The zone first: everything the page lists shows times in it.
        ready = app.load(bind(adopt_browser_zone, ctx), [browser_zone], None, js=BROWSER_ZONE_JS,
                         api_name="browser_zone")
        ready.then(bind(header, ctx), None, [who, badge], api_name="header")
        streams = chat_tab.listen(ctx, ready, chat_ui, open_note=notes_tab.open_note, notes_state=notes_ui.state,
                                  open_note_outputs=[tabs, *notes_ui.viewer_outputs],
                                  note_viewer_id=notes_ui.viewer.elem_id)
        chat_controls.listen(ctx, chat_ui, streams=streams)
        notes_tab.listen(ctx, ready, notes_ui)
        memory_tab.listen(ctx, memory_ui, tab=memory_page)
        training_tab.listen(ctx, training_ui, tab=training_page, badge_output=badge)
    app.mebot_access = ctx.access
    return app
