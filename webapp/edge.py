"""The edge between the core and the browser: domain errors become messages the user sees."""

from __future__ import annotations

import functools
import html
import inspect
import typing

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


def bind(handler, *leading):
    """`handler(*leading, ...)` as a Gradio handler of the remaining parameters.

    Handlers are module-level functions that take the app's context (and any other collaborators)
    first; `listen()` binds those when it wires an event. Gradio reads a handler's signature and type
    hints to pass gr.Request and event data, so both are kept, less the bound parameters; a generator
    stays a generator, so replies still stream.
    """
    signature = inspect.signature(handler)
    bound_names = list(signature.parameters)[:len(leading)]
    hints = {name: hint for name, hint in typing.get_type_hints(handler).items() if name not in bound_names}

    if inspect.isgeneratorfunction(handler):
        def wired(*args, **kwargs):
            yield from handler(*leading, *args, **kwargs)
    else:
        def wired(*args, **kwargs):
            return handler(*leading, *args, **kwargs)

    for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(wired, attribute, getattr(handler, attribute))
    wired.__signature__ = signature.replace(parameters=list(signature.parameters.values())[len(leading):])
    wired.__annotations__ = hints
    return wired


def as_id(value) -> int:
    """A row id sent by the browser, as an int; anything else is InvalidInput."""
    if isinstance(value, bool):
        raise InvalidInput(f"Not an id: {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"Not an id: {str(value)[:40]!r}") from None
