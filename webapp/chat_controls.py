"""The Chat tab's conversation controls: Stop while a reply streams, the switcher between regenerated versions
of a reply, and renaming or deleting a conversation."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Optional

import gradio as gr

from memory.errors import InvalidInput
from webapp import chat_view
from webapp.chat_tab import ChatUI, conversation_choices, replying, shown, start_new
from webapp.chat_view import ChatState
from webapp.edge import bind, shows_errors


@shows_errors
def rename(ctx, title: str, state: ChatState, request: gr.Request):
    """Rename the open conversation: (title box, conversations)."""
    user = ctx.user(request)
    if state.session_id is None:
        raise InvalidInput("Open a conversation first.")
    user.rename_session(state.session_id, title)
    return "", gr.Dropdown(choices=conversation_choices(user), value=state.session_id)


def ask_delete(state: ChatState):
    """Ask to confirm deleting the open conversation."""
    return gr.Row(visible=state.session_id is not None)


def keep(state: ChatState):
    """Keep the open conversation."""
    return gr.Row(visible=False)


@shows_errors
def delete(ctx, state: ChatState, request: gr.Request):
    """Delete the open conversation once confirmed; an empty chat follows."""
    user = ctx.user(request)
    if state.session_id is None:
        raise InvalidInput("Open a conversation first.")
    user.delete_session(state.session_id)
    gr.Info("Conversation deleted.")
    return (*start_new(ctx, request), gr.Row(visible=False))


@shows_errors
def switch_version(ctx, step: int, state: ChatState, request: gr.Request):
    """Show the previous (step -1) or next (+1) regenerated version of the reply in focus."""
    user = ctx.user(request)
    versions = state.sources.siblings
    if state.sources.reply_id not in versions or len(versions) < 2:
        raise InvalidInput("This reply has no other versions.")
    target = user.message(versions[(versions.index(state.sources.reply_id) + step) % len(versions)])
    state = replace(state, chosen={**state.chosen, target.parent_id: target.id})
    return shown(user, state, target.id)


STOP_WAIT_S = 5.0


def stop_pressed():
    """Stop cancels the streaming reply: Send comes back."""
    return replying(False)


@shows_errors
def stopped(ctx, state: ChatState, request: gr.Request):
    """After Stop: the conversation as stored (the engine keeps the reply so far)."""
    user = ctx.user(request)
    deadline = time.monotonic() + STOP_WAIT_S
    # The stopped stream stores its partial reply as it closes, a moment after this click arrives.
    while time.monotonic() < deadline and _awaits_reply(user, state.session_id):
        time.sleep(0.05)
    return shown(user, state)


def _awaits_reply(user, session_id: Optional[int]) -> bool:
    rows = chat_view.conversation(user, session_id).rows
    return bool(rows) and rows[-1].part == "question"


def listen(ctx, ui: ChatUI, *, streams: list) -> None:
    """Wire the controls; Stop cancels the events in `streams` (those that stream a reply)."""
    view_outputs, buttons = ui.view_outputs, [ui.send, ui.stop]
    ui.stop.click(stop_pressed, None, buttons, api_name="chat_stop_pressed", cancels=streams).then(
        bind(stopped, ctx), [ui.state], view_outputs, api_name="chat_stop")
    ui.sibling_prev.click(bind(switch_version, ctx, -1), [ui.state], view_outputs, api_name="chat_previous_version")
    ui.sibling_next.click(bind(switch_version, ctx, +1), [ui.state], view_outputs, api_name="chat_next_version")
    gr.on([ui.rename.click, ui.title.submit], bind(rename, ctx), [ui.title, ui.state], [ui.title, ui.conversations],
          api_name="chat_rename")
    ui.delete.click(ask_delete, [ui.state], [ui.confirm], api_name="chat_ask_delete")
    ui.confirm_no.click(keep, [ui.state], [ui.confirm], api_name="chat_keep")
    ui.confirm_yes.click(bind(delete, ctx), [ui.state], [*ui.new_outputs, ui.confirm], api_name="chat_delete")
