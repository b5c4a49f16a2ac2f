"""The Memory tab: the L1 profile (bio, lately, preferences, people, topics), readable and correctable."""

from __future__ import annotations

from dataclasses import dataclass, replace

import gradio as gr

from memory.errors import InvalidInput, NotFound
from webapp import memory_view as view
from webapp.edge import bind, shows_errors
from webapp.memory_view import MemoryState
from webapp.render import notice, reveal_js


@dataclass
class MemoryUI:
    state: gr.State
    bio: gr.Textbox
    bio_origin: gr.HTML
    save_bio: gr.Button
    reset_bio: gr.Button
    status: gr.Textbox
    status_origin: gr.HTML
    save_status: gr.Button
    reset_status: gr.Button
    facts: gr.Dataset
    history: gr.HTML
    editor: gr.Column
    label: gr.Textbox
    polarity: gr.Radio
    detail: gr.Textbox
    save_fact: gr.Button
    delete_fact: gr.Button
    confirm: gr.Row
    confirm_yes: gr.Button
    confirm_no: gr.Button
    new_item: gr.Textbox
    new_polarity: gr.Radio
    new_reason: gr.Textbox
    add_preference: gr.Button
    new_name: gr.Textbox
    new_relation: gr.Textbox
    add_person: gr.Button
    refresh: gr.Button


def render(ctx) -> MemoryUI:
    """Lay out the Memory tab."""
    state = gr.State(MemoryState())
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            bio = gr.Textbox(label="About you", lines=3, elem_id="memory-bio")
            bio_origin = gr.HTML(elem_id="memory-bio-origin")
            with gr.Row():
                save_bio = gr.Button("Save my bio", size="sm", elem_id="memory-bio-save")
                reset_bio = gr.Button("Use the one from my notes", size="sm", elem_id="memory-bio-reset")
            status = gr.Textbox(label="Lately", lines=2, elem_id="memory-status")
            status_origin = gr.HTML()
            with gr.Row():
                save_status = gr.Button("Save", size="sm", elem_id="memory-status-save")
                reset_status = gr.Button("Use the one from my notes", size="sm", elem_id="memory-status-reset")
            facts = gr.Dataset(
                components=[gr.Textbox(visible=False) for _ in range(4)],
                headers=["Kind", "What", "Details", "From"], samples=[], type="index", samples_per_page=15,
                label="What Mebot knows (click a fact to correct or delete it)", elem_id="memory-facts",
            )
            history = gr.HTML(elem_id="memory-history")
            refresh = gr.Button("Refresh", size="sm", elem_id="memory-refresh")
        with gr.Column(scale=2):
            with gr.Column(visible=False, variant="panel", elem_id="memory-editor") as editor:
                label = gr.Textbox(label="Fact", max_lines=1, elem_id="memory-fact-label")
                polarity = gr.Radio(["like", "dislike"], label="You…", visible=False, elem_id="memory-fact-polarity")
                detail = gr.Textbox(label="Details", max_lines=1, elem_id="memory-fact-detail")
                with gr.Row():
                    save_fact = gr.Button("Save correction", variant="primary", size="sm", elem_id="memory-fact-save")
                    delete_fact = gr.Button("Delete…", variant="stop", size="sm", elem_id="memory-fact-delete")
                with gr.Row(visible=False) as confirm:
                    gr.Markdown("**Forget this for good?** Re-reading your notes will not bring it back.")
                    confirm_yes = gr.Button("Yes, forget it", variant="stop", size="sm", elem_id="memory-fact-forget")
                    confirm_no = gr.Button("Keep it", size="sm")
            with gr.Accordion("Add a like or dislike", open=False):
                new_item = gr.Textbox(label="What", max_lines=1, elem_id="memory-new-item")
                new_polarity = gr.Radio(["like", "dislike"], value="like", label="You…")
                new_reason = gr.Textbox(label="Why (optional)", max_lines=1)
                add_preference = gr.Button("Add", size="sm", elem_id="memory-new-item-add")
            with gr.Accordion("Add a person", open=False):
                new_name = gr.Textbox(label="Name", max_lines=1, elem_id="memory-new-name")
                new_relation = gr.Textbox(label="Relation (e.g. sister, manager)", max_lines=1)
                add_person = gr.Button("Add", size="sm", elem_id="memory-new-name-add")
    return MemoryUI(state, bio, bio_origin, save_bio, reset_bio, status, status_origin, save_status, reset_status,
                    facts, history, editor, label, polarity, detail, save_fact, delete_fact, confirm, confirm_yes,
                    confirm_no, new_item, new_polarity, new_reason, add_preference, new_name, new_relation,
                    add_person, refresh)


def profile_updates(user, state: MemoryState) -> tuple:
    """(state, bio, bio origin, status, status origin, facts, history, editor, confirm): the whole profile."""
    profile = user.profile()
    rows = view.fact_rows(profile)
    state = replace(state, listed=[r.id for r in rows], open_id=None, confirming_delete=False)
    return (state, profile.bio, notice(view.origin_label(profile.bio_origin)), profile.status,
            notice(view.origin_label(profile.status_origin)),
            gr.Dataset(samples=[[r.kind, r.label, r.details, r.origin] for r in rows]),
            view.history_html(profile), gr.Column(visible=False), gr.Row(visible=False))


def shown_fact(user, fact_id: int):
    """One fact of the user's profile as shown, or NotFound."""
    try:
        return user.profile().fact(fact_id)
    except KeyError:
        raise NotFound(f"No profile fact with id {fact_id!r}.") from None


