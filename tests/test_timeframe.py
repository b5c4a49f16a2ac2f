"""Guards memory.timeframe: each kind of time phrase resolves to the right days, traps name no time,
the frame follows now's time zone and week start, and describe / strip_phrase / to_dict behave."""

from __future__ import annotations

import importlib.util
import statistics
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from memory import timeframe
from memory.timeframe import TimeFrame

SAT = datetime(2024, 7, 20, 15, 0)  # the issue's reference: a Saturday
SUN = datetime(2024, 7, 21, 9, 0)
THU_NEW_YEAR = datetime(2025, 1, 2, 10, 0)
LEAP_DAY = datetime(2024, 2, 29, 12, 0)  # a Thursday
MARCH_31 = datetime(2024, 3, 31, 18, 0)  # a Sunday


def days(tf: TimeFrame | None) -> tuple[str, str] | None:
    """The frame as ISO dates [start, end)."""
    return None if tf is None else (tf.start.date().isoformat(), tf.end.date().isoformat())


CASES = [
    # (text, now, start, end, phrase or None)
    ("What did I do last week?", SAT, "2024-07-08", "2024-07-15", "last week"),
    ("what did I note yesterday", SAT, "2024-07-19", "2024-07-20", "yesterday"),
    ("the day before yesterday", SAT, "2024-07-18", "2024-07-19", "the day before yesterday"),
    ("four days ago", SAT, "2024-07-16", "2024-07-17", "four days ago"),
    ("a week ago", SAT, "2024-07-13", "2024-07-14", "a week ago"),
    ("yesterday evening", SAT, "2024-07-19", "2024-07-20", "yesterday evening"),
    ("last night", THU_NEW_YEAR, "2025-01-01", "2025-01-02", "last night"),
    ("this week", SAT, "2024-07-15", "2024-07-22", "this week"),
    ("the week before last", SAT, "2024-07-01", "2024-07-08", None),
    ("last month", MARCH_31, "2024-02-01", "2024-03-01", None),
    ("this year", THU_NEW_YEAR, "2025-01-01", "2026-01-01", None),
    ("last weekend", SUN, "2024-07-13", "2024-07-15", None),
    ("this weekend", SUN, "2024-07-20", "2024-07-22", None),
    ("earlier this month", SAT, "2024-07-01", "2024-07-21", "earlier this month"),
    ("the last 3 days", SAT, "2024-07-18", "2024-07-21", "the last 3 days"),
    ("over the past month", SAT, "2024-06-21", "2024-07-21", "the past month"),
    ("the past two weeks", THU_NEW_YEAR, "2024-12-20", "2025-01-03", None),
    ("the last week of June", SAT, "2024-06-24", "2024-07-01", None),
    ("on Monday", SAT, "2024-07-15", "2024-07-16", "Monday"),
    ("What did I cook on Sunday?", SUN, "2024-07-21", "2024-07-22", "Sunday"),
    ("last Sunday", SUN, "2024-07-14", "2024-07-15", "last Sunday"),
    ("in March", SAT, "2024-03-01", "2024-04-01", "March"),
    ("in December", SAT, "2023-12-01", "2024-01-01", "December"),
    ("in February", LEAP_DAY, "2024-02-01", "2024-03-01", None),
    ("2024-07-18", SAT, "2024-07-18", "2024-07-19", "2024-07-18"),
    ("July 18th", SAT, "2024-07-18", "2024-07-19", None),
    ("07/18/2024", SAT, "2024-07-18", "2024-07-19", None),
    ("April 5, 2000", SAT, "2000-04-05", "2000-04-06", "April 5, 2000"),
    ("February 29", datetime(2025, 7, 1), "2024-02-29", "2024-03-01", None),
    ("2024年7月18日", SAT, "2024-07-18", "2024-07-19", "2024年7月18日"),
    ("in 2023", SAT, "2023-01-01", "2024-01-01", "2023"),
    ("between July 1 and July 5", SAT, "2024-07-01", "2024-07-06", "between July 1 and July 5"),
    ("from 2024-07-01 to 2024-07-03", SAT, "2024-07-01", "2024-07-04", None),
    ("between December 28 and January 3", THU_NEW_YEAR, "2024-12-28", "2025-01-04", None),
    ("since Monday", SAT, "2024-07-15", "2024-07-21", "since Monday"),
    ("上周我做了什么", SAT, "2024-07-08", "2024-07-15", "上周"),
    ("三天前", SAT, "2024-07-17", "2024-07-18", None),
    ("上个月", THU_NEW_YEAR, "2024-12-01", "2025-01-01", None),
    ("Was habe ich gestern gemacht?", SAT, "2024-07-19", "2024-07-20", "gestern"),
    ("vor 3 Tagen", SAT, "2024-07-17", "2024-07-18", None),
    ("letzten Monat", SAT, "2024-06-01", "2024-07-01", None),
    ("la semaine dernière", SAT, "2024-07-08", "2024-07-15", None),
    ("il y a 2 jours", SAT, "2024-07-18", "2024-07-19", None),
    ("le 18 juillet 2024", SAT, "2024-07-18", "2024-07-19", "18 juillet 2024"),
    ("¿Qué hice ayer?", SAT, "2024-07-19", "2024-07-20", "ayer"),
    ("hace una semana", SAT, "2024-07-13", "2024-07-14", None),
    ("el mes pasado", SAT, "2024-06-01", "2024-07-01", None),
    ("Cosa ho fatto il 18 luglio 2024?", SAT, "2024-07-18", "2024-07-19", "18 luglio 2024"),
]


