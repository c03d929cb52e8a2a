"""Calendar files (RFC 5545) for a meeting: one VEVENT with a UID that never changes."""

from datetime import timedelta

import icalendar
from django.conf import settings
from django.utils import timezone

PRODID = "-//Huddle//Video meetings//EN"


def meeting_calendar(meeting, *, join_url, method="PUBLISH", attendees=()):
    """The meeting as an iCalendar document (bytes).

    UID stays the same across edits and SEQUENCE grows with each change, so a calendar that
    imported the invitation updates (or, with method CANCEL, removes) the same event.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)

    event = icalendar.Event()
    event.add("uid", f"{meeting.ical_uid}@{settings.SITE_NAME.lower()}")
    event.add("sequence", meeting.ical_sequence)
    event.add("dtstamp", timezone.now())
    event.add("summary", meeting.title)
    starts_at = meeting.starts_at or meeting.created_at
    local_start = starts_at.astimezone(meeting.zone)
    event.add("dtstart", local_start)
    event.add("dtend", local_start + (meeting.duration or timedelta(hours=1)))
    if meeting.rrule:
        event.add("rrule", icalendar.vRecur.from_ical(meeting.rrule))
    description = "\n\n".join(part for part in [meeting.description, f"Join: {join_url}"] if part)
    if meeting.passcode and "pwd=" not in join_url:
        description += f"\nPasscode: {meeting.passcode}"
    event.add("description", description)
    event.add("location", join_url)
    event.add("url", join_url)
    event.add("organizer", f"mailto:{meeting.host.email}", parameters={"cn": meeting.host.public_name})
    for address in attendees:
        event.add("attendee", f"mailto:{address}", parameters={"role": "REQ-PARTICIPANT", "rsvp": "TRUE"})
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    # Transitions from the first occurrence on: enough for calendars, a fraction of the default size.
    last_date = local_start.date().replace(year=local_start.year + 5)
    calendar.add_missing_timezones(first_date=local_start.date(), last_date=last_date)
    return calendar.to_ical()
