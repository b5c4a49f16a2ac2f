"""The Chat tab: streamed replies, votes with reasons, edits, retry, undo, conversations, sources."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterator, Optional

import gradio as gr

from memory.errors import InvalidInput
from memory.validation import MAX_CONTENT_CHARS, clean_text
from memory.vocab import FeedbackKind
from rlmf.data import feedback
from rlmf.chat import Chunk, Reply
from webapp import chat_view
from webapp.chat_view import ChatState, Sources
from webapp import training_tab
from webapp.edge import as_id, bind, shows_errors
from webapp.render import adapter_badge, esc, mode_banner, reveal_js, when


@dataclass
class ChatUI:
    state: gr.State
    conversations: gr.Dropdown
    new: gr.Button
    title: gr.Textbox
    rename: gr.Button
    delete: gr.Button
    confirm: gr.Row
    confirm_yes: gr.Button
    confirm_no: gr.Button
    chatbot: gr.Chatbot
    text: gr.Textbox
    send: gr.Button
    stop: gr.Button
    use_memory: gr.Checkbox
    vote_box: gr.Column
    vote_title: gr.Markdown
    reason: gr.Radio
    comment: gr.Textbox
    save_vote: gr.Button
    skip_vote: gr.Button
    sources_html: gr.HTML
    sources_list: gr.Dataset
    siblings: gr.Row
    sibling_label: gr.HTML
    sibling_prev: gr.Button
    sibling_next: gr.Button


    @property
    def view_outputs(self) -> list:
        """What shown() updates: the chat, its state, the sources and the version switcher."""
        return [self.chatbot, self.state, self.sources_html, self.sources_list, self.siblings, self.sibling_label]

    @property
    def new_outputs(self) -> list:
        """What start_new() updates."""
        return [*self.view_outputs, self.conversations, self.vote_box, self.vote_title, self.reason, self.comment]


def render(ctx) -> ChatUI:
    """Lay out the Chat tab."""
    state = gr.State(ChatState())
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=220):
            new = gr.Button("New conversation", variant="secondary", elem_id="chat-new")
            conversations = gr.Dropdown(label="Your conversations", choices=[], value=None,
                                        interactive=True, elem_id="chat-conversations")
            with gr.Accordion("Rename or delete", open=False, elem_id="chat-manage"):
                title = gr.Textbox(label="New title", max_lines=1, elem_id="chat-title")
                with gr.Row():
                    rename = gr.Button("Rename", size="sm", elem_id="chat-rename")
                    delete = gr.Button("Delete…", variant="stop", size="sm", elem_id="chat-delete")
                with gr.Row(visible=False, elem_id="chat-delete-confirm") as confirm:
                    gr.Markdown("**Delete this conversation** and your feedback on it?")
                    confirm_yes = gr.Button("Yes, delete it", variant="stop", size="sm", elem_id="chat-delete-yes")
                    confirm_no = gr.Button("Keep it", size="sm", elem_id="chat-delete-no")
            use_memory = gr.Checkbox(value=True, label="Use my memory",
                                     info="Off: the model answers without your notes.", elem_id="chat-use-memory")
        # The message box comes before the replies in the page, so Tab reaches it before every reply's
        # buttons; the stylesheet shows it below them (#chat-compose).
        with gr.Column(scale=3, elem_classes="mebot-chat-column"):
            gr.HTML(mode_banner(ctx.engine), elem_id="chat-mode")
            with gr.Row(elem_id="chat-compose"):
                text = gr.Textbox(show_label=False, placeholder="Message Mebot…", scale=5, lines=1,
                                  max_lines=8, autofocus=True, elem_id="chat-input")
                send = gr.Button("Send", variant="primary", scale=1, elem_id="chat-send")
                stop = gr.Button("Stop", variant="stop", scale=1, visible=False, elem_id="chat-stop")
            chatbot = gr.Chatbot(
                label="Mebot", height=460, editable="all", elem_id="chat-bot",
                # Notes and replies are shown as text: no raw HTML survives, no custom tags either.
                sanitize_html=True, allow_tags=False, reasoning_tags=[("<think>", "</think>")],
                feedback_options=("Like", "Dislike"), buttons=["copy"],
                placeholder="Ask about your notes, e.g. *What did I note yesterday?*",
            )
            with gr.Row(visible=False, elem_id="chat-siblings") as siblings:
                sibling_prev = gr.Button("‹ Previous version", size="sm", scale=0, min_width=150,
                                         elem_id="chat-sibling-prev")
                sibling_label = gr.HTML(elem_id="chat-sibling-label")
                sibling_next = gr.Button("Next version ›", size="sm", scale=0, min_width=150,
                                         elem_id="chat-sibling-next")
            with gr.Column(visible=False, variant="panel", elem_id="chat-vote") as vote_box:
                vote_title = gr.Markdown()
                reason = gr.Radio(choices=[], label="Why? (optional)", elem_id="chat-vote-reason")
                comment = gr.Textbox(label="Comment (optional)", lines=1, elem_id="chat-vote-comment")
                with gr.Row():
                    save_vote = gr.Button("Save feedback", variant="primary", size="sm", elem_id="chat-vote-save")
                    skip_vote = gr.Button("Skip", size="sm", elem_id="chat-vote-skip")
        with gr.Column(scale=1, min_width=240, elem_id="chat-sources"):
            gr.Markdown("### Sources")
            sources_html = gr.HTML(_sources_html(Sources()), elem_id="chat-sources-info")
            sources_list = gr.Dataset(
                components=[gr.Textbox(visible=False), gr.Textbox(visible=False), gr.Textbox(visible=False)],
                headers=["Ref", "Date", "Title"], samples=[], type="index", label="Open a note",
                elem_id="chat-sources-list", samples_per_page=8,
            )
    return ChatUI(state, conversations, new, title, rename, delete, confirm, confirm_yes, confirm_no, chatbot,
                  text, send, stop, use_memory, vote_box, vote_title, reason, comment, save_vote, skip_vote,
                  sources_html, sources_list, siblings, sibling_label, sibling_prev, sibling_next)


# --- plain functions the handlers call ------------------------------------------------------------

def conversation_choices(user) -> list[tuple[str, int]]:
    """The conversations dropdown: title and date, most recent first."""
    return [(f"{s.title or 'Untitled'} · {when(s.updated_at, user)}", s.id) for s in user.sessions()]


def _sources_html(sources: Sources) -> str:
    if sources.reply_id is None:
        return '<div class="mebot-sources">The notes a reply uses appear here.</div>'
    badge = adapter_badge(sources.answered_by, memory_only=sources.memory_only, testid="reply-badge")
    parts = [f"<div>Answered by {badge}</div>"]
    if sources.timeframe:
        parts.append(f'<div class="mebot-timeframe">Time frame: {esc(sources.timeframe)}</div>')
    if not sources.items:
        parts.append("<div>No notes were used.</div>")
    elif sources.cited:
        parts.append(f"<div>Cited: {len(sources.items)} item(s). Click one to open it.</div>")
    else:
        parts.append(f"<div>Cited nothing; it was shown {len(sources.items)} item(s):</div>")
    return '<div class="mebot-sources">' + "".join(parts) + "</div>"


def _sources_samples(sources: Sources) -> list[list[str]]:
    return [[item.ref, item.date, item.title] for item in sources.items]


def _switcher(sources: Sources) -> tuple:
    """(row, label) of the switcher between a reply's regenerated versions: shown when it has several."""
    if sources.reply_id not in sources.siblings or len(sources.siblings) < 2:
        return gr.Row(visible=False), ""
    position = sources.siblings.index(sources.reply_id) + 1
    label = f'<div class="mebot-siblings">Version {position}/{len(sources.siblings)} of this reply</div>'
    return gr.Row(visible=True), label


