"""Checks on text before it is stored: it must be text, not empty where required, and not huge."""

from __future__ import annotations

from typing import Any

from memory.errors import InvalidInput

MAX_CONTENT_CHARS = 1_000_000
MAX_TITLE_CHARS = 500
MAX_SUMMARY_CHARS = 10_000
MAX_NAME_CHARS = 200


def clean_text(value: Any, *, field: str, max_chars: int, required: bool = False) -> str:
    """`value` as str, or InvalidInput saying what is wrong with it."""
    if value is None:
        value = ""
    if isinstance(value, (bytes, bytearray)):
        try:
            value = bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"The {field} is not UTF-8 text (binary data?).") from exc
    if not isinstance(value, str):
        raise InvalidInput(f"The {field} must be text, not {type(value).__name__}.")
    if "\x00" in value:
        raise InvalidInput(f"The {field} contains NUL bytes: it looks like binary data, not text.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate such as "\ud800" (JSON can spell one)
        raise InvalidInput(f"The {field} contains an unpaired surrogate ({value[exc.start]!r} at character "
                           f"{exc.start}): it is not valid Unicode text.") from exc
    if required and not value.strip():
        raise InvalidInput(f"The {field} is empty.")
    if len(value) > max_chars:
        raise InvalidInput(
            f"The {field} is too long ({len(value):,} characters; the limit is {max_chars:,})."
        )
    return value


def clean_user_name(name: Any) -> str:
    """A user name: 1-200 printable characters, surrounding spaces removed."""
    name = clean_text(name, field="user name", max_chars=MAX_NAME_CHARS, required=True).strip()
    if any(ord(ch) < 32 for ch in name):
        raise InvalidInput("The user name contains control characters.")
    return name
