"""Days found relative to other periods, in five languages: ordinal weekdays of a month ("the first Monday of this
month", "第一个周一"), a day of a relative month ("20th of the previous month", "上个月20号"), a weekday inside a named
week ("last week's Sunday"), "2 Thursdays ago", "two days before yesterday", "the other day", compound
"1 month 21 days ago", ISO weeks ("week 10", "first week of 2015") and bare days of the month ("on the 27th", "el 15",
"am 15.", "12号")."""

from __future__ import annotations

import re
from datetime import timedelta

from memory.timeframe import calendar as cal
from memory.timeframe.daywords import DAY_EN, DAYS_ALL
from memory.timeframe.rule import Context, Rule, clause_goes_on, rule
from memory.timeframe.rules_en import YEAR
from memory.timeframe.vocab import (
    MON_ALL, MON_ES, MONTHS_ALL, NUMBERS_EN, NUMBERS_ES, NUMBERS_FR, UNITS, WD_ALL, WD_DE, WD_EN, WD_ES, WD_FR,
    WEEKDAYS_ALL, WEEKDAYS_ZH, number,
    zh_number,
)

_NTH = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
        "5th": 5, "last": -1, "1ª": 1, "primera": 1, "2ª": 2, "segunda": 2, "3ª": 3, "tercera": 3, "última": -1,
        "premier": 1, "première": 1, "deuxième": 2, "deuxieme": 2, "troisième": 3,
        "troisieme": 3, "quatrième": 4, "quatrieme": 4, "dernier": -1, "primer": 1, "primero": 1, "segundo": 2,
        "tercer": 3, "tercero": 3, "cuarto": 4, "último": -1, "ultimo": -1, "ersten": 1, "erster": 1, "zweiten": 2,
        "dritten": 3, "vierten": 4, "letzten": -1, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "最后": -1, "最後": -1}
_NTH_RE = r"(?P<nth>first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|premier|première|deuxième|deuxieme|" \
          r"troisième|troisieme|quatrième|quatrieme|dernier|primer|primero|segundo|tercer|tercero|cuarto|último|" \
          r"ultimo|ersten|erster|zweiten|dritten|vierten|letzten)"
_MONTH_SHIFT = {"this": 0, "current": 0, "last": -1, "previous": -1, "past": -1, "next": 1, "ce": 0, "cette": 0,
                "dernier": -1,
                "este": 0, "pasado": -1, "anterior": -1, "diesen": 0, "dieses": 0, "letzten": -1, "vorigen": -1,
                "上": -1, "本": 0, "这": 0, "這": 0, "下": 1}
# A month named by word (group mon, optional y) or relative to now (group rel), any of the five languages.
_MONTH_NAMED = r"(?P<mon>" + MON_ALL + r")\.?(?:,?\s+(?:de\s+|del\s+)?(?P<y>" + YEAR + r"))?"
_MONTH_REL = (r"(?:the\s+)?(?P<rel>this|current|last|previous|past|next)\s+month|(?P<rel2>ce|cette)\s+mois|"
              r"(?:le\s+)?mois\s+(?P<rel3>dernier)|(?:el\s+)?mes\s+(?P<rel4>pasado|anterior)|(?P<rel5>este)\s+mes|"
              r"(?P<rel6>diesen|dieses|letzten|vorigen)\s+Monats?")
_MONTH_REF = "(?:" + _MONTH_NAMED + "|" + _MONTH_REL + ")"


def _g(m: re.Match, name: str) -> str | None:
    return m.groupdict().get(name)


def month_start(m: re.Match, ctx: Context):
    """The first day of the month a _MONTH_REF names (a month name alone: its most recent start)."""
    rel = next((_g(m, k) for k in ("rel", "rel2", "rel3", "rel4", "rel5", "rel6") if _g(m, k)), None)
    if rel is not None:
        return cal.calendar_period("month", ctx.today, ctx.week_start, _MONTH_SHIFT[rel.lower()]).start
    if _g(m, "mon"):
        month = MONTHS_ALL[m["mon"].lower().rstrip(".")]
        if _g(m, "y"):
            return cal.month(int(m["y"]), month).start
        return cal.named_month(month, "recent", ctx.today).start
    return ctx.today.replace(day=1)