SKIP_SOURCES = (gr.skip(),) * 4  # sources_updates' outputs, unchanged


def sources_updates(sources: Sources, shown_before: Optional[Sources] = None) -> tuple:
    """(sources HTML, sources list, version switcher row, its label) for one reply. With `shown_before` (the
    sources this tab shows now), a list or switcher that would not change is not sent again: each component
    rebuilt costs the server tens of milliseconds, and every user waits behind it."""
    samples = _sources_samples(sources)
    row, label = _switcher(sources)
    if shown_before is not None:
        if samples == _sources_samples(shown_before):
            samples = None
        if row.visible == _switcher(shown_before)[0].visible:
            row = gr.skip()
    return (_sources_html(sources), gr.skip() if samples is None else gr.Dataset(samples=samples), row, label)


def shown(user, state: ChatState, reply_id: Optional[int] = None, *, grown: bool = False) -> tuple:
    """Re-read the conversation: (chatbot, state, *sources_updates).

    grown: the tab shows this conversation already and it only gained a turn (a sent question): the votes
    shown stay right, so the chatbot gets its messages alone, and unchanged source widgets are not resent."""
    view = chat_view.conversation(user, state.session_id, state.chosen)
    focus = reply_id if reply_id is not None else view.last_reply_id
    sources = chat_view.sources(user, focus)
    before = state.sources if grown else None
    state = replace(state, rows=view.rows, sources=sources)
    chatbot = view.messages if grown else gr.Chatbot(value=view.messages, feedback_value=view.votes)
    return (chatbot, state, *sources_updates(sources, before))