@pytest.mark.parametrize("text,now,start,end,phrase", CASES, ids=[c[0] for c in CASES])
def test_resolves_phrase(text, now, start, end, phrase):
    tf = timeframe.parse(text, now=now)
    assert days(tf) == (start, end)
    assert tf.start.time() == tf.end.time() == datetime.min.time()
    if phrase is not None:
        assert tf.phrase == phrase


TRAPS = [
    "May I ask you something?", "What is my second favorite movie?", "We will march in the parade",
    "Sunday roast recipes", "give me 3 ideas", "What are my food preferences?", "I want to march with them",
    "This may be a problem", "every Monday I go swimming", "Did I talk to May about it?",
    "Was hast du hier gemacht?", "What is 12/7?", "", "   ",
]


@pytest.mark.parametrize("text", TRAPS)
def test_traps_name_no_time(text):
    assert timeframe.parse(text, now=SAT) is None


def test_issue_example_exactly():
    tf = timeframe.parse("What did I do last week?", now=datetime(2024, 7, 20, 15, 0))
    assert (tf.start, tf.end) == (datetime(2024, 7, 8), datetime(2024, 7, 15))
    assert (tf.phrase, tf.grain) == ("last week", "week")
    assert tf.describe() == "'last week' = Monday 8 July – Sunday 14 July 2024"


@pytest.mark.parametrize("text,grain", [
    ("yesterday", "day"), ("last week", "week"), ("last weekend", "weekend"), ("last month", "month"),
    ("in 2023", "year"), ("the last 3 days", "span"), ("since Monday", "span"),
])
def test_grain(text, grain):
    assert timeframe.parse(text, now=SAT).grain == grain


def test_week_start_is_configurable():
    monday_weeks = timeframe.parse("last week", now=SAT, week_start=0)
    sunday_weeks = timeframe.parse("last week", now=SAT, week_start=6)
    assert days(monday_weeks) == ("2024-07-08", "2024-07-15")
    assert days(sunday_weeks) == ("2024-07-07", "2024-07-14")
    assert sunday_weeks.start.weekday() == 6


def test_aware_now_gives_frame_in_its_zone_across_dst():
    berlin = ZoneInfo("Europe/Berlin")
    now = datetime(2024, 3, 31, 12, 0, tzinfo=berlin)  # clocks went forward at 02:00 that morning
    tf = timeframe.parse("today", now=now)
    assert tf.start.tzinfo is berlin and tf.end.tzinfo is berlin
    assert tf.start == datetime(2024, 3, 31, tzinfo=berlin)
    assert tf.start.utcoffset() == timedelta(hours=1) and tf.end.utcoffset() == timedelta(hours=2)


def test_aware_now_uses_its_own_calendar_day():
    tokyo = timezone(timedelta(hours=9))
    tf = timeframe.parse("yesterday", now=datetime(2024, 7, 20, 23, 30, tzinfo=tokyo))
    assert (tf.start, tf.end) == (datetime(2024, 7, 19, tzinfo=tokyo), datetime(2024, 7, 20, tzinfo=tokyo))