def _open_fact(user, state: MemoryState, fact_id: int) -> tuple:
    fact = shown_fact(user, fact_id)
    values = view.editor_values(fact)
    return (replace(state, open_id=fact.id, confirming_delete=False), gr.Column(visible=True), values["label"],
            gr.Radio(value=values["polarity"], visible=fact.kind == "preference"),
            gr.Textbox(value=values["detail"], label=values["detail_name"], visible=fact.kind != "topic"),
            gr.Row(visible=False))


# --- handlers: the user always comes from the request ----------------------------------------------

@shows_errors
def show(ctx, state: MemoryState, request: gr.Request):
    """Read the profile when the tab opens or is refreshed."""
    return profile_updates(ctx.user(request), state)


@shows_errors
def set_text(ctx, field: str, reset: bool, text: str, state: MemoryState, request: gr.Request):
    """Write the bio or the status (`field`), or hand it back to the notes (`reset`)."""
    user = ctx.user(request)
    setter = user.set_bio if field == "bio" else user.set_status
    setter(None if reset else text)
    return profile_updates(user, state)


@shows_errors
def pick(ctx, index, state: MemoryState, request: gr.Request):
    """Open the listed fact clicked in the editor."""
    if not isinstance(index, int) or not 0 <= index < len(state.listed):
        raise InvalidInput("That fact is no longer listed; refresh.")
    return _open_fact(ctx.user(request), state, state.listed[index])


@shows_errors
def save_fact(ctx, label: str, polarity, detail: str, state: MemoryState, request: gr.Request):
    """Save the user's correction of the open fact."""
    user = ctx.user(request)
    if state.open_id is None:
        raise InvalidInput("Choose a fact first.")
    fact = shown_fact(user, state.open_id)
    user.update_profile_item(fact.id, **view.corrections(fact, label, polarity, detail))
    gr.Info("Corrected: your version wins over what the notes say.")
    return profile_updates(user, state)


def ask_delete(state: MemoryState):
    """Ask to confirm forgetting the open fact."""
    return replace(state, confirming_delete=state.open_id is not None), gr.Row(visible=state.open_id is not None)


def keep(state: MemoryState):
    """Keep the open fact."""
    return replace(state, confirming_delete=False), gr.Row(visible=False)


@shows_errors
def forget(ctx, state: MemoryState, request: gr.Request):
    """Forget the open fact once confirmed."""
    user = ctx.user(request)
    if state.open_id is None or not state.confirming_delete:
        raise InvalidInput("Choose “Delete…” on a fact first.")
    user.delete_profile_item(state.open_id)
    return profile_updates(user, state)


@shows_errors
def add_preference(ctx, item: str, polarity: str, reason: str, state: MemoryState, request: gr.Request):
    """A like or dislike stated by the user."""
    user = ctx.user(request)
    user.add_preference(item, polarity, reason or None)
    return ("", "", *profile_updates(user, state))


@shows_errors
def add_person(ctx, name: str, relation: str, state: MemoryState, request: gr.Request):
    """A person stated by the user."""
    user = ctx.user(request)
    user.add_person(name or None, relation or None)
    return ("", "", *profile_updates(user, state))


def listen(ctx, ui: MemoryUI, *, tab: gr.Tab) -> None:
    """Wire the Memory tab: it is read when the tab opens; every correction re-reads it."""
    outputs = [ui.state, ui.bio, ui.bio_origin, ui.status, ui.status_origin, ui.facts, ui.history, ui.editor,
               ui.confirm]
    editor_outputs = [ui.state, ui.editor, ui.label, ui.polarity, ui.detail, ui.confirm]
    gr.on([tab.select, ui.refresh.click], bind(show, ctx), [ui.state], outputs, api_name="memory_show")
    ui.save_bio.click(bind(set_text, ctx, "bio", False), [ui.bio, ui.state], outputs, api_name="memory_set_bio")
    ui.reset_bio.click(bind(set_text, ctx, "bio", True), [ui.bio, ui.state], outputs, api_name="memory_reset_bio")
    ui.save_status.click(bind(set_text, ctx, "status", False), [ui.status, ui.state], outputs,
                         api_name="memory_set_status")
    ui.reset_status.click(bind(set_text, ctx, "status", True), [ui.status, ui.state], outputs,
                          api_name="memory_reset_status")
    ui.facts.click(bind(pick, ctx), [ui.facts, ui.state], editor_outputs, api_name="memory_open_fact").success(
        None, js=reveal_js(ui.editor.elem_id))
    ui.save_fact.click(bind(save_fact, ctx), [ui.label, ui.polarity, ui.detail, ui.state], outputs,
                       api_name="memory_correct")
    ui.delete_fact.click(ask_delete, [ui.state], [ui.state, ui.confirm], api_name="memory_ask_delete")
    ui.confirm_no.click(keep, [ui.state], [ui.state, ui.confirm], api_name="memory_keep")
    ui.confirm_yes.click(bind(forget, ctx), [ui.state], outputs, api_name="memory_forget")
    ui.add_preference.click(bind(add_preference, ctx), [ui.new_item, ui.new_polarity, ui.new_reason, ui.state],
                            [ui.new_item, ui.new_reason, *outputs], api_name="memory_add_preference")
    ui.add_person.click(bind(add_person, ctx), [ui.new_name, ui.new_relation, ui.state],
                        [ui.new_name, ui.new_relation, *outputs], api_name="memory_add_person")
