"""Ranges written as one phrase, in five languages: days inside a month ("from 4 to 22 this month", "19-20 de
noviembre", "vom 4. bis zum 23.", "从一月十日到十二日"), years ("2014-2018"), and months with years in either
order ("2016 November", "November , 2016")."""

from __future__ import annotations

import re

from memory.timeframe import calendar as cal
from memory.timeframe.rule import Context, Rule, rule
from memory.timeframe.rules_en import YEAR, ambiguous_month_word
from memory.timeframe.rules_relative import _MONTH_REF, month_start
from memory.timeframe.vocab import MON_ALL, MONTHS_ALL, zh_number
from memory.timeframe.yearwords import YEAR_WORDS, year_value

_FROM = r"(?:(?:from|between|de|desde|entre|du|depuis|vom|von|zwischen)\s+(?:the\s+|el\s+|le\s+|dem\s+)?)"
_TO = r"\s*(?:-|–|~|to|till|until|through|thru|and|a|al|hasta(?:\s+el)?|y(?:\s+el)?|au|et|jusqu['’]?(?:a|à|au)|" \
      r"bis(?:\s+zum)?|und(?:\s+dem)?)\s*(?:the\s+)?"
_ORD = r"(?:st|nd|rd|th|er|º|\.)?"


def _days_in(m: re.Match, ctx: Context):
    d1, d2 = int(m["d1"]), int(m["d2"])
    if d2 < d1 or (m.groupdict().get("mon") and ambiguous_month_word(m["mon"]) and not m.groupdict().get("y")):
        return None
    if not any(m.groupdict().get(k) for k in ("mon", "rel", "rel2", "rel3", "rel4", "rel5", "rel6")):
        # "vom 4. bis zum 23." alone: the most recent month in which the first day has been.
        start = ctx.today.replace(day=1) if d1 <= ctx.today.day else cal.add_months(ctx.today.replace(day=1), -1)
    else:
        start = month_start(m, ctx)
        if not m.groupdict().get("y") and not any(m.groupdict().get(k) for k in ("rel", "rel2", "rel3", "rel4",
                                                                                  "rel5", "rel6")):
            first = cal.month_day(start.month, d2, ctx.today)  # the latest such range that has ended
            if first is None:
                return None
            start = first.start.replace(day=1)
    first, last = cal.exact_date(start.year, start.month, d1), cal.exact_date(start.year, start.month, d2)
    if first is None or last is None:
        return None
    return cal.Period(first.start, last.end, "span")


_RANGE_ENDS = {"a", "y", "und", "bis", "à", "et", "hasta", "through", "thru"}
_RANGE_STARTS = re.compile(r"\b(?:entre|desde|de|zwischen|von|du|in|from|between)\b|从|從", re.IGNORECASE)


def _range_year(m: re.Match, ctx: Context):
    """A year after a range word; an ending word ('y 2018') needs a starting one before it."""
    cue = m["cue"].lower()
    if cue in _RANGE_ENDS and not _RANGE_STARTS.search(m.string, max(0, m.start() - 40), m.start()):
        return None
    if cue in ("de", "del") and not re.match(r"\s*(?:a|al|hasta|-)\s*\d{4}", m.string[m.end():]):
        return None  # "18 de julho de 2024" is a date of another language, not a range
    return cal.year(int(m["y"]))


_DATE_BEFORE = re.compile(r"(?:\d|\b(?:" + MON_ALL + r"|first|second|third|\w+th|\w+st|spring|summer|autumn|fall|"
                          r"winter|primavera|verano|otoño|invierno))\.?\s*,?\s*(?:of\s+|de\s+|del\s+)?$", re.IGNORECASE)
_WORD_YEAR_CUES = re.compile(r"\b(?:in|from|until|till|to|since|en|entre|y|hasta|desde)\s+$", re.IGNORECASE)


def _word_year(m: re.Match, ctx: Context):
    """A year in words: after a cue word, or right after a day, month or season it belongs to."""
    before = m.string[max(0, m.start("t") - 30): m.start("t")]
    if not (_WORD_YEAR_CUES.search(before) or _DATE_BEFORE.search(before)):
        return None
    year = year_value(m["yw"])
    return None if year is None or year > ctx.today.year + 50 else cal.year(year)


def _word_decade(m: re.Match, ctx: Context):
    year = year_value(m["yw"])
    return None if year is None or year % 10 else cal.Period(cal.year(year).start, cal.year(year + 9).end, "span")


def _years(m: re.Match, ctx: Context):
    a, b = int(m["a"]), int(m["b"])
    return None if not a < b <= a + 200 else cal.Period(cal.year(a).start, cal.year(b).end, "span")


def _month_year(m: re.Match, ctx: Context):
    return cal.month(int(m["y"]), MONTHS_ALL[m["mon"].lower().rstrip(".")])