def test_naive_now_gives_naive_frame():
    tf = timeframe.parse("yesterday", now=SAT)
    assert tf.start.tzinfo is None and tf.end.tzinfo is None


@pytest.mark.parametrize("text,now,expected", [
    ("yesterday", SAT, "'yesterday' = Friday 19 July 2024"),
    ("last month", SAT, "'last month' = Saturday 1 June – Sunday 30 June 2024"),
    ("between December 28 and January 3", THU_NEW_YEAR,
     "'between December 28 and January 3' = Saturday 28 December 2024 – Friday 3 January 2025"),
])
def test_describe_shows_inclusive_end(text, now, expected):
    assert timeframe.parse(text, now=now).describe() == expected


@pytest.mark.parametrize("text,keywords", [
    ("What did I note about Paris last week?", "What did I note about Paris?"),
    ("What did I do on Monday?", "What did I do?"),
    ("What did I learn over the past month about Rust?", "What did I learn about Rust?"),
    ("notes from last week's meeting", "notes meeting"),
    ("我上周读了什么书", "我读了什么书"),
    ("Was habe ich am Montag gegessen?", "Was habe ich gegessen?"),
])
def test_strip_phrase(text, keywords):
    assert timeframe.strip_phrase(text, timeframe.parse(text, now=SAT)) == keywords


def test_strip_phrase_without_frame_keeps_text():
    assert timeframe.strip_phrase("my food preferences", None) == "my food preferences"


@pytest.mark.parametrize("now", [SAT, datetime(2024, 7, 20, 15, tzinfo=timezone(timedelta(hours=-7)))])
def test_dict_round_trip(now):
    tf = timeframe.parse("between July 1 and July 5", now=now)
    data = tf.to_dict()
    assert data["start"] == tf.start.isoformat() and isinstance(data["end"], str)
    assert TimeFrame.from_dict(data) == tf


def test_timeframe_is_frozen_and_validated():
    tf = timeframe.parse("yesterday", now=SAT)
    with pytest.raises(AttributeError):
        tf.phrase = "today"
    with pytest.raises(ValueError):
        TimeFrame(datetime(2024, 7, 2), datetime(2024, 7, 1), "x", "day")
    with pytest.raises(ValueError):
        TimeFrame(datetime(2024, 7, 1), datetime(2024, 7, 2), "x", "fortnight")
    with pytest.raises(ValueError):
        TimeFrame.from_dict({"start": "2024-07-01T00:00:00"})


@pytest.mark.parametrize("kwargs", [
    {"text": None, "now": SAT}, {"text": "today", "now": date(2024, 7, 20)},
    {"text": "today", "now": SAT, "week_start": 7}, {"text": "today", "now": SAT, "week_start": True},
])
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        timeframe.parse(**kwargs)


def test_default_now_is_local_time():
    before = datetime.now()
    tf = timeframe.parse("today")
    after = datetime.now()
    assert tf.start.tzinfo is None
    assert tf.start.date() in {before.date(), after.date()}


def test_typical_call_is_fast():
    texts = [c[0] for c in CASES if not c[0].startswith("Cosa")] + TRAPS
    for text in texts:
        timeframe.parse(text, now=SAT)  # warm-up
    samples = []
    for text in texts * 5:
        t0 = time.perf_counter()
        timeframe.parse(text, now=SAT)
        samples.append(time.perf_counter() - t0)
    assert statistics.median(samples) < 0.005


