"""The Notes tab: capture (backdating allowed), search with a time filter, view, edit, delete."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Optional

import gradio as gr

from memory.errors import InvalidInput
from memory.notes import field_problems
from webapp import notes_io
from webapp.edge import bind, shows_errors
from webapp.notes_view import NotesState, find
from webapp.render import date_label, esc, field_time, note_markdown, notice, reveal_js, when


@dataclass
class NotesUI:
    state: gr.State
    title: gr.Textbox
    content: gr.Textbox
    date: gr.Textbox
    save: gr.Button
    saved: gr.HTML
    query: gr.Textbox
    period: gr.Textbox
    search: gr.Button
    summary: gr.HTML
    listing: gr.Dataset
    viewer: gr.Column
    v_rendered: gr.Markdown
    v_close: gr.Button
    v_title: gr.Textbox
    v_date: gr.Textbox
    v_content: gr.Textbox
    v_info: gr.HTML
    v_save: gr.Button
    v_delete: gr.Button
    confirm: gr.Row
    v_confirm: gr.Button
    v_cancel: gr.Button
    io: notes_io.NotesIOUI

    @property
    def viewer_outputs(self) -> list:
        """The components `open_note` updates (also from the Chat tab's sources)."""
        return [self.state, self.viewer, self.v_rendered, self.v_title, self.v_date, self.v_content, self.v_info,
                self.confirm]


DATE_HINT = "Date (leave empty for now; type a past date to backdate)"
DATE_PLACEHOLDER = "YYYY-MM-DD HH:MM, e.g. 2024-07-18 09:30"


def render(ctx) -> NotesUI:
    """Lay out the Notes tab."""
    state = gr.State(NotesState())
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("### New note")
            title = gr.Textbox(label="Title", max_lines=1, elem_id="note-title")
            content = gr.Textbox(label="Note", lines=6, elem_id="note-content")
            # A text field, not gr.DateTime: that one drops text it cannot read and the note would be saved
            # dated now; here what was typed reaches the check and stays in the field.
            date = gr.Textbox(label=DATE_HINT, placeholder=DATE_PLACEHOLDER, max_lines=1, elem_id="note-date")
            save = gr.Button("Save note", variant="primary", elem_id="note-save")
            saved = gr.HTML(elem_id="note-saved")
            io = notes_io.render(ctx)
        with gr.Column(scale=3, min_width=360):
            gr.Markdown("### Your notes")
            with gr.Row():
                query = gr.Textbox(label="Search", placeholder="words in the note", scale=3, elem_id="notes-query")
                period = gr.Textbox(label="When", placeholder="e.g. yesterday, last week, in March 2024",
                                    scale=2, elem_id="notes-period")
            search = gr.Button("Search", size="sm", elem_id="notes-search")
            summary = gr.HTML(elem_id="notes-summary")
            listing = gr.Dataset(
                components=[gr.Textbox(visible=False), gr.Textbox(visible=False), gr.Textbox(visible=False)],
                headers=["Date", "Title", "Preview"], samples=[], type="index", samples_per_page=10,
                label="Click a note to open it", elem_id="notes-list",
            )
            with gr.Column(visible=False, variant="panel", elem_id="note-viewer") as viewer:
                with gr.Row(elem_id="viewer-head"):
                    v_close = gr.Button("Close ✕", size="sm", scale=0, min_width=90, elem_id="viewer-close")
                # The note as it reads (Markdown); HTML in it is shown as text, never run (note_markdown).
                v_rendered = gr.Markdown(elem_id="viewer-rendered", sanitize_html=True, padding=True)
                v_title = gr.Textbox(label="Title", max_lines=1, elem_id="viewer-title")
                v_date = gr.Textbox(label="Date", placeholder=DATE_PLACEHOLDER, max_lines=1, elem_id="viewer-date")
                v_content = gr.Textbox(label="Note", lines=8, elem_id="viewer-content")
                v_info = gr.HTML(elem_id="viewer-info")
                with gr.Row():
                    v_save = gr.Button("Save changes", variant="primary", size="sm", elem_id="viewer-save")
                    v_delete = gr.Button("Delete…", variant="stop", size="sm", elem_id="viewer-delete")
                with gr.Row(visible=False, elem_id="viewer-confirm") as confirm:
                    gr.Markdown("**Delete this note?** This cannot be undone.")
                    v_confirm = gr.Button("Yes, delete it", variant="stop", size="sm", elem_id="viewer-confirm-yes")
                    v_cancel = gr.Button("Keep it", size="sm", elem_id="viewer-confirm-no")
    return NotesUI(state, title, content, date, save, saved, query, period, search, summary, listing, viewer,
                   v_rendered, v_close, v_title, v_date, v_content, v_info, v_save, v_delete, confirm, v_confirm,
                   v_cancel, io)


# --- plain functions the handlers call ------------------------------------------------------------

def listing_updates(ctx, user, state: NotesState, query: str = "", phrase: str = "") -> tuple:
    """(state, summary HTML, list) for a search."""
    rows, frame = find(user, query, phrase, week_start=ctx.memory.week_start)
    count = f"{len(rows)} note(s)" + (f" in {frame}" if frame else "") + (" matching your search" if query else "")
    samples = [[r.date, r.title, r.preview] for r in rows]
    state = replace(state, listed=[r.id for r in rows])
    return state, notice(count), gr.Dataset(samples=samples)


def open_note(user, note_id: int, state: Optional[NotesState] = None) -> tuple:
    """Updates for NotesUI.viewer_outputs showing one of the user's notes."""
    note = user.note(note_id)
    state = replace(state or NotesState(), open_id=note.id, confirming_delete=False)
    info = (f"Note {note.id} · source: {esc(note.source)} · last changed {esc(when(note.updated_at, user))}")
    date = gr.Textbox(value=field_time(note.created_at, user), label=date_label("Date", user))
    return (state, gr.Column(visible=True), note_markdown(note.title, note.content), note.title, date, note.content,
            f'<div class="mebot-note-info">{info}</div>', gr.Row(visible=False))


def closed_viewer(state: NotesState) -> tuple:
    """Updates for NotesUI.viewer_outputs hiding the viewer."""
    return (replace(state, open_id=None, confirming_delete=False), gr.Column(visible=False), "", "", "", "", "",
            gr.Row(visible=False))


def _inline(problems: dict[str, str], field: str):
    """A field's validation message (Gradio paints it at the field and runs no handler)."""
    return gr.validate(False, problems[field]) if field in problems else gr.validate(True, "")


def check_new_note(title, content, date, *unchecked):
    """The capture form's fields, checked before saving: a message at each wrong field, the typing kept."""
    problems = field_problems(title=title, content=content, created_at=date)
    return [_inline(problems, "title"), _inline(problems, "content"), _inline(problems, "created_at"),
            *[None] * len(unchecked)]


def check_edited_note(title, date, content, *unchecked):
    """The viewer's fields, checked before saving the edits."""
    problems = field_problems(title=title, content=content, created_at=date)
    return [_inline(problems, "title"), _inline(problems, "created_at"), _inline(problems, "content"),
            *[None] * len(unchecked)]


# --- handlers: the user always comes from the request ----------------------------------------------

@shows_errors
def load(ctx, state: NotesState, request: gr.Request):
    """The notes list when the page opens, and the date field labelled with the user's zone."""
    user = ctx.user(request)
    return (*listing_updates(ctx, user, state), gr.Textbox(label=date_label(DATE_HINT, user)))


@shows_errors
def capture(ctx, title: str, content: str, date: Optional[str], query: str, phrase: str, state: NotesState,
            request: gr.Request):
    """Save a new note (backdated when a date is given) and refresh the list."""
    user = ctx.user(request)
    note = user.add_note(content=content or "", title=title or "", created_at=(date or "").strip() or None)
    message = notice(f"Saved “{note.title or 'untitled'}”, dated {when(note.created_at, user)}.", kind="ok")
    return ("", "", "", message, *listing_updates(ctx, user, state, query, phrase))


@shows_errors
def search(ctx, query: str, phrase: str, state: NotesState, request: gr.Request):
    """List the notes matching a query and a period."""
    return listing_updates(ctx, ctx.user(request), state, query, phrase)


@shows_errors
def pick(ctx, index, state: NotesState, request: gr.Request):
    """Open the listed note clicked."""
    user = ctx.user(request)
    if not isinstance(index, int) or not 0 <= index < len(state.listed):
        raise InvalidInput("That note is no longer listed; search again.")
    return open_note(user, state.listed[index], state)


@shows_errors
def save_changes(ctx, title: str, date: Optional[str], content: str, query: str, phrase: str,
                 state: NotesState, request: gr.Request):
    """Save the open note's edits."""
    user = ctx.user(request)
    if state.open_id is None:
        raise InvalidInput("Open a note first.")
    note = user.note(state.open_id)
    changes = {"title": title or "", "content": content or ""}
    # Re-sending the shown date unchanged would drop its sub-second part: only a new date is written.
    if date and date != field_time(note.created_at, user):
        changes["created_at"] = date
    user.update_note(note.id, **changes)
    gr.Info("Note saved.")
    state, summary, listing = listing_updates(ctx, user, state, query, phrase)
    return (*open_note(user, note.id, state), summary, listing)


def ask_delete(state: NotesState):
    """Ask to confirm deleting the open note."""
    if state.open_id is None:
        return state, gr.Row(visible=False)
    return replace(state, confirming_delete=True), gr.Row(visible=True)


def cancel_delete(state: NotesState):
    """Keep the open note."""
    return replace(state, confirming_delete=False), gr.Row(visible=False)


@shows_errors
def delete(ctx, query: str, phrase: str, state: NotesState, request: gr.Request):
    """Delete the open note once confirmed."""
    user = ctx.user(request)
    if state.open_id is None or not state.confirming_delete:
        raise InvalidInput("Choose “Delete…” on an open note first.")
    gone = user.delete_note(state.open_id)
    gr.Info(f"Deleted “{esc(gone.title or 'untitled')}”.")
    state = replace(state, open_id=None, confirming_delete=False)
    state, summary, listing = listing_updates(ctx, user, state, query, phrase)
    return (*closed_viewer(state), summary, listing)


def listen(ctx, ready, ui: NotesUI) -> None:
    """Wire the Notes tab's events; the list is read once the page is `ready` (its time zone known)."""
    list_outputs = [ui.state, ui.summary, ui.listing]
    ready.then(bind(load, ctx), [ui.state], [*list_outputs, ui.date], api_name="notes_load")
    ui.save.click(bind(capture, ctx), [ui.title, ui.content, ui.date, ui.query, ui.period, ui.state],
                  [ui.title, ui.content, ui.date, ui.saved, *list_outputs], api_name="notes_add",
                  validator=check_new_note)
    gr.on([ui.search.click, ui.query.submit, ui.period.submit], bind(search, ctx), [ui.query, ui.period, ui.state],
          list_outputs, api_name="notes_search")
    ui.listing.click(bind(pick, ctx), [ui.listing, ui.state], ui.viewer_outputs, api_name="notes_open").success(
        None, js=reveal_js(ui.viewer.elem_id))
    after_change = [*ui.viewer_outputs, ui.summary, ui.listing]
    ui.v_save.click(bind(save_changes, ctx), [ui.v_title, ui.v_date, ui.v_content, ui.query, ui.period, ui.state],
                    after_change, api_name="notes_update", validator=check_edited_note)
    ui.v_close.click(closed_viewer, [ui.state], ui.viewer_outputs, api_name="notes_close")
    ui.v_delete.click(ask_delete, [ui.state], [ui.state, ui.confirm], api_name="notes_ask_delete")
    ui.v_cancel.click(cancel_delete, [ui.state], [ui.state, ui.confirm], api_name="notes_cancel_delete")
    ui.v_confirm.click(bind(delete, ctx), [ui.query, ui.period, ui.state], after_change, api_name="notes_delete")
    notes_io.listen(ctx, ui.io, refresh=functools.partial(listing_updates, ctx), state=ui.state,
                    list_outputs=list_outputs)
