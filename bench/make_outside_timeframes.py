"""Build the outside time-frame set from the Microsoft Recognizers-Text DateTime specs (MIT).

    python -m bench.make_outside_timeframes PATH   # PATH: a Recognizers-Text checkout or its git directory

Reads Specs/DateTime/<Language>/{DateParser,DatePeriodParser,HolidayParser}.json for English,
Chinese, German, French and Spanish, converts every case to Mebot's semantics and writes
bench/data/timeframes_outside.jsonl (the same bytes for the same specs), then prints the counts.
Only the test data is read; none of their code is used.

Conversion (Mebot looks back: a question about one's memory names a past or present time):
- A case needs a reference time (`Context.ReferenceDateTime`) and at most one result; a case with
  no result is a text that names no date (expected: no frame).
- A result is taken from its `PastResolution` (a date is that one day; a range is [startDate, endDate)).
- Kept only when it starts on or before the reference day, and it is not a span running forward from
  today ("within 5 days", "rest of the week", "later this month").
- Their ranges between two named ends leave the last day out ("from 4 to 22" ends on the 21st);
  Mebot's include it: the end moves on by one unit of the range's grain (day, month or year).
- Their spans ending now ("past 3 weeks", "earlier this month") leave today out; Mebot's include
  it: rolling spans move one day later (the same length), spans to now gain today.
- "N months/years ago" is that calendar month/year in Mebot (their: the one day).
- Seasons (timex SP/SU/FA/WI; no resolution in the specs) follow Mebot's convention: the meteorological
  season of the northern hemisphere (spring = March–May …, winter = December–February, named by the
  year it starts in) and one month either side, since people place the edges differently; a season
  without a year is the most recent one that has begun.
- Chinese lunar days (春节, 中秋, 农历…, 正月初一): the specs give the lunar month and day as if they
  were Gregorian; they are converted with `lunardate` (the most recent one that has begun, or the
  year named).
- A weekday named on that weekday is today in Mebot (their past resolution: a week ago).
- A phrase that says "next" names the future whatever its past resolution: left out.
- `CORRECTIONS` fixes the few expected values that are wrong in the specs (each with its reason).
- Parts of a year follow Mebot's convention: "early/beginning of <year>" is its first four months
  … see `_PARTS_OF_YEAR`; parts of a month are the whole month (Mebot's convention: an "early
  September" question searches all of September).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "data" / "timeframes_outside.jsonl"
LANGUAGES = {"English": "en", "Chinese": "zh", "German": "de", "French": "fr", "Spanish": "es"}
FILES = {"DateParser": "date", "DatePeriodParser": "period", "HolidayParser": "holiday"}

_RANGE = re.compile(r"^\((?P<a>[^,]+),(?P<b>[^,]+),P(?P<n>[\d.]+)(?P<u>[DWMY])\)$")
# Words that join the two ends of a range, in the five languages.
_JOIN = re.compile(
    r"\b(?:to|till|until|thru|through|and|between|bis|und|zwischen|au|à|et|entre|al|a|hasta|y|del)\b"
    r"|[-–~～]|到|至|和|與|与", re.IGNORECASE)
_FORWARD = re.compile(
    r"\b(?:later|rest|remaining|remainder|within|coming|upcoming|restliche[nrs]?|reste|resto|dentro|próxim|"
    r"proxim|prochain|nächste|queda|quedan)|剩下|余下|今后|未来", re.IGNORECASE)
_AGO_MONTH_YEAR = re.compile(
    r"\b(?:months?|years?|monaten?|jahren?|mois|ans?|années?|mes(?:es)?|años?)\b\s*(?:ago|back)?|个月前|個月前|年前",
    re.IGNORECASE)
_SEASONS = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
_NEXT = re.compile(r"\b(?:next|coming|upcoming|following|prochaine?|próxim[oa]s?|proxim[oa]s?|siguiente|"
                   r"nächste[nrs]?|naechste[nrs]?|kommende[nrs]?)\b|下(?:个|個)?(?:周|週|星期|月)|明年|明天|后天",
                   re.IGNORECASE)
_LUNAR = re.compile(r"农历|農曆|正月|腊月|初[一二三四五六七八九十]|春节|春節|大年|除夕|元宵|端午|中秋|重阳|七夕|"
                    r"chinese new year|nouvel an chinois|lunar|spring festival", re.IGNORECASE)
_LUNAR_NEW_YEARS_EVE = re.compile(r"除夕|大年三十|年三十")
# Expected values the specs get wrong, by source: the right [start, end) and why.
CORRECTIONS = {
    "German/HolidayParser#25": ("2016-05-05", "2016-05-06", "Himmelfahrt is Ascension (Easter + 39), not 24 March"),
    "French/HolidayParser#21": ("2016-05-01", "2016-05-02", "fête du travail is 1 May in French, not US Labor Day"),
}


def _specs(path: Path, language: str, name: str) -> list[dict]:
    """The cases of one spec file, from a checkout or straight from a git directory."""
    relative = f"Specs/DateTime/{language}/{name}.json"
    if (path / relative).exists():
        text = (path / relative).read_text(encoding="utf-8-sig")
    else:
        text = subprocess.run(["git", f"--git-dir={path}", "show", f"HEAD:{relative}"], check=True,
                              capture_output=True).stdout.decode("utf-8-sig")
    return json.loads(text)


def _lunar(text: str, timex: str, today: date) -> tuple[date, date, str] | None:
    """A lunar month/day of the timex as its Gregorian day: the year named, else the latest begun."""
    from lunardate import LunarDate

    found = re.fullmatch(r"(?P<y>\d{4}|XXXX)-(?P<m>\d\d)-(?P<d>\d\d)", timex)
    if found is None:
        return None
    month, day = int(found["m"]), int(found["d"])
    eve = _LUNAR_NEW_YEARS_EVE.search(text) is not None

    def solar(lunar_year: int) -> date | None:
        try:
            if eve:
                return LunarDate(lunar_year + 1, 1, 1).to_solar_date() - timedelta(days=1)
            return LunarDate(lunar_year, month, min(day, 29 if day == 30 else day)).to_solar_date() \
                + timedelta(days=1 if day == 30 else 0)
        except ValueError:
            return None
    if found["y"] != "XXXX":
        year = int(found["y"]) - (1 if eve and month == 12 else 0)
        candidates = [solar(year)]
    else:
        candidates = [d for d in (solar(y) for y in range(today.year - 2, today.year + 1)) if d and d <= today]
        candidates = [max(candidates)] if candidates else []
    if not candidates or candidates[0] is None:
        return None
    return candidates[0], candidates[0] + timedelta(days=1), "lunar date"


def _month_add(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _season(timex: str, today: date) -> tuple[date, date] | None:
    found = re.fullmatch(r"(?:(?P<y>\d{4})-)?(?P<s>SP|SU|FA|WI)", timex)
    if found is None:
        return None
    month = _SEASONS[found["s"]]
    if found["y"]:
        start = date(int(found["y"]), month, 1)
    else:
        start = date(today.year, month, 1)
        if start > today:
            start = date(today.year - 1, month, 1)
    return _month_add(start, -1), _month_add(start, 4)


_PARTS_OF_YEAR = {  # Mebot's convention for a part of a year: these months (first, end exclusive)
    "early": (1, 5), "beginning": (1, 2), "mid": (5, 9), "late": (9, 13), "end": (12, 13),
}
_PART = re.compile(r"\b(early|beginning|start|mid|middle|late|end|anfang|ende|mitte|début|debut|fin|mi|principios|"
                   r"comienzos|finales|fines|final|mediados)\b|(年初|年底|年末|年中|月初|月底|月末|月中)", re.IGNORECASE)
_PART_KEYS = {"start": "beginning", "middle": "mid", "anfang": "beginning", "ende": "end", "mitte": "mid",
              "début": "beginning", "debut": "beginning", "fin": "end", "mi": "mid", "principios": "beginning",
              "comienzos": "beginning", "finales": "end", "fines": "end", "final": "end", "mediados": "mid",
              "年初": "beginning", "年底": "end", "年末": "end", "年中": "mid"}


def _expected(text: str, result: dict, today: date) -> tuple[date, date, str] | None:
    """[start, end) in Mebot's semantics and the conversion note, or None when the case is not kept."""
    value = result["Value"]
    timex = value.get("Timex", "").split("|")[0]
    past = value.get("PastResolution") or {}
    phrase = result.get("Text", "")
    if timex and _season(timex, today):
        start, end = _season(timex, today)
        return start, end, "season"
    if "date" in past and _LUNAR.search(text):
        return _lunar(text, timex, today)
    if "date" in past:
        start = date.fromisoformat(past["date"])
        if re.fullmatch(r"XXXX-WXX-\d", timex) and start == today - timedelta(days=7):
            return today, today + timedelta(days=1), "weekday: today"
        finer = re.search(r"\b(?:days?|weeks?|tag|tagen|wochen?|jours?|semaines?|días?|dias?|semanas?)\b|天|周|星期",
                          phrase, re.I)
        if _AGO_MONTH_YEAR.search(phrase) and not finer and re.search(r"ago|vor|il y a|hace|前", text, re.I):
            unit_year = re.search(r"year|jahr|\ban|année|año|年前", phrase, re.I) and "个月" not in phrase
            if unit_year:
                return date(start.year, 1, 1), date(start.year + 1, 1, 1), "ago: calendar year"
            return start.replace(day=1), _month_add(start, 1), "ago: calendar month"
        return start, start + timedelta(days=1), ""
    if not past.get("startDate") or not past.get("endDate"):
        return None
    start, end = date.fromisoformat(past["startDate"]), date.fromisoformat(past["endDate"])
    note = ""
    ranged = _RANGE.match(timex)
    decades = ranged and ranged["u"] == "Y" and float(ranged["n"]) % 10 == 0 and start.year % 10 == 0
    if ranged and ranged["n"] != "0" and not decades:
        if _JOIN.search(phrase):
            unit = ranged["u"]
            if re.search(r"(?:\b(?:and|to|y|a|hasta|bis|und|au|et|until|through)\s+(?:the\s+)?|[-到至])\s*\d{4}\s*[.]?$",
                         phrase) and end.month == 1 and end.day == 1:
                end, note = date(end.year + 1, 1, 1), "range: end year included"
            elif re.search(r"[^\W\d_]{3,}\.?\s+(?:de\s+)?\d{4}\s*$", phrase) and end.day == 1:
                end, note = _month_add(end, 1), "range: end month included"
            elif unit == "Y" and start.month == 1 and start.day == 1 and end.month == 1 and end.day == 1:
                end, note = date(end.year + 1, 1, 1), "range: end year included"
            elif unit == "M" and start.day == 1 and end.day == 1 and not re.search(r"\bQ\d|quarter|季", phrase, re.I):
                end, note = _month_add(end, 1), "range: end month included"
            else:
                end, note = end + timedelta(days=1), "range: end day included"
        elif end == today and start < today:
            start, end, note = start + timedelta(days=1), end + timedelta(days=1), "rolling: today included"
    elif end == today and start < today:
        end, note = end + timedelta(days=1), "to now: today included"
    nth_week = re.fullmatch(r"(?P<y>\d{4}|XXXX)-(?P<m>\d\d)-W(?P<w>\d\d)", timex)
    if nth_week and not re.search(r"\d{4}|year|año|ano\b|année|jahr|年", phrase, re.I):  # Mebot: the n-th week of a month is days 7n-6 … 7n; the last week its last seven days
        first = start.replace(day=1) if start.day < 8 or start.month == end.month else end.replace(day=1)
        month_first = date(first.year, int(nth_week["m"]), 1) if nth_week["y"] == "XXXX" else \
            date(int(nth_week["y"]), int(nth_week["m"]), 1)
        if month_first > today:
            month_first = date(month_first.year - 1, month_first.month, 1)
        w = int(nth_week["w"])
        if re.search(r"\blast\b|últim|ultim|dernière|letzte|最后|最後", phrase, re.I):
            end = _month_add(month_first, 1)
            return end - timedelta(days=7), end, "last week of a month: its last seven days"
        return month_first + timedelta(days=7 * (w - 1)), month_first + timedelta(days=7 * w), \
            "n-th week of a month: days 7n-6 … 7n"
    last_month = re.fullmatch(r"(?P<y>\d{4})-(?P<m>\d\d)", timex)
    if last_month and re.search(r"\b(?:last|letzten|pasado|dernier|[uú]ltimo)\b", phrase, re.I) and \
            not re.search(r"\b(?:week|month|year|semaine|semana|woche|monat|mois|mes)\b", phrase, re.I):
        month = int(last_month["m"])  # Mebot: "last September" is the latest September before this month
        y = today.year if month < today.month else today.year - 1
        return date(y, month, 1), _month_add(date(y, month, 1), 1), "last <month>: the latest before this month"
    part = _PART.search(phrase)
    if part and re.fullmatch(r"\d{4}", timex) and (start.month, end.month) != (1, 1):
        word = (part[1] or part[2]).lower()
        first, last = _PARTS_OF_YEAR[_PART_KEYS.get(word, word)]
        y = int(timex)
        start, end = date(y, first, 1), date(y, last, 1) if last <= 12 else date(y + 1, 1, 1)
        note = "part of a year"
    elif part and re.fullmatch(r"(?:\d{4}|XXXX)-\d\d", timex) and (start.day, end.day) != (1, 1):
        start, end, note = start.replace(day=1), _month_add(start, 1), "part of a month: the whole month"
    return start, end, note


