"""Quarters, halves, seasons, decades, centuries and parts of periods, in English, German, French, Spanish, Chinese.

    "Q2 2023", "last quarter", "this qtr", "H1 2016", "the third quarter of 2016", "drittes Quartal", "3º trimestre"
    "last summer", "im Winter 2015", "l'été 2016", "este verano", "去年夏天"
    "the 1970s", "the seventies", "die 70er", "les années 70", "los años 70", "90年代", "the 15th century", "siglo XXI"
    "early 2020", "at the beginning of the year", "late last week", "Ende 1989", "a finales del año pasado", "年初"
"""

from __future__ import annotations

import re

from memory.timeframe import periods as per
from memory.timeframe.calendar import calendar_period
from memory.timeframe.rule import Context, Rule, clause_goes_on, rule, text_after
from memory.timeframe.rules_en import YEAR
from memory.timeframe.vocab import zh_number

def _g(m: re.Match, name: str) -> str | None:
    """Group `name` of the match, None when the pattern has no such group or it did not take part."""
    return m.groupdict().get(name)


# A year named any way: digits, or relative to now in one of the five languages.
YREF = (r"(?:(?P<y>" + YEAR + r")|(?P<yrel>this|current|last|previous|next)\s+year|the\s+year|"
        r"(?P<yde>dieses|letzten|vergangenen|vorigen|nächsten)\s+Jahres|des\s+Jahres|"
        r"l['’]\s?ann[ée]e\s+(?P<yfr>dernière|derniere|passée|passee|prochaine)|(?P<yfr2>cette)\s+ann[ée]e|"
        r"l['’]\s?ann[ée]e|(?:el\s+)?año\s+(?P<yes>pasado|anterior|próximo)|(?P<yes2>este)\s+año|el\s+año|año|"
        r"(?P<yzh>今年|去年|前年|明年)|(?P<yzh2>\d{4})\s*年)")
_SHIFTS = {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1, "dieses": 0, "letzten": -1,
           "vergangenen": -1, "vorigen": -1, "nächsten": 1, "dernière": -1, "derniere": -1, "passée": -1,
           "passee": -1, "prochaine": 1, "cette": 0, "pasado": -1, "anterior": -1, "próximo": 1, "este": 0,
           "今年": 0, "去年": -1, "前年": -2, "明年": 1}


def year_ref(m: re.Match, ctx: Context) -> int | None:
    """The year a YREF names; None when the text names none ('the year' is this year)."""
    if _g(m, "y") or _g(m, "yzh2"):
        return int(_g(m, "y") or _g(m, "yzh2"))
    for group in ("yrel", "yde", "yfr", "yfr2", "yes", "yes2", "yzh"):
        if m[group]:
            return ctx.today.year + _SHIFTS[m[group].lower()]
    return ctx.today.year if _g(m, "yany") else None


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4,
             "erstes": 1, "ersten": 1, "zweites": 2, "zweiten": 2, "drittes": 3, "dritten": 3, "viertes": 4,
             "vierten": 4, "letztes": 4, "premier": 1, "1er": 1, "deuxième": 2, "deuxieme": 2, "second": 2,
             "troisième": 3, "troisieme": 3, "quatrième": 4, "quatrieme": 4, "dernier": 4, "primer": 1,
             "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4, "último": 4, "ultimo": 4,
             "1º": 1, "2º": 2, "3º": 3, "4º": 4, "1ª": 1, "2ª": 2, "一": 1, "二": 2, "三": 3, "四": 4, "1": 1,
             "2": 2, "3": 3, "4": 4, "primera": 1, "segunda": 2, "première": 1, "premiere": 1, "seconde": 2}


def _yeared(make, m: re.Match, ctx: Context):
    year = year_ref(m, ctx)
    return make(year) if year is not None else per.latest_begun(make, ctx.today)


def _quarter(m: re.Match, ctx: Context):
    q = int(_g(m, "q")) if _g(m, "q") else _ORDINALS[_g(m, "qw").lower()]
    if year_ref(m, ctx) is None and re.match(r"\s+of\s+the\b", text_after(m)):
        return None  # "the first quarter of the game"
    return _yeared(lambda y: per.quarter(q, y), m, ctx)


def _half(m: re.Match, ctx: Context):
    h = int(_g(m, "h")) if _g(m, "h") else _ORDINALS[_g(m, "hw").lower()]
    return _yeared(lambda y: per.half(h, y), m, ctx)


