"""Periods longer or finer than a calendar month: quarters, halves, seasons, decades, centuries, parts of periods."""

from __future__ import annotations

from datetime import date, timedelta

from memory.timeframe.calendar import Period, add_months, calendar_period

SEASON_START = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}  # meteorological, northern hemisphere
_SOUTH = {"spring": "autumn", "summer": "winter", "autumn": "spring", "winter": "summer"}
# A part of a year, as months [first, last] (Mebot's convention: "early 2020" is January–April, "the
# beginning of the year" is January). A part of a month is the whole month (searches stay generous);
# a part of a week is some of its days (first, last day index).
YEAR_PARTS = {"early": (1, 4), "beginning": (1, 1), "mid": (5, 8), "late": (9, 12), "end": (12, 12)}
WEEK_PARTS = {"early": (0, 2), "beginning": (0, 2), "mid": (1, 4), "late": (3, 6), "end": (3, 6)}


def months(year: int, first: int, last: int) -> Period:
    """Months `first`…`last` of `year` as one span."""
    start = date(year, first, 1)
    return Period(start, add_months(start, last - first + 1), "span")


def quarter(q: int, year: int) -> Period:
    """Quarter `q` (1–4) of `year`."""
    if not 1 <= q <= 4:
        raise ValueError(f"no quarter {q}")
    return months(year, 3 * q - 2, 3 * q)


def half(h: int, year: int) -> Period:
    """Half `h` (1–2) of `year`."""
    if h not in (1, 2):
        raise ValueError(f"no half {h}")
    return months(year, 6 * h - 5, 6 * h)


def latest_begun(make, today: date) -> Period:
    """The occurrence of `make(year)` (this year or the one before) that began most recently, not in the future."""
    this = make(today.year)
    return this if this.start <= today else make(today.year - 1)


def quarter_shift(shift: int, today: date) -> Period:
    """This (0), last (-1) or next (+1) calendar quarter."""
    start = add_months(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), 3 * shift)
    return Period(start, add_months(start, 3), "span")


def season(name: str, year: int, southern: bool = False) -> Period:
    """A season of `year` (winter: the one that starts in December of `year`); turned round in the south."""
    name = _SOUTH[name] if southern else name
    start = date(year, SEASON_START[name], 1)
    return Period(start, add_months(start, 3), "span")


def with_edges(core: Period) -> Period:
    """A season as a search frame: its three months and one month either side.

    People place a season's edges differently (meteorological, astronomical, by the school year); a
    question "over the summer" in August means May too as often as not. A frame that misses the edge
    loses the note, one that takes a month more only ranks it.
    """
    return Period(add_months(core.start, -1), add_months(core.end, 1), "span")


def season_mode(name: str, mode: str, today: date, southern: bool = False) -> Period:
    """'recent'/'this' (the latest that has begun), 'last' (the latest that has ended), 'next'."""
    latest = season(name, today.year, southern)
    if latest.start > today:
        latest = season(name, today.year - 1, southern)
    if mode == "last" and latest.end > today:
        return season(name, latest.start.year - 1, southern)
    if mode == "next":
        return season(name, latest.start.year + 1, southern)
    return latest


def decade(first_year: int) -> Period:
    """The ten years from `first_year` (1970 → 1970–1979)."""
    return Period(date(first_year, 1, 1), date(first_year + 10, 1, 1), "span")


def century(n: int) -> Period:
    """The n-th century, counted as the hundreds (the 21st century is 2000–2099)."""
    if not 11 <= n <= 22:
        raise ValueError(f"century {n} is outside the calendar Mebot keeps")
    return Period(date(100 * (n - 1), 1, 1), date(100 * n, 1, 1), "span")


def part_of_year(part: str, year: int) -> Period:
    """The months a part of a year names (see YEAR_PARTS)."""
    first, last = YEAR_PARTS[part]
    return months(year, first, last)


def part_of_week(part: str, today: date, week_start: int, shift: int) -> Period:
    """The days a part of a week names (see WEEK_PARTS)."""
    week = calendar_period("week", today, week_start, shift)
    first, last = WEEK_PARTS[part]
    return Period(week.start + timedelta(days=first), week.start + timedelta(days=last + 1), "span")
