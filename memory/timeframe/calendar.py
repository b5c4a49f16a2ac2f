"""Calendar arithmetic for time frames: whole-day periods relative to a reference day."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import NamedTuple

DAY = timedelta(days=1)
SATURDAY = 5


class Period(NamedTuple):
    """A run of whole days, end exclusive, before it is tied to a time zone."""

    start: date
    end: date
    grain: str
    # How the mention recurs when it names no year or week ("July 4", "Monday"): a range
    # whose end falls before its start moves its end forward by this much.
    repeat: str | None = None


def day(d: date, repeat: str | None = None) -> Period:
    """The single day `d`."""
    return Period(d, d + DAY, "day", repeat)


def add_months(d: date, months: int) -> date:
    """`d` moved by whole months, the day clamped to the target month's length (31 March - 1 = 29 Feb)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def month(year: int, month_: int, repeat: str | None = None) -> Period:
    """The calendar month `month_` of `year`."""
    start = date(year, month_, 1)
    return Period(start, add_months(start, 1), "month", repeat)


def year(year_: int) -> Period:
    """The calendar year `year_`."""
    return Period(date(year_, 1, 1), date(year_ + 1, 1, 1), "year")


def week_start_of(d: date, week_start: int) -> date:
    """The first day of the week containing `d` (week_start: Monday = 0 … Sunday = 6)."""
    return d - timedelta(days=(d.weekday() - week_start) % 7)


def calendar_period(unit: str, today: date, week_start: int, shift: int) -> Period:
    """This (shift 0), last (-1), the one before last (-2) or next (+1) week, month or year."""
    if unit == "week":
        start = week_start_of(today, week_start) + timedelta(weeks=shift)
        return Period(start, start + timedelta(weeks=1), "week")
    if unit == "month":
        start = add_months(today.replace(day=1), shift)
        return month(start.year, start.month)
    if unit == "year":
        return year(today.year + shift)
    raise ValueError(f"no calendar period for unit {unit!r}")


def so_far(unit: str, today: date, week_start: int) -> Period:
    """From the start of the current week, month or year up to and including today."""
    start = calendar_period(unit, today, week_start, 0).start
    return Period(start, today + DAY, "span")


def rolling(n: int, unit: str, today: date, hours_back: date | None = None) -> Period:
    """The last `n` units as whole days ending today: 'the last 3 days' is today and the 2 before."""
    if n < 1:
        raise ValueError("a rolling period needs at least one unit")
    if unit == "fortnight":
        n, unit = 2 * n, "week"
    if unit in FINE_UNITS:
        # Hours are finer than a day: the period starts on the day the first hour falls in.
        start = hours_back if hours_back is not None else today
    elif unit == "day":
        start = today - timedelta(days=n - 1)
    elif unit == "week":
        start = today - timedelta(days=7 * n - 1)
    elif unit == "month":
        start = add_months(today, -n) + DAY
    elif unit == "year":
        start = add_months(today, -12 * n) + DAY
    else:
        raise ValueError(f"no rolling period for unit {unit!r}")
    return Period(start, today + DAY, "span")


def ahead(n: int, unit: str, today: date) -> Period:
    """The next `n` units as whole days starting today: 'the next 3 days' is today and the 2 after."""
    if n < 1:
        raise ValueError("a period ahead needs at least one unit")
    if unit in ("day", "week"):
        end = today + timedelta(days=n * (1 if unit == "day" else 7))
    elif unit in ("month", "year"):
        end = add_months(today, n * (1 if unit == "month" else 12))
    else:
        raise ValueError(f"no period ahead for unit {unit!r}")
    return Period(today, end, "span")


FINE_UNITS = ("hour", "minute", "second")  # finer than a day: the day the moment falls on


def ago(n: int, unit: str, today: date, hours_back: date | None = None) -> Period:
    """'N days/weeks ago' is that day; 'N months/years ago' is that calendar month/year."""
    if unit == "fortnight":
        n, unit = 2 * n, "week"
    if unit in FINE_UNITS:
        return day(hours_back if hours_back is not None else today)
    if unit == "day":
        return day(today - timedelta(days=n))
    if unit == "week":
        return day(today - timedelta(weeks=n))
    if unit == "month":
        target = add_months(today, -n)
        return month(target.year, target.month)
    if unit == "year":
        return year(today.year - n)
    raise ValueError(f"no 'ago' for unit {unit!r}")


def weekday(wd: int, mode: str, today: date, week_start: int, shift: int = 0) -> Period:
    """A named weekday: 'recent' (today counts), 'last' (before today), 'next', or 'week' (in the week `shift`)."""
    if mode == "recent":
        return day(today - timedelta(days=(today.weekday() - wd) % 7), "week")
    if mode == "last":
        return day(today - timedelta(days=(today.weekday() - wd) % 7 or 7), "week")
    if mode == "next":
        return day(today + timedelta(days=(wd - today.weekday()) % 7 or 7), "week")
    if mode == "week":
        first = week_start_of(today, week_start) + timedelta(weeks=shift)
        return day(first + timedelta(days=(wd - week_start) % 7))
    raise ValueError(f"unknown weekday mode {mode!r}")


