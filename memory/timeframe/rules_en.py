"""English time phrases (numeric dates, any language, are in `rules_numeric`)."""

from __future__ import annotations

import re
from datetime import timedelta

from memory.timeframe import calendar as cal
from memory.timeframe.rule import Context, Rule, rule, text_after, word_before
from memory.timeframe.vocab import (
    AMBIGUOUS_MONTHS, MON_EN, MON_EN_FULL, MONTHS_ALL, MONTHS_EN, NUM_EN, NUMBERS_EN, UNITS,
    MON_ALL, WD_ALL, WD_EN, WEEKDAYS_EN, number,
)

DAYPART = r"(?:\s+(?:morning|afternoon|evening|night))?"
ORD = r"(?:st|nd|rd|th)?"
YEAR = r"(?:1[89]\d\d|2[01]\d\d)"
UNITS_EN = (r"(?:hours?|hrs?|days?|weeks?|wks?|months?|mos?|mths?|years?|yrs?|minutes?|mins?|seconds?|secs?|"
            r"fortnights?)")
SHIFT = {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1}
# Words after a year that show the number counts something ("in 2000 steps").
COUNTED = (r"(?:steps|meters|metres|km|miles|calories|kcal|words|pages|people|points|dollars|euros|"
           r"times|seconds|minutes|hours|feet|lines|rows|items|characters|tokens|pounds|kg|lbs|m|ms)")


def relative_day(offset: int):
    """A resolver for a fixed day relative to today."""
    return lambda m, ctx: cal.day(ctx.today + timedelta(days=offset))


def _fine(n: int, unit: str, ctx: Context):
    """For hours, minutes and seconds: the day the moment n units back falls on."""
    return ctx.back(n, unit) if unit in cal.FINE_UNITS else None


def ago_with(numbers: dict[str, int]):
    """A resolver for 'N units ago' with counts written in digits or the words of `numbers`."""
    def resolve(m: re.Match, ctx: Context):
        n = number(m["n"], numbers)
        unit = UNITS[m["u"].lower()]
        return None if n is None else cal.ago(n, unit, ctx.today, _fine(n, unit, ctx))
    return resolve


def rolling_with(numbers: dict[str, int]):
    """A resolver for 'the last N units' (N = 1 when the pattern leaves group `n` empty)."""
    def resolve(m: re.Match, ctx: Context):
        n = number(m["n"], numbers) if m["n"] else 1
        unit = UNITS[m["u"].lower()]
        return None if n is None else cal.rolling(n, unit, ctx.today, _fine(n, unit, ctx))
    return resolve


def calendar_shift(unit: str, shift: int):
    """A resolver for a fixed calendar period ('last month' is calendar_shift('month', -1))."""
    return lambda m, ctx: cal.calendar_period(unit, ctx.today, ctx.week_start, shift)


def weekday_with(names: dict[str, int], mode: str):
    """A resolver for the weekday in group `wd` (see `cal.weekday` for the modes)."""
    return lambda m, ctx: cal.weekday(names[m["wd"].lower()], mode, ctx.today, ctx.week_start)


def month_with(names: dict[str, int], mode: str):
    """A resolver for the month named in group `mon` without a year (see `cal.named_month`)."""
    return lambda m, ctx: cal.named_month(names[m["mon"].lower()], mode, ctx.today)


def _ahead(m: re.Match, ctx: Context):
    n = number(m["n"], NUMBERS_EN)
    return None if n is None else cal.ahead(n, UNITS[m["u"].lower()], ctx.today)


def _calendar(m: re.Match, ctx: Context):
    return cal.calendar_period(UNITS[m["u"].lower()], ctx.today, ctx.week_start, SHIFT[m["mod"].lower()])


def _before_last(m: re.Match, ctx: Context):
    return cal.calendar_period(m["u"].lower(), ctx.today, ctx.week_start, -2)


def _so_far(m: re.Match, ctx: Context):
    return cal.so_far(m["u"].lower(), ctx.today, ctx.week_start)


