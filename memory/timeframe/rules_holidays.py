"""Named days in a sentence, any language: 'last Easter', 'Easter 2010', 'Christmas of last year', '去年中秋'."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache

from memory.timeframe import calendar as cal
from memory.timeframe.named_days import lookup, mentions_one, names_regex, occurrences
from memory.timeframe.rule import Atom, Context, clause_goes_on, phrase_span, word_before

_LAST = (r"last|previous|past|letzte[nrs]?|vergangene[nrs]?|vorige[nrs]?|(?:el\s+|la\s+)?(?:último|ultimo|última|"
         r"ultima|pasado|pasada)|上(?:个|個)?")
_THIS = r"this|diese[nrs]?|dieses\s+jahr|cette|ce|este|esta"
_NEXT = r"next|coming|nächste[nrs]?|naechste[nrs]?|prochaine?|próxim[oa]|proxim[oa]|下(?:个|個)?"
_YEAR_BEFORE = r"(?P<py>(?:1[89]|2[01])\d\d)\s*年?\s*(?:的)?|(?P<pzh>去年|前年|今年|明年)(?:的)?|(?P<pen>last|this|next)\s+year['’]s"
_YEAR = r"(?:1[89]|2[01])\d\d"
_YEAR_AFTER = (
    r"(?:,?\s*(?:of\s+|in\s+|de\s+|del\s+|von\s+|im\s+jahre?\s+|en\s+)?(?P<y>" + _YEAR + r")(?!\d))"
    r"|\s+(?:of\s+|in\s+)?(?P<rel>last|this|next)\s+year"
    r"|\s+(?P<de>letzten|vergangenen|vorigen|dieses|nächsten)\s+jahres"
    r"|\s+(?:de\s+l['’](?:année|annee|an)\s+(?P<fr>dernière|derniere|dernier|passée|passee|prochaine|prochain)"
    r"|de\s+(?P<frc>cette)\s+(?:année|annee))"
    r"|\s+(?:del|de)\s+(?:(?P<es>este)\s+año|año\s+(?P<es2>pasado|anterior|próximo|proximo|que\s+viene))"
    r"|\s+(?P<post>dernier|dernière|derniere|passé|passe|pasado|pasada)\b")
_SHIFT = {"last": -1, "this": 0, "next": 1, "去年": -1, "前年": -2, "今年": 0, "明年": 1, "letzten": -1,
          "vergangenen": -1, "vorigen": -1, "dieses": 0, "nächsten": 1, "dernière": -1, "derniere": -1,
          "dernier": -1, "passée": -1, "passee": -1, "prochaine": 1, "prochain": 1, "cette": 0, "este": 0,
          "pasado": -1, "anterior": -1, "próximo": 1, "proximo": 1}


@lru_cache(maxsize=64)
def _pattern(country: str | None) -> re.Pattern:
    names = names_regex(country)
    return re.compile(
        r"(?:(?:\b(?P<mod>" + _LAST + "|" + _THIS + "|" + _NEXT + r")\s*)|(?:" + _YEAR_BEFORE + r")\s*)?"
        r"(?P<t>(?P<name>" + names + r"))(?:" + _YEAR_AFTER + ")?", re.IGNORECASE)


def _mode(m: re.Match) -> tuple[str, int]:
    """('year', shift-or-year) or ('last'|'this'|'next'|'recent', 0) from the words around the name."""
    if m["y"] or m["py"]:
        return "year", int(m["y"] or m["py"])
    for group in ("pzh", "pen", "rel", "de", "fr", "frc", "es"):
        if m[group]:
            return "shift", _SHIFT[m[group].lower()]
    if m["es2"]:
        return "shift", _SHIFT.get(m["es2"].lower().split()[0], 1)
    word = (m["mod"] or m["post"] or "").lower()
    if not word:
        return "recent", 0
    if re.fullmatch(_LAST + r"|dernier|dernière|derniere|passé|passe|pasado|pasada", word, re.IGNORECASE):
        return "last", 0
    if re.fullmatch(_NEXT, word, re.IGNORECASE):
        return "next", 0
    return "shift", 0


# Words before a bare holiday name that make it a time ("on Christmas", "an Ostern", "en Navidad").
_CUES = {"on", "at", "for", "since", "over", "during", "around", "before", "after", "until", "till", "by", "from",
         "in", "of", "am", "an", "auf", "zu", "seit", "nach", "vor", "über", "bis", "sur", "à", "en", "pour",
         "depuis", "le", "la", "el", "para", "desde", "durante", "hasta", "antes", "después", "de", "del", "dem"}
_NOT_AFTER_ZH = re.compile(r"^(?:树|樹|老人|卡|礼物|禮物|歌|快乐|快樂|帽|大餐|晚会|晚會|假期安排)")


def _stands_as_time(m: re.Match) -> bool:
    """Whether a bare holiday name is a time, not part of a name or a modifier ('Easter Island', 'Christmas tree')."""
    if re.match("[\u4e00-\u9fff]", m["name"]):
        return _NOT_AFTER_ZH.match(m.string[m.end("name"):]) is None
    return word_before(m, "name") in _CUES or clause_goes_on(m, "name")


def find(text: str, ctx: Context) -> list[Atom]:
    """Every named day in `text`, resolved: bare names look back to the most recent one."""
    atoms = []
    if not mentions_one(text, ctx.country):
        return atoms
    for m in _pattern(ctx.country).finditer(text):
        named = lookup(m["name"], ctx.country)
        if named is None:
            continue
        today = ctx.today
        kind, value = _mode(m)
        if kind == "recent" and not _stands_as_time(m):
            continue
        if kind == "year":
            days = occurrences(named, ctx.country, [value])
        elif kind == "shift":
            days = occurrences(named, ctx.country, [today.year + value])
        else:
            near = occurrences(named, ctx.country, range(today.year - 2, today.year + 3))
            if kind == "recent":
                days = [max(d for d in near if d <= today)] if any(d <= today for d in near) else []
            elif kind == "last":
                days = [max(d for d in near if d < today)] if any(d < today for d in near) else []
            else:
                days = [min(d for d in near if d > today)] if any(d > today for d in near) else []
        if not days:
            continue
        begin, end = m.span()
        if kind == "recent":
            begin, end = phrase_span(m)
        atoms.append(Atom(begin, end, cal.Period(days[0], days[0] + timedelta(days=1), "day")))
    return atoms