def replying(busy: bool) -> tuple:
    """(Send, Stop): Stop shows while a reply streams."""
    return gr.Button(visible=not busy), gr.Button(visible=busy)


def stream(user, state: ChatState, messages: list[dict], events, *, grown: bool = False
           ) -> Iterator[tuple[bool, tuple]]:
    """Show a reply as it streams, then the stored conversation.

    Yields (final, (chatbot, state, *sources_updates)); only the final update re-reads the
    database, so rows and votes always describe what is stored."""
    pieces: list[str] = []
    reply: Optional[Reply] = None
    for event in events:
        if isinstance(event, Chunk):
            pieces.append(event.text)
            partial = messages + [{"role": "assistant", "content": "".join(pieces)}]
            yield False, (partial, state, *SKIP_SOURCES)
        elif isinstance(event, Reply):
            reply = event
    yield True, shown(user, state, reply.message_id if reply else None, grown=grown)


def _reply_for_question(rows: list, question_id: int) -> Optional[int]:
    """The reply shown under a question, if any."""
    for index, row in enumerate(rows):
        if row.part == "question" and row.message_id == question_id:
            after = rows[index + 1] if index + 1 < len(rows) else None
            return after.message_id if after is not None and after.part != "question" else None
    return None


def _vote_box(kind: Optional[FeedbackKind]) -> tuple:
    if kind is None:
        return gr.Column(visible=False), gr.Markdown(), gr.Radio(choices=[], value=None), gr.Textbox(value="")
    title = "You liked this reply." if kind == FeedbackKind.LIKE else "You disliked this reply."
    return (gr.Column(visible=True), gr.Markdown(f"**{title}** Tell Mebot why, if you like."),
            gr.Radio(choices=list(feedback.REASONS[kind]), value=None), gr.Textbox(value=""))


# --- handlers: the user always comes from the request ----------------------------------------------

@shows_errors
def load(ctx, request: gr.Request):
    """When the page opens: the conversations list, and the latest conversation reopened (a reload loses
    nothing; "New conversation" starts another)."""
    user = ctx.user(request)
    latest = next(iter(user.sessions()), None)
    if latest is None:
        return (gr.Dropdown(choices=[], value=None), gr.skip(), gr.skip(), *SKIP_SOURCES)
    choices = conversation_choices(user)
    return (gr.Dropdown(choices=choices, value=latest.id),
            *shown(user, ChatState(session_id=latest.id, listed=tuple(choices))))


@shows_errors
def start_new(ctx, request: gr.Request):
    """An empty chat: (chatbot, state, sources HTML, sources list, conversations, *vote box)."""
    user = ctx.user(request)
    return (gr.Chatbot(value=[], feedback_value=[]), ChatState(), *sources_updates(Sources()),
            gr.Dropdown(choices=conversation_choices(user), value=None), *_vote_box(None))


@shows_errors
def resume(ctx, session_id, state: ChatState, request: gr.Request):
    """Show one of the user's conversations."""
    user = ctx.user(request)
    if session_id in (None, ""):
        return (gr.skip(), gr.skip(), *SKIP_SOURCES)
    session_id = as_id(session_id)
    user.messages(session_id)  # NotFound unless it is this user's conversation
    return shown(user, ChatState(session_id=session_id))


