"""Dates as people write them in files they import: ISO 8601, 2024/07/15, 2024-7-5, July 15, 2024,
15 July 2024 09:30, a Unix time. Read with dateparser (absolute forms only); a day/month order
that cannot be told ("11/07/2024") is refused rather than guessed."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from memory.errors import InvalidInput

ACCEPTED = "accepted: 2024-07-18, 2024-07-18T09:30, 2024/07/18, July 18, 2024, 18 July 2024, or a Unix time"
MIN_YEAR, MAX_YEAR = 1900, 2200
_AMBIGUOUS = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")
_EPOCH = re.compile(r"^\s*\d{9,13}(?:\.\d+)?\s*$")
# Only absolute dates: "yesterday" in a file means nothing once imported.
_SETTINGS = {"STRICT_PARSING": True, "PARSERS": ["custom-formats", "absolute-time"], "RETURN_AS_TIMEZONE_AWARE": False}


def read_date(value: Any) -> datetime:
    """`value` as a datetime (naive = the user's local time), or InvalidInput naming the accepted forms."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, bool):
        raise InvalidInput(f"{value!r} is not a date ({ACCEPTED})")
    elif isinstance(value, (int, float)):
        moment = _from_epoch(float(value))
    elif isinstance(value, str):
        moment = _from_text(value)
    else:
        raise InvalidInput(f"a {type(value).__name__} is not a date ({ACCEPTED})")
    return _in_range(moment, value)


def _from_epoch(seconds: float) -> datetime:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError) as exc:
        raise InvalidInput(f"{seconds!r} is out of the range of dates ({ACCEPTED})") from exc


def _from_text(text: str) -> datetime:
    shown = text.strip()[:60]
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        pass
    ambiguous = _AMBIGUOUS.match(text)
    if ambiguous and int(ambiguous.group(1)) <= 12 and int(ambiguous.group(2)) <= 12 \
            and ambiguous.group(1) != ambiguous.group(2):
        raise InvalidInput(f"{shown!r} is not a date one can read: day and month could be either way ({ACCEPTED})")
    import dateparser  # ~1 s to import: only when a file needs it

    try:
        moment = dateparser.parse(text, settings=_SETTINGS) if len(text) <= 100 else None
    except (OverflowError, ValueError):
        moment = None
    if moment is None:
        raise InvalidInput(f"{shown!r} is not a date ({ACCEPTED})")
    return moment


def _in_range(moment: datetime, value: Any) -> datetime:
    try:
        year = moment.astimezone(timezone.utc).year if moment.tzinfo else moment.year
    except OverflowError as exc:
        raise InvalidInput(f"{str(value)[:60]!r} is out of the range of dates ({ACCEPTED})") from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"{str(value)[:60]!r} is out of the range of dates (years {MIN_YEAR}-{MAX_YEAR})")
    return moment
