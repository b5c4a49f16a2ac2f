"""The user's clock: every datetime the memory layer stores is UTC; naive input is the user's local time."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from memory.errors import InvalidInput


def zone(name: str) -> ZoneInfo:
    """The IANA time zone `name`, or InvalidInput."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"Unknown time zone: {name!r}") from exc


def as_aware(moment: datetime | str, tz_name: str) -> datetime:
    """`moment` (a datetime or ISO text) with a time zone, taking naive values as local to `tz_name`."""
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise InvalidInput(f"Not a date: {moment[:60]!r} (use ISO 8601, e.g. 2024-07-18 09:30)") from exc
    if not isinstance(moment, datetime):
        raise InvalidInput(f"Not a date: {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=zone(tz_name))
    return moment


def to_utc(moment: datetime | str, tz_name: str) -> datetime:
    """`moment` converted to UTC (naive input is local to `tz_name`)."""
    try:
        return as_aware(moment, tz_name).astimezone(timezone.utc)
    except OverflowError as exc:  # "0001-01-01T00:00:00+14:00" is before the first representable UTC time
        raise InvalidInput(f"Date out of range: {str(moment)[:60]!r}") from exc


def in_zone(moment: datetime, tz_name: str) -> datetime:
    """A stored time (naive values are UTC, as the database keeps them) as shown in the zone `tz_name`."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone(tz_name))


def local_now(tz_name: str) -> datetime:
    """The current time in the zone `tz_name`."""
    return datetime.now(zone(tz_name))