def _ordinal_weekday(m: re.Match, ctx: Context):
    wd = WEEKDAYS_ALL[m["wd"].lower()]
    n = _NTH[m["nth"].lower()]
    if _g(m, "mon") or any(_g(m, k) for k in ("rel", "rel2", "rel3", "rel4", "rel5", "rel6")):
        return cal.nth_weekday_of_month(month_start(m, ctx), wd, n)
    if not clause_goes_on(m):
        return None  # "the first Monday speaker"
    if n == -1:
        return cal.weekday(wd, "last", ctx.today, ctx.week_start)  # "el último domingo": the last one
    # "the second Sunday" alone: of this month, or of the last month when this month's is still ahead.
    first = ctx.today.replace(day=1)
    found = cal.nth_weekday_of_month(first, wd, n)
    return found if found.start <= ctx.today else cal.nth_weekday_of_month(cal.add_months(first, -1), wd, n)


def _zh_ordinal_weekday(m: re.Match, ctx: Context):
    wd = WEEKDAYS_ZH[m["wd"]]
    n = _NTH[m["nth"] or m["nth2"]]
    if m["zmon"]:
        month = zh_number(m["zmon"])
        start = cal.named_month(month, "recent", ctx.today).start
    else:
        start = cal.calendar_period("month", ctx.today, ctx.week_start, _MONTH_SHIFT.get(m["zrel"] or "本", 0)).start
    return cal.nth_weekday_of_month(start, wd, n)


def _day_of_relative_month(m: re.Match, ctx: Context):
    d = int(m["d"]) if _g(m, "d") else DAYS_ALL[" ".join(m["dw"].lower().split())]
    start = month_start(m, ctx)
    return cal.exact_date(start.year, start.month, d)


def _zh_day_of_month(m: re.Match, ctx: Context):
    d = zh_number(m["d"])
    if d is None:
        return None
    if m["zy"]:
        start = ctx.today.replace(day=1)
        year = ctx.today.year + {"去年": -1, "前年": -2, "今年": 0}[m["zy"]]
        return cal.exact_date(year, start.month, d)
    if m["zrel"]:
        start = cal.calendar_period("month", ctx.today, ctx.week_start, _MONTH_SHIFT[m["zrel"]]).start
        return cal.exact_date(start.year, start.month, d)
    return cal.day_of_month(d, ctx.today)


_WEEK_SHIFT = {"this": 0, "last": -1, "previous": -1, "past": -1, "next": 1, "dernière": -1, "derniere": -1,
               "passée": -1, "passee": -1, "prochaine": 1, "pasada": -1, "anterior": -1, "próxima": 1, "proxima": 1,
               "esta": 0, "cette": 0, "letzte": -1, "letzter": -1, "letzten": -1, "vergangene": -1,
               "vergangener": -1, "vorige": -1, "voriger": -1, "diese": 0, "dieser": 0, "nächste": 1, "nächster": 1}


def _weekday_in_week(m: re.Match, ctx: Context):
    shift = _WEEK_SHIFT[(_g(m, "wmod") or _g(m, "wmod2")).lower()]
    return cal.weekday(WEEKDAYS_ALL[m["wd"].lower()], "week", ctx.today, ctx.week_start, shift)


def _weekdays_ago(m: re.Match, ctx: Context):
    n = number(m["n"], {**NUMBERS_EN, **NUMBERS_FR, **NUMBERS_ES})
    wd = WEEKDAYS_ALL[m["wd"].lower().rstrip("s")] if m["wd"].lower().rstrip("s") in WEEKDAYS_ALL \
        else WEEKDAYS_ALL[m["wd"].lower()]
    return None if n is None else cal.weekdays_ago(n, wd, ctx.today)


def _other_day(m: re.Match, ctx: Context):
    # Approximate by nature: the week before today.
    return cal.Period(ctx.today - timedelta(days=7), ctx.today, "span")


def _around_yesterday(m: re.Match, ctx: Context):
    n = number(m["n"], NUMBERS_EN)
    if n is None:
        return None
    anchor = -1 if m["a"].lower() == "yesterday" else 1
    step = -n if m["dir"].lower() == "before" else n
    return cal.day(ctx.today + timedelta(days=anchor + step))


_COMPOUND_PART = r"(?:\d{1,4}|" + "|".join(sorted(("a", "an", "one", "two", "three", "four", "five"), key=len,
                                                  reverse=True)) + r")\s+(?:years?|months?|weeks?|days?)"


def _compound_ago(m: re.Match, ctx: Context):
    parts = re.findall(r"(\w+)\s+(years?|months?|weeks?|days?)", m["parts"], re.IGNORECASE)
    months, days, finest = 0, 0, "year"
    order = ["year", "month", "week", "day"]
    for count, unit_word in parts:
        n = number(count, NUMBERS_EN)
        unit = UNITS[unit_word.lower()]
        if n is None:
            return None
        months += {"year": 12 * n, "month": n}.get(unit, 0)
        days += {"week": 7 * n, "day": n}.get(unit, 0)
        finest = max(finest, unit, key=order.index)
    target = cal.add_months(ctx.today, -months) - timedelta(days=days)
    if finest == "year":
        return cal.year(target.year)
    if finest == "month":
        return cal.month(target.year, target.month)
    return cal.day(target)


