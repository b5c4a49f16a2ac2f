"""A user's calendar conventions: the country (whose holidays, which hemisphere) and the order of numeric dates.

Both default from the user's IANA time zone (the zone table of the `tzdata` package maps a zone to its
country); "UTC" and other zones of no country give no country, and numeric dates are then read by the
language of the text (see `memory.timeframe.rules_numeric`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

DATE_ORDERS = ("auto", "dmy", "mdy")
# Countries that write the month before the day (5/7 is May 7), and those that write the year first
# and, without a year, the month first as well.
MONTH_FIRST = frozenset({"US", "PH", "FM", "MH", "PW", "GU", "AS", "VI", "PR", "MP", "UM", "BZ", "KY", "CA"})
YEAR_FIRST = frozenset({"CN", "JP", "KR", "TW", "HU", "LT", "MN", "IR"})


@dataclass(frozen=True)
class Conventions:
    """What `memory.timeframe.parse` needs to know about a user beyond the clock."""

    country: str | None  # ISO 3166 alpha-2
    day_first: bool | None  # None: let the text's language decide


@lru_cache(maxsize=1)
def _zone_countries() -> dict[str, str]:
    """IANA zone → ISO country code, from tzdata's zone.tab."""
    try:
        text = (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        try:  # the operating system's copy of the same table
            text = Path("/usr/share/zoneinfo/zone.tab").read_text(encoding="utf-8")
        except OSError:
            return {}
    table = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                table[fields[2]] = fields[0]
    return table


def country_for_zone(zone: str | None) -> str | None:
    """The country of an IANA zone ('Europe/Berlin' → 'DE'), None for 'UTC' and unknown zones."""
    return _zone_countries().get(zone or "")


def day_first_for(country: str | None, date_order: str = "auto") -> bool | None:
    """Whether 5/7 is 5 July for this user: the explicit order, else the country's habit, else None."""
    if date_order not in DATE_ORDERS:
        raise ValueError(f"date order must be one of {DATE_ORDERS}, not {date_order!r}")
    if date_order != "auto":
        return date_order == "dmy"
    if not country:
        return None
    return country.upper() not in MONTH_FIRST | YEAR_FIRST


def normalise_country(country: str | None) -> str | None:
    """An ISO 3166 alpha-2 code in upper case, or None; raises ValueError for anything else."""
    if country is None or not str(country).strip():
        return None
    code = str(country).strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise ValueError(f"country must be an ISO 3166 two-letter code like 'DE', not {country!r}")
    return code


def conventions(zone: str | None, country: str | None = None, date_order: str | None = None) -> Conventions:
    """The conventions of a user: the given country (else the zone's) and date order (else 'auto')."""
    code = normalise_country(country) or country_for_zone(zone)
    return Conventions(code, day_first_for(code, date_order or "auto"))
