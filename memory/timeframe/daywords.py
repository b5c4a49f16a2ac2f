"""Days of the month written in words ('twenty-first', 'veintiuno', 'vingt et un', 'ersten'), per language."""

from __future__ import annotations

from memory.timeframe.vocab import alternation

_EN_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_EN_UNIT_ORD = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_EN_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
             "nineteen"]
_EN_TEEN_ORD = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                "seventeenth", "eighteenth", "nineteenth"]


def _english() -> dict[str, int]:
    words = {}
    for n in range(1, 10):
        words[_EN_UNITS[n]], words[_EN_UNIT_ORD[n]] = n, n
    for n in range(10, 20):
        words[_EN_TEENS[n - 10]], words[_EN_TEEN_ORD[n - 10]] = n, n
    for tens, word, ordinal in ((20, "twenty", "twentieth"), (30, "thirty", "thirtieth")):
        words[word], words[ordinal] = tens, tens
        for n in range(1, 10 if tens == 20 else 2):
            for sep in ("-", " "):
                words[word + sep + _EN_UNITS[n]] = tens + n
                words[word + sep + _EN_UNIT_ORD[n]] = tens + n
    return words


_ES = ("uno dos tres cuatro cinco seis siete ocho nueve diez once doce trece catorce quince dieciséis diecisiete "
       "dieciocho diecinueve veinte veintiuno veintidós veintitrés veinticuatro veinticinco veintiséis veintisiete "
       "veintiocho veintinueve treinta").split()
_FR = ("un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize dix-sept dix-huit "
       "dix-neuf vingt vingt-et-un vingt-deux vingt-trois vingt-quatre vingt-cinq vingt-six vingt-sept vingt-huit "
       "vingt-neuf trente").split()
_DE = ("ersten zweiten dritten vierten fünften sechsten siebten achten neunten zehnten elften zwölften dreizehnten "
       "vierzehnten fünfzehnten sechzehnten siebzehnten achtzehnten neunzehnten zwanzigsten einundzwanzigsten "
       "zweiundzwanzigsten dreiundzwanzigsten vierundzwanzigsten fünfundzwanzigsten sechsundzwanzigsten "
       "siebenundzwanzigsten achtundzwanzigsten neunundzwanzigsten dreißigsten").split()


def _numbered(words: list[str]) -> dict[str, int]:
    return {w: i + 1 for i, w in enumerate(words)}


DAYS_EN = _english()
DAYS_ES = {**_numbered(_ES), "primero": 1, "primer": 1, "segundo": 2, "tercero": 3, "treinta y uno": 31,
           "veintidos": 22, "veintitres": 23, "dieciseis": 16, "veintiseis": 26, "vigesimo segundo": 22,
           "vigésimo segundo": 22, "vigesimo primero": 21, "vigésimo primero": 21}
DAYS_FR = {**_numbered(_FR), "premier": 1, "1er": 1, "second": 2, "seconde": 2, "deuxième": 2, "deuxieme": 2,
           "troisième": 3, "troisieme": 3, "vingt et un": 21, "trente et un": 31, "trente-et-un": 31}
DAYS_DE = {**_numbered(_DE), "erster": 1, "erste": 1, "zweiter": 2, "dritter": 3, "einunddreißigsten": 31,
           "dreissigsten": 30}

DAY_EN = alternation(DAYS_EN)
DAY_ES = alternation(DAYS_ES)
DAY_FR = alternation(DAYS_FR)
DAY_DE = alternation(DAYS_DE)
DAYS_ALL = {**DAYS_EN, **DAYS_ES, **DAYS_FR, **DAYS_DE}
