"""Chinese time phrases: 昨天, 上周, 上个月, 三天前, 最近三天, 周一, 7月18日, 2024年7月18日 …"""

from __future__ import annotations

import re

from datetime import timedelta

from memory.timeframe import calendar as cal
from memory.timeframe import named_days
from memory.timeframe.rules_numeric import full_year
from memory.timeframe.rule import Context, Rule, needing, rule
from memory.timeframe.rules_en import calendar_shift, relative_day, weekend_mode
from memory.timeframe.vocab import NUM_ZH, UNITS, WEEKDAYS_ZH, ZH_DIGITS, zh_number

_PART = r"(?:早上|上午|中午|下午|晚上|夜里|夜裡)?"
_UNIT = r"(?:个小时|個小時|小时|小時|分钟|分鐘|秒钟|秒鐘|秒|天|日|个星期|個星期|星期|个礼拜|礼拜|禮拜|周|週|个月|個月|年)"
_WEEK = r"(?:周|週|星期|礼拜|禮拜)"
_NOT_EVERY = r"(?<![每])"


def _count(m: re.Match) -> int | None:
    n = zh_number(m["n"])
    return n if n is not None and n >= 1 else None


def _ago(m: re.Match, ctx: Context):
    n, unit = _count(m), UNITS[m["u"]]
    return None if n is None else cal.ago(n, unit, ctx.today, ctx.back(n, unit) if unit in cal.FINE_UNITS else None)


def _rolling(m: re.Match, ctx: Context):
    n, unit = _count(m), UNITS[m["u"]]
    return None if n is None else cal.rolling(n, unit, ctx.today, ctx.back(n, unit) if unit in cal.FINE_UNITS else None)


def _weekday(m: re.Match, ctx: Context):
    wd = WEEKDAYS_ZH[m["wd"]]
    shift = {"上上": -2, "上": -1, "这": 0, "這": 0, "本": 0, "下": 1}.get(m["mod"] or "")
    if shift is None:
        return cal.weekday(wd, "recent", ctx.today, ctx.week_start)
    # 上周一 is the Monday of last calendar week, not the last Monday.
    return cal.weekday(wd, "week", ctx.today, ctx.week_start, shift)


_RELATIVE_YEARS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1}


# Reign eras still named in dates: the first year of each.
ERAS = {"康熙": 1662, "雍正": 1723, "乾隆": 1736, "嘉庆": 1796, "嘉慶": 1796, "道光": 1821, "光绪": 1875, "光緒": 1875,
        "民国": 1912, "民國": 1912}
_ERA = "(?:" + "|".join(ERAS) + ")"


def _year(word: str, ctx: Context) -> int:
    """A year as Chinese writes it: 2015年, 二零一五年, 两千零四年, 07年, 康熙三年, 去年."""
    if word in _RELATIVE_YEARS:
        return ctx.today.year + _RELATIVE_YEARS[word]
    word = word.rstrip("年").strip()
    if word[:2] in ERAS:
        return ERAS[word[:2]] + zh_number(word[2:].strip()) - 1
    if word.startswith(("两千", "兩千", "二千")):
        rest = word[2:].lstrip("零")
        return 2000 + (zh_number(rest) if rest else 0)
    digits = "".join(str(ZH_DIGITS[c]) if c in ZH_DIGITS else c for c in word)
    if len(digits) == 2:
        return full_year(digits, ctx)
    return int(digits)


def _nth_week(m: re.Match, ctx: Context):
    whole = cal.named_month(zh_number(m["zm"]), "recent", ctx.today)
    nth = "last" if m["last"] else ("first", "second", "third", "fourth")[zh_number(m["n"]) - 1]
    return cal.nth_week_of_month(nth, whole)


def _date(m: re.Match, ctx: Context):
    day_word = m["d"] or m["dz"]
    month, d = zh_number(m["m"]), zh_number(day_word) if day_word else None
    if month is None or (day_word and d is None):
        return None
    if m["y"]:
        y = _year(m["y"], ctx)
        return cal.exact_date(y, month, d) if d else cal.month(y, month)
    return cal.month_day(month, d, ctx.today) if d else cal.named_month(month, "recent", ctx.today)


def _year_only(m: re.Match, ctx: Context):
    return cal.year(_year(m["y"], ctx))


def _lunar(m: re.Match, ctx: Context):
    """A day of the lunar calendar (农历十月初一, 正月三十): the year named, else the latest one begun."""
    marked = "农历" in m.group() or "農曆" in m.group() or m["lm"] in "正冬腊臘" or m["ld"][0] in "初廿"
    if not marked:
        return None  # 八月十五 is a Gregorian date unless the text says lunar
    month = {"正": 1, "冬": 11, "腊": 12, "臘": 12}.get(m["lm"]) or zh_number(m["lm"])
    d = _LUNAR_DAYS.get(m["ld"]) or zh_number(m["ld"].replace("廿", "二十"))
    if not month or not d:
        return None
    year = _year(m["y"], ctx) if m["y"] else None
    found = named_days.lunar(month, min(d, 29))
    shift = timedelta(days=1 if d == 30 else 0)  # the 30th exists only in long months: the day after the 29th
    if year is not None:
        day = found(year, None)
        return None if day is None else cal.day(day + shift)
    for y in (ctx.today.year, ctx.today.year - 1):
        day = found(y, None)
        if day is not None and day + shift <= ctx.today:
            return cal.day(day + shift)
    return None


