"""Guards the calendar conventions of a user (memory.timeframe.conventions and UserMemory.set_calendar): the country
and date order default from settings and the time zone, are stored per user, are validated, and reach search."""

from __future__ import annotations

from datetime import datetime

import pytest

from memory import settings as settings_module
from memory.api import Memory
from memory.db import open_database
from memory.errors import InvalidInput
from memory.timeframe.conventions import conventions, country_for_zone, day_first_for, normalise_country


@pytest.mark.parametrize("zone,country,day_first", [
    ("Europe/Berlin", "DE", True), ("America/New_York", "US", False), ("Australia/Sydney", "AU", True),
    ("Asia/Shanghai", "CN", False), ("UTC", None, None),
])
def test_defaults_come_from_the_zone(zone, country, day_first):
    found = conventions(zone)
    assert (found.country, found.day_first) == (country, day_first)
    assert country_for_zone(zone) == country


def test_explicit_choices_beat_the_zone():
    chosen = conventions("America/New_York", country="gb", date_order="dmy")
    assert (chosen.country, chosen.day_first) == ("GB", True)
    assert day_first_for("DE", "mdy") is False


@pytest.mark.parametrize("bad", ["Germany", "D", "12"])
def test_bad_country_is_refused(bad):
    with pytest.raises(ValueError):
        normalise_country(bad)


def test_bad_date_order_is_refused():
    with pytest.raises(ValueError):
        day_first_for("DE", "ymd")


def test_user_calendar_is_stored_and_used(memory):
    user = memory.user("ana")
    user.set_timezone("America/New_York")
    assert (user.calendar.country, user.calendar.day_first) == ("US", False)
    now = datetime(2024, 7, 20, 12, 0)
    assert user.time_frame("on 5/7/2024", now=now).start.date().isoformat() == "2024-05-07"

    user.set_calendar(country="de", date_order="dmy")
    again = memory.user("ana")  # read back from the database
    assert (again.country, again.date_order) == ("DE", "dmy")
    assert again.time_frame("on 5/7/2024", now=now).start.date().isoformat() == "2024-07-05"
    assert again.time_frame("Pfingstmontag", now=now).start.date().isoformat() == "2024-05-20"
    assert again.time_frame("Independence Day", now=now) is None  # not a German holiday

    with pytest.raises(InvalidInput):
        again.set_calendar(country="Deutschland")
    with pytest.raises(InvalidInput):
        again.set_calendar(date_order="ymd")
    assert memory.user("ana").country == "DE"  # the bad value changed nothing


def test_search_reads_the_frame_with_the_users_country(memory):
    user = memory.user("bo")
    user.set_calendar(country="US")
    user.add_note(content="fireworks by the lake", created_at=datetime(2024, 7, 4, 21, 0))
    user.add_note(content="fireworks again, smaller", created_at=datetime(2024, 7, 10, 21, 0))
    outcome = user.recall("fireworks on Independence Day", now=datetime(2024, 7, 20, 12, 0))
    assert outcome.timeframe is not None and outcome.timeframe.start.date().isoformat() == "2024-07-04"
    assert [h.text for h in outcome.hits] == ["fireworks by the lake"]


def test_settings_give_the_default(monkeypatch, sqlite_url):
    monkeypatch.setenv("MEBOT_COUNTRY", "FR")
    monkeypatch.setenv("MEBOT_DATE_ORDER", "mdy")
    config = settings_module.load()
    mem = Memory(open_database(sqlite_url), default_country=config.country, default_date_order=config.date_order)
    try:
        user = mem.user("cy")
        assert (user.calendar.country, user.calendar.day_first) == ("FR", False)
    finally:
        mem.close()