def _quarter_shift(shift: int):
    return lambda m, ctx: per.quarter_shift(shift, ctx.today)


_SEASON_WORDS = {
    "spring": "spring", "summer": "summer", "fall": "autumn", "autumn": "autumn", "winter": "winter",
    "frühling": "spring", "frühjahr": "spring", "sommer": "summer", "herbst": "autumn",
    "printemps": "spring", "été": "summer", "ete": "summer", "automne": "autumn", "hiver": "winter",
    "primavera": "spring", "verano": "summer", "otoño": "autumn", "otono": "autumn", "invierno": "winter",
    "春天": "spring", "春季": "spring", "夏天": "summer", "夏季": "summer", "秋天": "autumn", "秋季": "autumn",
    "冬天": "winter", "冬季": "winter",
}
_SEASON = r"(?P<s>spring|summer|fall|autumn|winter|frühling|frühjahr|sommer|herbst|printemps|été|ete|automne|hiver|" \
          r"primavera|verano|otoño|otono|invierno)"
_LAST_WORDS = {"last", "past", "letzten", "vergangenen", "dernier", "passé", "pasado", "去年"}


def _season(m: re.Match, ctx: Context):
    name = _SEASON_WORDS[_g(m, "s").lower()]
    year = year_ref(m, ctx)
    if _g(m, "the") and year is None and (_g(m, "s").lower() in ("fall", "spring") or not clause_goes_on(m)):
        return None  # "the fall of Rome", "the spring in her step", "the summer dress"
    if year is not None:
        return per.with_edges(per.season(name, year, ctx.southern))
    mod = (_g(m, "smod") or "").lower()
    mode = "last" if mod in _LAST_WORDS else "next" if mod in {"next", "nächsten", "prochain", "próximo"} else "recent"
    return per.with_edges(per.season_mode(name, mode, ctx.today, ctx.southern))


_TENS_EN = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
            "eighties": 80, "nineties": 90, "setenta": 70, "ochenta": 80, "noventa": 90, "sesenta": 60,
            "cincuenta": 50, "cuarenta": 40, "treinta": 30, "veinte": 20, "七十": 70, "八十": 80, "九十": 90,
            "六十": 60, "五十": 50, "四十": 40, "三十": 30, "二十": 20, "zwanziger": 20, "dreißiger": 30,
            "vierziger": 40, "fünfziger": 50, "sechziger": 60, "siebziger": 70, "achtziger": 80, "neunziger": 90,
            "zweitausender": 0}


def _decade(m: re.Match, ctx: Context):
    if _g(m, "dy"):
        first = int(_g(m, "dy"))
    else:
        tens = int(_g(m, "dd")) if _g(m, "dd") else _TENS_EN[_g(m, "dw").lower()]
        century = None
        if _g(m, "dc"):
            century = 100 * (int(_g(m, "dc")) - 1) if _g(m, "dc").isdigit() else 100 * (zh_number(_g(m, "dc")) - 1)
        elif _g(m, "dlast"):
            century = (ctx.today.year // 100 - 1) * 100
        first = (century if century is not None else 1900) + tens  # "the 70s" is the 1970s
        if century is None and tens <= ctx.today.year % 100 - 10 and tens < 20:  # "the 00s", "the 10s"
            first = 2000 + tens
        if _g(m, "dw") and m["dw"].lower() == "zweitausender":
            first = 2000
    if first % 10:
        return None
    return per.decade(first)


_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5}


def _past_decades(m: re.Match, ctx: Context):
    word = (_g(m, "n") or _g(m, "n2") or _g(m, "n3")).lower()
    n = int(word) if word.isdigit() else _COUNTS[word]
    end = ctx.today.year // 10 * 10
    first = per.decade(end - 10 * n)
    return first._replace(end=per.decade(end).start)


