"""German, French and Spanish time phrases: the common forms (days, weeks, months, 'N days ago', dates)."""

from __future__ import annotations

import re

from memory.timeframe import calendar as cal
from memory.timeframe.rule import Context, Rule, rule, word_before
from memory.timeframe.rules_en import (
    YEAR, ago_with, calendar_shift, day_range, month_with, relative_day, rolling_with, weekday_with,
    weekend_mode, year_of,
)
from memory.timeframe.vocab import (
    MON_DE, MON_ES, MON_FR, MONTHS_DE, MONTHS_ES, MONTHS_FR, NUM_DE, NUM_ES, NUM_FR, NUMBERS_DE,
    NUMBERS_ES, NUMBERS_FR, WD_DE, WD_ES, WD_FR, WEEKDAYS_DE, WEEKDAYS_ES, WEEKDAYS_FR,
)

_HABITUAL = {"jeden", "jeder", "jedem", "immer", "chaque", "tous", "les", "cada", "todos", "los"}


def _bare_weekday(names: dict[str, int]):
    """A weekday with no modifier: the most recent one, unless the text says 'every Monday'."""
    def resolve(m: re.Match, ctx: Context):
        if word_before(m) in _HABITUAL:
            return None
        return cal.weekday(names[m["wd"].lower()], "recent", ctx.today, ctx.week_start)
    return resolve


def _shift_from(word: str) -> int:
    """The calendar shift a German, French or Spanish modifier names (letzte → -1, diese → 0 …)."""
    word = word.lower()
    if word.startswith(("vorletzt",)):
        return -2
    if word.startswith(("letzt", "vergangen", "vorig", "derni", "pass", "anterior")):
        return -1
    if word.startswith(("nächst", "naechst")):
        return 1
    return 0


def _de_calendar(m: re.Match, ctx: Context):
    unit = {"woche": "week", "monat": "month", "monats": "month", "jahr": "year", "jahres": "year"}[m["u"].lower()]
    return cal.calendar_period(unit, ctx.today, ctx.week_start, _shift_from(m["mod"]))


def _de_weekend(m: re.Match, ctx: Context):
    mode = {-2: "before_last", -1: "last", 0: "this", 1: "next"}[_shift_from(m["mod"])]
    return cal.weekend(mode, ctx.today)


def _de_weekday(m: re.Match, ctx: Context):
    shift = _shift_from(m["mod"])
    mode = {-1: "last", 1: "next"}.get(shift, "week")
    return cal.weekday(WEEKDAYS_DE[m["wd"].lower()], mode, ctx.today, ctx.week_start)


def _de_month(m: re.Match, ctx: Context):
    mode = {-1: "last"}.get(_shift_from(m["mod"]), "this" if m["mod"].lower().startswith("dies") else "recent")
    return cal.named_month(MONTHS_DE[m["mon"].lower()], mode, ctx.today)


def _fr_yesterday(m: re.Match, ctx: Context):
    # "hier" is also German for "here": alone it only counts in a text that reads as French.
    if not m["part"] and ("fr" not in ctx.languages or "de" in ctx.languages):
        return None
    return relative_day(-1)(m, ctx)


def _range_in(months: dict[str, int]):
    """Days d1–d2 of the month in group `mon` ('vom 1. bis 5. Juli', 'du 1er au 5 juillet')."""
    return lambda m, ctx: day_range(months[m["mon"].lower()], int(m["d1"]), int(m["d2"]), m["y"], ctx)


_DE_PART = r"(?:\s*(?:abend|morgen|früh|nachmittag|vormittag|nacht))?"
_FR_PART = r"(?:\s+(?:soir|matin|midi|après-midi|apres-midi))?"
_ES_PART = r"(?:\s+(?:por\s+la\s+)?(?:mañana|manana|tarde|noche))?"
_DE_UNITS = r"(?:Stunden?|Tagen?|Tage|Wochen?|Monaten?|Monate|Jahren?|Jahre|Minuten?|Sekunden?)"
_FR_UNITS = r"(?:heures?|jours?|semaines?|mois|ans?|années?|annees?|minutes?|secondes?|quinzaine)"
_ES_UNITS = r"(?:horas?|días?|dias?|semanas?|mes(?:es)?|años?|anos|minutos?|segundos?|quincena)"