_LUNAR_DAYS = {f"初{c}": i + 1 for i, c in enumerate("一二三四五六七八九十")}
_Y = r"(?P<y>\d{4}\s*年|[〇零一二三四五六七八九]{4}\s*年|[两兩二]千(?:零?[一二三四五六七八九]|零?[一二三四五六七八九]?十[一二三四五六七八九]?)?\s*年|" \
     r"" + _ERA + r"[一二三四五六七八九十\d]{1,3}\s*年|前年|去年|今年|明年)"
_M = r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])"
_D = r"(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"

RULES: list[Rule] = needing("cjk", [
    rule(r"今天" + _PART + r"|今日|今早|今晚|今晨", relative_day(0)),
    rule(r"昨天" + _PART + r"|昨日|昨晚|昨夜", relative_day(-1)),
    rule(r"(?<!大)前天" + _PART, relative_day(-2)),
    rule(r"大前天" + _PART, relative_day(-3)),
    rule(r"明天" + _PART, relative_day(1)),
    rule(r"(?<!\d)(?P<n>" + NUM_ZH + r")\s*(?P<u>" + _UNIT + r")(?:以)?前", _ago),
    rule(r"(?:最近|过去|過去|近)(?:的)?\s*(?P<n>" + NUM_ZH + r")\s*(?P<u>" + _UNIT + r")", _rolling),
    rule(r"上上(?:个|個)?" + _WEEK + r"(?![一二三四五六日天1-7末])", calendar_shift("week", -2)),
    rule(r"(?<!上)上(?:个|個)?" + _WEEK + r"(?![一二三四五六日天1-7末])", calendar_shift("week", -1)),
    rule(r"(?:这|這|本)(?:个|個)?" + _WEEK + r"(?![一二三四五六日天1-7末])", calendar_shift("week", 0)),
    rule(r"上上(?:个|個)月", calendar_shift("month", -2)),
    rule(r"(?<!上)上(?:个|個)?月", calendar_shift("month", -1)),
    rule(r"(?:这|這|本)(?:个|個)?月", calendar_shift("month", 0)),
    rule(r"前年|去年|今年|明年", lambda m, ctx: cal.year(_year(m.group(), ctx))),
    rule(r"(?<!上)上(?:个|個)?(?:周末|週末)", weekend_mode("last")),
    rule(r"上上(?:个|個)?(?:周末|週末)", weekend_mode("before_last")),
    rule(r"(?<![\d天])(?:前|上)(?P<n>" + NUM_ZH + r")\s*(?P<u>" + _UNIT + r")(?!前)", _rolling),
    rule(r"(?:从|從|到|至|与|與|和)\s*(?P<t>(?P<y>\d{4}))(?![\d年/.-])", _year_only),
    rule(r"(?<![\d])(?P<y>0\d|零[一二三四五六七八九])\s*年(?![前代\d])", _year_only),
    rule(r"(?:(?:农历|農曆)\s*)?(?:" + _Y + r"\s*)?(?:农历|農曆)?(?P<lm>正|冬|腊|臘|十[一二]?|[一二三四五六七八九])月"
         r"(?P<ld>初[一二三四五六七八九十]|十[一二三四五六七八九]|二十[一二三四五六七八九]?|廿[一二三四五六七八九]|三十)(?![日号號])",
         _lunar),
    rule(r"(?:这|這|本)(?:个|個)?(?:周末|週末)", weekend_mode("this")),
    rule(_NOT_EVERY + r"(?<![上这這本个個])(?:周末|週末)", weekend_mode("recent")),
    rule(_NOT_EVERY + r"(?P<mod>上上|上|这|這|本|下)?(?:个|個)?" + _WEEK + r"(?P<wd>[一二三四五六日天1-7])" + _PART, _weekday),
    rule(r"(?:" + _Y + r"\s*)?" + _M + r"\s*月(?:份)?(?:\s*" + _D + r"\s*[日号號]|(?P<dz>[一二三]?十[一二三四五六七八九]|[二三]十))?",
         _date),
    rule(r"(?P<y>\d{4}|[〇零一二三四五六七八九]{4}|" + _ERA + r"[一二三四五六七八九十\d]{1,3})\s*年(?![前代\d])", _year_only),
    rule(r"(?P<zm>十[一二]?|[一二三四五六七八九]|\d{1,2})月(?:份)?的?(?:第(?P<n>[一二三四1-4])|(?P<last>最后|最後)一)(?:个|個)?"
         r"(?:周|週|星期|礼拜)(?![一二三四五六日天1-7])", _nth_week),
])
