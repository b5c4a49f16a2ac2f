"""Years written in words: 'nineteen seventy eight', 'two thousand and fourteen', 'mil novecientos noventa y nueve'."""

from __future__ import annotations

import re

_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
            "ninety": 90}
_EN_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_EN_TEENS = {"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
             "seventeen": 17, "eighteen": 18, "nineteen": 19}
_TWO = r"(?:(?:" + "|".join(_EN_TENS) + r")(?:[\s-]+(?:" + "|".join(_EN_UNITS) + r"))?|" + "|".join(_EN_TEENS) \
       + r"|(?:zero|oh)\s+(?:" + "|".join(_EN_UNITS) + r"))"
YEAR_WORDS_EN = (r"(?:(?:seventeen|eighteen|nineteen|twenty)\s+(?:hundred|" + _TWO + r")|two\s+thousand(?:\s+(?:and\s+)?"
                 r"(?:" + _TWO + "|" + "|".join(_EN_UNITS) + r"))?|one\s+thousand\s+(?:" + "|".join(_EN_UNITS)
                 + r")\s+hundred(?:\s+(?:and\s+)?(?:" + _TWO + "|" + "|".join(_EN_UNITS) + r"))?)")

_ES_UNITS = {"uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9}
_ES_TEENS = {"diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15, "dieciséis": 16,
             "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20, "veintiuno": 21,
             "veintidós": 22, "veintidos": 22, "veintitrés": 23, "veintitres": 23, "veinticuatro": 24,
             "veinticinco": 25, "veintiséis": 26, "veintiseis": 26, "veintisiete": 27, "veintiocho": 28,
             "veintinueve": 29}
_ES_TENS = {"treinta": 30, "cuarenta": 40, "cincuenta": 50, "sesenta": 60, "setenta": 70, "ochenta": 80,
            "noventa": 90}
_ES_HUNDREDS = {"setecientos": 700, "ochocientos": 800, "novecientos": 900}
_ES_TWO = r"(?:(?:" + "|".join(_ES_TENS) + r")(?:\s+y\s+(?:" + "|".join(_ES_UNITS) + r"))?|" + "|".join(
    sorted(_ES_TEENS, key=len, reverse=True)) + "|" + "|".join(_ES_UNITS) + ")"
YEAR_WORDS_ES = (r"(?:mil\s+(?:" + "|".join(_ES_HUNDREDS) + r")(?:\s+" + _ES_TWO + r")?|dos\s+mil(?:\s+" + _ES_TWO
                 + r")?)")
YEAR_WORDS = "(?:" + YEAR_WORDS_EN + "|" + YEAR_WORDS_ES + ")"


def _two(words: list[str]) -> int:
    total = 0
    for w in words:
        total += {**_EN_TENS, **_EN_UNITS, **_EN_TEENS, **_ES_TENS, **_ES_UNITS, **_ES_TEENS}.get(w, 0)
    return total


def year_value(text: str) -> int | None:
    """The year `text` (matched by YEAR_WORDS) writes, or None."""
    words = [w for w in re.split(r"[\s-]+", text.lower()) if w not in ("and", "y", "oh", "zero")]
    if not words:
        return None
    if words[0] == "mil":
        return 1000 + _ES_HUNDREDS.get(words[1], 0) + _two(words[2:]) if len(words) > 1 else None
    if words[:2] == ["dos", "mil"] or words[:2] == ["two", "thousand"]:
        return 2000 + _two(words[2:])
    if words[:2] == ["one", "thousand"]:
        return 1000 + 100 * _EN_UNITS.get(words[2], 0) + _two(words[4:])
    century = {"seventeen": 1700, "eighteen": 1800, "nineteen": 1900, "twenty": 2000}.get(words[0])
    if century is None:
        return None
    return century if words[1:] == ["hundred"] else century + _two(words[1:])
