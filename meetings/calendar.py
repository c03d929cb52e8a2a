"""Calendar data (RFC 5545) for meetings: invitation files, single-occurrence changes, and feeds.

Every meeting is one VEVENT whose UID never changes; SEQUENCE grows with each change, so a calendar
that imported it replaces the same event. A series carries its single changes the standard way: a
cancelled occurrence as an EXDATE on the series, a moved one as a VEVENT of the same UID with a
RECURRENCE-ID naming the occurrence it replaces.
"""

from datetime import timedelta

import icalendar
from django.conf import settings
from django.utils import timezone

PRODID = "-//Huddle//Video meetings//EN"


def event_uid(meeting):
    return f"{meeting.ical_uid}@{settings.SITE_NAME.lower()}"


def _new_calendar(method=None):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    return calendar


def _describe(event, meeting, join_url, attendees):
    event.add("summary", meeting.title)
    description = "\n\n".join(part for part in [meeting.description, f"Join: {join_url}"] if part)
    if meeting.passcode and "pwd=" not in join_url:
        description += f"\nPasscode: {meeting.passcode}"
    event.add("description", description)
    event.add("location", join_url)
    event.add("url", join_url)
    event.add("organizer", f"mailto:{meeting.host.email}", parameters={"cn": meeting.host.public_name})
    for address in attendees:
        event.add("attendee", f"mailto:{address}", parameters={"role": "REQ-PARTICIPANT", "rsvp": "TRUE"})


def _local(meeting, moment):
    return moment.astimezone(meeting.zone)


def series_event(meeting, *, join_url, dtstamp, attendees=(), cancelled=False):
    """The meeting itself: DTSTART in its zone, the RRULE, and an EXDATE per cancelled occurrence."""
    event = icalendar.Event()
    event.add("uid", event_uid(meeting))
    event.add("sequence", meeting.ical_sequence)
    event.add("dtstamp", dtstamp)
    local_start = _local(meeting, meeting.starts_at or meeting.created_at)
    event.add("dtstart", local_start)
    event.add("dtend", local_start + (meeting.duration or timedelta(hours=1)))
    if meeting.rrule:
        event.add("rrule", icalendar.vRecur.from_ical(meeting.rrule))
        exdates = [_local(meeting, c.recurrence_id) for c in meeting._occurrence_changes() if c.cancelled]
        if exdates:
            event.add("exdate", exdates)
    _describe(event, meeting, join_url, attendees)
    event.add("status", "CANCELLED" if cancelled or meeting.state == meeting.State.CANCELLED else "CONFIRMED")
    return event


def occurrence_event(meeting, change, *, join_url, dtstamp, attendees=()):
    """One occurrence of a series as it differs from the rule (RECURRENCE-ID): moved or cancelled."""
    occurrence = change.occurrence(meeting)
    event = icalendar.Event()
    event.add("uid", event_uid(meeting))
    event.add("recurrence-id", _local(meeting, change.recurrence_id))
    event.add("sequence", change.sequence)
    event.add("dtstamp", dtstamp)
    event.add("dtstart", _local(meeting, occurrence.starts_at))
    event.add("dtend", _local(meeting, occurrence.ends_at))
    _describe(event, meeting, join_url, attendees)
    event.add("status", "CANCELLED" if change.cancelled else "CONFIRMED")
    return event


def _add_time_zones(calendar, first_start):
    # Transitions from the first occurrence on: enough for calendars, a fraction of the default size.
    first = first_start.date()
    calendar.add_missing_timezones(first_date=first, last_date=first.replace(year=first.year + 5))


def meeting_calendar(meeting, *, join_url, method="PUBLISH", attendees=()):
    """The whole meeting as an iCalendar document (bytes): the series and every moved occurrence.

    With method CANCEL the series is cancelled, and a calendar that imported it removes it.
    """
    calendar = _new_calendar(method)
    now = timezone.now()
    cancelled = method == "CANCEL"
    calendar.add_component(
        series_event(meeting, join_url=join_url, dtstamp=now, attendees=attendees, cancelled=cancelled)
    )
    if not cancelled:
        for change in meeting._occurrence_changes():
            if not change.cancelled:
                calendar.add_component(
                    occurrence_event(meeting, change, join_url=join_url, dtstamp=now, attendees=attendees)
                )
    _add_time_zones(calendar, _local(meeting, meeting.starts_at or meeting.created_at))
    return calendar.to_ical()


def occurrence_calendar(meeting, change, *, join_url, attendees=()):
    """An iTIP message about one occurrence only: REQUEST for a move, CANCEL for a cancellation."""
    calendar = _new_calendar("CANCEL" if change.cancelled else "REQUEST")
    calendar.add_component(
        occurrence_event(meeting, change, join_url=join_url, dtstamp=timezone.now(), attendees=attendees)
    )
    _add_time_zones(
        calendar, _local(meeting, min(change.recurrence_id, change.occurrence(meeting).starts_at))
    )
    return calendar.to_ical()


def feed_calendar(meetings, *, name, join_url_for):
    """A subscription feed: every meeting with its single changes. DTSTAMP is the meeting's last change
    rather than now, so the same data gives the same bytes (and the same ETag)."""
    calendar = _new_calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", timedelta(minutes=15), parameters={"value": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")
    first = None
    for meeting in meetings:
        join_url = join_url_for(meeting)
        calendar.add_component(series_event(meeting, join_url=join_url, dtstamp=meeting.updated_at))
        for change in meeting._occurrence_changes():
            if not change.cancelled:
                stamp = max(change.updated_at, meeting.updated_at)
                calendar.add_component(occurrence_event(meeting, change, join_url=join_url, dtstamp=stamp))
        start = _local(meeting, meeting.starts_at)
        first = start if first is None or start < first else first
    if first is not None:
        _add_time_zones(calendar, first)
    return calendar.to_ical()
