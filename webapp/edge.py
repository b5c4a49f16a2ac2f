"""The edge between the core and the browser: domain errors become messages the user sees."""

from __future__ import annotations

import functools
import html
import inspect

import gradio as gr

from memory.errors import InvalidInput, MebotError


def user_error(exc: MebotError) -> gr.Error:
    """The toast for a domain error; its text may quote user input, so it is escaped."""
    return gr.Error(html.escape(str(exc)), print_exception=False)


def shows_errors(handler):
    """Wrap a Gradio handler so MebotError reaches the user as a gr.Error toast (streams included)."""
    if inspect.isgeneratorfunction(handler):

        @functools.wraps(handler)
        def stream(*args, **kwargs):
            try:
                yield from handler(*args, **kwargs)
            except MebotError as exc:
                raise user_error(exc) from exc

        return stream

    @functools.wraps(handler)
    def call(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except MebotError as exc:
            raise user_error(exc) from exc

    return call


def as_id(value) -> int:
    """A row id sent by the browser, as an int; anything else is InvalidInput."""
    if isinstance(value, bool):
        raise InvalidInput(f"Not an id: {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"Not an id: {str(value)[:40]!r}") from None