def weekend(mode: str, today: date) -> Period:
    """Saturday and Sunday: 'this' (current or coming), 'last' (fully past), 'recent' (current or last), 'next'."""
    on_weekend = today.weekday() >= SATURDAY
    current = today - timedelta(days=today.weekday() - SATURDAY)  # this calendar week's Saturday
    if mode == "this":
        saturday = current
    elif mode == "recent":
        saturday = current if on_weekend else current - timedelta(weeks=1)
    elif mode == "last":
        saturday = current - timedelta(weeks=1)
    elif mode == "before_last":
        saturday = current - timedelta(weeks=2)
    elif mode == "next":
        saturday = current + timedelta(weeks=1)
    else:
        raise ValueError(f"unknown weekend mode {mode!r}")
    return Period(saturday, saturday + 2 * DAY, "weekend", "week")


def week_of(d: date, week_start: int) -> Period:
    """The calendar week containing `d`."""
    start = week_start_of(d, week_start)
    return Period(start, start + timedelta(weeks=1), "week")


def weekend_of(d: date) -> Period:
    """The weekend containing `d`, or the one after it on a weekday."""
    saturday = d + timedelta(days=SATURDAY - d.weekday())  # a Sunday steps back one day
    return Period(saturday, saturday + 2 * DAY, "weekend")


def nth_week_of_month(nth: str, period: Period) -> Period:
    """'the first week of July' is 1–7 July; 'the last week' is the month's last seven days."""
    if nth == "last":
        return Period(period.end - timedelta(days=7), period.end, "span", period.repeat)
    start = period.start + timedelta(weeks={"first": 0, "second": 1, "third": 2, "fourth": 3}[nth])
    return Period(start, start + timedelta(weeks=1), "span", period.repeat)


def named_month(month_: int, mode: str, today: date) -> Period:
    """A month named without a year: 'recent' (not in the future), 'last' (before this month), 'this'."""
    if mode == "this":
        return month(today.year, month_)
    if mode == "recent":
        y = today.year if month_ <= today.month else today.year - 1
    elif mode == "last":
        y = today.year if month_ < today.month else today.year - 1
    else:
        raise ValueError(f"unknown month mode {mode!r}")
    return month(y, month_, "year")


def month_day(month_: int, day_: int, today: date) -> Period | None:
    """The most recent `month_`/`day_` that is not in the future (29 February looks back to a leap year)."""
    if not 1 <= month_ <= 12 or not 1 <= day_ <= 31:
        return None
    for y in range(today.year, today.year - 9, -1):
        if day_ <= calendar.monthrange(y, month_)[1]:
            candidate = date(y, month_, day_)
            if candidate <= today:
                return day(candidate, "year")
    return None


def day_of_month(day_: int, today: date) -> Period | None:
    """The most recent day numbered `day_` ('on the 31st' asked in June means 31 May)."""
    if not 1 <= day_ <= 31:
        return None
    first = today.replace(day=1)
    for back in range(0, 13):
        m = add_months(first, -back)
        if day_ <= calendar.monthrange(m.year, m.month)[1] and m.replace(day=day_) <= today:
            return day(m.replace(day=day_), "month")
    return None


def exact_date(year_: int, month_: int, day_: int) -> Period | None:
    """A fully written date, or None when it is no calendar date (30 February)."""
    if not 1 <= month_ <= 12 or not 1 <= day_ <= calendar.monthrange(year_, month_)[1]:
        return None
    return day(date(year_, month_, day_))


def shift(period: Period, steps: int) -> Period:
    """Another occurrence of a mention that names no year or week: `steps` weeks/months/years on."""
    if period.repeat == "week":
        step = timedelta(weeks=steps)
        return period._replace(start=period.start + step, end=period.end + step)
    if period.repeat in ("month", "year"):
        start = add_months(period.start, steps * (1 if period.repeat == "month" else 12))
        # Keep the length in days (29 February moves to 28 February, still one day) except for
        # whole months, whose length is the month's own.
        end = add_months(start, 1) if period.grain == "month" else start + (period.end - period.start)
        return period._replace(start=start, end=end)
    return period


def nth_weekday_of_month(first_of_month: date, wd: int, n: int) -> Period:
    """The n-th (1–5, or -1 for the last) weekday `wd` of the month starting `first_of_month`."""
    if n > 0:
        found = first_of_month + timedelta(days=(wd - first_of_month.weekday()) % 7 + 7 * (n - 1))
    else:
        last = add_months(first_of_month, 1) - DAY
        found = last - timedelta(days=(last.weekday() - wd) % 7)
    if found.month != first_of_month.month:
        raise ValueError("that month has no such weekday")
    return day(found)


def weekdays_ago(n: int, wd: int, today: date) -> Period:
    """'2 Thursdays ago': the n-th most recent weekday `wd` before today."""
    last = today - timedelta(days=(today.weekday() - wd) % 7 or 7)
    return day(last - timedelta(weeks=n - 1))


def iso_week(year_: int, week: int) -> Period:
    """ISO week `week` of `year_` (Monday to Sunday, whatever the user's week start: so its grain is a span,
    not one of the user's weeks)."""
    start = date.fromisocalendar(year_, week, 1)
    return Period(start, start + timedelta(weeks=1), "span")
