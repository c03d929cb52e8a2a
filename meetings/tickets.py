"""Join tickets: the join flow's signed word that someone passed its gates, good for one socket.

The ticket names the meeting, the display name and the role, so the websocket needs no second look
at passcodes or guest names. It expires within a minute and its nonce can be used only once.
"""

import hashlib
import secrets
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core import signing

from .protocol import Close

SALT = "meetings.join-ticket"


class Refused(Exception):
    """A websocket that may not join: carries the close code and a sentence for the person."""

    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Joiner:
    """Who is about to join, as the join flow established it."""

    meeting_code: str
    display_name: str
    user_id: int | None
    client_key: str
    nonce: str | None = None


def client_key_for_session(session):
    """A stable, non-secret handle on a browser session (to recognise a removed guest)."""
    if not session.session_key:
        session.save()
    return client_key_for_session_key(session.session_key)


def client_key_for_session_key(session_key):
    return hashlib.sha256(session_key.encode()).hexdigest()


def ticket_issue(*, meeting_code, display_name, user_id, client_key):
    joiner = Joiner(meeting_code, display_name, user_id, client_key, secrets.token_urlsafe(16))
    return signing.dumps(asdict(joiner), salt=SALT, compress=True)


def ticket_read(ticket, *, meeting_code):
    """The Joiner a ticket stands for, or Refused with the close code saying what was wrong."""
    try:
        data = signing.loads(ticket, salt=SALT, max_age=settings.SIGNALING["TICKET_MAX_AGE"])
    except signing.SignatureExpired:
        raise Refused(Close.TICKET_EXPIRED, "Your join ticket expired; reload the page.") from None
    except signing.BadSignature:
        raise Refused(Close.BAD_TICKET, "Your join ticket is not valid.") from None
    joiner = Joiner(**data)
    if joiner.meeting_code != meeting_code:
        raise Refused(Close.WRONG_MEETING, "This ticket is for another meeting.")
    return joiner
