"""Words that name times in English, German, French, Spanish and Chinese, and regex pieces built from them."""

from __future__ import annotations

import re


def alternation(words) -> str:
    """A regex group matching any of `words`, written as a trie so that the engine tries each letter once.

    The group prefers the longest word ('sept' never shadows 'september': the optional rest is greedy).
    """
    trie: dict = {}
    for word in set(words):
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return "(?:" + emit(trie) + ")"


MONTHS_EN = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
MONTHS_EN_FULL = {w: n for w, n in MONTHS_EN.items() if len(w) > 4 or w in ("may", "june", "july")}
# English month words that are also everyday words ("may I", "march in", "an august body").
AMBIGUOUS_MONTHS = {"may", "march", "mar", "august", "aug"}
MONTHS_DE = {
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5, "juni": 6,
    "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12,
}
MONTHS_FR = {
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
}
MONTHS_ES = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}
# Abbreviations in dates ("22 Janv.", "1 de Ene", "3. Okt"); "set", "ago", "mar" are words too and left out.
MONTHS_DE.update({"jan": 1, "feb": 2, "mär": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
                  "okt": 10, "nov": 11, "dez": 12})
MONTHS_FR.update({"janv": 1, "févr": 2, "fevr": 2, "fév": 2, "fev": 2, "avr": 4, "juil": 7, "sept": 9,
                  "oct": 10, "nov": 11, "déc": 12, "dec": 12})
MONTHS_ES.update({"ene": 1, "feb": 2, "abr": 4, "jun": 6, "jul": 7, "sept": 9, "oct": 10, "nov": 11, "dic": 12})
MONTHS_ALL = {**MONTHS_EN, **MONTHS_DE, **MONTHS_FR, **MONTHS_ES}

WEEKDAYS_EN = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
WEEKDAYS_DE = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonnabend": 5, "sonntag": 6,
}
WEEKDAYS_FR = {"lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4, "samedi": 5, "dimanche": 6}
WEEKDAYS_ES = {
    "lunes": 0, "martes": 1, "miércoles": 2, "miercoles": 2, "jueves": 3, "viernes": 4,
    "sábado": 5, "sabado": 5, "domingo": 6,
}
WEEKDAYS_ALL = {**WEEKDAYS_EN, **WEEKDAYS_DE, **WEEKDAYS_FR, **WEEKDAYS_ES}
WEEKDAYS_ZH = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0, "2": 1,
               "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}

NUMBERS_EN = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "couple of": 2, "a couple of": 2, "few": 3, "a few": 3,
}
NUMBERS_DE = {
    "ein": 1, "eine": 1, "einem": 1, "einer": 1, "einen": 1, "zwei": 2, "drei": 3, "vier": 4,
    "fünf": 5, "fuenf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10, "elf": 11,
    "zwölf": 12, "vierzehn": 14, "zwanzig": 20, "dreißig": 30,
}
NUMBERS_FR = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30,
}
NUMBERS_ES = {
    "un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6,
    "siete": 7, "ocho": 8, "nueve": 9, "diez": 10, "once": 11, "doce": 12, "quince": 15,
    "veinte": 20, "treinta": 30,
}
ZH_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}

UNITS = {
    # English
    "hour": "hour", "hours": "hour", "day": "day", "days": "day", "week": "week", "weeks": "week",
    "month": "month", "months": "month", "year": "year", "years": "year",
    "minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute", "m": "minute",
    "second": "second", "seconds": "second", "sec": "second", "secs": "second", "s": "second",
    "hr": "hour", "hrs": "hour", "h": "hour", "d": "day", "wk": "week", "wks": "week", "w": "week",
    "mo": "month", "mos": "month", "mth": "month", "mths": "month", "yr": "year", "yrs": "year", "y": "year",
    "fortnight": "fortnight", "fortnights": "fortnight", "quinzaine": "fortnight", "quincena": "fortnight",
    "minuten": "minute", "sekunde": "second", "sekunden": "second",
    "secondes": "second", "seconde": "second",
    "anos": "year", "minuto": "minute", "minutos": "minute", "segundo": "second", "segundos": "second",
    "分钟": "minute", "分鐘": "minute", "分": "minute", "秒": "second", "秒钟": "second", "秒鐘": "second",
    # German
    "stunde": "hour", "stunden": "hour", "tag": "day", "tage": "day", "tagen": "day",
    "woche": "week", "wochen": "week", "monat": "month", "monate": "month", "monaten": "month",
    "jahr": "year", "jahre": "year", "jahren": "year",
    # French
    "heure": "hour", "heures": "hour", "jour": "day", "jours": "day", "semaine": "week",
    "semaines": "week", "mois": "month", "an": "year", "ans": "year", "année": "year",
    "années": "year", "annee": "year", "annees": "year",
    # Spanish
    "hora": "hour", "horas": "hour", "día": "day", "días": "day", "dia": "day", "dias": "day",
    "semana": "week", "semanas": "week", "mes": "month", "meses": "month", "año": "year",
    "años": "year",
    # Chinese
    "小时": "hour", "小時": "hour", "个小时": "hour", "個小時": "hour", "天": "day", "日": "day",
    "周": "week", "週": "week", "星期": "week", "个星期": "week", "個星期": "week", "礼拜": "week",
    "个礼拜": "week", "禮拜": "week", "个月": "month", "個月": "month", "年": "year",
}

