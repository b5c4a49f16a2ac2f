"""Dates as people write them in files they import: ISO 8601, 2024/07/15, 2024-7-5, July 15, 2024,
15 July 2024 09:30, 2024年7月15日, a Unix time. Common forms are read by pattern (fast); anything
else by dateparser (absolute forms only, ~50 ms each), at most MAX_SLOW_DATES times per file. A
day/month order that cannot be told ("11/07/2024") is refused rather than guessed."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any, Optional

from memory.errors import InvalidInput

ACCEPTED = "accepted: 2024-07-18, 2024-07-18T09:30, 2024/07/18, July 18, 2024, 18 July 2024, or a Unix time"
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_SLOW_DATES = 200  # dates per file in forms only dateparser reads
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_TIME = r"(?:[ T,]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
_NUMERIC = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + r"$")
_CHINESE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]" + _TIME + r"$")
_WORDY = re.compile(
    r"^(?i:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    r"(?:(?P<d1>\d{1,2})(?i:st|nd|rd|th)?\s+(?P<m1>[A-Za-z]{3,9})\.?|(?P<m2>[A-Za-z]{3,9})\.?\s+(?P<d2>\d{1,2})"
    r"(?i:st|nd|rd|th)?),?\s+(?P<y>\d{4})" + _TIME + r"$")
_AMBIGUOUS = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})\b")
_EPOCH = re.compile(r"^\s*\d{9,13}(?:\.\d+)?\s*$")
# Only absolute dates: "yesterday" in a file means nothing once imported.
_SETTINGS = {"STRICT_PARSING": True, "PARSERS": ["custom-formats", "absolute-time"], "RETURN_AS_TIMEZONE_AWARE": False}


class DateReader:
    """Reads the dates of one file: a naive result is the user's local time; InvalidInput names the
    accepted forms. Only MAX_SLOW_DATES of them may need dateparser."""

    def __init__(self, max_slow: Optional[int] = None, day_first: Optional[bool] = None):
        self.slow_left = MAX_SLOW_DATES if max_slow is None else max_slow
        # The user's own date order (`mebot calendar --date-order`): 11/07/2024 read by it, not refused.
        self.day_first = day_first

    def __call__(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
        elif isinstance(value, bool):
            raise InvalidInput(f"{value!r} is not a date ({ACCEPTED})")
        elif isinstance(value, (int, float)):
            moment = _from_epoch(float(value))
        elif isinstance(value, str):
            moment = quick_date(value) or self._slow(value)
        else:
            raise InvalidInput(f"a {type(value).__name__} is not a date ({ACCEPTED})")
        return _in_range(moment, value)

    def _slow(self, text: str) -> datetime:
        shown = text.strip()[:60]
        ambiguous = _AMBIGUOUS.match(text)
        if ambiguous and self.day_first is not None:
            first, second, year = (int(g) for g in ambiguous.groups())
            day, month = (first, second) if self.day_first else (second, first)
            try:
                return datetime(year if year >= 100 else 2000 + year, month, day)
            except ValueError as exc:
                raise InvalidInput(f"{shown!r} is not a date ({ACCEPTED})") from exc
        if ambiguous and int(ambiguous.group(1)) <= 12 and int(ambiguous.group(2)) <= 12 \
                and ambiguous.group(1) != ambiguous.group(2):
            raise InvalidInput(f"{shown!r} is not a date one can read: day and month could be either way "
                               f"({ACCEPTED}; or set your date order, e.g. `mebot calendar --date-order dmy`)")
        if self.slow_left <= 0:
            raise InvalidInput(f"{shown!r}: too many dates in unusual forms in one file ({ACCEPTED})")
        self.slow_left -= 1
        import dateparser  # ~1 s to import: only when a file needs it

        try:
            moment = dateparser.parse(text, settings=_SETTINGS) if len(text) <= 100 else None
        except (OverflowError, ValueError):
            moment = None
        if moment is None:
            raise InvalidInput(f"{shown!r} is not a date ({ACCEPTED})")
        return moment


def read_date(value: Any) -> datetime:
    """One date (see DateReader)."""
    return DateReader()(value)


def quick_date(text: str) -> Optional[datetime]:
    """A date in one of the common forms, read by pattern; None when it is in none of them."""
    text = text.strip()
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for pattern in (_NUMERIC, _CHINESE, _WORDY):
        m = pattern.match(text)
        if m:
            return _built(m)
    return None


def _built(m: re.Match) -> Optional[datetime]:
    parts = m.groupdict()
    month = parts.get("m") or _MONTHS.get((parts.get("m1") or parts.get("m2") or "").lower())
    day = parts.get("d") or parts.get("d1") or parts.get("d2")
    if not month:
        return None
    try:
        return datetime(int(parts["y"]), int(month), int(day), int(parts["H"] or 0), int(parts["M"] or 0),
                        int(parts["S"] or 0))
    except ValueError:
        return None


def _from_epoch(seconds: float) -> datetime:
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError) as exc:
        raise InvalidInput(f"{seconds!r} is out of the range of dates ({ACCEPTED})") from exc


def _in_range(moment: datetime, value: Any) -> datetime:
    try:
        year = moment.astimezone(timezone.utc).year if moment.tzinfo else moment.year
    except OverflowError as exc:
        raise InvalidInput(f"{str(value)[:60]!r} is out of the range of dates ({ACCEPTED})") from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"{str(value)[:60]!r} is out of the range of dates (years {MIN_YEAR}-{MAX_YEAR})")
    return moment