def weekend_mode(mode: str):
    """A resolver for one of the weekends of `cal.weekend`."""
    return lambda m, ctx: cal.weekend(mode, ctx.today)


def _weekday_mod(m: re.Match, ctx: Context):
    mod = " ".join(m["mod"].lower().split())
    wd = WEEKDAYS_EN[m["wd"].lower()]
    if mod == "this":
        return cal.weekday(wd, "week", ctx.today, ctx.week_start)
    return cal.weekday(wd, {"next": "next"}.get(mod, "last"), ctx.today, ctx.week_start)


def _weekday_of_week(m: re.Match, ctx: Context):
    return cal.weekday(WEEKDAYS_EN[m["wd"].lower()], "week", ctx.today, ctx.week_start, SHIFT[m["mod"].lower()])


_STRONG_CUES = {"on", "since", "until", "till", "between"}
_HABITUAL = {"every", "each", "most", "all", "some"}
_FOLLOW_OK = re.compile(
    r"^(?:\s*(?:$|[.,;:!?)'’\"]|-|–)|\s+(?:and|or|to|at|with|when|while|after|before|in|for|i|we|you|he|"
    r"she|they|my|our|his|her|the|a|about|through|till|until|was|were|did|last|this|morning|"
    r"afternoon|evening|night)\b)", re.IGNORECASE)


def _weekday_bare(m: re.Match, ctx: Context):
    before = word_before(m)
    if before in _HABITUAL or (m["part"] and m["part"].strip()[:1].isupper()):
        return None  # "every Monday" is a habit; "Monday Night Football" a name
    # "Sunday roast recipes" names a dish: a weekday needs a cue before it or a clause break after it.
    if before not in _STRONG_CUES and not _FOLLOW_OK.match(text_after(m, "wd")):
        return None
    return cal.weekday(WEEKDAYS_EN[m["wd"].lower()], "recent", ctx.today, ctx.week_start)


def ambiguous_month_word(word: str) -> bool:
    """Whether `word` is an English month name written as an everyday word ('may', 'march')."""
    return word.lower() in AMBIGUOUS_MONTHS and word[:1].islower()


def _month_first_date(m: re.Match, ctx: Context):
    if ambiguous_month_word(m["mon"]) and not (m["y"] or m["ord"]):
        return None
    month, d = MONTHS_EN[m["mon"].lower()], int(m["d"])
    return cal.exact_date(int(m["y"]), month, d) if m["y"] else cal.month_day(month, d, ctx.today)


def _day_first_date(m: re.Match, ctx: Context):
    if ambiguous_month_word(m["mon"]) and not (m["y"] or m["ord"] or m["of"]):
        return None
    month, d = MONTHS_ALL[m["mon"].lower()], int(m["d"])
    return cal.exact_date(int(m["y"]), month, d) if m["y"] else cal.month_day(month, d, ctx.today)


def month_year(m: re.Match, ctx: Context):
    """A month with its year: 'March 2023', 'März 2023'."""
    return cal.month(int(m["y"]), MONTHS_ALL[m["mon"].lower()])


# Cues that make a lower-case "may"/"march" a month: "in may" yes, "to march", "this may be" no.
_AMBIGUOUS_CUES = {"in", "during", "since", "early", "late", "mid", "last"}


# Cues that only make a month the end of a range: "talk to May", "April and I" name people.
_RANGE_END_CUES = {"to", "and", "or", "until", "till", "through"}
_RANGE_START = re.compile(r"\b(?:from|between)\b", re.IGNORECASE)


def _month_cue(m: re.Match, ctx: Context):
    cue = m["cue"].lower()
    if ambiguous_month_word(m["mon"]) and cue not in _AMBIGUOUS_CUES:
        return None
    if cue in _RANGE_END_CUES and not _RANGE_START.search(m.string, max(0, m.start() - 40), m.start()):
        return None
    return cal.named_month(MONTHS_EN[m["mon"].lower()], "recent", ctx.today)


