"""Mails about a meeting: invitations (with the calendar file), updates and cancellations."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .calendar import meeting_calendar


def _send(meeting, address, *, subject, template, join_url, method):
    context = {"meeting": meeting, "join_url": join_url, "SITE_NAME": settings.SITE_NAME}
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=render_to_string(template, context),
        to=[address],
        reply_to=[meeting.host.email],
    )
    ics = meeting_calendar(meeting, join_url=join_url, method=method, attendees=[address])
    # No charset here: the mail library adds it, and a second one makes the header ambiguous.
    message.attach("invite.ics", ics, f"text/calendar; method={method}")
    message.send()


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
            method="REQUEST",
        )


def send_cancellation(meeting, join_url):
    for address in meeting.invitations.values_list("email", flat=True):
        _send(
            meeting,
            address,
            subject=f"Cancelled: {meeting.title}",
            template="meetings/email/cancellation.txt",
            join_url=join_url,
            method="CANCEL",
        )
