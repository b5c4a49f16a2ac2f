"""Caps on what one imported file may hold, checked before any of it is parsed deeply or stored.

A hostile file must fail fast with a clear message: a 365-byte YAML alias bomb, JSON nested
200,000 deep, a million one-word notes, a device or FIFO given as a path.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from memory.errors import InvalidInput

MAX_FILE_BYTES = 20_000_000
MAX_NOTES_PER_FILE = 20_000  # notes or chat messages in one file
MAX_CHATS_PER_FILE = 5_000
MAX_FRONT_MATTER_CHARS = 16_000
MAX_JSON_DEPTH = 64
MAX_FOLDER_FILES = 20_000


def json_depth(text: str) -> int:
    """How deeply brackets nest in JSON text (strings skipped), without parsing it: linear, no recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def check_json_depth(text: str, where: str) -> None:
    """InvalidInput when JSON text nests deeper than MAX_JSON_DEPTH."""
    if json_depth(text) > MAX_JSON_DEPTH:
        raise InvalidInput(f"{where}: JSON nested deeper than {MAX_JSON_DEPTH} levels; not a file of notes.")


def read_regular_file(path: Path, name: str | None = None) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; InvalidInput for anything else
    (a device such as /dev/zero, a FIFO, a socket, a folder, a file too large)."""
    name = name or str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InvalidInput(f"{name}: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(f"{name}: not a regular file (a device, pipe or folder cannot be imported).")
    if info.st_size > MAX_FILE_BYTES:
        raise InvalidInput(f"{name}: too large ({info.st_size:,} bytes; the limit is {MAX_FILE_BYTES:,}).")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"{name}: {exc.strerror or exc}") from exc
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"{name}: too large (over {MAX_FILE_BYTES:,} bytes).")
    return data
