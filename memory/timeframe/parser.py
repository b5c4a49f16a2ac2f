"""Resolve the time a question names ("last week", "seit Montag", "上个月") into an exact range of days.

    tf = parse("What did I do last week?", now=datetime(2024, 7, 20, 15, 0))
    tf.start, tf.end   # 2024-07-08 00:00, 2024-07-15 00:00 (end exclusive)
    tf.phrase, tf.grain  # "last week", "week"

Questions about one's own memory look back: a named day or month is its most recent
occurrence that is not in the future. Every frame is a run of whole days in the time zone of
`now`. Our own rules decide whether a text names a time at all; dateparser is only asked to
read full dates in languages we keep no word lists for (see `memory.timeframe.fallback`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from memory.timeframe import fallback
from memory.timeframe import rules_holidays as holiday_rules
from memory.timeframe.combine import frames
from memory.timeframe.rule import Atom, Context, find_atoms
from memory.timeframe.rules_en import RULES as _EN
from memory.timeframe.rules_dates import RULES as _DATES
from memory.timeframe.rules_eu import RULES as _EU
from memory.timeframe.rules_numeric import RULES as _NUMERIC
from memory.timeframe.rules_periods import RULES as _PERIODS
from memory.timeframe.rules_ranges import RULES as _RANGES
from memory.timeframe.rules_relative import RULES as _RELATIVE
from memory.timeframe.rules_zh import RULES as _ZH
from memory.timeframe.vocab import language_hints

# "span" is any other run of whole days: rolling periods, ranges, "since …", "earlier this month".
GRAINS = ("day", "week", "weekend", "month", "year", "span")
RULES = _EN + _EU + _ZH + _NUMERIC + _DATES + _PERIODS + _RELATIVE + _RANGES

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")


@dataclass(frozen=True)
class TimeFrame:
    """A resolved time frame: [start, end) plus the words that named it."""

    start: datetime
    end: datetime  # exclusive
    phrase: str
    grain: str  # one of GRAINS

    def __post_init__(self):
        if (self.start.tzinfo is None) != (self.end.tzinfo is None):
            raise ValueError("start and end must both be naive or both be timezone-aware")
        if not self.start < self.end:
            raise ValueError(f"a time frame must start before it ends: {self.start} >= {self.end}")
        if self.grain not in GRAINS:
            raise ValueError(f"unknown grain {self.grain!r}; expected one of {GRAINS}")

    def describe(self) -> str:
        """The frame in words for a prompt: "'last week' = Monday 8 July – Sunday 14 July 2024"."""
        span = _describe_range(self.start, self.end)
        return f"'{self.phrase}' = {span}" if self.phrase else span

    def to_dict(self) -> dict:
        """A JSON-ready dict with ISO 8601 datetimes."""
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TimeFrame:
        """The frame `to_dict` wrote (a timezone comes back as a fixed UTC offset)."""
        missing = {"start", "end", "phrase", "grain"} - set(data)
        if missing:
            raise ValueError(f"time frame dict lacks {sorted(missing)}")
        return cls(datetime.fromisoformat(data["start"]), datetime.fromisoformat(data["end"]),
                   str(data["phrase"]), str(data["grain"]))


def parse(text: str, now: datetime | None = None, week_start: int = 0, *, country: str | None = None,
          day_first: bool | None = None) -> TimeFrame | None:
    """The first time frame `text` names, resolved against `now` (default: the local time now), or None.

    `country` (ISO 3166 alpha-2) picks the public holidays and the hemisphere of seasons; `day_first`
    reads 5/7 as 5 July (True) or May 7 (False); None lets the text's language decide.
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, not {type(text).__name__}")
    now = datetime.now() if now is None else now
    if not isinstance(now, datetime):
        raise ValueError(f"now must be a datetime, not {type(now).__name__}")
    if isinstance(week_start, bool) or not isinstance(week_start, int) or not 0 <= week_start <= 6:
        raise ValueError(f"week_start must be 0 (Monday) … 6 (Sunday), not {week_start!r}")
    if not text.strip():
        return None
    ctx = Context(now=now, week_start=week_start, languages=language_hints(text),
                  country=country.upper() if country else None, day_first=day_first, text=text)
    atoms = find_atoms(text, RULES, ctx) + holiday_rules.find(text, ctx)
    atoms = atoms or fallback.find(text)
    found = frames(text, atoms, ctx)
    return _frame(text, found[0], now.tzinfo) if found else None


def _frame(text: str, atom: Atom, tz: tzinfo | None) -> TimeFrame:
    period = atom.period
    return TimeFrame(_midnight(period.start, tz), _midnight(period.end, tz),
                     text[atom.begin: atom.end].strip(), period.grain)


def _midnight(d: date, tz: tzinfo | None) -> datetime:
    naive = datetime.combine(d, time())
    if tz is None:
        return naive
    # pytz zones need localize(); attaching them directly would pick the zone's first historic offset.
    localize = getattr(tz, "localize", None)
    return localize(naive) if callable(localize) else naive.replace(tzinfo=tz)


_DANGLING = re.compile(
    r"(?:\b(?:in|on|at|during|over|for|within|from|of|am|im|in\s+den|in\s+der|le|el|en|au|à|al)\s*|在\s*)$",
    re.IGNORECASE)


def strip_phrase(text: str, tf: TimeFrame | None) -> str:
    """`text` without the time phrase (and the preposition that led into it), for keyword search."""
    if tf is None or not tf.phrase:
        return text
    found = re.search(re.escape(tf.phrase), text, re.IGNORECASE)
    if found is None:
        return text
    before, after = text[: found.start()], text[found.end():]
    before = _DANGLING.sub("", before.rstrip()) if before.strip() else before
    after = re.sub(r"^['’]s\b", "", after)
    spaced = text[found.start() - 1: found.start()].isspace() or after[:1].isspace()
    joined = before.rstrip() + (" " if spaced and before.strip() and after.strip() else "") + after.lstrip()
    joined = re.sub(r"\s+([?.!,;:])", r"\1", joined)
    return re.sub(r"\s{2,}", " ", joined).strip()


def _describe_range(start: datetime, end: datetime) -> str:
    if start.time() == time() and end.time() == time():
        last = (end - timedelta(days=1)).date() if end.date() > start.date() else start.date()
        if last == start.date():
            return _day_words(last, with_year=True)
        same_year = last.year == start.year
        return f"{_day_words(start.date(), with_year=not same_year)} – {_day_words(last, with_year=True)}"
    return f"{_day_words(start.date(), True)} {start:%H:%M} – {_day_words(end.date(), True)} {end:%H:%M}"


def _day_words(d: date, with_year: bool) -> str:
    words = f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]}"
    return f"{words} {d.year}" if with_year else words

