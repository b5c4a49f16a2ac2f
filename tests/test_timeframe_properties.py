"""Guards memory.timeframe.parse on generated input: it never raises, every frame has start < end in
now's time zone, its phrase comes from the text, calendar grains are aligned, and named days and
months look back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from memory import timeframe
from memory.timeframe import TimeFrame

ZONES = [None, timezone.utc, timezone(timedelta(hours=9)), timezone(timedelta(hours=-7, minutes=-30)),
         ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]
FRAGMENTS = [
    "yesterday", "today", "last", "this", "next", "the", "past", "week", "weeks", "month", "months",
    "year", "weekend", "ago", "days", "day", "before", "since", "between", "and", "from", "to", "on", "in",
    "Monday", "Sunday", "March", "May", "may", "December", "February", "29", "31", "1st", "18th", "3",
    "two", "a", "2024", "1999", "2024-02-29", "02/30/2023", "12/31/2024", "-", "of", "morning", "night",
    "gestern", "letzte", "Woche", "vor", "Tagen", "am", "hier", "il y a", "jours", "semaine", "dernière",
    "ayer", "hace", "días", "pasada", "上周", "昨天", "三天前", "7月", "18日", "2024年", "周一", "最近",
    "luglio", "maja", "Juli", "juillet", "de", "julio", "?", ",", "9999", "0", "99999999 days ago",
]
SETTINGS = settings(max_examples=300, deadline=None)

nows = st.builds(
    lambda moment, tz: moment.replace(tzinfo=tz),
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 12, 31)),
    st.sampled_from(ZONES),
)
vocabulary_text = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map(" ".join)
any_text = st.one_of(st.text(max_size=120), vocabulary_text)


def check_frame(text: str, now: datetime, week_start: int, tf: TimeFrame | None) -> None:
    """What must hold for any frame parse returns."""
    if tf is None:
        return
    assert tf.start < tf.end
    assert tf.start.tzinfo is now.tzinfo and tf.end.tzinfo is now.tzinfo
    assert tf.phrase and tf.phrase.lower() in text.lower()
    assert tf.start.time() == tf.end.time() == datetime.min.time()
    first, last = tf.start.date(), tf.end.date()
    if tf.grain == "day":
        assert (last - first).days == 1
    elif tf.grain == "week":
        assert (last - first).days == 7 and first.weekday() == week_start
    elif tf.grain == "weekend":
        assert (last - first).days == 2 and first.weekday() == 5
    elif tf.grain == "month":
        assert first.day == 1 and last.day == 1 and 28 <= (last - first).days <= 31
    elif tf.grain == "year":
        assert (first.month, first.day, last.month, last.day) == (1, 1, 1, 1) and last.year == first.year + 1
    assert isinstance(timeframe.strip_phrase(text, tf), str)
    assert TimeFrame.from_dict(tf.to_dict()).to_dict() == tf.to_dict()


@SETTINGS
@given(text=any_text, now=nows, week_start=st.integers(0, 6))
def test_parse_never_raises_and_frames_are_sound(text, now, week_start):
    check_frame(text, now, week_start, timeframe.parse(text, now=now, week_start=week_start))


WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
LONGEST_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


@SETTINGS
@given(now=nows, weekday=st.integers(0, 6), month=st.integers(1, 12), day=st.integers(1, 31))
def test_named_days_and_months_look_back(now, weekday, month, day):
    today = now.date()
    on_day = timeframe.parse(f"What did I do on {WEEKDAYS[weekday]}?", now=now)
    assert on_day.start.weekday() == weekday and 0 <= (today - on_day.start.date()).days < 7
    in_month = timeframe.parse(f"What did I do in {MONTHS[month - 1]}?", now=now)
    assert in_month.start.month == month and in_month.start.date() <= today
    assert (today - in_month.start.date()).days < 366
    dated = timeframe.parse(f"What happened on {MONTHS[month - 1]} {day}?", now=now)
    if day <= LONGEST_MONTH[month - 1]:
        assert (dated.start.month, dated.start.day) == (month, day) and dated.start.date() <= today
    else:
        assert dated is None  # 30 February names no day


@SETTINGS
@given(now=nows, n=st.integers(1, 60), unit=st.sampled_from(["days", "weeks", "months"]))
def test_rolling_periods_end_today(now, n, unit):
    tf = timeframe.parse(f"the last {n} {unit}", now=now)
    assert tf.end.date() == now.date() + timedelta(days=1)
    if unit == "days":
        assert (tf.end.date() - tf.start.date()).days == n