def _zh_days(m: re.Match, ctx: Context):
    month, d1, d2 = zh_number(m["m"]), zh_number(m["d1"]), zh_number(m["d2"])
    if None in (month, d1, d2) or d2 < d1:
        return None
    if m["y"]:
        y = int(m["y"]) if len(m["y"]) == 4 else 2000 + int(m["y"])
        first = cal.exact_date(y, month, d1)
    else:
        first = cal.month_day(month, d1, ctx.today)
    last = None if first is None else cal.exact_date(first.start.year, month, d2)
    return None if last is None else cal.Period(first.start, last.end, "span")


_ZH_N = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"

RULES: list[Rule] = [
    # Days d1–d2 of a month named after them: "from 4 to 22 this month", "4 till 23 of this month",
    # "19-20 de noviembre", "du 4 au 22 janvier 1995", "vom 4. bis zum 23. Juli".
    rule(r"\b" + _FROM + r"?(?P<d1>\d{1,2})" + _ORD + _TO + r"(?P<d2>\d{1,2})" + _ORD
         + r"(?:\s+|\s*,\s*)(?:(?:of|de|del|in|im|d['’])\s+)?(?:(?:the\s+)?(?:" + _MONTH_REF + r"))\b", _days_in, "digit"),
    rule(r"\b(?:(?P<rel6>diesen|letzten|vorigen)\s+Monat\s+)?(?:vom|von)\s+(?P<d1>\d{1,2})\.?\s*bis\s+(?:zum\s+)?"
         r"(?P<d2>\d{1,2})\.(?!\s*\d)", _days_in, "digit"),
    # A day, then a whole date: "from 4 to January 22, 1995".
    rule(r"\b" + _FROM + r"(?P<d1>\d{1,2})" + _ORD + _TO + r"(?P<mon>" + MON_ALL + r")\.?\s+(?P<d2>\d{1,2})" + _ORD
         + r"\b(?:,?\s+(?P<y>" + YEAR + r")\b)?", _days_in, "digit"),
    # Days after the month: "November between 19 and 20", "Novembre 19 au 20".
    rule(r"\b(?P<mon>" + MON_ALL + r")\.?\s+" + _FROM + r"?(?P<d1>\d{1,2})" + _ORD + _TO + r"(?P<d2>\d{1,2})" + _ORD
         + r"\b(?:,?\s+(?P<y>" + YEAR + r")\b)?", _days_in, "digit"),
    rule(r"(?:从|從|自)?(?:(?P<y>\d{4}|\d{2})\s*年)?(?P<m>十[一二]?|[一二三四五六七八九]|\d{1,2})\s*月\s*(?P<d1>" + _ZH_N
         + r")\s*[日号號]\s*(?:到|至|-|~)\s*(?P<d2>" + _ZH_N + r")\s*[日号號]", _zh_days),
    # Years: "2014-2018", "between 2014-2018".
    rule(r"(?<![\d/.-])(?:(?:between|from|entre|de|du|von|zwischen)\s+)?(?P<a>" + YEAR + r")\s*[-–]\s*(?P<b>" + YEAR
         + r")(?![\d/-]|\.\d)", _years, "digit"),
    # Years in words after a cue or after a day or month: "in nineteen twenty eight", "June of nineteen ninety nine".
    rule(r"(?:\b(?:in|of|from|until|till|to|since|en|de|del|entre|y|hasta|desde)\s+|,\s*|(?<=\w)\s+)(?P<t>(?P<yw>"
         + YEAR_WORDS + r"))\b(?!\s+(?:people|dollars|euros|steps|times|personas|euros|pesos))", _word_year),
    rule(r"\b(?:los\s+años|la\s+década)\s+(?P<yw>" + YEAR_WORDS + r")\b", _word_decade),
    rule(r"\bthe\s+(?P<dec>noughties|two\s+thousands|twenty[\s-]tens|two\s+thousand\s+and\s+tens)\b",
         lambda m, ctx: cal.Period(cal.year(2010 if "tens" in m["dec"].lower() else 2000).start,
                                   cal.year(2019 if "tens" in m["dec"].lower() else 2009).end, "span")),
    # A bare year after a range word of another language: "entre 2014 y 2018", "von 2014 bis 2018", "de 2014 a 2018".
    rule(r"\b(?P<cue>entre|desde|hasta|de|del|a|y|zwischen|von|und|bis|à|et|jusqu['’]en|through|thru)\s+(?P<t>(?P<y>"
         + YEAR + r"))\b(?![-/.:]\d|\s*(?:%|€|\$))", _range_year, "digit"),
    # Months with years: "2016 November", "2016, nov", "November , 2016".
    rule(r"(?<![\d/.-])(?P<y>" + YEAR + r")\s*,?\s*(?P<mon>" + MON_ALL + r")\b\.?(?!\s*\d)", _month_year,
         "digit", "month"),
    rule(r"\b(?P<mon>" + MON_ALL + r")\.?\s+,\s*(?P<y>" + YEAR + r")\b", _month_year, "digit", "month"),
]