def convert(path: Path) -> tuple[list[dict], dict[str, int]]:
    """The converted cases, and how many of the specs' cases each reason left out."""
    cases, dropped = [], {}

    def drop(reason: str) -> None:
        dropped[reason] = dropped.get(reason, 0) + 1

    for language, lang in LANGUAGES.items():
        for name, kind in FILES.items():
            for index, spec in enumerate(_specs(path, language, name)):
                ref = (spec.get("Context") or {}).get("ReferenceDateTime")
                if not ref:
                    drop("no reference time")
                    continue
                results = spec["Results"]
                base = {"cat": f"{lang}-{kind}", "text": spec["Input"], "now": ref[:16],
                        "source": f"{language}/{name}#{index}"}
                if not results:
                    cases.append({**base, "cat": f"{lang}-no_time", "start": None, "end": None})
                    continue
                if len(results) > 1:
                    drop("more than one result")
                    continue
                today = date.fromisoformat(ref[:10])
                found = _expected(spec["Input"], results[0], today)
                if found is None:
                    drop("no past resolution")
                    continue
                start, end, note = found
                phrase = results[0].get("Text", "")
                if base["source"] in CORRECTIONS:
                    first, last, why = CORRECTIONS[base["source"]]
                    start, end, note = date.fromisoformat(first), date.fromisoformat(last), f"corrected: {why}"
                if start > today or _NEXT.search(phrase):
                    drop("future")
                    continue
                if end <= start:
                    drop("empty span")
                    continue
                if start > today:
                    drop("future")
                    continue
                if start == today and end > today + timedelta(days=1) and (
                        _FORWARD.search(phrase) or _RANGE.match(results[0]["Value"].get("Timex", ""))):
                    drop("forward from today")
                    continue
                if start.year < 1000:
                    drop("year before 1000")
                    continue
                case = {**base, "start": start.isoformat(), "end": end.isoformat(), "their_phrase": phrase}
                if note:
                    case["conversion"] = note
                cases.append(case)
    return cases, dropped


def main(args: argparse.Namespace) -> int:
    """Convert and write the set; print what was kept and dropped."""
    cases, dropped = convert(args.specs)
    args.out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    per: dict[str, int] = {}
    for c in cases:
        per[c["cat"]] = per.get(c["cat"], 0) + 1
    print(f"wrote {len(cases)} cases to {args.out}")
    for cat in sorted(per):
        print(f"  {cat:<16}{per[cat]:>5}")
    print("left out:", ", ".join(f"{k} {v}" for k, v in sorted(dropped.items())))
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("specs", type=Path, help="a Recognizers-Text checkout or its git directory")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the JSON lines")
    return parser


if __name__ == "__main__":
    sys.exit(main(make_parser().parse_args()))
