"""Dates written in digits, any language: 2024-07-18, 18.07.2024, 07/18/24, 4/22, 15.1., 2016-11, 3/2015.

Which of day and month comes first follows the user's setting (`Context.day_first`); without one,
a number over 12 decides, then the language of the text (European languages write the day first),
then the American order. A year written first (ISO) always reads year-month-day.
"""

from __future__ import annotations

import re

from memory.timeframe import calendar as cal
from memory.timeframe.rule import Context, Rule, needing, rule, word_before

YEAR4 = r"(?:1[89]|2[01])\d\d"
_NOT_A_COUNT = r"(?![\d/.,-]?\d|\s*(?:cups?|inch|inches|of|%|pm|am|h\b|uhr|ml|g\b|kg|km|mg|x\b))"


def full_year(text: str, ctx: Context) -> int:
    """A year as written: two digits are the latest such year not more than a year ahead (07 → 2007, 74 → 1974)."""
    y = int(text)
    if len(text) > 2:
        return y
    century = ctx.today.year // 100 * 100
    return century + y if century + y <= ctx.today.year + 1 else century - 100 + y


def day_first(a: int, b: int, ctx: Context, sep: str = "/") -> bool:
    """Whether 'a/b' is day/month: a number over 12 decides, then the user's order, then '.' and the language."""
    if a > 12:
        return True
    if b > 12:
        return False
    if ctx.day_first is not None:
        return ctx.day_first
    return sep == "." or bool(ctx.languages) or ctx.cjk


def iso_date(m: re.Match, ctx: Context):
    """Year first: 2024-07-18, 2024/07/18."""
    return cal.exact_date(int(m["y"]), int(m["m"]), int(m["d"]))


def numeric_date(m: re.Match, ctx: Context):
    """Day and month, then a year of two or four digits: 18.07.2024, 07/18/2024, 9-18-15."""
    a, b = int(m["a"]), int(m["b"])
    d, mo = (a, b) if day_first(a, b, ctx, m["sep"]) else (b, a)
    return cal.exact_date(full_year(m["y"], ctx), mo, d)


_ARITHMETIC = {"is", "was", "equals", "plus", "minus", "times", "than", "of", "by", "over", "divided", "calculate",
               "compute", "ist", "est", "es", "sind"}


def numeric_day(m: re.Match, ctx: Context):
    """Day and month without a year: the most recent one (4/22, 22/04, 15.1.)."""
    a, b = int(m["a"]), int(m["b"])
    if (a, b) == (24, 7) or word_before(m, "t") in _ARITHMETIC or "=" in m.string[m.end():m.end() + 3]:
        return None  # "24/7" is all the time; "what is 12/7?" is a sum
    d, mo = (a, b) if day_first(a, b, ctx, m["sep"] or "/") else (b, a)
    return cal.month_day(mo, d, ctx.today)


def day_then_month(m: re.Match, ctx: Context):
    """'15.1.' and '17 del 11': the day is written first."""
    return cal.month_day(int(m["b"]), int(m["a"]), ctx.today)


def numeric_month(m: re.Match, ctx: Context):
    """A month and its year in digits: 2016-11, 2016/11, 11/2016, 3.2015."""
    return cal.month(int(m["y"]), int(m["m"]))


_CUE = r"(?:on|since|from|until|till|by|for|am|den|dem|vom|bis|für|seit|ab|le|du|au|el|del|al|desde|hasta|en|in)"
_MONTH = r"(?:0?[1-9]|1[0-2])"

RULES: list[Rule] = needing("digit", [
    rule(r"(?<![\d/.-])(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])", iso_date),
    rule(r"(?<![\d/.:-])(?P<y>" + YEAR4 + r") (?P<m>0[1-9]|1[0-2]) (?P<d>0[1-9]|[12]\d|3[01])(?![\d:])", iso_date),
    rule(r"(?<![\d/.-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P=sep)|,\s*)(?P<y>\d{4})(?![\d/-])", numeric_date),
    rule(r"(?<![\d/.:-])(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?:(?P=sep)|,\s*)(?P<y>\d{2})(?![\d/.:-]|\.\d)",
         numeric_date),
    # Month and year: 2016-11, 2016 / 11, 11/2016, 3.2015 (a month number after a year, never a range of years).
    rule(r"(?<![\d/.:-])(?P<y>" + YEAR4 + r")\s*[-/.]\s*(?P<m>" + _MONTH + r")(?![\d]|\s*[-/.]\s*\d)", numeric_month),
    rule(r"(?<![\d/.:,-])(?P<m>" + _MONTH + r")\s*[-/.~]\s*(?P<y>" + YEAR4 + r")(?![\d]|\s*[-/.]\s*\d)", numeric_month),
    # Day and month, no year: '4/22' alone; '4.22' and '4-22' only after a cue ('on 4-22').
    rule(r"(?:(?<=\s)|^)(?P<t>(?P<a>\d{1,2})(?P<sep>/)(?P<b>\d{1,2}))" + _NOT_A_COUNT + r"(?=\s|$|[?!,;)]|\.(?!\d))",
         numeric_day),
    rule(r"\b" + _CUE + r"\s+(?:the\s+|den\s+|le\s+|el\s+)?(?P<t>(?P<a>\d{1,2})(?P<sep>[.-])(?P<b>\d{1,2}))"
         + _NOT_A_COUNT + r"(?!\.\d)", numeric_day),
    rule(r"(?:\b" + _CUE + r"\s+(?:den\s+|dem\s+)?|^)(?P<t>(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.)(?!\d)", day_then_month),
    rule(r"\b(?P<t>(?P<a>\d{1,2})\s+del\s+(?P<b>" + _MONTH + r"))\b(?!\s*(?:%|de\s+\d))", day_then_month),
])