def test_development_set_meets_target():
    path = Path(__file__).resolve().parents[1] / "bench" / "timeframes.py"
    spec = importlib.util.spec_from_file_location("bench_timeframes", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    cases = bench.load(bench.DATA)
    assert len(cases) >= 150
    assert {"traps", "boundaries", "zh", "de", "fr", "es"} <= {c["cat"] for c in cases}
    assert bench.accuracy(cases, verbose=True) >= 0.97


# --- the complete time awareness: holidays, ordinals, quarters, numeric dates, fine units, parts of periods ---

TUE = datetime(2013, 2, 12, 4, 30)  # the reference of the issue's table: Tuesday 12 February 2013
JAN_3 = datetime(2024, 1, 3, 10, 0)

MORE_CASES = [
    # (text, now, start, end) — holidays, the lunar festivals and their English names
    ("last easter", TUE, "2012-04-08", "2012-04-09"),
    ("easter 2010", TUE, "2010-04-04", "2010-04-05"),
    ("last thanksgiving", TUE, "2012-11-22", "2012-11-23"),
    ("MLK day of last year", TUE, "2012-01-16", "2012-01-17"),
    ("last chinese new year", TUE, "2013-02-10", "2013-02-11"),
    ("What did I do on Christmas?", JAN_3, "2023-12-25", "2023-12-26"),
    ("春节", TUE, "2013-02-10", "2013-02-11"),
    ("去年元宵节", TUE, "2012-02-06", "2012-02-07"),
    ("端午", TUE, "2012-06-23", "2012-06-24"),
    ("2015年中秋节", TUE, "2015-09-27", "2015-09-28"),
    ("the Mid-Autumn Festival", TUE, "2012-09-30", "2012-10-01"),
    ("Dragon Boat Festival 2020", TUE, "2020-06-25", "2020-06-26"),
    ("Weihnachten letzten Jahres", TUE, "2012-12-25", "2012-12-26"),
    ("à Pâques", TUE, "2012-04-08", "2012-04-09"),
    ("en Nochebuena", TUE, "2012-12-24", "2012-12-25"),
    # ordinal weekdays, days of relative months, weekdays inside named weeks
    ("the first Monday of this month", TUE, "2013-02-04", "2013-02-05"),
    ("first tuesday of last month", TUE, "2013-01-01", "2013-01-02"),
    ("the last Friday of May", TUE, "2012-05-25", "2012-05-26"),
    ("le premier vendredi de juillet", TUE, "2012-07-06", "2012-07-07"),
    ("el primer viernes de julio", TUE, "2012-07-06", "2012-07-07"),
    ("am ersten Montag im Januar", TUE, "2013-01-07", "2013-01-08"),
    ("这个月第一个周一", TUE, "2013-02-04", "2013-02-05"),
    ("20th of the previous month", TUE, "2013-01-20", "2013-01-21"),
    ("el 20 del mes pasado", TUE, "2013-01-20", "2013-01-21"),
    ("上个月20号", TUE, "2013-01-20", "2013-01-21"),
    ("last week's sunday", TUE, "2013-02-10", "2013-02-11"),
    ("last week on Monday", TUE, "2013-02-04", "2013-02-05"),
    ("Monday last week", TUE, "2013-02-04", "2013-02-05"),
    ("lundi de la semaine dernière", TUE, "2013-02-04", "2013-02-05"),
    ("el lunes de la semana pasada", TUE, "2013-02-04", "2013-02-05"),
    ("letzte Woche Montag", TUE, "2013-02-04", "2013-02-05"),
    ("a fortnight ago", TUE, "2013-01-29", "2013-01-30"),
    ("the past fortnight", TUE, "2013-01-30", "2013-02-13"),
    ("2 thursdays ago", TUE, "2013-01-31", "2013-02-01"),
    # quarters, halves and abbreviations
    ("this quarter", TUE, "2013-01-01", "2013-04-01"),
    ("this qtr", TUE, "2013-01-01", "2013-04-01"),
    ("last quarter", TUE, "2012-10-01", "2013-01-01"),
    ("Q2 2023", TUE, "2023-04-01", "2023-07-01"),
    ("the third quarter of 2012", TUE, "2012-07-01", "2012-10-01"),
    ("drittes Quartal 2012", TUE, "2012-07-01", "2012-10-01"),
    ("el tercer trimestre de 2012", TUE, "2012-07-01", "2012-10-01"),
    ("去年第四季度", TUE, "2012-10-01", "2013-01-01"),
    ("H2 2012", TUE, "2012-07-01", "2013-01-01"),
    ("last yr", TUE, "2012-01-01", "2013-01-01"),
    ("this wk", TUE, "2013-02-11", "2013-02-18"),
    ("3 hrs ago", TUE, "2013-02-12", "2013-02-13"),
    # minutes, seconds and short forms (05:00 minus 6 hours is yesterday)
    ("2 minutes ago", TUE, "2013-02-12", "2013-02-13"),
    ("300 minutes ago", TUE, "2013-02-11", "2013-02-12"),
    ("30 secs ago", TUE, "2013-02-12", "2013-02-13"),
    ("2分钟前", TUE, "2013-02-12", "2013-02-13"),
    ("2分鐘前", TUE, "2013-02-12", "2013-02-13"),
    ("vor 5 Minuten", TUE, "2013-02-12", "2013-02-13"),
    ("il y a 30 secondes", TUE, "2013-02-12", "2013-02-13"),
    ("hace 10 minutos", TUE, "2013-02-12", "2013-02-13"),
    ("1w ago", TUE, "2013-02-05", "2013-02-06"),
    ("3d ago", TUE, "2013-02-09", "2013-02-10"),
    # numeric dates, two-digit years, months with years
    ("10-31-74", TUE, "1974-10-31", "1974-11-01"),
    ("31/Oct/1974", TUE, "1974-10-31", "1974-11-01"),
    ("2/2013", TUE, "2013-02-01", "2013-03-01"),
    ("Feb/2013", TUE, "2013-02-01", "2013-03-01"),
    ("2012-11", TUE, "2012-11-01", "2012-12-01"),
    ("on 3/7/07", TUE, "2007-03-07", "2007-03-08"),
    ("am 15.1.", TUE, "2013-01-15", "2013-01-16"),
    ("Oct-2", TUE, "2012-10-02", "2012-10-03"),
    ("twenty second of June", TUE, "2012-06-22", "2012-06-23"),
    ("el veintiuno de mayo", TUE, "2012-05-21", "2012-05-22"),
    ("二零零四年八月十五", TUE, "2004-08-15", "2004-08-16"),
    ("农历2015年十月初一", TUE, "2015-11-12", "2015-11-13"),
    # parts of periods, seasons, decades, "the other day"
    ("at the beginning of the year", datetime(2024, 7, 20), "2024-01-01", "2024-02-01"),
    ("the end of last year", TUE, "2012-12-01", "2013-01-01"),
    ("early 2012", TUE, "2012-01-01", "2012-05-01"),
    ("mid-June", TUE, "2012-06-01", "2012-07-01"),
    ("late last week", TUE, "2013-02-07", "2013-02-11"),
    ("Ende 2012", TUE, "2012-12-01", "2013-01-01"),
    ("a finales del año pasado", TUE, "2012-12-01", "2013-01-01"),
    ("去年年底", TUE, "2012-12-01", "2013-01-01"),
    ("last summer", TUE, "2012-05-01", "2012-10-01"),  # a season and a month either side
    ("l'été 2011", TUE, "2011-05-01", "2011-10-01"),
    ("este verano", datetime(2013, 7, 20), "2013-05-01", "2013-10-01"),
    ("去年夏天", TUE, "2012-05-01", "2012-10-01"),
    ("this winter", TUE, "2012-11-01", "2013-04-01"),
    ("the 1970s", TUE, "1970-01-01", "1980-01-01"),
    ("90年代", TUE, "1990-01-01", "2000-01-01"),
    ("the other day", TUE, "2013-02-05", "2013-02-12"),
    ("l'autre jour", TUE, "2013-02-05", "2013-02-12"),
    ("el otro día", TUE, "2013-02-05", "2013-02-12"),
    ("neulich", TUE, "2013-02-05", "2013-02-12"),
    ("前几天", TUE, "2013-02-05", "2013-02-12"),
    ("in nineteen twenty eight", TUE, "1928-01-01", "1929-01-01"),
    ("from 4 to 22 this month", TUE, "2013-02-04", "2013-02-23"),
    ("the week of the 18th", datetime(2018, 8, 8), "2018-07-16", "2018-07-23"),
    # the same kinds in the other languages
    ("le 20 du mois dernier", TUE, "2013-01-20", "2013-01-21"),
    ("am 20. letzten Monats", TUE, "2013-01-20", "2013-01-21"),
    ("den Montag letzter Woche", TUE, "2013-02-04", "2013-02-05"),
    ("il y a deux vendredis", TUE, "2013-02-01", "2013-02-02"),
    ("hace dos viernes", TUE, "2013-02-01", "2013-02-02"),
    ("il y a une quinzaine", TUE, "2013-01-29", "2013-01-30"),
    ("hace una quincena", TUE, "2013-01-29", "2013-01-30"),
    ("T2 2012", TUE, "2012-04-01", "2012-07-01"),
    ("letztes Quartal", TUE, "2012-10-01", "2013-01-01"),
    ("上个季度", TUE, "2012-10-01", "2013-01-01"),
    ("à la fin du mois dernier", TUE, "2013-01-01", "2013-02-01"),
    ("a principios de año", TUE, "2013-01-01", "2013-02-01"),
    ("Anfang des Jahres", TUE, "2013-01-01", "2013-02-01"),
    ("letzten Sommer", TUE, "2012-05-01", "2012-10-01"),
    ("Noël dernier", TUE, "2012-12-25", "2012-12-26"),
    ("la Navidad pasada", TUE, "2012-12-25", "2012-12-26"),
    ("letzte Ostern", TUE, "2012-04-08", "2012-04-09"),
    ("上个月的第一个周一", TUE, "2013-01-07", "2013-01-08"),
    # language hints stay right: English "am" is no German, French "du" no German
    ("What am I doing on 5/7?", TUE, "2012-05-07", "2012-05-08"),
    ("Qu'ai-je fait hier à la fin du cours ?", TUE, "2013-02-11", "2013-02-12"),
]


@pytest.mark.parametrize("text,now,start,end", MORE_CASES, ids=[c[0] for c in MORE_CASES])
def test_resolves_more_phrases(text, now, start, end):
    assert days(timeframe.parse(text, now=now)) == (start, end)


def test_holidays_follow_the_country():
    # The table's days follow the country where it differs; the holidays package adds the country's own.
    assert days(timeframe.parse("Thanksgiving", now=TUE, country="US")) == ("2012-11-22", "2012-11-23")
    assert days(timeframe.parse("Thanksgiving", now=TUE, country="CA")) == ("2012-10-08", "2012-10-09")
    assert days(timeframe.parse("Labor Day", now=TUE, country="US")) == ("2012-09-03", "2012-09-04")
    assert days(timeframe.parse("Canada Day", now=TUE, country="CA")) == ("2012-07-01", "2012-07-02")
    assert days(timeframe.parse("Independence Day", now=TUE, country="US")) == ("2012-07-04", "2012-07-05")
    assert timeframe.parse("Independence Day", now=TUE) is None  # no country: no national holidays


def test_seasons_turn_round_in_the_south():
    assert days(timeframe.parse("last summer", now=TUE, country="DE")) == ("2012-05-01", "2012-10-01")
    assert days(timeframe.parse("last summer", now=TUE, country="AU")) == ("2011-11-01", "2012-04-01")


def test_numeric_dates_follow_the_users_order():
    assert days(timeframe.parse("on 5/7/2012", now=TUE, day_first=True)) == ("2012-07-05", "2012-07-06")
    assert days(timeframe.parse("on 5/7/2012", now=TUE, day_first=False)) == ("2012-05-07", "2012-05-08")
    assert days(timeframe.parse("on 25/7/2012", now=TUE, day_first=False)) == ("2012-07-25", "2012-07-26")
    for order in (True, False, None):  # year first is always ISO
        assert days(timeframe.parse("2012-05-07", now=TUE, day_first=order)) == ("2012-05-07", "2012-05-08")


MORE_TRAPS = [
    "a second opinion", "I have two thousand photos", "my assumption was wrong", "24/7 support",
    "the fall of Rome", "the spring in my step", "spring cleaning tips", "What is 5m?", "give me 3 d",
    "My day job is boring", "Tell me about Easter Island", "Easter eggs", "The Christmas tree is up",
    "a new year resolution", "my mother's day off", "the summer dress I bought", "Who was the first Monday speaker",
    "in the 1st quarter of the game", "圣诞树很漂亮",
]


@pytest.mark.parametrize("text", MORE_TRAPS)
def test_more_traps_name_no_time(text):
    assert timeframe.parse(text, now=TUE) is None


def test_outside_set_meets_target():
    path = Path(__file__).resolve().parents[1] / "bench" / "timeframes.py"
    spec = importlib.util.spec_from_file_location("bench_timeframes", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    cases = bench.load(bench.OUTSIDE)
    assert len(cases) >= 800
    assert {c["cat"].split("-")[0] for c in cases} == {"en", "zh", "de", "fr", "es"}
    assert bench.accuracy(cases, verbose=True) >= 0.95
