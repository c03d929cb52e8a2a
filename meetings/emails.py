"""Mails about a meeting: invitations (with the calendar file), changes, cancellations, reminders.

Each mail is written for its recipient: times in their own zone when they have an account (the
meeting's zone otherwise), with the zone named, and RSVP links signed for their address.
"""

import zoneinfo
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User

from . import links
from .calendar import meeting_calendar, occurrence_calendar
from .models import Rsvp


def recipient_zone(address, meeting):
    """The zone a recipient reads times in: their account's, else the meeting's."""
    zone = User.objects.filter(email=address.lower()).values_list("time_zone", flat=True).first()
    return zone or meeting.time_zone


def _site_root(join_url):
    parts = urlsplit(join_url)
    return f"{parts.scheme}://{parts.netloc}"


def rsvp_links(meeting, address, join_url, recurrence_id=None):
    """{"yes": url, "maybe": url, "no": url}: one click each, no login."""
    token = links.rsvp_token(meeting, address, recurrence_id)
    root = _site_root(join_url)
    return {answer: root + reverse("meetings:rsvp", args=[token, answer]) for answer in Rsvp.Answer.values}


def _send(
    meeting, address, *, subject, template, join_url, ics=None, method=None, more_calendars=(), **context
):
    """One mail to one address; `more_calendars` are further (filename, ics) files sent with `method`."""
    context = {
        "meeting": meeting,
        "join_url": join_url,
        "SITE_NAME": settings.SITE_NAME,
        "zone": recipient_zone(address, meeting),
        **context,
    }
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string(template, context),
        to=[address],
        reply_to=[meeting.host.email],
    )
    if ics is not None:
        # No charset here: the mail library adds it, and a second one makes the header ambiguous.
        message.attach("invite.ics", ics, f"text/calendar; method={method}")
    for filename, calendar in more_calendars:
        message.attach(filename, calendar, f"text/calendar; method={method}")
    message.send()


def _meeting_ics(meeting, address, join_url, method):
    """A personal room has no time, so its mails carry no calendar file."""
    if meeting.starts_at is None:
        return None
    return meeting_calendar(meeting, join_url=join_url, method=method, attendees=[address])


def send_invitations(meeting, addresses, join_url):
    """Mail the link and calendar file; addresses=None means every invitee (after an edit)."""
    if addresses is None:
        addresses = list(meeting.invitations.values_list("email", flat=True))
        subject = f"Updated: {meeting.title}"
    else:
        subject = f"Invitation: {meeting.title}"
    for address in addresses:
        _send(
            meeting,
            address,
            subject=subject,
            template="meetings/email/invitation.txt",
            join_url=join_url,
            ics=_meeting_ics(meeting, address, join_url, "REQUEST"),
            method="REQUEST",
            rsvp=rsvp_links(meeting, address, join_url) if meeting.starts_at else None,
        )


def send_cancellation(meeting, join_url):
    for address in meeting.invitations.values_list("email", flat=True):
        _send(
            meeting,
            address,
            subject=f"Cancelled: {meeting.title}",
            template="meetings/email/cancellation.txt",
            join_url=join_url,
            ics=_meeting_ics(meeting, address, join_url, "CANCEL"),
            method="CANCEL",
        )


def send_occurrence_change(meeting, change, join_url):
    """Tell invitees of one cancelled or moved occurrence, and of nothing else."""
    occurrence = change.occurrence(meeting)
    verb = "Cancelled" if change.cancelled else "Moved"
    for address in meeting.invitations.values_list("email", flat=True):
        _send(
            meeting,
            address,
            subject=f"{verb}: {meeting.title}",
            template="meetings/email/occurrence_changed.txt",
            join_url=join_url,
            ics=occurrence_calendar(meeting, change, join_url=join_url, attendees=[address]),
            method="CANCEL" if change.cancelled else "REQUEST",
            change=change,
            occurrence=occurrence,
            rsvp=None if change.cancelled else rsvp_links(meeting, address, join_url, change.recurrence_id),
        )


def send_series_split(old, new, *, old_join_url, new_join_url, split_at):
    """ "This and following": the old series now ends before split_at, the new one takes over. Each
    invitee gets one mail with both calendar files, so their calendar shows the change whole."""
    for address in new.invitations.values_list("email", flat=True):
        _send(
            new,
            address,
            subject=f"Changed from {split_at.astimezone(new.zone):%d %b} on: {new.title}",
            template="meetings/email/series_split.txt",
            join_url=new_join_url,
            ics=meeting_calendar(new, join_url=new_join_url, method="REQUEST", attendees=[address]),
            method="REQUEST",
            more_calendars=[
                (
                    "earlier.ics",
                    meeting_calendar(old, join_url=old_join_url, method="REQUEST", attendees=[address]),
                )
            ],
            old=old,
            split_at=split_at,
            rsvp=rsvp_links(new, address, new_join_url),
        )


def send_reminder(meeting, occurrence, address, join_url, *, is_host):
    zone = recipient_zone(address, meeting)
    local = occurrence.starts_at.astimezone(zoneinfo.ZoneInfo(zone))
    _send(
        meeting,
        address,
        subject=f"Reminder: {meeting.title} at {local:%H:%M} ({zone})",
        template="meetings/email/reminder.txt",
        join_url=join_url,
        occurrence=occurrence,
        is_host=is_host,
        rsvp=None if is_host else rsvp_links(meeting, address, join_url, occurrence.recurrence_id),
    )
