"""Holidays and other named days ("Easter", "Thanksgiving", "春节", "Weihnachten"): the day a name means in a year.

Two sources: a table of widely named days in English, German, French, Spanish and Chinese (church
feasts from Easter, fixed days, nth weekdays, the lunar festivals via the `lunardate` package), and
the public holidays of the user's country from the `holidays` package (its names in English and in
the country's own language), so "Labor Day", "Victoria Day" or "Fête nationale" mean the
country's day. A day the table names per country (Thanksgiving, Mother's Day) follows the country.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable

from dateutil.easter import easter as _easter

DayOf = Callable[[int, "str | None"], "date | None"]  # (year, country) -> the day that year


def fixed(month: int, day: int) -> DayOf:
    """The same calendar day every year."""
    return lambda year, country: date(year, month, day)


def from_easter(days: int) -> DayOf:
    """A day counted from Western Easter Sunday (dateutil's computus)."""
    return lambda year, country: _easter(year) + timedelta(days=days)


def nth_weekday(month: int, weekday: int, n: int) -> DayOf:
    """The n-th (1…4, or -1 for the last) given weekday of a month."""
    def on(year: int, country: str | None) -> date:
        if n > 0:
            first = date(year, month, 1)
            return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    return on


def lunar(month: int, day: int, shift: int = 0) -> DayOf:
    """A day of the Chinese lunisolar calendar (lunardate; 1900–2099), `shift` days on."""
    def on(year: int, country: str | None) -> date | None:
        from lunardate import LunarDate

        try:
            return LunarDate(year, month, day).to_solar_date() + timedelta(days=shift)
        except ValueError:
            return None
    return on


def _advent(week: int) -> DayOf:
    """The Sunday of Advent `week` (1–4); 1st Advent is the fourth Sunday before Christmas."""
    def on(year: int, country: str | None) -> date:
        christmas = date(year, 12, 25)
        fourth = christmas - timedelta(days=(christmas.weekday() + 1) % 7 or 7)
        return fourth - timedelta(weeks=4 - week)
    return on


def _before_advent(days: int) -> DayOf:
    return lambda year, country: _advent(1)(year, country) - timedelta(days=days)


@lru_cache(maxsize=256)
def _qingming_of(year: int) -> date | None:
    # The solar term falls on 4 or 5 April; the holidays package's Chinese calendar knows which.
    import holidays

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        china = holidays.country_holidays("CN", years=year, language="en_US")
    return next((d for d, name in china.items() if "Tomb" in name), None)


def _qingming(year: int, country: str | None) -> date | None:
    return _qingming_of(year)


def by_country(default: DayOf, **countries: DayOf) -> DayOf:
    """A day whose date depends on the country (Thanksgiving: US November, CA October)."""
    return lambda year, country: countries.get(country or "", default)(year, country)


def _mothers_day_fr(year: int, country: str | None) -> date:
    last = nth_weekday(5, 6, -1)(year, country)
    return last + timedelta(weeks=1) if last == from_easter(49)(year, country) else last


_THANKSGIVING = by_country(nth_weekday(11, 3, 4), CA=nth_weekday(10, 0, 2))


@dataclass(frozen=True)
class NamedDay:
    """One named day: the words for it (regex pieces, any language) and its date in a year."""

    names: tuple[str, ...]
    on: DayOf


def _day(names: str, on: DayOf) -> NamedDay:
    return NamedDay(tuple(n.strip() for n in names.split("|")), on)


TABLE: list[NamedDay] = [
    _day("christmas day|christmas|xmas|x-mas|weihnachten|weihnachtstag|erster weihnachtstag|1. weihnachtstag|"
         "noël|noel|jour de noël|jour de noel|navidad|navidades|día de navidad|dia de navidad|圣诞节|聖誕節|圣诞|聖誕",
         fixed(12, 25)),
    _day("christmas eve|heiligabend|heiliger abend|veille de noël|veille de noel|réveillon de noël|reveillon de noel|"
         "nochebuena|noche buena|平安夜", fixed(12, 24)),
    _day("boxing day|zweiter weihnachtstag|2. weihnachtstag|stephanstag|saint-étienne", fixed(12, 26)),
    _day("new year's day|new years day|new year's|new year|neujahr|neujahrstag|jour de l'an|nouvel an|jour du nouvel an|"
         "año nuevo|ano nuevo|día de año nuevo|元旦|元旦节|新年|yuandan", fixed(1, 1)),
    _day("new year's eve|new years eve|new year eve|silvester|silvesterabend|saint-sylvestre|saint sylvestre|"
         "réveillon du nouvel an|reveillon du nouvel an|réveillon de nouvel an|reveillon de nouvel an|nochevieja|"
         "noche vieja", fixed(12, 31)),
    _day("easter sunday|easter day|easter|ostersonntag|ostern|pâques|paques|dimanche de pâques|domingo de pascua|"
         "domingo de resurrección|pascua|pascuas|复活节|復活節", from_easter(0)),
    _day("good friday|karfreitag|vendredi saint|viernes santo|耶稣受难日", from_easter(-2)),
    _day("easter monday|ostermontag|lundi de pâques|lundi de paques|lunes de pascua", from_easter(1)),
    _day("holy saturday|karsamstag|samedi saint|sábado santo|sabado santo", from_easter(-1)),
    _day("maundy thursday|holy thursday|gründonnerstag|grundonnerstag|jeudi saint|jueves santo", from_easter(-3)),
    _day("palm sunday|palmsonntag|palmensonntag|dimanche des rameaux|domingo de ramos", from_easter(-7)),
    _day("ash wednesday|aschermittwoch|mercredi des cendres|miércoles de ceniza|miercoles de ceniza", from_easter(-46)),
    _day("shrove tuesday|pancake day|mardi gras|fastnacht|faschingsdienstag|martes de carnaval", from_easter(-47)),
    _day("rosenmontag", from_easter(-48)),
    _day("karneval|fasching|carnival sunday", from_easter(-49)),
    _day("weiberfastnacht|altweiberfastnacht|fettdonnerstag", from_easter(-52)),
    _day("ascension day|l'ascension|christi himmelfahrt|himmelfahrt|vatertag|herrentag|jeudi de l'ascension|"
         "día de la ascensión|dia de la ascension", from_easter(39)),
    _day("pentecost|whitsunday|whit sunday|pfingsten|pfingstsonntag|pentecôte|pentecote|pentecostés|pentecostes",
         from_easter(49)),
    _day("whit monday|pfingstmontag|lundi de pentecôte|lundi de pentecote", from_easter(50)),
    _day("corpus christi|fronleichnam|fête-dieu|fete-dieu", from_easter(60)),
    _day("halloween|万圣节|萬聖節|万圣夜", fixed(10, 31)),
    _day("all saints' day|all saints day|allerheiligen|toussaint|la toussaint|todos los santos|día de todos los santos",
         fixed(11, 1)),
    _day("all souls' day|all souls day|allerseelen|día de muertos|día de los muertos|dia de los muertos", fixed(11, 2)),
    _day("valentine's day|valentines day|valentine day|valentinstag|saint-valentin|saint valentin|san valentín|"
         "san valentin|día de san valentín|dia de san valentin|día de los enamorados|情人节|情人節", fixed(2, 14)),
    _day("april fools' day|april fool's day|april fools day|april fools|poisson d'avril|愚人节|愚人節", fixed(4, 1)),
    _day("mother's day|mothers day|muttertag|fête des mères|fete des meres|fête des meres|día de la madre|"
         "dia de la madre|母亲节|母親節",
         by_country(nth_weekday(5, 6, 2), FR=_mothers_day_fr, ES=nth_weekday(5, 6, 1), MX=fixed(5, 10),
                    GB=from_easter(-21), IE=from_easter(-21))),
    _day("father's day|fathers day|fête des pères|fete des peres|fête des peres|día del padre|dia del padre|"
         "父亲节|父親節", by_country(nth_weekday(6, 6, 3), ES=fixed(3, 19), IT=fixed(3, 19), PT=fixed(3, 19),
                                   DE=from_easter(39), AU=nth_weekday(9, 6, 1), NZ=nth_weekday(9, 6, 1))),
    _day("thanksgiving day|thanksgiving|thanks giving day|thanks giving|jour de thanksgiving|jour de thanks giving|"
         "action de grâce|action de grâces|action de grace|action de graces|día de acción de gracias|"
         "dia de accion de gracias|día de accion de gracias|acción de gracias|accion de gracias|感恩节|感恩節",
         _THANKSGIVING),
    _day("black friday|黑色星期五", lambda y, c: nth_weekday(11, 3, 4)(y, c) + timedelta(days=1)),
    _day("cyber monday|网络星期一", lambda y, c: nth_weekday(11, 3, 4)(y, c) + timedelta(days=4)),
    _day("martin luther king jr. day|martin luther king jr day|martin luther king day|mlk day", nth_weekday(1, 0, 3)),
    _day("may day|tag der arbeit|erster mai|1. mai|fête du travail|fete du travail|día del trabajo|dia del trabajo|"
         "día del trabajador|dia del trabajador|劳动节|勞動節|五一劳动节|五一|国际劳动节", fixed(5, 1)),
    _day("labor day|labour day", by_country(fixed(5, 1), US=nth_weekday(9, 0, 1), CA=nth_weekday(9, 0, 1))),
    _day("tag der deutschen einheit|deutsche einheit", fixed(10, 3)),
    _day("reformationstag|reformation day", fixed(10, 31)),
    _day("mariä himmelfahrt|maria himmelfahrt|assumption day|l'assomption|asunción|asuncion", fixed(8, 15)),
    _day("heilige drei könige|heilige drei koenige|dreikönigstag|epiphany|épiphanie|epiphanie|día de reyes|"
         "dia de reyes|reyes magos", fixed(1, 6)),
    _day("nikolaustag|saint nicholas day|st. nicholas day|saint-nicolas", fixed(12, 6)),
    _day("chandeleur|candlemas|mariä lichtmess", fixed(2, 2)),
    _day("bastille day|fête nationale française|14-juillet", fixed(7, 14)),
    _day("armistice day|l'armistice|remembrance day|veterans day", fixed(11, 11)),
    _day("erster advent|1. advent|first advent|first sunday of advent|advent sunday", _advent(1)),
    _day("zweiter advent|2. advent|zweiten advent|second advent", _advent(2)),
    _day("dritter advent|3. advent|dritten advent|third advent", _advent(3)),
    _day("vierter advent|4. advent|vierten advent|fourth advent", _advent(4)),
    _day("totensonntag|ewigkeitssonntag", _before_advent(7)),
    _day("buß- und bettag|buss- und bettag|buß und bettag", _before_advent(11)),
    _day("volkstrauertag", _before_advent(14)),
    _day("schweizer buß- und bettag|eidgenössischer dank-, buss- und bettag|bettag", nth_weekday(9, 6, 3)),
    # Chinese festivals and days (lunar ones via lunardate).
    _day("春节|春節|大年初一|农历新年|農曆新年|chinese new year|lunar new year|spring festival|nouvel an chinois|"
         "chinesisches neujahr|año nuevo chino|ano nuevo chino", lunar(1, 1)),
    _day("除夕|大年三十|年三十|chinese new year's eve|lunar new year's eve", lunar(1, 1, -1)),
    _day("元宵节|元宵節|元宵|lantern festival|fête des lanternes|laternenfest", lunar(1, 15)),
    _day("端午节|端午節|端午|dragon boat festival|duanwu|drachenbootfest|fête des bateaux-dragons", lunar(5, 5)),
    _day("七夕节|七夕|qixi", lunar(7, 7)),
    _day("中秋节|中秋節|中秋|mid-autumn festival|mid autumn festival|moon festival|mondfest|fête de la mi-automne",
         lunar(8, 15)),
    _day("重阳节|重陽節|重阳|double ninth festival|chongyang", lunar(9, 9)),
    _day("腊八节|腊八", lunar(12, 8)),
    _day("清明节|清明節|清明|qingming|tomb-sweeping day|tomb sweeping day", _qingming),
    _day("教师节|教師節", fixed(9, 10)),
    _day("青年节|青年節|五四青年节", fixed(5, 4)),
    _day("儿童节|兒童節|六一儿童节|六一", fixed(6, 1)),
    _day("妇女节|婦女節|三八妇女节|国际妇女节|women's day|international women's day|weltfrauentag|frauentag|"
         "journée de la femme|día de la mujer", fixed(3, 8)),
    _day("植树节|植樹節", fixed(3, 12)),
    _day("国庆节|國慶節|国庆|國慶", fixed(10, 1)),
    _day("建军节|建軍節", fixed(8, 1)),
    _day("建党节|建黨節", fixed(7, 1)),
    _day("女生节|女生節", fixed(3, 7)),
    _day("光棍节|光棍節|双十一|雙十一|singles' day|singles day", fixed(11, 11)),
    _day("双十二|雙十二", fixed(12, 12)),
]


def _pattern(name: str) -> str:
    """A regex piece for a name: spaces and hyphens loose, an apostrophe optional, 's optional."""
    out = []
    for ch in name:
        if ch in " -":
            out.append(r"[\s\-]*")
        elif ch in "'’":
            out.append(r"['’]?")
        elif ch == ".":
            out.append(r"\.?")
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _word(piece: str, name: str) -> str:
    """Latin names need word boundaries; Chinese ones stand alone."""
    return piece if re.match("[\u4e00-\u9fff]", name) else r"(?<!\w)" + piece + r"(?!\w)"


@lru_cache(maxsize=64)
def days_for(country: str | None) -> tuple[tuple[re.Pattern, NamedDay], ...]:
    """Every named day for `country`: the table first, then the country's public holidays not in it."""
    entries = [(n, d) for d in TABLE for n in d.names]
    entries += _country_entries(country)
    entries.sort(key=lambda e: len(e[0]), reverse=True)
    return tuple((re.compile(_word(_pattern(n), n), re.IGNORECASE), d) for n, d in entries)


@lru_cache(maxsize=64)
def names_regex(country: str | None) -> str:
    """One regex alternation over every name of `days_for(country)`, longest first."""
    names = sorted({n for d in TABLE for n in d.names} | {n for n, _ in _country_entries(country)},
                   key=len, reverse=True)
    return "(?:" + "|".join(_word(_pattern(n), n) for n in names) + ")"


# Words too common to stand for a name in the pre-check ("Black Friday" is found by "black").
_COMMON = frozenset({"day", "days", "year", "years", "new", "s", "de", "del", "la", "le", "l", "el", "of", "the",
                     "first", "second", "third", "fourth", "jour", "tag", "der", "des", "du", "dia", "día", "st",
                     "saint", "santo", "may", "april", "mai", "juillet", "good", "holy", "all"}
                    | {w for w in ("monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi "
                                   "jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado "
                                   "domingo montag dienstag mittwoch donnerstag freitag samstag sonntag").split()})


@lru_cache(maxsize=64)
def triggers(country: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """The longest word of every Latin name and the first character of every Chinese one: a cheap pre-check."""
    names = {n for d in TABLE for n in d.names} | {n for n, _ in _country_entries(country)}
    words = set()
    for name in names:
        if re.match("[\u4e00-\u9fff]", name):
            continue
        found = re.findall(r"[^\W\d_]+", name.lower())
        rare = [w for w in found if w not in _COMMON]
        if found:
            words.add(max(rare or found, key=len))
    chars = {n[0] for n in names if re.match("[\u4e00-\u9fff]", n)}
    return frozenset(words), frozenset(chars)


def mentions_one(text: str, country: str | None) -> bool:
    """Whether `text` could name a day of `days_for(country)` (no false 'no')."""
    words, chars = triggers(country)
    if chars and any(ch in chars for ch in text):
        return True
    return not words.isdisjoint(re.findall(r"[^\W\d_]+", text.lower()))


def _key(name: str) -> str:
    """A name with case, apostrophes, dots, hyphens and spacing made uniform, for exact lookup."""
    return " ".join(re.sub(r"['’.]", "", name.lower()).replace("-", " ").split())


@lru_cache(maxsize=64)
def _by_key(country: str | None) -> dict[str, NamedDay]:
    table = {}
    for _, named in reversed(days_for(country)):
        for name in named.names:
            table[_key(name)] = named
    return table


def lookup(phrase: str, country: str | None) -> NamedDay | None:
    """The named day `phrase` (a name exactly) stands for."""
    found = _by_key(country).get(_key(phrase))
    if found is not None:
        return found
    for pattern, named in days_for(country):
        if pattern.fullmatch(phrase.strip()):
            return named
    return None


_QUALIFIERS = re.compile(r"\s*[\(（].*?[\)）]\s*|\s*\*\s*")


@lru_cache(maxsize=64)
def _country_entries(country: str | None) -> tuple[tuple[str, NamedDay], ...]:
    """The public holidays of `country` from the `holidays` package, by name (English and local)."""
    if not country:
        return ()
    import holidays

    known = {n.lower() for d in TABLE for n in d.names}
    by_name: dict[str, dict[int, date]] = {}
    try:
        sample = holidays.country_holidays(country)
    except (NotImplementedError, KeyError):
        return ()
    languages = {None, "en_US", getattr(sample, "default_language", None)}
    languages &= set(getattr(sample, "supported_languages", ()) or ()) | {None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for language in languages:
            calendar = holidays.country_holidays(country, years=range(1990, 2036), language=language)
            for day, names in calendar.items():
                for name in names.split("; "):
                    name = _QUALIFIERS.sub("", name).strip().lower()
                    if len(name) >= 3 and name not in known and not re.search(
                            r"\d|observed|substitute|bridge|day off|休息日|调休|補假|补假|振替休日|国民の休日", name):
                        days = by_name.setdefault(name, {}).setdefault(day.year, [])
                        days.append(day)
    entries = []
    for name, years in by_name.items():
        # A holiday kept over the years (not a one-off) and a few days long at most; its first day.
        if len(years) >= 10 and max(len(days) for days in years.values()) <= 7:
            first = {y: min(days) for y, days in years.items()}
            entries.append((name, NamedDay((name,), lambda y, c, first=first: first.get(y))))
    return tuple(entries)


def occurrences(named: NamedDay, country: str | None, years) -> list[date]:
    """The days `named` falls on in `years` (years it has no date in are skipped)."""
    out = []
    for y in years:
        try:
            found = named.on(y, country)
        except ValueError:
            found = None
        if found is not None:
            out.append(found)
    return out
