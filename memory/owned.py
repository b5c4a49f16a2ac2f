"""The one lookup of a row by id that a user may see: theirs, or NotFound."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

from memory.errors import NotFound

Row = TypeVar("Row")


def owned_row(session: Session, model: type[Row], row_id: int, *, user_id: int, what: str) -> Row:
    """The `model` row `row_id` if it belongs to `user_id`; NotFound otherwise (another user's row is
    indistinguishable from a missing one). `what` names the row in the message ("note")."""
    row = session.get(model, row_id) if isinstance(row_id, int) else None
    if row is None or row.user_id != user_id:
        raise NotFound(f"No {what} with id {row_id!r}.")
    return row
