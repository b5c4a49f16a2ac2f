"""From overlapping phrase matches to the time frames a text names: longest match wins, ranges and 'since' join."""

from __future__ import annotations

import re
from datetime import timedelta

from memory.timeframe import calendar as cal
from memory.timeframe.rule import Atom, Context
from memory.timeframe.vocab import WD_ALL

_ARTICLE = r"(?:(?:the|dem|den|der|le|la|l['’]|el)\s*)?"
_RANGE_PREFIX = re.compile(
    r"(?:\b(?:between|from|zwischen|von|vom|du|entre|del|desde|de|depuis)\s+" + _ARTICLE + r"|(?:从|從|自|由)\s*)$",
    re.IGNORECASE)
_SINCE_PREFIX = re.compile(
    r"(?:\b(?:ever\s+since|since|seit|depuis|desde)\s+" + _ARTICLE + r"|(?:自从|自從|从|從|自)\s*)$", re.IGNORECASE)
_SINCE_SUFFIX = re.compile(r"^\s*(?:以来|以來|至今)")
# Words that join a start and an end ("Monday to Wednesday", "du 1er au 5", "周一到周三").
_SHORT_WEEKDAY = (r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|lun|mar|mer|jeu|ven|sam|dim|lu|mi|ju|vi|sá|do|"
                  + WD_ALL[3:-1] + r")\.?,?\s+(?:den\s+|the\s+|el\s+|le\s+)?)?")
_DIRECTED = re.compile(
    r"\s*(?:(?:to|until|till|through|thru|bis(?:\s+(?:zum|zur))?|au|à|jusqu['’]?(?:au|à|a)|a|al|hasta)\s+" + _ARTICLE
    + r"|[-–—~～]\s*|[到至]\s*)" + _SHORT_WEEKDAY, re.IGNORECASE)
# Words that list two times ("yesterday and today"): the frame covers both.
_LISTED = re.compile(r"\s*(?:(?:and|or|und|oder|et|ou|y|o)\s+" + _ARTICLE + r"|[和或与與]\s*)", re.IGNORECASE)
# Words before a day that ask for its week or month ("the week of the 18th", "semana del 16 de septiembre").
_WEEK_OF = re.compile(r"(?:\b(?:the\s+)?(?:week|weekend)\s+(?:of|commencing|starting|beginning)(?:\s+on)?|\bw/c|"
                      r"\bsemana\s+del?|\bsemaine\s+(?:du|de)|\bWoche\s+vom)\s*(?:the\s+)?$", re.IGNORECASE)
_MONTH_OF = re.compile(r"\b(?:month\s+of|mes\s+de(?:l)?|mois\s+de)\s*(?:the\s+)?$", re.IGNORECASE)
_BACKOFF_LIMIT = 12  # steps a yearless range end may move to follow its start


def longest_first(atoms: list[Atom]) -> list[Atom]:
    """Non-overlapping atoms, a longer phrase beating any shorter one it overlaps, in text order."""
    chosen: list[Atom] = []
    for atom in sorted(atoms, key=lambda a: (a.begin - a.end, a.begin)):
        if all(atom.end <= c.begin or atom.begin >= c.end for c in chosen):
            chosen.append(atom)
    return sorted(chosen, key=lambda a: a.begin)


def _follow(start: cal.Period, end: cal.Period) -> tuple[cal.Period, cal.Period]:
    """Resolve the two ends of a range together: the end is the first occurrence at or after the start."""
    if end.repeat:
        for _ in range(_BACKOFF_LIMIT):
            earlier = cal.shift(end, -1)
            if earlier.start < start.start or earlier == end:
                break
            end = earlier
        for _ in range(_BACKOFF_LIMIT):
            if end.end > start.start:
                break
            end = cal.shift(end, 1)
    elif start.repeat:
        # An explicit end year pulls a yearless start back to it ("March 3 to March 5, 2023").
        for _ in range(_BACKOFF_LIMIT):
            if start.start < end.end:
                break
            start = cal.shift(start, -1)
    return start, end