def _month_mod(m: re.Match, ctx: Context):
    mod = m["mod"].lower()
    if ambiguous_month_word(m["mon"]) and mod not in _AMBIGUOUS_CUES:
        return None
    mode = {"last": "last", "this": "this"}.get(mod, "recent")
    return cal.named_month(MONTHS_EN[m["mon"].lower()], mode, ctx.today)


def year_of(m: re.Match, ctx: Context):
    """The calendar year in group `y`."""
    return cal.year(int(m["y"]))


def _year_cue(m: re.Match, ctx: Context):
    if m["cue"].lower() in _RANGE_END_CUES and not _RANGE_START.search(m.string, max(0, m.start() - 40), m.start()):
        return None  # "I was 25 and 2023 …": a bare number after "and" is no year
    return year_of(m, ctx)


def _day_range(m: re.Match, ctx: Context):
    word = m["mon"]
    if word.lower() in MONTHS_EN and ambiguous_month_word(word) and not m["y"]:
        return None
    return day_range(MONTHS_ALL[word.lower()], int(m["d1"]), int(m["d2"]), m["y"], ctx)


def day_range(month: int, d1: int, d2: int, y: str | None, ctx: Context):
    """Days `d1`–`d2` of a month ('July 1-5'); without a year, the most recent one that has ended by today."""
    if d2 < d1:
        return None
    first = cal.exact_date(int(y), month, d1) if y else cal.month_day(month, d2, ctx.today)
    if first is not None and not y:
        first = cal.exact_date(first.start.year, month, d1)
    if first is None:
        return None
    last = cal.exact_date(first.start.year, month, d2)
    return None if last is None else cal.Period(first.start, last.end, "span", first.repeat)


_NTH_WEEK = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "primera": "first", "primer": "first",
             "1ª": "first", "segunda": "second", "2ª": "second", "tercera": "third", "3ª": "third", "cuarta": "fourth",
             "4ª": "fourth", "última": "last", "ultima": "last", "ersten": "first", "zweiten": "second",
             "dritten": "third", "vierten": "fourth", "letzten": "last", "première": "first", "premiere": "first",
             "deuxième": "second", "deuxieme": "second", "troisième": "third", "troisieme": "third",
             "quatrième": "fourth", "quatrieme": "fourth", "dernière": "last", "derniere": "last"}


def _nth_week(m: re.Match, ctx: Context):
    month = MONTHS_ALL[m["mon"].lower()]
    if ambiguous_month_word(m["mon"]) and not m["y"]:
        return None
    whole = cal.month(int(m["y"]), month) if m["y"] else cal.named_month(month, "recent", ctx.today)
    nth = _NTH_WEEK.get(m["nth"].lower(), m["nth"].lower())
    return cal.nth_week_of_month(nth, whole)


def _week_of_date(m: re.Match, ctx: Context):
    mon, d = (m["mon"], m["d"]) if m["mon"] else (m["mon2"], m["d2"])
    month = MONTHS_EN[mon.lower()]
    found = cal.exact_date(int(m["y"]), month, int(d)) if m["y"] else cal.month_day(month, int(d), ctx.today)
    if found is None:
        return None
    if m["kind"].lower() == "weekend":
        return cal.weekend_of(found.start)
    return cal.week_of(found.start, ctx.week_start)


def _day_of_month(m: re.Match, ctx: Context):
    return cal.day_of_month(int(m["d"]), ctx.today)


