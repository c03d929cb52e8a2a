"""Plain helpers for the meetings tests (fixtures live in conftest.py)."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

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


BERLIN = "Europe/Berlin"


def dst_series_days(year):
    """Five Tuesdays around the EU's spring change: two in winter time (UTC+1), three in summer time."""
    first = last_sunday_of_march(year) - timedelta(days=12)
    return [first + timedelta(weeks=n) for n in range(5)]


def berlin_weekly(host, days, *, hour=10, title="Berlin stand-up"):
    """A weekly series at hour:00 Europe/Berlin on days[0] and the following weeks, len(days) times."""
    from meetings import services
    from meetings.models import aware
    from meetings.services import recurrence_rrule

    start = aware(days[0], time(hour, 0), BERLIN)
    return services.meeting_create(
        host=host,
        title=title,
        starts_at=start,
        time_zone=BERLIN,
        recurrence="weekly",
        rrule=recurrence_rrule(recurrence="weekly", starts_at_local=start, count=len(days)),
    )


def berlin(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=zoneinfo.ZoneInfo(BERLIN))


def expand(ics, start, end):
    """Every occurrence a calendar app would show between start and end: [(UID, start in UTC)]."""
    import recurring_ical_events

    calendar = icalendar.Calendar.from_ical(ics)
    events = recurring_ical_events.of(calendar).between(start, end)
    return sorted(
        (str(e["UID"]), e["DTSTART"].dt.astimezone(UTC)) for e in events if e.get("STATUS") != "CANCELLED"
    )


def expand_with_vobject(ics, start, end):
    """The same, read by vobject, another implementation: the RRULE set (with its EXDATEs) less the
    occurrences that an override replaces, plus the overrides."""
    import vobject

    calendar = vobject.readOne(ics.decode() if isinstance(ics, bytes) else ics)
    found = []
    overridden = set()
    for event in calendar.vevent_list:
        if hasattr(event, "recurrence_id"):
            overridden.add((event.uid.value, event.recurrence_id.value.astimezone(UTC)))
    for event in calendar.vevent_list:
        if getattr(event, "status", None) and event.status.value == "CANCELLED":
            continue
        uid = event.uid.value
        if hasattr(event, "recurrence_id"):
            moment = event.dtstart.value.astimezone(UTC)
            if start <= moment < end:
                found.append((uid, moment))
            continue
        rules = event.getrruleset(addRDate=True)
        for moment in rules if rules is not None else [event.dtstart.value]:
            moment = moment.astimezone(UTC)
            if start <= moment < end and (uid, moment) not in overridden:
                found.append((uid, moment))
    return sorted(found)