def _join(text: str, first: Atom, second: Atom) -> Atom | None:
    """The range two atoms name together, or None when the words between them do not join them."""
    gap = text[first.end: second.begin]
    prefix = _RANGE_PREFIX.search(text, max(0, first.begin - 30), first.begin)
    directed = _DIRECTED.fullmatch(gap) is not None
    if not directed and _LISTED.fullmatch(gap) is None:
        return None
    a, b = first.period, second.period
    if directed or prefix is not None:
        a, b = _follow(a, b)
    begin = prefix.start() if prefix is not None else first.begin
    period = cal.Period(min(a.start, b.start), max(a.end, b.end), "span")
    return Atom(begin, second.end, period)


def _since(text: str, atom: Atom, ctx: Context) -> Atom:
    """'since Monday' runs from that day through today."""
    prefix = _SINCE_PREFIX.search(text, max(0, atom.begin - 30), atom.begin)
    suffix = _SINCE_SUFFIX.match(text, atom.end)
    if prefix is None and suffix is None:
        return atom
    tomorrow = ctx.today + timedelta(days=1)
    if prefix is not None and prefix.group().strip() in "从從" and atom.period.grain == "span":
        return atom  # "从2016-2018" is the range itself, not "since"
    if atom.period.start >= tomorrow:
        return atom  # "since next week" names no run up to today; keep the period itself
    begin = prefix.start() if prefix is not None else atom.begin
    end = suffix.end() if suffix is not None else atom.end
    return Atom(begin, end, cal.Period(atom.period.start, tomorrow, "span"))


def _week_of(text: str, atom: Atom, ctx: Context) -> Atom:
    """'the week of <day>' is that day's calendar week; 'month of <day>' its month."""
    if atom.period.end - atom.period.start != timedelta(days=1):
        return atom
    week = _WEEK_OF.search(text, max(0, atom.begin - 30), atom.begin)
    if week is not None:
        weekend = "weekend" in week.group().lower()
        found = cal.weekend_of(atom.period.start) if weekend else cal.week_of(atom.period.start, ctx.week_start)
        return Atom(week.start(), atom.end, found)
    month = _MONTH_OF.search(text, max(0, atom.begin - 30), atom.begin)
    if month is not None:
        return Atom(month.start(), atom.end, cal.month(atom.period.start.year, atom.period.start.month))
    return atom


_OF_YEAR = re.compile(r"\s*,?\s*(?:(?:of|de|del|in)\s+)?(?:the\s+year\s+)?", re.IGNORECASE)


def _in_year(text: str, first: Atom, second: Atom) -> Atom | None:
    """'June of nineteen ninety nine', 'September 10, nineteen zero one': a yearless time moved into the year after it."""
    year = second.period
    if year.start.month != 1 or year.start.day != 1 or year.end != year.start.replace(year=year.start.year + 1):
        return None
    if first.period.grain in ("year", "week", "weekend") or _OF_YEAR.fullmatch(text[first.end: second.begin]) is None:
        return None  # a week moved by whole years would no longer start on its weekday
    shift = year.start.year - first.period.start.year
    try:  # both ends move by whole years, so a season or a month keeps its calendar edges
        moved = cal.Period(first.period.start.replace(year=first.period.start.year + shift),
                           first.period.end.replace(year=first.period.end.year + shift), first.period.grain)
    except ValueError:
        return None  # 29 February in a common year
    return Atom(first.begin, second.end, moved)


def frames(text: str, atoms: list[Atom], ctx: Context) -> list[Atom]:
    """The time frames `text` names, in text order, ranges and 'since' already joined."""
    atoms = [_week_of(text, a, ctx) for a in longest_first(atoms)]
    out: list[Atom] = []
    i = 0
    while i < len(atoms):
        joined = None
        if i + 1 < len(atoms):
            joined = _in_year(text, atoms[i], atoms[i + 1]) or _join(text, atoms[i], atoms[i + 1])
        if joined is not None:
            out.append(joined)
            i += 2
        else:
            out.append(_since(text, atoms[i], ctx))
            i += 1
    return out
