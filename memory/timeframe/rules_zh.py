"""Chinese time phrases: 昨天, 上周, 上个月, 三天前, 最近三天, 周一, 7月18日, 2024年7月18日 …"""

from __future__ import annotations

import re

from memory.timeframe import calendar as cal
from memory.timeframe.rule import Context, Rule, rule
from memory.timeframe.rules_en import calendar_shift, relative_day, weekend_mode
from memory.timeframe.vocab import NUM_ZH, UNITS, WEEKDAYS_ZH, zh_number

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


def _year(word: str, ctx: Context) -> int:
    return ctx.today.year + _RELATIVE_YEARS[word] if word in _RELATIVE_YEARS else int(word.rstrip("年").strip())


def _date(m: re.Match, ctx: Context):
    month, d = zh_number(m["m"]), zh_number(m["d"]) if m["d"] else None
    if month is None or (m["d"] and d is None):
        return None
    if m["y"]:
        y = _year(m["y"], ctx)
        return cal.exact_date(y, month, d) if d else cal.month(y, month)
    return cal.month_day(month, d, ctx.today) if d else cal.named_month(month, "recent", ctx.today)


def _year_only(m: re.Match, ctx: Context):
    return cal.year(int(m["y"]))


_Y = r"(?P<y>\d{4}\s*年|前年|去年|今年|明年)"
_M = r"(?P<m>\d{1,2}|十[一二]?|[一二三四五六七八九])"
_D = r"(?P<d>\d{1,2}|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"

RULES: list[Rule] = [
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
    rule(r"上(?:个|個)?(?:周末|週末)", weekend_mode("last")),
    rule(r"(?:这|這|本)(?:个|個)?(?:周末|週末)", weekend_mode("this")),
    rule(_NOT_EVERY + r"(?<![上这這本个個])(?:周末|週末)", weekend_mode("recent")),
    rule(_NOT_EVERY + r"(?P<mod>上上|上|这|這|本|下)?(?:个|個)?" + _WEEK + r"(?P<wd>[一二三四五六日天1-7])" + _PART, _weekday),
    rule(r"(?:" + _Y + r"\s*)?" + _M + r"\s*月(?:份)?(?:\s*" + _D + r"\s*[日号號])?", _date),
    rule(r"(?P<y>\d{4})\s*年(?![前代\d])", _year_only),
]