RULES: list[Rule] = [
    # Relative days and their parts.
    rule(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|earlier\s+today)\b", relative_day(0)),
    rule(r"\byesterday" + DAYPART + r"\b", relative_day(-1)),
    rule(r"\blast\s+night\b", relative_day(-1)),
    rule(r"\b(?:the\s+)?day\s+before\s+yesterday\b", relative_day(-2)),
    rule(r"\btomorrow" + DAYPART + r"\b", relative_day(1)),
    rule(r"\b(?:the\s+)?day\s+after\s+tomorrow\b", relative_day(2)),
    rule(r"\b(?P<n>" + NUM_EN + r")\s*(?P<u>" + UNITS_EN + r")\s+(?:ago|back|earlier)\b", ago_with(NUMBERS_EN)),
    rule(r"\b(?P<n>\d{1,4})\s?(?P<u>[wdhmy]|mo|min|hr|wk|yr)\s+ago\b", ago_with(NUMBERS_EN)),
    # Rolling periods ending today.
    rule(r"\b(?:(?:the|this)\s+)?(?:last|past|previous)\s+(?P<n>" + NUM_EN
         + r")\s*(?P<u>" + UNITS_EN + r")\b", rolling_with(NUMBERS_EN)),
    rule(r"\b(?:(?:the|this)\s+(?:last|past)|past)\s+(?P<n>)(?P<u>day|week|month|year|hour|minute|fortnight)\b",
         rolling_with(NUMBERS_EN)),
    rule(r"\b(?:the\s+)?next\s+(?P<n>" + NUM_EN + r")\s+(?P<u>days?|weeks?|months?|years?)\b", _ahead),
    # Calendar periods.
    rule(r"\b(?P<mod>this|current|last|previous|next)\s+(?P<u>week|month|year|wk|mo|mth|yr)\b", _calendar),
    rule(r"\bthe\s+(?P<u>week|month|year)\s+before\s+last\b", _before_last),
    rule(r"\b(?:earlier|so\s+far)\s+(?:this|in\s+the)\s+(?P<u>week|month|year)\b", _so_far),
    rule(r"\bmás\s+temprano\s+(?:esta|este)\s+(?P<u>semana|mes|año)\b", lambda m, ctx: cal.so_far(
        {"semana": "week", "mes": "month", "año": "year"}[m["u"].lower()], ctx.today, ctx.week_start)),
    rule(r"\bmy\s+day\b(?=\s*(?:$|[.!?,;:]|\s(?:look|looks|looked|go|goes|went|was|been|today|so\s+far)\b))",
         relative_day(0)),
    rule(r"\b(?:this\s+past|last|previous)\s+weekend\b", weekend_mode("last")),
    rule(r"\bthe\s+weekend\s+before\s+last\b", weekend_mode("before_last")),
    rule(r"\bthis\s+weekend\b", weekend_mode("this")),
    rule(r"\bnext\s+weekend\b", weekend_mode("next")),
    rule(r"\b(?:over|at|on|during|from)\s+(?P<t>the\s+weekend)\b", weekend_mode("recent")),
    # Named weekdays.
    rule(r"\b(?P<mod>last|this|next|past|previous|this\s+past)\s+(?P<wd>" + WD_EN + r")" + DAYPART + r"\b",
         _weekday_mod, "weekday"),
    rule(r"\b(?P<wd>" + WD_EN + r")\s+(?:of\s+)?(?P<mod>last|this|next)\s+week\b", _weekday_of_week, "weekday"),
    rule(r"\b(?P<wd>" + WD_EN + r")(?P<part>" + DAYPART + r")\b", _weekday_bare, "weekday"),
    # Named months.
    rule(r"\b(?P<cue>in|during|since|from|until|till|to|through|between|and|or|around|throughout)\s+"
         r"(?P<t>(?P<mon>" + MON_EN_FULL + r"))\b(?!\s*\d)", _month_cue, "month"),
    rule(r"\b(?P<mod>last|this|early|late|mid|mid-|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of|"
         r"the\s+middle\s+of|end\s+of|beginning\s+of|start\s+of)\s*(?P<mon>" + MON_EN + r")\b\.?(?!\s*\d)",
         _month_mod, "month"),
    rule(r"\b(?P<mon>" + MON_ALL + r")\.?,?\s+(?:(?:of|de|del)\s+)?(?P<y>" + YEAR + r")\b", month_year, "month"),
    # A month name alone, where it cannot be an ordinary word or a first name.
    rule(r"(?<![\w-])(?P<mon>January|February|September|October|November|December|July|février|fevrier|Fevrier|"
         r"janvier|septembre|octobre|novembre|décembre|decembre|juillet|juin|avril|août|aout|enero|febrero|marzo|abril|"
         r"junio|agosto|septiembre|octubre|noviembre|diciembre|Januar|Februar|März|Oktober|Dezember)\b(?![\s.,-]*\d)",
         lambda m, ctx: cal.named_month(MONTHS_ALL[m["mon"].lower()], "recent", ctx.today), "month"),
    # Dates with month names.
    rule(r"\b(?:(?:" + WD_ALL + r"),?\s+)?(?P<mon>" + MON_EN + r")\.?\s+(?P<d>\d{1,2})(?P<ord>st|nd|rd|th)?\b"
         r"(?!:)(?:,?\s+(?P<y>" + YEAR + r")\b)?", _month_first_date, "month"),
    rule(r"\b(?:(?:" + WD_ALL + r"),?\s+)?(?:the\s+|(?<=\w )den\s+)?(?P<d>\d{1,2})(?P<ord>st|nd|rd|th|er|\.)?\s*"
         r"(?:(?P<of>of|de)\s+)?"
         r"(?P<mon>" + MON_ALL + r")\b\.?(?:,?\s+(?:de\s+|del\s+)?(?P<y>" + YEAR + r")\b)?", _day_first_date, "month"),
    rule(r"\b(?:on|since|from|until|till)\s+(?P<t>the\s+(?P<d>\d{1,2})(?:st|nd|rd|th))\b"
         r"(?!\s+(?:of|century|floor|time|place|row|day|week))", _day_of_month),
    rule(r"\b(?:(?:between|from)\s+)?(?P<mon>" + MON_EN + r")\.?\s+(?P<d1>\d{1,2})" + ORD
         + r"\s*(?:-|–|to|and|through|until|till)\s*(?P<d2>\d{1,2})" + ORD + r"\b(?:,?\s+(?P<y>" + YEAR + r")\b)?",
         _day_range, "month"),
    rule(r"\b(?:(?:between|from)\s+)?(?:the\s+)?(?P<d1>\d{1,2})" + ORD
         + r"\s*(?:-|–|to|and|through|until|till)\s*(?:the\s+)?(?P<d2>\d{1,2})" + ORD + r"(?:\s+of)?\s+(?P<mon>"
         + MON_EN + r")\b(?:,?\s+(?P<y>" + YEAR + r")\b)?", _day_range, "month"),
    rule(r"\b(?:the\s+|la\s+|der\s+|in\s+der\s+|en\s+la\s+)?(?P<nth>first|1st|second|2nd|third|3rd|fourth|4th|last|"
         r"primera|primer|1ª|segunda|2ª|tercera|3ª|cuarta|4ª|última|ultima|ersten|zweiten|dritten|vierten|letzten|"
         r"première|premiere|deuxième|deuxieme|troisième|troisieme|quatrième|quatrieme|dernière|derniere)\s+"
         r"(?:week|semana|semaine|Woche)\s+(?:of|de|im|in|du|d['’])\s+(?P<mon>" + MON_ALL
         + r")\b\.?(?:,?\s+(?P<y>" + YEAR + r")\b)?", _nth_week, "month"),
    rule(r"\bthe\s+(?P<kind>week|weekend)\s+of\s+(?:(?P<mon>" + MON_EN + r")\.?\s+(?P<d>\d{1,2})" + ORD
         + r"|(?:the\s+)?(?P<d2>\d{1,2})" + ORD + r"\s+(?:of\s+)?(?P<mon2>" + MON_EN + r"))\b(?:,?\s+(?P<y>" + YEAR
         + r")\b)?", _week_of_date, "month"),
    # Years.
    rule(r"\b(?P<cue>in|during|since|from|until|till|to|through|between|and|or|of|around|throughout|"
         r"the\s+year)\s+(?P<t>(?P<y>" + YEAR + r"))\b(?![-/.:]\d|\s+" + COUNTED + r"\b)", _year_cue),
]
