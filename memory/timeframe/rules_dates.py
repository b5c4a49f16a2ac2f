"""Dates with a month name written in more ways: 'Oct-2', 'October2', '2/Oct', 'Jan first', 'twenty second of
June', 'primero de Ene', 'Mai vingt et un', 'am ersten Januar', 'Friday the 15th'."""

from __future__ import annotations

import re

from memory.timeframe import calendar as cal
from memory.timeframe.daywords import DAY_DE, DAY_EN, DAY_ES, DAY_FR, DAYS_ALL
from memory.timeframe.rule import Context, Rule, rule
from memory.timeframe.rules_en import YEAR, ambiguous_month_word
from memory.timeframe.vocab import MON_ALL, MON_DE, MON_EN, MON_ES, MON_FR, MONTHS_ALL, WD_ALL

_MONTHS = {**MONTHS_ALL, "ago": 8}  # "ago" is August only after "de" ("el segundo de Ago.")

_YEAR_TAIL = r"(?:(?:,?\s+|[/-])(?:de\s+|del\s+)?(?P<y>" + YEAR + r")\b)?"


def _group(m: re.Match, name: str) -> str | None:
    return m[name] if name in m.re.groupindex else None


def _day(m: re.Match) -> int:
    if _group(m, "d"):
        return int(m["d"])
    return DAYS_ALL[" ".join(m["dw"].lower().split())]


def _date(m: re.Match, ctx: Context):
    month_word = m["mon"].rstrip(".")
    if ambiguous_month_word(month_word) and not (m["y"] or _group(m, "dw")):
        return None  # "may 2" stays a verb and a number
    month, d = _MONTHS[month_word.lower()], _day(m)
    return cal.exact_date(int(m["y"]), month, d) if m["y"] else cal.month_day(month, d, ctx.today)


def _weekday_the_nth(m: re.Match, ctx: Context):
    return cal.day_of_month(_day(m), ctx.today)


_DAY_WORDS = "|".join((DAY_EN, DAY_ES, DAY_FR, DAY_DE))

RULES: list[Rule] = [
    # Month then day, glued or with a dash or slash: Oct-2, Oct2, Oct/2, October2.
    rule(r"\b(?P<mon>" + MON_ALL + r")(?:\.?-|/|(?<=[a-zé])(?=\d))(?P<d>\d{1,2})(?!\d|:|/\d)" + _YEAR_TAIL,
         _date, "digit", "month"),
    # Other languages' month first: "Octobre 22", "Octobre. 2", "septembre.16"; English with a dot: "september.16th".
    rule(r"\b(?P<mon>" + MON_FR + "|" + MON_ES + "|" + MON_DE + r")(?:\.\s*|\s+)(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:.])"
         + _YEAR_TAIL, _date, "digit", "month"),
    rule(r"\b(?P<mon>" + MON_EN + r")\.(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])" + _YEAR_TAIL, _date, "digit", "month"),
    # Month word and year with a slash or dash: Feb/2013, Feb-2013.
    rule(r"\b(?P<mon>" + MON_ALL + r")\.?\s*[/-]\s*(?P<y>" + YEAR + r")\b",
         lambda m, ctx: cal.month(int(m["y"]), MONTHS_ALL[m["mon"].lower()]), "digit"),
    # Year, month word, day: 2019-aug-1, 2019/aug/01.
    rule(r"(?<![\d/.-])(?P<y>" + YEAR + r")[-/](?P<mon>" + MON_ALL + r")[-/](?P<d>\d{1,2})(?!\d)", _date,
         "digit", "month"),
    # Day then month with a dash or slash: 2-Oct, 2/Oct.
    rule(r"(?<![\d/.-])(?P<d>\d{1,2})[-/](?P<mon>" + MON_ALL + r")\b\.?" + _YEAR_TAIL, _date, "digit", "month"),
    # Ordinal digits of other languages: 1ro de Ene, 1º de enero, 1er janvier.
    rule(r"\b(?P<d>\d{1,2})(?:ro|º|°|ª|er|re)\s+(?:de\s+)?(?P<mon>" + MON_ALL + r")\b\.?" + _YEAR_TAIL,
         _date, "digit", "month"),
    # Days in words.
    rule(r"\b(?P<mon>" + MON_EN + r")\.?\s+(?:the\s+)?(?P<dw>" + DAY_EN + r")\b" + _YEAR_TAIL, _date, "month"),
    rule(r"\b(?:the\s+)?(?P<dw>" + DAY_EN + r")\s+of\s+(?P<mon>" + MON_EN + r")\b\.?" + _YEAR_TAIL, _date, "month"),
    rule(r"\b(?:el\s+)?(?P<dw>" + DAY_ES + r")\s+de\s+(?P<mon>" + MON_ES + r"|ago)\b\.?" + _YEAR_TAIL, _date, "month"),
    rule(r"\b(?:el\s+)?(?P<mon>" + MON_ES + r")\s+(?P<dw>" + DAY_ES + r")\b" + _YEAR_TAIL, _date, "month"),
    rule(r"\b(?:le\s+)?(?P<dw>" + DAY_FR + r")\s+(?:de\s+|d['’])?(?P<mon>" + MON_FR + r")\b\.?"
         + _YEAR_TAIL, _date, "month"),
    rule(r"\b(?P<mon>" + MON_FR + r")\s+(?P<dw>" + DAY_FR + r")\b" + _YEAR_TAIL, _date, "month"),
    rule(r"\b(?:am\s+|den\s+|vom\s+)?(?P<dw>" + DAY_DE + r")\s+(?P<mon>" + MON_DE + r")\b" + _YEAR_TAIL, _date, "month"),
    # A weekday and a day of the month: 'Friday the 15th' is the most recent 15th.
    rule(r"\b(?:" + WD_ALL + r")\s+(?:the\s+|el\s+|le\s+|den\s+)?(?P<t2>(?:(?P<d>\d{1,2})(?:st|nd|rd|th|\.)?|(?P<dw>"
         + _DAY_WORDS + r")))(?!\.?\s*(?:of\s+|de\s+)?(?:" + MON_ALL + r")\b|\d|:)", _weekday_the_nth, "weekday"),
]
