"""Full dates in languages we keep no word lists for ("18 luglio 2024", "4 maja 2023"), read by dateparser.

dateparser is slow to load and reads time into many ordinary phrases, so it never decides
*whether* a text names a time: our pattern must first find day, word and year side by side,
the word must be a month name in dateparser's own locale data, and only then does dateparser
read the candidate, strictly (day, month and year all required).
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from memory.timeframe import calendar as cal
from memory.timeframe.rule import Atom

LANGUAGES = ["it", "pt", "nl", "pl", "ru", "uk", "cs", "sv", "da", "nb", "fi", "tr", "ro", "ca", "hu", "id"]
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december")
_CANDIDATES = [
    re.compile(r"(?<!\d)\d{1,2}\.?\s+(?:(?:de|di|del|van)\s+)?(?P<w>[^\W\d_]{3,15})\.?,?\s+(?:(?:de|di|del)\s+)?"
               r"(?:1[89]|2[01])\d\d(?!\d)"),
    re.compile(r"\b(?P<w>[^\W\d_]{3,15})\.?\s+\d{1,2},?\s+(?:1[89]|2[01])\d\d(?!\d)"),
]


@lru_cache(maxsize=1)
def _month_words() -> frozenset[str]:
    """Every month name dateparser knows in `LANGUAGES`, lower-cased (loaded once, on first need)."""
    from dateparser.languages.loader import LocaleDataLoader

    words = set()
    for locale in LocaleDataLoader().get_locales(languages=LANGUAGES, allow_conflicting_locales=False):
        for key in _MONTH_KEYS:
            words.update(w.lower().rstrip(".") for w in locale.info.get(key, []))
    return frozenset(words)


@lru_cache(maxsize=1024)
def _read(candidate: str) -> datetime | None:
    import dateparser

    settings = {"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"],
                "RETURN_AS_TIMEZONE_AWARE": False}
    return dateparser.parse(candidate, languages=LANGUAGES, settings=settings)


def find(text: str) -> list[Atom]:
    """Full dates with a month word in another language, as atoms."""
    atoms = []
    for pattern in _CANDIDATES:
        for m in pattern.finditer(text):
            if m["w"].lower() not in _month_words():
                continue
            found = _read(m.group())
            if found is not None:
                atoms.append(Atom(m.start(), m.end(), cal.day(found.date())))
    return atoms
