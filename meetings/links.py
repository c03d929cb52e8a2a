"""Signed links that work without logging in: RSVP answers from a mail.

The token names the meeting, the address and (for one occurrence) its RECURRENCE-ID, signed with the
site's secret key: it cannot be guessed, and changing any part of it breaks the signature.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing

from .models import Meeting, occurrence_key, parse_occurrence_key

RSVP_SALT = "meetings.rsvp"


class BadLink(Exception):
    """A link that was tampered with, cut short, or names something that is gone."""


@dataclass
class RsvpTarget:
    meeting: Meeting
    email: str
    recurrence_id: datetime | None


def rsvp_token(meeting, email, recurrence_id=None):
    payload = {
        "m": str(meeting.ical_uid),
        "e": email.lower(),
        "o": occurrence_key(recurrence_id) if recurrence_id else "",
    }
    return signing.dumps(payload, salt=RSVP_SALT, compress=True)


def rsvp_read(token) -> RsvpTarget:
    try:
        payload = signing.loads(token, salt=RSVP_SALT)
        recurrence_id = parse_occurrence_key(payload["o"]) if payload["o"] else None
        meeting = Meeting.objects.select_related("host").get(ical_uid=payload["m"])
        email = payload["e"]
    except (signing.BadSignature, KeyError, TypeError, ValueError, Meeting.DoesNotExist) as error:
        raise BadLink from error
    if not meeting.invitations.filter(email=email).exists():
        raise BadLink  # the host took this person off the list
    return RsvpTarget(meeting, email, recurrence_id)