GERMAN: list[Rule] = [
    rule(r"\bheute" + _DE_PART + r"\b", relative_day(0)),
    rule(r"\bgestern" + _DE_PART + r"\b", relative_day(-1)),
    rule(r"\bvorgestern\b", relative_day(-2)),
    rule(r"\bletzte\s+Nacht\b", relative_day(-1)),
    rule(r"\bvor\s+(?P<n>" + NUM_DE + r")\s+(?P<u>" + _DE_UNITS + r")\b", ago_with(NUMBERS_DE)),
    rule(r"\b(?:letzten|vergangenen|zurückliegenden)\s+(?P<n>" + NUM_DE + r"|paar)\s+(?P<u>" + _DE_UNITS + r")\b",
         rolling_with({**NUMBERS_DE, "paar": 3})),
    rule(r"\b(?P<mod>vorletzte[nrs]?|letzte[nrs]?|vergangene[nrs]?|vorige[nrs]?|diese[nrs]?|nächste[nrs]?)\s+"
         r"(?P<u>Woche|Monats?|Jahres|Jahr)\b", _de_calendar),
    rule(r"\b(?P<mod>vorletzte[nrs]?|letzte[nrs]?|vergangene[nrs]?|vorige[nrs]?|diese[nrs]?|nächste[nrs]?)\s+"
         r"Wochenende\b", _de_weekend),
    rule(r"\b(?:am|übers|über\s+das)\s+(?P<t>Wochenende)\b", weekend_mode("recent")),
    rule(r"\b(?P<mod>letzten|vergangenen|vorigen|diesen|nächsten)\s+(?P<wd>" + WD_DE + r")" + _DE_PART + r"\b",
         _de_weekday),
    rule(r"\b(?P<wd>" + WD_DE + r")" + _DE_PART + r"\b", _bare_weekday(WEEKDAYS_DE)),
    rule(r"\b(?:im|seit|bis|von|vom|ab)\s+(?P<t>(?P<mon>" + MON_DE + r"))\b(?!\s*\d)", month_with(MONTHS_DE, "recent")),
    rule(r"\b(?P<mod>letzten|vergangenen|vorigen|diesen|Anfang|Ende|Mitte)\s+(?P<mon>" + MON_DE + r")\b(?!\s*\d)",
         _de_month),
    rule(r"\b(?:im\s+Jahre?|seit|bis|ab)\s+(?P<t>(?P<y>" + YEAR + r"))\b(?![-/.:]\d)", year_of),
    rule(r"\b(?:(?:vom|von|zwischen\s+dem)\s+)?(?P<d1>\d{1,2})\.?\s*(?:bis(?:\s+zum)?|und|-|–)\s*(?:dem\s+)?"
         r"(?P<d2>\d{1,2})\.\s*(?P<mon>" + MON_DE + r")\b(?:\s+(?P<y>" + YEAR + r")\b)?", _range_in(MONTHS_DE)),
]

FRENCH: list[Rule] = [
    rule(r"\baujourd['’]\s?hui\b|\bce\s+(?:matin|soir|midi|après-midi|apres-midi)\b", relative_day(0)),
    rule(r"(?<![-\w])hier(?P<part>" + _FR_PART + r")\b", _fr_yesterday),
    rule(r"\bavant[-\s]hier\b", relative_day(-2)),
    rule(r"\bil\s+y\s+a\s+(?P<n>" + NUM_FR + r")\s+(?P<u>" + _FR_UNITS + r")\b", ago_with(NUMBERS_FR)),
    rule(r"\b(?:les|ces|des)\s+(?P<n>" + NUM_FR + r")\s+(?:derniers|dernières|dernieres)\s+(?P<u>" + _FR_UNITS
         + r")\b", rolling_with(NUMBERS_FR)),
    rule(r"\b(?:(?:les|ces)\s+)?(?:derniers|dernières|dernieres|derniere|dernière|dernier)\s+(?P<n>" + NUM_FR
         + r")\s+(?P<u>" + _FR_UNITS + r")\b", rolling_with(NUMBERS_FR)),
    rule(r"\b(?:la\s+)?semaine\s+(?:dernière|derniere|passée|passee)\b", calendar_shift("week", -1)),
    rule(r"\bcette\s+semaine\b", calendar_shift("week", 0)),
    rule(r"\b(?:le\s+)?mois\s+(?:dernier|passé|passe)\b", calendar_shift("month", -1)),
    rule(r"\bce\s+mois(?:-ci)?\b", calendar_shift("month", 0)),
    rule(r"(?:\bl['’]\s?)?\b(?:(?:année|annee)\s+(?:dernière|derniere|passée|passee)|an\s+(?:dernier|passé))\b",
         calendar_shift("year", -1)),
    rule(r"\bcette\s+(?:année|annee)\b", calendar_shift("year", 0)),
    rule(r"\b(?:le\s+)?week-?end\s+(?:dernier|passé|passe)\b", weekend_mode("last")),
    rule(r"\bce\s+week-?end\b", weekend_mode("this")),
    rule(r"\b(?P<wd>" + WD_FR + r")\s+(?:dernier|passé|passe)\b", weekday_with(WEEKDAYS_FR, "last")),
    rule(r"\b(?P<wd>" + WD_FR + r")" + _FR_PART + r"\b", _bare_weekday(WEEKDAYS_FR)),
    rule(r"\b(?:en|depuis|mois\s+de|mois\s+d['’]|début|debut|fin|mi-|jusqu['’]en)\s*(?P<t>(?P<mon>" + MON_FR
         + r"))\b(?!\s*\d)", month_with(MONTHS_FR, "recent")),
    rule(r"\b(?P<mon>" + MON_FR + r")\s+(?:dernier|passé)\b", month_with(MONTHS_FR, "last")),
    rule(r"\b(?:en|depuis|l['’]année|année)\s+(?P<t>(?P<y>" + YEAR + r"))\b(?![-/.:]\d)", year_of),
    rule(r"\b(?:du|entre\s+le)\s+(?P<d1>\d{1,2})(?:er)?\s+(?:au|et\s+le|et)\s+(?P<d2>\d{1,2})(?:er)?\s+(?P<mon>"
         + MON_FR + r")\b(?:\s+(?P<y>" + YEAR + r")\b)?", _range_in(MONTHS_FR)),
]