def _iso_week(m: re.Match, ctx: Context):
    year = int(m["y"]) if _g(m, "y") else ctx.today.year + {"this": 0, "last": -1, "next": 1, "este": 0}.get(
        (_g(m, "yrel") or "this").lower(), 0) - (1 if _g(m, "yrel2") else 0)
    if _g(m, "nth"):
        n = _NTH[m["nth"].lower()]
        weeks = cal.date(year, 12, 28).isocalendar()[1]
        return cal.iso_week(year, weeks if n == -1 else n)
    return cal.iso_week(year, int(m["w"]))


def _bare_day(m: re.Match, ctx: Context):
    d = int(m["d"]) if _g(m, "d") else DAYS_ALL[" ".join(m["dw"].lower().split())]
    return cal.day_of_month(d, ctx.today)


def _my_week(m: re.Match, ctx: Context):
    return cal.calendar_period("week", ctx.today, ctx.week_start, 0)


_END = r"(?=\s*(?:$|[.!?,;:)]|\s(?:and|or|when|while|at|in|with|for|to|y|et|und)\b))"
_WMOD = r"(?P<wmod>this|last|previous|past|next)"
_ZH_NUM = r"(?:\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"

RULES: list[Rule] = [
    # Ordinal weekdays of a month.
    rule(r"\b(?:the\s+|le\s+|el\s+|am\s+)?" + _NTH_RE + r"\s+(?P<wd>" + WD_ALL + r")(?:\s+(?:of|in|de|du|del|im)\s+"
         r"(?:the\s+)?" + _MONTH_REF + r")?\b", _ordinal_weekday, "weekday"),
    rule(r"(?:(?P<zmon>十[一二]?|[一二三四五六七八九]|\d{1,2})月(?:份)?的?|(?P<zrel>上|本|这|這|下)(?:个|個)?月的?)?"
         r"(?:第(?P<nth>[一二三四五])|(?P<nth2>最后|最後)一)(?:个|個)?(?:周|週|星期|礼拜|禮拜)(?P<wd>[一二三四五六日天])",
         _zh_ordinal_weekday),
    # A day of a relative month: "20th of the previous month", "the 5th of last month", "el 20 del mes pasado".
    rule(r"\b(?:the\s+|le\s+|el\s+|am\s+|on\s+(?:the\s+)?)?(?:(?P<d>\d{1,2})(?:st|nd|rd|th|er|\.)?|(?P<dw>" + DAY_EN
         + r"))\s+(?:of\s+|du\s+|del\s+|des\s+)(?:the\s+)?(?:" + _MONTH_REL + r")", _day_of_relative_month),
    rule(r"\b(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<rel>this|next|last)\s+month\b",
         _day_of_relative_month),
    rule(r"(?:(?P<zy>去年|前年|今年)(?:的)?)?(?:(?P<zrel>上|本|这|這|下)(?:个|個)?月)?(?P<d>" + _ZH_NUM
         + r")\s*[号號日](?![本子期记記元语語文曆历])", _zh_day_of_month),
    # A weekday inside a named week.
    rule(r"\b(?P<wmod>this|last|previous|past|next)\s+week['’]s\s+(?P<wd>" + WD_EN + r")\b", _weekday_in_week, "weekday"),
    rule(r"\b(?:(?P<wmod>last|previous|past|next)\s+week|the\s+week\s+before)\s+(?:on\s+)?(?P<wd>" + WD_EN + r")\b",
         lambda m, ctx: cal.weekday(WEEKDAYS_ALL[m["wd"].lower()], "week", ctx.today, ctx.week_start,
                                    _WEEK_SHIFT.get((m["wmod"] or "last").lower(), -1)), "weekday"),
    rule(r"\b(?P<wd>" + WD_FR + r")\s+de\s+la\s+semaine\s+(?P<wmod>dernière|derniere|passée|passee|prochaine)\b",
         _weekday_in_week, "weekday"),
    rule(r"\b(?P<wd>" + WD_ES + r")\s+de\s+la\s+semana\s+(?P<wmod>pasada|anterior|próxima|proxima)\b",
         _weekday_in_week, "weekday"),
    rule(r"\b(?P<wmod>letzte|vergangene|vorige|diese|nächste)\s+Woche\s+(?P<wd>" + WD_DE + r")\b", _weekday_in_week,
         "weekday"),
    rule(r"\b(?P<wd>" + WD_DE + r")\s+(?P<wmod2>letzter|vergangener|voriger|dieser|nächster)\s+Woche\b",
         _weekday_in_week, "weekday"),
    # "2 Thursdays ago", "two days before yesterday", "the other day", "1 month 21 days ago".
    rule(r"\b(?P<n>\d{1,2}|" + "|".join(("a", "one", "two", "three", "four", "five", "six")) + r")\s+(?P<wd>(?:"
         + WD_EN + r")s?)\s+(?:ago|back)\b", _weekdays_ago, "weekday"),
    rule(r"\b(?:il\s+y\s+a|hace)\s+(?P<n>\d{1,2}|deux|trois|quatre|dos|tres|cuatro)\s+(?P<wd>(?:" + WD_FR + "|" + WD_ES
         + r")s?)\b", _weekdays_ago, "weekday"),
    rule(r"\b(?P<d>\d{1,2})\.\s+(?:des\s+)?(?P<rel6>letzten|vorigen|diesen)\s+Monats\b", _day_of_relative_month),
    rule(r"\b(?P<n>\d{1,2}|one|two|three|four|five|a)\s+days?\s+(?P<dir>before|after)\s+(?P<a>yesterday|tomorrow)\b",
         _around_yesterday),
    rule(r"\b(?:the\s+other\s+day|l['’]autre\s+jour|el\s+otro\s+día|el\s+otro\s+dia|neulich|letztens|kürzlich)\b"
         r"|前几天|前幾天|前些天", _other_day),
    rule(r"\b(?P<parts>" + _COMPOUND_PART + r"(?:\s*,?\s*(?:and\s+)?" + _COMPOUND_PART + r")+)\s+ago\b",
         _compound_ago),
    # ISO weeks.
    rule(r"\bweek\s+(?P<w>[1-9]|[1-4]\d|5[0-3])\b(?!\s*(?:of|days?)\b)", _iso_week),
    rule(r"\b(?:the\s+)?" + _NTH_RE + r"\s+week\s+of\s+(?:(?P<y>" + YEAR + r")|(?P<yrel>this|last|next)\s+year)\b",
         _iso_week),
    rule(r"\b(?:la\s+)?(?P<nth>1ª|primera|primer|2ª|segunda|3ª|tercera|última|ultima)\s+semana\s+(?:de|del)\s+"
         r"(?:(?P<y>" + YEAR + r")|(?P<yrel>este)\s+año|el\s+año\s+(?P<yrel2>pasado))\b", _iso_week),
    rule(r"\b(?:el\s+)?(?:pasado|último|ultimo)\s+(?P<mon>" + MON_ES + r")\b",
         lambda m, ctx: cal.named_month(MONTHS_ALL[m["mon"].lower()], "last", ctx.today)),
    # Bare days of the month after a cue: "on the 27th", "for the 27", "el 15", "am 15.", "le 15".
    rule(r"\b(?:on|for)\s+(?P<t>(?:the\s+)?(?:(?P<d>\d{1,2})(?:st|nd|rd|th)?|(?P<dw>" + DAY_EN + r")))" + _END,
         lambda m, ctx: None if _g(m, "dw") and not m["t"].lower().startswith("the") else _bare_day(m, ctx)),
    rule(r"\b(?:el|le)\s+(?P<t>(?P<d>\d{1,2}))" + _END, _bare_day),
    rule(r"\bam\s+(?P<t>(?P<d>\d{1,2})\.)(?!\s*\d|\s*(?:" + MON_ALL + r")\b)", _bare_day),
    # "semana del 18", "the week of the 18th": the day; combine turns it into its week.
    rule(r"\b(?:semana\s+del?|week\s+of\s+the|semaine\s+du)\s+(?P<t>(?P<d>\d{1,2})(?:st|nd|rd|th)?)\b(?!\s*(?:de\s+)?(?:"
         + MON_ALL + r")\b|[/.-]\d)", _bare_day),
    # "my week", "the current week".
    rule(r"\b(?:my\s+week|(?:the\s+)?current\s+week|mi\s+semana|la\s+semana\s+actual|ma\s+semaine|meine\s+Woche)\b",
         _my_week),
    # "between Jan 22 and now": now is today's end of a range.
    rule(r"\b(?:and|to|until|till|bis|jusqu['’]à|hasta|y)\s+(?P<t>now|jetzt|maintenant|ahora)\b",
         lambda m, ctx: cal.day(ctx.today)),
]

