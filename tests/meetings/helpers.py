"""Plain helpers for the meetings tests (fixtures live in conftest.py)."""

import zoneinfo
from datetime import date, datetime, time, timedelta

import icalendar
from django.utils import timezone

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def next_january_15():
    """A winter day that is always in the future: Europe/Paris is UTC+1 then."""
    return date(timezone.now().year + 1, 1, 15)


def last_sunday_of_march(year):
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def paris(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def schedule_data(**overrides):
    """A valid POST for the schedule/edit form; a False value leaves the field out, as a browser does
    for an unticked checkbox."""
    data = {
        "title": "Team sync",
        "description": "",
        "date": next_january_15().isoformat(),
        "time": "10:00",
        "duration_minutes": "60",
        "custom_code": "",
        "passcode": "",
        "recurrence": "",
        "recurrence_until": "",
        "recurrence_count": "",
        "allow_guests": "on",
        "max_participants": "8",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not False}


def the_event(ics):
    """The one VEVENT of a calendar file (bytes or str)."""
    calendar = icalendar.Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]