def _this_decade(shift: int):
    return lambda m, ctx: per.decade(ctx.today.year // 10 * 10 + 10 * shift)


_ROMAN = {"i": 1, "v": 5, "x": 10}


def _century_number(text: str) -> int:
    text = text.lower()
    if text.isdigit():
        return int(text)
    if re.fullmatch(r"[ivx]+", text):
        values = [_ROMAN[c] for c in text]
        return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return zh_number(text) or 0


def _century(m: re.Match, ctx: Context):
    return per.century(_century_number(_g(m, "c")))


_PARTS = {"early": "early", "beginning": "beginning", "start": "beginning", "mid": "mid", "middle": "mid",
          "late": "late", "end": "end", "anfang": "beginning", "ende": "end", "mitte": "mid", "début": "beginning",
          "debut": "beginning", "fin": "end", "mi": "mid", "principios": "beginning", "comienzos": "beginning",
          "finales": "end", "fines": "end", "final": "end", "mediados": "mid", "年初": "beginning",
          "年底": "end", "年末": "end", "年中": "mid", "早": "early", "晚": "late"}
_PART_EN = r"(?P<p>early|late|mid|the\s+beginning\s+of|the\s+start\s+of|the\s+end\s+of|the\s+middle\s+of|" \
           r"beginning\s+of|start\s+of|end\s+of|middle\s+of)"


def _part_word(m: re.Match) -> str:
    words = _g(m, "p").lower().replace("the ", "").replace(" of", "").split()
    return _PARTS[words[0] if words[0] in _PARTS else words[-1]]


def _part_of_year(m: re.Match, ctx: Context):
    year = year_ref(m, ctx)
    return per.part_of_year(_part_word(m), year if year is not None else ctx.today.year)


def _part_of_week(m: re.Match, ctx: Context):
    shift = _SHIFTS.get((_g(m, "wmod") or "this").lower(), 0)
    return per.part_of_week(_part_word(m), ctx.today, ctx.week_start, shift)


def _part_of_month(m: re.Match, ctx: Context):
    shift = _SHIFTS.get((_g(m, "mmod") or "this").lower(), 0)
    return calendar_period("month", ctx.today, ctx.week_start, shift)


_Q = r"(?P<qw>first|1st|second|2nd|third|3rd|fourth|4th|last)"
_OF_Y = r"(?:\s*,?\s*(?:of\s+|in\s+|de\s+|del\s+|d['’]|)?" + YREF + r")?"

RULES: list[Rule] = [
    # Quarters and halves.
    rule(r"\b(?:(?:this|current)\s+(?:quarter|qtr)|(?:dieses|laufende[ns]?)\s+Quartal|ce\s+trimestre|"
         r"este\s+trimestre|(?:本|这个|這個)季度)", _quarter_shift(0)),
    rule(r"\b(?:(?:last|previous|past)\s+(?:quarter|qtr)|(?:letztes|vergangenes|letzten|vorigen)\s+Quartals?|"
         r"(?:le\s+)?trimestre\s+(?:dernier|passé|précédent)|(?:el\s+)?trimestre\s+(?:pasado|anterior)|"
         r"上(?:个|個|一)?季度)", _quarter_shift(-1)),
    rule(r"\b(?:next\s+(?:quarter|qtr)|nächstes\s+Quartal|(?:le\s+)?trimestre\s+prochain|(?:el\s+)?próximo\s+trimestre|"
         r"下(?:个|個)?季度)", _quarter_shift(1)),
    rule(r"\bT(?P<q>[1-4])\s+(?P<y>" + YEAR + r")\b", lambda m, ctx: _quarter_at(m, ctx), "digit"),
    rule(r"(?:\b(?P<y1>" + YEAR + r")\s*[-\s]?\s*)?\bQ(?P<q>[1-4])\b(?:\s*[-/]?\s*(?:" + YREF + r"))?",
         lambda m, ctx: _quarter_at(m, ctx)),
    rule(r"\b(?:the\s+)?" + _Q + r"\s+(?:quarter|qtr)" + _OF_Y, _quarter),
    rule(r"\b(?P<y1>" + YEAR + r")\s+(?:the\s+)?" + _Q + r"\s+quarter\b", lambda m, ctx: _quarter_at(m, ctx)),
    rule(r"\b(?:(?:el|la|le)\s+)?(?P<qw>primer|primero|segundo|tercer|tercero|cuarto|último|1º|2º|3º|4º|premier|"
         r"1er|deuxième|deuxieme|second|troisième|troisieme|quatrième|quatrieme|dernier|erstes|ersten|zweites|"
         r"zweiten|drittes|dritten|viertes|vierten|letztes)\s+(?:trimestre|cuarto|quart|Quartal)" + _OF_Y, _quarter),
    rule(YREF + r"?\s*第(?P<qw>[一二三四1-4])(?:个|個)?季度", _quarter, "cjk"),
    rule(r"(?:\b(?P<y1>" + YEAR + r")\s*)?(?:\b|(?<=\d))H(?P<h>[12])\b(?:\s*(?:" + YREF + r"))?",
         lambda m, ctx: _half_at(m, ctx)),
    rule(r"\b(?:the\s+|la\s+|el\s+)?(?P<hw>first|second|primera|segunda|1ª|2ª|première|premiere|seconde|ersten|"
         r"zweiten)\s+(?:half|mitad|moitié|moitie|Hälfte|Halbjahr)\s+(?:of\s+|de\s+|del\s+|des\s+)?" + YREF, _half),
    rule(YREF + r"\s*(?P<hw>上|下)半年", lambda m, ctx: _yeared(lambda y: per.half(1 if _g(m, "hw") == "上" else 2, y),
                                                          m, ctx), "cjk"),
    # Seasons: a cue or a year must come with the word ("a spring in the garden" names no time).
    rule(r"\b(?:(?P<smod>this|last|next|past|diesen|letzten|vergangenen|nächsten|ce|cet|cette|este|el\s+pasado|"
         r"pasado)\s+|(?P<the>the\s+)|(?:in\s+the|in|during|over\s+the|mid|im|en|l['’]|el|en\s+el|en\s+la|la|au|del|"
         r"a\s+mediados\s+de|mediados\s+de)\s*)"
         + _SEASON
         + r"\b(?:\s+(?P<smod2>dernier|pasado))?(?:\s*,?\s*(?:of\s+|de\s+|del\s+)?" + YREF + r")?", _season),
    rule(r"\b" + _SEASON + r"\s*,?\s*(?:of\s+|de\s+|del\s+)?(?P<y>" + YEAR + r")\b", _season),
    rule(YREF + r"?(?P<s>春天|春季|夏天|夏季|秋天|秋季|冬天|冬季)", _season, "cjk"),
    # Decades and centuries.
    rule(r"\b(?:the\s+|in\s+the\s+|los\s+(?:años\s+)?|las?\s+|les\s+années\s+|die\s+|en\s+los\s+)(?P<dy>1[89]\d0|20[0-2]0)"
         r"(?:['’]?s|er(?:\s+Jahre)?)?\b", _decade),
    rule(r"\b(?:the\s+|in\s+)?['’]?(?P<dd>[2-9]0|00|10)(?:['’]?s\b|er(?:\s+Jahre(?:n)?)?\b)", _decade),
    rule(r"\b(?:los\s+años|los\s+anos|la\s+década(?:\s+de)?|les\s+années|die)\s+(?P<dd>[2-9]0)\b", _decade),
    rule(r"\b(?:la\s+)?década\s+(?:de\s+)?(?P<dy>1[89]\d0|20[0-2]0)\b", _decade),
    rule(r"\b(?:die\s+|den\s+)(?P<dw>zwanziger|dreißiger|vierziger|fünfziger|sechziger|siebziger|achtziger|neunziger|"
         r"zweitausender)(?:\s+Jahren?)?\b", _decade),
    rule(r"\b(?:the\s+)?(?:past|last)\s+(?P<n>\d|two|three|four|five)\s+decades\b|"
         r"\b(?:las\s+)?últimas\s+(?P<n2>\d|dos|tres|cuatro|cinco)\s+(?:décadas|decenios)\b|"
         r"\b(?:los\s+)?últimos\s+(?P<n3>\d|dos|tres|cuatro|cinco)\s+decenios\b", _past_decades),
    rule(r"\b(?:the|los\s+años)\s+(?:nineteen\s+)?(?P<dw>twenties|thirties|forties|fifties|sixties|seventies|eighties|"
         r"nineties|veinte|treinta|cuarenta|cincuenta|sesenta|setenta|ochenta|noventa)\b", _decade),
    rule(r"(?:(?P<dlast>上世纪|上世紀)|(?P<dc>\d{2}|十九|二十)世纪)?(?P<dd>[2-9]0)年代", _decade, "cjk"),
    rule(r"(?:(?P<dlast>上世纪|上世紀)|(?P<dc>\d{2}|十九|二十)世纪)?(?P<dw>二十|三十|四十|五十|六十|七十|八十|九十)年代",
         _decade, "cjk"),
    rule(r"\b(?:this|the\s+current)\s+decade\b|\besta\s+década\b|\bcette\s+décennie\b|\bdieses\s+Jahrzehnt\b",
         _this_decade(0)),
    rule(r"\b(?:last|the\s+last|the\s+previous|previous)\s+decade\b|\bla\s+década\s+pasada\b", _this_decade(-1)),
    rule(r"\b(?:the\s+)?(?P<c>\d{2})(?:st|nd|rd|th)\s+century\b|\b(?P<c2>\d{2})\.\s*Jahrhundert",
         lambda m, ctx: per.century(int(_g(m, "c") or _g(m, "c2")))),
    rule(r"\bsiglo\s+(?P<c>[XVI]+|\d{2})\b|\b(?P<c2>[XVI]+)e\s+siècle\b",
         lambda m, ctx: per.century(_century_number(_g(m, "c") or _g(m, "c2")))),
    rule(r"(?P<c>\d{2}|十[一二三四五六七八九]|二十[一二]?)世纪(?!\d|[二三四五六七八九]?十?年代)", _century, "cjk"),
    # Parts of a year, a week and a month.
    rule(r"\b(?:at\s+|in\s+|by\s+)?" + _PART_EN + r"\s*(?:the\s+|of\s+)?(?:"
         + YREF.replace("the\\s+year|", "(?P<yany>the\\s+year)|")
         + r")", _part_of_year),
    rule(r"\b(?P<p>Anfang|Ende|Mitte)\s+(?:" + YREF + r")", _part_of_year),
    rule(r"\b(?:à\s+la\s+|au\s+|en\s+)?(?P<p>début|debut|fin|mi)[-\s]+(?:de\s+|d['’])?(?:" + YREF + r")", _part_of_year),
    rule(r"\b(?:a|al?)\s+(?P<p>principios|comienzos|finales|fines|mediados|final)\s+(?:de|del)\s+(?:" + YREF + r")",
         _part_of_year),
    rule(YREF + r"?(?P<p>年初|年底|年末|年中)", _part_of_year, "cjk"),
    rule(r"\b" + _PART_EN + r"\s*(?:the\s+)?(?P<wmod>this|last|next|previous)?\s*week\b", _part_of_week),
    rule(r"\b(?:(?:los\s+)?(?P<p>últimos|ultimos|primeros)\s+días\s+de\s+la\s+semana\s+(?P<wmod>pasada|anterior))",
         lambda m, ctx: per.part_of_week("late" if _g(m, "p").lower() != "primeros" else "early", ctx.today,
                                         ctx.week_start, -1)),
    rule(r"\b" + _PART_EN + r"\s*(?:the\s+)?(?P<mmod>this|last|next|previous)?\s*month\b", _part_of_month),
    rule(r"\b(?:(?:à\s+la\s+|au\s+|en\s+)?(?:début|debut|fin|mi)[-\s]+(?:du\s+)?mois(?:\s+(?P<mmod>dernier))?|"
         r"(?:a\s+)?(?:principios|comienzos|finales|fines|mediados)\s+(?:de\s+|del\s+)(?:este\s+)?mes"
         r"(?:\s+(?P<mmod2>pasado))?|"
         r"(?:Anfang|Ende|Mitte)\s+(?:des\s+)?(?:(?P<mmod3>letzten|diesen)\s+)?Monats|月初|月底|月末|月中)",
         lambda m, ctx: calendar_period("month", ctx.today, ctx.week_start,
                                        -1 if (_g(m, "mmod") or _g(m, "mmod2") or _g(m, "mmod3") or "").lower()
                                        in ("dernier", "pasado", "letzten") else 0)),
]


def _quarter_at(m: re.Match, ctx: Context):
    year = int(_g(m, "y1")) if _g(m, "y1") else year_ref(m, ctx)
    q = int(_g(m, "q")) if _g(m, "q") else _ORDINALS[_g(m, "qw").lower()]
    return per.quarter(q, year) if year is not None else per.latest_begun(lambda y: per.quarter(q, y), ctx.today)


def _half_at(m: re.Match, ctx: Context):
    year = int(_g(m, "y1")) if _g(m, "y1") else year_ref(m, ctx)
    if year is None:
        return None  # "H2" alone is too often something else
    return per.half(int(_g(m, "h")), year)
