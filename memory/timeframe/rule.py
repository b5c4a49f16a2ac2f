"""What a time-frame rule is: a regex that finds a phrase and a resolver that turns it into days."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, NamedTuple

from memory.timeframe.calendar import Period
from memory.timeframe.vocab import MONTHS_ALL, WEEKDAYS_ALL

MONTH_WORDS = frozenset(MONTHS_ALL) | {"ago"}  # "ago" is August in "el segundo de Ago."
WEEKDAY_WORDS = frozenset(WEEKDAYS_ALL) | {w + "s" for w in WEEKDAYS_ALL}
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Context:
    """The reference point a phrase is resolved against."""

    now: datetime
    week_start: int
    languages: frozenset[str]  # non-English European languages the text shows signs of
    country: str | None = None  # ISO 3166 code: whose holidays and seasons (None: no public holidays)
    day_first: bool | None = None  # numeric dates: 5/7 is 5 July (True), May 7 (False), by language (None)
    text: str = ""  # the whole text the phrases are found in

    @property
    def cjk(self) -> bool:
        """Whether the text is written in Chinese characters (numeric dates then read day first)."""
        return bool(_CJK.search(self.text))

    @property
    def southern(self) -> bool:
        """Whether the user lives south of the equator (seasons are turned round)."""
        return (self.country or "") in SOUTHERN_COUNTRIES

    @property
    def today(self) -> date:
        """The calendar day of `now`, in now's own time zone."""
        return self.now.date()

    def hours_back(self, hours: int) -> date:
        """The day on which the hour `hours` before now falls."""
        return (self.now - timedelta(hours=hours)).date()

    def back(self, n: int, unit: str) -> date:
        """The day on which the moment `n` hours, minutes or seconds before now falls."""
        return (self.now - timedelta(**{unit + "s": n})).date()


_CJK = re.compile("[\u4e00-\u9fff]")
SOUTHERN_COUNTRIES = frozenset({
    "AR", "AU", "BO", "BR", "BW", "CL", "FJ", "LS", "MG", "MU", "MZ", "NA", "NZ", "PE", "PY", "SZ", "UY", "ZA",
    "ZM", "ZW", "AO", "MW", "NC", "PF", "WS", "TO",
})

Resolver = Callable[[re.Match, Context], "Period | None"]


@dataclass(frozen=True)
class Rule:
    """A pattern and its resolver; group `t`, when present, is the phrase (cue words stay outside it)."""

    pattern: re.Pattern
    resolve: Resolver
    needs: tuple[str, ...] = ()  # of digit, cjk, month, weekday: skipped for texts without all of them (speed only)


class Atom(NamedTuple):
    """One resolved time phrase found in a text, by character offsets."""

    begin: int
    end: int
    period: Period


def rule(pattern: str, resolve: Resolver, *needs: str) -> Rule:
    """A case-insensitive rule; `needs` ("digit", "cjk", "month") says what a text must contain to match at all."""
    return Rule(re.compile(pattern, re.IGNORECASE), resolve, tuple(needs))


def needing(need: str, rules: list[Rule]) -> list[Rule]:
    """The same rules, each also needing `need` (a digit, a Chinese character, a month word)."""
    return [Rule(r.pattern, r.resolve, r.needs + (need,)) for r in rules]


def _present(text: str) -> dict[str, bool]:
    """Which of the things rules may need the text has."""
    words = set(_WORD.findall(text.lower()))
    return {"digit": any(ch.isdigit() for ch in text), "cjk": _CJK.search(text) is not None,
            "month": not MONTH_WORDS.isdisjoint(words), "weekday": not WEEKDAY_WORDS.isdisjoint(words)}


def phrase_span(m: re.Match) -> tuple[int, int]:
    """Where the phrase of a match lies: group `t` when the pattern has one, else the whole match."""
    if "t" in m.re.groupindex and m.start("t") >= 0:
        return m.span("t")
    return m.span()


def find_atoms(text: str, rules: list[Rule], ctx: Context) -> list[Atom]:
    """Every phrase any rule resolves, overlapping ones included."""
    atoms = []
    present = _present(text)
    for r in rules:
        if r.needs and not all(present[n] for n in r.needs):
            continue
        for m in r.pattern.finditer(text):
            try:
                period = r.resolve(m, ctx)
            except (ValueError, OverflowError):
                # A match that names no real calendar day (30 February, year 0, a count that
                # runs off the calendar) is not a time frame: the text simply names no time here.
                continue
            if period is not None and period.start < period.end:
                atoms.append(Atom(*phrase_span(m), period))
    return atoms


def word_before(m: re.Match, group: str | int = 0) -> str:
    """The lower-cased word just before the match (or group), '' at the start of the text."""
    head = m.string[: m.start(group)].rstrip()
    found = re.search(r"([^\W\d_]+)\W*$", head[-40:])
    return found.group(1).lower() if found and head[-1:].isalnum() else ""


# What may follow a time word that could also be a modifier ("Easter eggs", "the first Monday speaker"): the
# end of a clause or a function word; a following noun makes it a name or a modifier, not a time.
_CLAUSE_GOES_ON = re.compile(
    r"^(?:\s*(?:$|[.,;:!?)'’\"]|-|–)|\s+(?:and|or|to|at|with|when|while|after|before|in|for|i|we|you|he|she|they|"
    r"my|our|his|her|the|a|about|through|till|until|was|were|is|are|did|do|last|this|morning|afternoon|evening|"
    r"night|of|on|und|oder|war|ist|wird|habe|hatte|ich|wir|bin|et|ou|je|nous|est|était|j['’]ai|y|o|fue|es|yo|"
    r"hice|estuve|que|qué)\b)", re.IGNORECASE)


def clause_goes_on(m: re.Match, group: str | int = 0) -> bool:
    """Whether the match (or group) ends a clause or is followed by a function word, not by a noun."""
    return _CLAUSE_GOES_ON.match(text_after(m, group)) is not None


def text_after(m: re.Match, group: str | int = 0) -> str:
    """The text after the match (or group), up to 40 characters."""
    return m.string[m.end(group): m.end(group) + 40]