SPANISH: list[Rule] = [
    rule(r"\bhoy\b|\besta\s+(?:mañana|manana|tarde|noche)\b", relative_day(0)),
    rule(r"\bayer" + _ES_PART + r"\b|\banoche\b", relative_day(-1)),
    rule(r"\b(?:anteayer|antier|antes\s+de\s+ayer)\b", relative_day(-2)),
    rule(r"\bhace\s+(?P<n>" + NUM_ES + r")\s+(?P<u>" + _ES_UNITS + r")\b", ago_with(NUMBERS_ES)),
    rule(r"\b(?:(?:los|las)\s+)?(?:últimos|ultimos|últimas|ultimas|pasados|pasadas|anteriores)\s+(?P<n>" + NUM_ES
         + r")\s*(?P<u>" + _ES_UNITS + r")\b", rolling_with(NUMBERS_ES)),
    rule(r"\b(?:(?:los|las)\s+)?(?P<n>" + NUM_ES + r")\s+(?P<u>" + _ES_UNITS + r")\s+(?:anteriores|pasad[oa]s)\b",
         rolling_with(NUMBERS_ES)),
    rule(r"\b(?:(?:los|en\s+los)\s+)?(?:últimos|ultimos)\s+(?P<n>)(?P<u>días|dias)\b(?!\s+de)",
         lambda m, ctx: cal.rolling(3, "day", ctx.today)),
    rule(r"\b(?:la\s+)?semana\s+(?:pasada|anterior)\b", calendar_shift("week", -1)),
    rule(r"\besta\s+semana\b", calendar_shift("week", 0)),
    rule(r"\b(?:el\s+)?mes\s+(?:pasado|anterior)\b", calendar_shift("month", -1)),
    rule(r"\beste\s+mes\b", calendar_shift("month", 0)),
    rule(r"\b(?:el\s+)?año\s+(?:pasado|anterior)\b", calendar_shift("year", -1)),
    rule(r"\beste\s+año\b", calendar_shift("year", 0)),
    rule(r"\b(?:el\s+)?fin\s+de\s+semana\s+(?:pasado|anterior)\b", weekend_mode("last")),
    rule(r"\beste\s+fin\s+de\s+semana\b", weekend_mode("this")),
    rule(r"\b(?P<wd>" + WD_ES + r")\s+(?:pasado|anterior)\b", weekday_with(WEEKDAYS_ES, "last")),
    rule(r"\b(?P<wd>" + WD_ES + r")" + _ES_PART + r"\b", _bare_weekday(WEEKDAYS_ES)),
    rule(r"\b(?:en|desde|hasta|de|a\s+finales\s+de|a\s+principios\s+de|a\s+mediados\s+de)\s+(?P<t>(?P<mon>"
         + MON_ES + r"))\b(?!\s*\d)", month_with(MONTHS_ES, "recent")),
    rule(r"\b(?P<mon>" + MON_ES + r")\s+(?:pasado)\b", month_with(MONTHS_ES, "last")),
    rule(r"\b(?:en|desde|el\s+año)\s+(?P<t>(?P<y>" + YEAR + r"))\b(?![-/.:]\d)", year_of),
    rule(r"\b(?:del|entre\s+el)\s+(?P<d1>\d{1,2})\s+(?:al|y\s+el|y)\s+(?P<d2>\d{1,2})\s+de\s+(?P<mon>" + MON_ES
         + r")\b(?:\s+del?\s+(?P<y>" + YEAR + r")\b)?", _range_in(MONTHS_ES)),
]

RULES: list[Rule] = GERMAN + FRENCH + SPANISH