@shows_errors
def send(ctx, text: str, use_memory: bool, state: ChatState, request: gr.Request):
    """Ask: stream the reply, then show the stored conversation."""
    user = ctx.user(request)
    text = (text or "").strip()
    if not text:
        yield ("", gr.skip(), gr.skip(), *SKIP_SOURCES, gr.skip(), gr.skip(), gr.skip())
        return
    # A message that cannot be stored must not leave an empty conversation behind.
    clean_text(text, field="message", max_chars=MAX_CONTENT_CHARS, required=True)
    if state.session_id is None:
        state = replace(state, session_id=user.new_session().id)
    base = chat_view.conversation(user, state.session_id, state.chosen).messages + [{"role": "user", "content": text}]
    yield ("", base, state, *SKIP_SOURCES, gr.skip(), *replying(True))
    events = ctx.engine.respond(user, state.session_id, text, use_memory=bool(use_memory), chosen=state.chosen)
    for final, update in stream(user, state, base, events, grown=True):
        listing = gr.skip()
        if final:  # once stored, the conversation may have a new title or place in the list
            chatbot, shown_state, *sources = update
            choices = conversation_choices(user)
            if tuple(choices) != shown_state.listed:
                listing = gr.Dropdown(choices=choices, value=shown_state.session_id)
            update = (chatbot, replace(shown_state, listed=tuple(choices)), *sources)
        # The input was cleared when the question went: what is typed meanwhile stays.
        yield (gr.skip(), *update, listing, *(replying(False) if final else (gr.skip(), gr.skip())))


@shows_errors
def retry(ctx, use_memory: bool, state: ChatState, data: gr.RetryData, request: gr.Request):
    """Regenerate the reply to a question (a new sibling; the old one stays stored)."""
    user = ctx.user(request)
    question_id = chat_view.question_at(state.rows, data.index)
    reply_id = _reply_for_question(state.rows, question_id) if question_id else None
    if reply_id is None:
        raise InvalidInput("Only a question with a reply can be retried.")
    view = chat_view.conversation(user, state.session_id, state.chosen)
    cut = next((i for i, r in enumerate(view.rows) if r.message_id == reply_id), len(view.rows))
    yield (gr.skip(), gr.skip(), *SKIP_SOURCES, *replying(True))
    events = ctx.engine.regenerate(user, reply_id, use_memory=bool(use_memory), chosen=state.chosen)
    # The new version is the one shown: the choice of an older one for this question is dropped.
    state = replace(state, chosen={q: r for q, r in state.chosen.items() if q != question_id})
    for final, update in stream(user, state, view.messages[:cut], events):
        yield (*update, *(replying(False) if final else (gr.skip(), gr.skip())))


@shows_errors
def undo(ctx, state: ChatState, data: gr.UndoData, request: gr.Request):
    """Forget the last turn; its question goes back into the input box."""
    user = ctx.user(request)
    question_id = chat_view.question_at(state.rows, data.index)
    if question_id is None:
        raise InvalidInput("Nothing to undo.")
    question = user.message(question_id)
    user.delete_turn(question_id)
    return (question.content, *shown(user, state))


@shows_errors
def like(ctx, state: ChatState, data: gr.LikeData, request: gr.Request):
    """A thumbs up or down (or its retraction); the vote box then asks why."""
    user = ctx.user(request)
    reply_id = chat_view.reply_at(state.rows, data.index)
    if reply_id is None:
        raise InvalidInput("Only Mebot's replies can be rated.")
    if data.liked in (True, False):
        kind = FeedbackKind.LIKE if data.liked else FeedbackKind.DISLIKE
        feedback.vote(user, reply_id, data.liked)
        return (replace(state, vote=(reply_id, kind)), *_vote_box(kind))
    feedback.retract_vote(user, reply_id)
    return (replace(state, vote=None), *_vote_box(None))


@shows_errors
def save_vote(ctx, reason: Optional[str], comment: str, state: ChatState, request: gr.Request):
    """The reason and comment of the vote just given."""
    user = ctx.user(request)
    if state.vote is None:
        raise InvalidInput("Rate a reply first.")
    reply_id, kind = state.vote
    feedback.vote(user, reply_id, kind == FeedbackKind.LIKE, reason=reason or None, comment=comment or None)
    gr.Info(training_tab.feedback_note(ctx, user, kind))
    return (replace(state, vote=None), *_vote_box(None))


def skip_vote(state: ChatState):
    """Close the vote box without a reason."""
    return (replace(state, vote=None), *_vote_box(None))


@shows_errors
def edit(ctx, state: ChatState, data: gr.EditData, request: gr.Request):
    """The user's own version of a reply (kept for preference pairs)."""
    user = ctx.user(request)
    value = data.value if isinstance(data.value, str) else str(data.value or "")
    if value == data.previous_value:  # editing a grouped reply also "edits" its reasoning, unchanged
        return (gr.skip(), gr.skip(), *SKIP_SOURCES)
    index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
    row = state.rows[index] if isinstance(index, int) and 0 <= index < len(state.rows) else None
    if row is None or row.part != "answer":
        gr.Warning("Only the text of Mebot's replies can be edited.")
        return shown(user, state)
    feedback.edit_reply(user, row.message_id, value)
    gr.Info(training_tab.feedback_note(ctx, user, FeedbackKind.EDIT))
    return shown(user, state, row.message_id)


