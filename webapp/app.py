"""The Gradio Blocks app."""

from __future__ import annotations

import gradio as gr


def build_app(memory) -> gr.Blocks:
    """The web app over `memory`."""
    with gr.Blocks(title="Mebot") as app:
        gr.Markdown("# Mebot\nYour notes, your model. The full web app is on its way.")
    return app