MAX_COUNT = 10_000  # beyond this "N days ago" is a number, not a memory


def number(word: str, table: dict[str, int]) -> int | None:
    """A count written as digits or as a number word of `table`; None when out of range."""
    word = " ".join(word.lower().split())
    value = int(word) if word.isdigit() else table.get(word)
    if value is None or not 1 <= value <= MAX_COUNT:
        return None
    return value


def zh_number(text: str) -> int | None:
    """A Chinese numeral up to 99 (三, 十一, 二十五) or ASCII digits."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return ZH_DIGITS.get(text) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    high = ZH_DIGITS.get(tens, 0) if tens else 1
    low = ZH_DIGITS.get(units, 0) if units else 0
    if (tens and tens not in ZH_DIGITS) or (units and units not in ZH_DIGITS):
        return None
    return high * 10 + low


NUM_EN = r"(?:\d{1,5}|" + alternation(NUMBERS_EN) + ")"
NUM_DE = r"(?:\d{1,5}|" + alternation(NUMBERS_DE) + ")"
NUM_FR = r"(?:\d{1,5}|" + alternation(NUMBERS_FR) + ")"
NUM_ES = r"(?:\d{1,5}|" + alternation(NUMBERS_ES) + ")"
NUM_ZH = r"(?:\d{1,3}|[〇零一二两兩三四五六七八九十]{1,3})"

MON_EN = alternation(MONTHS_EN)
MON_EN_FULL = alternation(MONTHS_EN_FULL)
MON_DE = alternation(MONTHS_DE)
MON_FR = alternation(MONTHS_FR)
MON_ES = alternation(MONTHS_ES)
MON_ALL = alternation(MONTHS_ALL)
WD_EN = alternation(WEEKDAYS_EN)
WD_DE = alternation(WEEKDAYS_DE)
WD_FR = alternation(WEEKDAYS_FR)
WD_ES = alternation(WEEKDAYS_ES)
WD_ALL = alternation(WEEKDAYS_ALL)

# Little words that only occur in one language: they tell which one a text is in, so that
# "hier" (French: yesterday; German: here) and 05/07 (5 July or May 7) are read right.
_LANGUAGE_HINTS = {
    "fr": re.compile(r"\b(?:je|j['’]ai|tu|nous|vous|qu['’]est|est-ce|ai-je|fait|fais|les|des|cette|ce|avec|pour|"
                     r"dans|quoi|reviendrai|reviens|serai|serais|sur|depuis|jusqu['’]a)\b", re.I),
    # not "am" (English "I am") nor "du" (French "du"): they would misread "hier" and 5/7
    "de": re.compile(r"\b(?:ich|habe|hast|hat|hatte|wir|sind|ist|und|der|das|nicht|gemacht|heute|gestern|bist|bin|"
                     r"zurück|wieder|dich|mich|im|vom|bis)\b", re.I),
    "es": re.compile(r"\b(?:yo|hice|hizo|qué|hicimos|estuve|fui|tengo|ayer|hoy|hace|semana|pasado|el|los|las|del|"
                     r"desde|hasta|volveré|volvere|estaré|estare|afuera|entre)\b", re.I),
}


def language_hints(text: str) -> frozenset[str]:
    """The European languages other than English that `text` shows signs of."""
    return frozenset(lang for lang, pattern in _LANGUAGE_HINTS.items() if pattern.search(text))