@shows_errors
def select(ctx, state: ChatState, data: gr.SelectData, request: gr.Request):
    """Show the sources of the reply clicked."""
    user = ctx.user(request)
    reply_id = chat_view.reply_at(state.rows, data.index)
    if reply_id is None:
        return (gr.skip(), *SKIP_SOURCES)
    sources = chat_view.sources(user, reply_id)
    return (replace(state, sources=sources), *sources_updates(sources))


@shows_errors
def open_source(ctx, open_note, outputs: int, index, state: ChatState, notes: object, request: gr.Request):
    """Open a cited note in the Notes tab (`open_note` gives the viewer's updates; `outputs` counts them
    with the tabs); a cited message is shown in a toast."""
    user = ctx.user(request)
    items = state.sources.items
    if not isinstance(index, int) or not 0 <= index < len(items):
        raise InvalidInput("That source is no longer listed.")
    item = items[index]
    if item.kind != "note":
        message = user.message(item.id)
        gr.Info(f"You said on {when(message.created_at, user)}: {esc(message.content[:300])}")
        return (gr.skip(),) * outputs
    return (gr.Tabs(selected="notes"), *open_note(user, item.id, notes))


def listen(ctx, ready, ui: ChatUI, *, open_note, notes_state: gr.State, open_note_outputs: list,
           note_viewer_id: str) -> list:
    """Wire the Chat tab's events; the conversations are listed once the page is `ready`. A cited note opens
    in the Notes tab: `open_note_outputs` is [tabs, *note viewer components] and
    `open_note(user, note_id, notes_state)` gives the viewer's updates; the viewer (`note_viewer_id`) is then scrolled into view and highlighted. Returns the events that stream
    a reply (what Stop cancels, webapp.chat_controls)."""
    view_outputs = ui.view_outputs
    vote_outputs = [ui.state, ui.vote_box, ui.vote_title, ui.reason, ui.comment]
    ready.then(bind(load, ctx), None, [ui.conversations, *view_outputs], api_name="chat_load")
    new_outputs = ui.new_outputs
    ui.new.click(bind(start_new, ctx), None, new_outputs, api_name="chat_new")
    ui.chatbot.clear(bind(start_new, ctx), None, new_outputs, api_name="chat_clear")
    ui.conversations.input(bind(resume, ctx), [ui.conversations, ui.state], view_outputs, api_name="chat_resume")
    buttons = [ui.send, ui.stop]
    sending = gr.on([ui.send.click, ui.text.submit], bind(send, ctx), [ui.text, ui.use_memory, ui.state],
                    [ui.text, *view_outputs, ui.conversations, *buttons], api_name="chat_send",
                    concurrency_id="chat")
    retrying = ui.chatbot.retry(bind(retry, ctx), [ui.use_memory, ui.state], [*view_outputs, *buttons],
                                api_name="chat_retry", concurrency_id="chat")
    ui.chatbot.undo(bind(undo, ctx), [ui.state], [ui.text, *view_outputs], api_name="chat_undo")
    ui.chatbot.like(bind(like, ctx), [ui.state], vote_outputs, api_name="chat_like")
    ui.chatbot.edit(bind(edit, ctx), [ui.state], view_outputs, api_name="chat_edit")
    ui.chatbot.select(bind(select, ctx), [ui.state], [ui.state, ui.sources_html, ui.sources_list, ui.siblings,
                                                       ui.sibling_label], api_name="chat_select")
    ui.save_vote.click(bind(save_vote, ctx), [ui.reason, ui.comment, ui.state], vote_outputs,
                       api_name="chat_vote_reason")
    ui.skip_vote.click(skip_vote, [ui.state], vote_outputs, api_name="chat_vote_skip")
    ui.sources_list.click(bind(open_source, ctx, open_note, len(open_note_outputs)),
                          [ui.sources_list, ui.state, notes_state], open_note_outputs,
                          api_name="chat_open_source").success(None, js=reveal_js(note_viewer_id))
    return [sending, retrying]
